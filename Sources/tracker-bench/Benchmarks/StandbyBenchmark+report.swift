import Foundation
import TrackerCore

extension StandbyBenchmark {
    /// The Markdown: reads per target, replay lag, ingest with and without the reads, connections.
    func report(
        stored: Int, rate: Double, flatOut: (alone: Window, reading: Window), half: [Window], halfReading: [Window],
        endpoints: [String], targets: [String]
    ) -> String {
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        func percentile(_ values: [Double], _ fraction: Double) -> Double {
            values.isEmpty ? .nan : QueryBenchmark.Latencies(name: "", milliseconds: values).percentile(fraction)
        }
        let reads = halfReading.reduce(into: [String: [Double]]()) { $0.merge($1.reads, uniquingKeysWith: +) }
        let failed = halfReading.reduce(into: [String: Int]()) { $0.merge($1.failedReads, uniquingKeysWith: +) }
        var lines = [
            "Data set: \(stored) events over \(data.days) days, \(data.people) people (the query benchmark's, seeded "
                + "on the primary and replayed by the standby). Sustainable ingest, flat out without reads: "
                + "\(Int(flatOut.alone.stored)) stored events/s; half of it, \(Int(rate)) events/s, sent in batches of "
                + "100 while \(readers) clients each send the query benchmark's reads one after the other, a pass "
                + "through the standby-reading query API and one through the primary-reading one in turn. "
                + "\(rounds) rounds of \(Int(duration.inSeconds)) s at half rate without reads, then with; pools of "
                + "\(poolSize).",
            "",
            "| read at half-rate ingest (30 days unless said) | standby p50 ms | standby p99 ms | primary p50 ms "
                + "| primary p99 ms | standby p99 / primary p99 |",
            "|---|---|---|---|---|---|",
        ]
        func row(_ name: String, standby: [Double], primary: [Double]) -> String {
            let (s99, p99) = (percentile(standby, 0.99), percentile(primary, 0.99))
            return "| \(name) | \(ms(percentile(standby, 0.5))) | \(ms(s99)) | \(ms(percentile(primary, 0.5))) | "
                + "\(ms(p99)) | \(String(format: "%.2f", s99 / p99)) |"
        }
        for name in endpoints {
            lines.append(
                row(name, standby: reads["\(targets[0])|\(name)"] ?? [], primary: reads["\(targets[1])|\(name)"] ?? []))
        }
        let all = { (target: String) in reads.filter { $0.key.hasPrefix("\(target)|") }.flatMap(\.value) }
        lines.append(row("all reads", standby: all(targets[0]), primary: all(targets[1])))
        lines += [
            "",
            "Reads answered 200: \(all(targets[0]).count) through the standby, \(all(targets[1]).count) through the "
                + "primary; other answers (target, status: count): "
                + (failed.isEmpty
                    ? "none"
                    : failed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
                + ".",
            "",
            "| standby replay lag at half-rate ingest | p50 | p99 | max | samples |",
            "|---|---|---|---|---|",
        ]
        for (name, windows) in [("without reads", half), ("with reads", halfReading)] {
            let bytes = windows.flatMap { $0.lag.map(\.bytes) }
            let seconds = windows.flatMap { $0.lag.map { $0.seconds * 1e3 } }
            func kb(_ value: Double) -> String { String(format: "%.1f", value / 1024) }
            lines.append(
                "| WAL behind the primary (kB), \(name) | \(kb(percentile(bytes, 0.5))) | \(kb(percentile(bytes, 0.99))) "
                    + "| \(kb(bytes.max() ?? .nan)) | \(bytes.count) |")
            lines.append(
                "| time until replayed (ms), \(name) | \(ms(percentile(seconds, 0.5))) | "
                    + "\(ms(percentile(seconds, 0.99))) | \(ms(seconds.max() ?? .nan)) | \(seconds.count) |")
        }
        let without = half.map(\.stored)
        let with = halfReading.map(\.stored)
        lines += [
            "",
            "| ingest (collector + \(Self.workers) workers) | stored events/s (median) | each round | × without reads |",
            "|---|---|---|---|",
            "| half rate (\(Int(rate))/s sent), without reads | \(Int(without.median)) | \(without.listedRates) | 1.00 |",
            "| half rate, with the reads | \(Int(with.median)) | \(with.listedRates) | "
                + "\(String(format: "%.2f", with.ratios(over: without).median)) (\(with.ratios(over: without).listed)) |",
            "| flat out, without reads (the sustainable rate) | \(Int(flatOut.alone.stored)) | – | 1.00 |",
            "| flat out, with the reads | \(Int(flatOut.reading.stored)) | – | "
                + "\(String(format: "%.2f", flatOut.reading.stored / flatOut.alone.stored)) |",
            "",
            "Acknowledged events/s at half rate without / with reads: \(half.map(\.acknowledged).listedRates) / "
                + "\(halfReading.map(\.acknowledged).listedRates); requests refused: "
                + "\(half.map(\.refused).reduce(0, +)) / \(halfReading.map(\.refused).reduce(0, +)); staging backlog "
                + "after each window: \(half.map { "\($0.backlogAfter)" }.joined(separator: ", ")) / "
                + "\(halfReading.map { "\($0.backlogAfter)" }.joined(separator: ", ")).",
            "",
        ]
        lines += connections(halfReading: halfReading, flatOut: flatOut.reading)
        return lines.joined(separator: "\n")
    }

    /// Peak connections per role on each server, sampled every 500 ms from `pg_stat_activity`.
    private func connections(halfReading: [Window], flatOut: Window) -> [String] {
        let half = halfReading.reduce(into: [String: Int]()) { $0.merge($1.connections, uniquingKeysWith: max) }
        let names = Set(
            (Array(half.keys) + Array(flatOut.connections.keys)).map { String($0.split(separator: "|")[1]) })
        let known = Role.allCases.map(\.rawValue)
        let others = names.subtracting(known).sorted()
        func cell(_ peaks: [String: Int], _ server: String, _ name: String) -> String {
            peaks["\(server)|\(name)"].map(String.init) ?? "0"
        }
        var lines = [
            "| connections per role (peak of samples every 500 ms) | primary, half rate + reads | standby, half rate "
                + "+ reads | primary, flat out + reads | standby, flat out + reads |",
            "|---|---|---|---|---|",
        ]
        for name in known + others {
            let label =
                Role(rawValue: name)?.label
                ?? (name == "walreceiver"
                    ? "the standby's replication (WAL sender)" : "`\(name)` (not this benchmark's)")
            lines.append(
                "| \(label) | \(cell(half, "primary", name)) | \(cell(half, "standby", name)) | "
                    + "\(cell(flatOut.connections, "primary", name)) | \(cell(flatOut.connections, "standby", name)) |")
        }
        return lines
    }
}
