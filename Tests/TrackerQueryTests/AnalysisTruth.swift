import Foundation

/// Generated traffic for the analysis tests, and the answers computed from it in plain Swift, by
/// definition (not by the code under test): every chain of events is tried for funnels, every
/// person's days are listed for retention.
struct AnalysisTraffic {
    struct Event {
        var source: String
        var messageId: String
        var type: String
        /// The track event, or the page's name.
        var name: String?
        var userId: String?
        var anonymousId: String?
        var previousId: String?
        var time: Date
        /// The `plan` property: nil when missing.
        var plan: PlanValue?

        var payload: String {
            var fields = [#""type":"\#(type)""#, #""messageId":"\#(messageId)""#, #""timestamp":"\#(iso(time))""#]
            if let userId { fields.append(#""userId":"\#(userId)""#) }
            if let anonymousId { fields.append(#""anonymousId":"\#(anonymousId)""#) }
            if let previousId { fields.append(#""previousId":"\#(previousId)""#) }
            if let name { fields.append(type == "track" ? #""event":"\#(name)""# : #""name":"\#(name)""#) }
            fields.append(#""properties":{\#(plan.map { #""plan":\#($0.json),"# } ?? "")"n":1}"#)
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    enum PlanValue: Hashable {
        case text(String), number(Int), flag(Bool), null

        var json: String {
            switch self {
            case .text(let text): "\"\(text)\""
            case .number(let number): "\(number)"
            case .flag(let flag): "\(flag)"
            case .null: "null"
            }
        }
    }

    /// Stored events, in the order they were staged.
    var events: [Event] = []
    /// Phases staged one after another (each drained before the next), as payloads per source.
    var phases: [[(source: String, payloads: [String])]] = []
    let start: Date

    /// People over about 30 days from `start` (a UTC midnight): users seen first anonymously and
    /// identified later, users linked by an alias, people who stay anonymous, late events that
    /// arrive after later ones, events with equal timestamps, retries and two sources.
    init(start: Date, seed: UInt64) {
        self.start = start
        var random = SeededRandom(seed)
        let names = ["View", "Signup", "Pay", "Other"]
        let plans: [PlanValue?] = [
            .text("pro"), .text("free"), .number(3), .flag(true), .null, nil,
            .text(String(repeating: "long ", count: 50)),
        ]
        var serial = 0
        func event(
            _ type: String, _ name: String?, user: String?, anonymous: String?, previous: String? = nil,
            at time: Date, source: String = "web"
        ) -> Event {
            serial += 1
            return Event(
                source: source, messageId: "m\(serial)", type: type, name: name, userId: user, anonymousId: anonymous,
                previousId: previous, time: time, plan: name == nil ? nil : plans[random.next(plans.count)])
        }
        var recent: [Event] = []
        var late: [Event] = []
        for person in 0..<36 {
            let user = "u\(person)", anonymous = "a\(person)"
            let kind = person % 4
            // A few active days, some events with equal timestamps.
            var time = start.addingTimeInterval(Double(86_400 * random.next(12) + 60 * random.next(1_400)))
            for index in 0..<(6 + random.next(10)) {
                let name = names[random.next(names.count)]
                let type = index % 5 == 0 ? "page" : "track"
                let (u, a): (String?, String?) =
                    switch kind {
                    case 0: index < 3 ? (nil, anonymous) : (user, nil)  // anonymous first, identified at index 3
                    case 1: index < 3 ? (nil, anonymous) : (user, anonymous)  // aliased later
                    case 2: (nil, anonymous)  // stays anonymous
                    default: (user, nil)
                    }
                let e = event(type, name, user: u, anonymous: a, at: time, source: index % 3 == 0 ? "ios" : "web")
                // Every fourth person's first events arrive late, after their later ones.
                if person % 4 == 3 && index < 2 { late.append(e) } else { recent.append(e) }
                if kind == 0 && index == 2 {
                    recent.append(event("identify", nil, user: user, anonymous: anonymous, at: time))
                }
                if kind == 1 && index == 2 {
                    recent.append(event("alias", nil, user: user, anonymous: nil, previous: anonymous, at: time))
                }
                // Ties: a step at the same time as the last one, now and then.
                let step = random.next(4) == 0 ? 0 : 30 * random.next(600) + (random.next(4) == 0 ? 86_400 : 0)
                time = time.addingTimeInterval(Double(step))
            }
        }
        // The same messageId from another source is another event.
        let twin = recent[5]
        var copy = twin
        copy.source = twin.source == "web" ? "ios" : "web"
        recent.append(copy)
        // A second link of an already linked anonymous id loses.
        let conflicting = event("identify", nil, user: "u99", anonymous: "a0", at: start.addingTimeInterval(86_400))
        events = recent + late + [conflicting]
        // Retries of stored messages with other timestamps: dropped, not counted.
        let retries = recent.prefix(20).map { original in
            var retry = original
            retry.time = original.time.addingTimeInterval(3_600)
            retry.name = "Pay"
            return retry
        }
        phases = [
            Self.bySource(recent.shuffled(using: &random)), Self.bySource(late + [conflicting]),
            Self.bySource(retries),
        ]
    }

    static func bySource(_ events: [Event]) -> [(source: String, payloads: [String])] {
        ["web", "ios"].map { source in (source, events.filter { $0.source == source }.map(\.payload)) }
    }

    /// Anonymous id → user id, the first link of each staged wins.
    func links(erased: Set<String> = []) -> [String: String] {
        var links: [String: String] = [:]
        for e in events where !isErased(e, erased) {
            let pair: (String?, String?) =
                e.type == "identify"
                ? (e.anonymousId, e.userId) : e.type == "alias" ? (e.previousId, e.userId) : (nil, nil)
            if let anonymous = pair.0, let user = pair.1, links[anonymous] == nil { links[anonymous] = user }
        }
        return links
    }

    func isErased(_ e: Event, _ erased: Set<String>) -> Bool {
        [e.userId, e.anonymousId, e.previousId].contains { $0.map(erased.contains) ?? false }
    }

    /// People at each step, by trying every chain from every first step in `[from, to)`.
    func funnel(_ steps: [String], within: TimeInterval, from: Date, to: Date, erased: Set<String> = []) -> [Int] {
        let links = links(erased: erased)
        var byPerson: [String: [Event]] = [:]
        for e in events where !isErased(e, erased) {
            guard let name = e.name, steps.contains(name) else { continue }
            let person = e.userId ?? links[e.anonymousId!] ?? e.anonymousId!
            byPerson[person, default: []].append(e)
        }
        var counts = Array(repeating: 0, count: steps.count)
        for (_, list) in byPerson {
            var best = 0
            for (index, first) in list.enumerated()
            where first.name == steps[0] && first.time >= from && first.time < to {
                best = max(best, Self.longest(steps, list, used: [index], last: first, first: first, within: within))
            }
            for k in 0..<best { counts[k] += 1 }
        }
        return counts
    }

    /// The most steps a chain starting with `used` reaches: each next event distinct, at or after
    /// the previous one, no later than `within` after the first.
    static func longest(
        _ steps: [String], _ list: [Event], used: [Int], last: Event, first: Event, within: TimeInterval
    )
        -> Int
    {
        guard used.count < steps.count else { return used.count }
        var best = used.count
        for (index, e) in list.enumerated()
        where !used.contains(index) && e.name == steps[used.count] && e.time >= last.time
            && e.time <= first.time.addingTimeInterval(within)
        {
            best = max(best, longest(steps, list, used: used + [index], last: e, first: first, within: within))
            if best == steps.count { break }
        }
        return best
    }

    /// Cohort start → returned[0..<periods], person = userId else anonymousId, buckets of `days`.
    func retention(days: Int, from: Date, to: Date, periods: Int, erased: Set<String> = []) -> [Date: [Int]] {
        var active: [String: Set<Date>] = [:]
        for e in events where !isErased(e, erased) {
            active[e.userId ?? e.anonymousId!, default: []].insert(Self.bucket(e.time, days: days))
        }
        let firstBucket = Self.bucket(from, days: days)
        var cohorts: [Date: [Int]] = [:]
        for (_, buckets) in active {
            let cohort = buckets.min()!
            guard cohort >= firstBucket && cohort < to else { continue }
            var row = cohorts[cohort] ?? Array(repeating: 0, count: periods)
            for k in 0..<periods where buckets.contains(cohort.addingTimeInterval(Double(k * days * 86_400))) {
                row[k] += 1
            }
            cohorts[cohort] = row
        }
        return cohorts
    }

    /// The UTC day, or the Monday-started week, holding `time`.
    static func bucket(_ time: Date, days: Int) -> Date {
        let day = (time.timeIntervalSince1970 / 86_400).rounded(.down)
        // 1970-01-01 was a Thursday: Mondays are days ≡ 4 (mod 7).
        let start = days == 1 ? day : day - (day - 4).truncatingRemainder(dividingBy: 7)
        return Date(timeIntervalSince1970: start * 86_400)
    }

    /// Counts of `name` per `plan` value in `[from, to)`.
    func breakdown(_ name: String, from: Date, to: Date, erased: Set<String> = []) -> [PlanValue: Int] {
        var counts: [PlanValue: Int] = [:]
        for e in events where !isErased(e, erased) && e.name == name && e.time >= from && e.time < to {
            // A value whose JSON text is over 200 bytes is counted under one marker.
            let value = e.plan.map { $0.json.utf8.count > 200 ? .text("(a value over 200 bytes)") : $0 } ?? .null
            counts[value, default: 0] += 1
        }
        return counts
    }
}

/// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
