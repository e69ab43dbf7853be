import Foundation
import Testing

@testable import TrackerCore

/// What `jsonb` refuses, judged on the tree: the reference the one-pass byte check must agree with.
func treeStorageProblems(_ value: JSONValue) -> [MessageRejection] {
    switch value {
    case .string(let string): string.utf8.contains(0) ? [.containsNUL] : []
    case .number(let text): JSONValue.fitsNumeric(text) ? [] : [.oversizedNumber]
    case .array(let elements): elements.flatMap(treeStorageProblems)
    case .object(let members):
        (members.keys.contains { $0.utf8.contains(0) } ? [.containsNUL] : [])
            + members.values.flatMap(treeStorageProblems)
    default: []
    }
}

@Suite struct RawJSONTests {
    /// Generated objects with the values `jsonb` refuses mixed in, and look-alikes it takes.
    @Test func decodingKeepsEachObjectsTextAndJudgesItAsTheTreeWould() throws {
        var generator = JSONGenerator(rng: SplitMix64(state: 20_261_126))
        let hazards = [
            #""a\u0000b""#, #""\\u0000""#, #""\\\u0000""#, "1e999999", "0.1e-16383", "0.1e-16382", "-1E131072",
            "1E131071", #""1e999999""#, #"{"\u0000":1}"#,
        ]
        var refused = 0
        for round in 0..<2_000 {
            let members = (0..<Int.random(in: 0...4, using: &generator.rng)).map { index in
                let value =
                    Int.random(in: 0..<4, using: &generator.rng) == 0
                    ? hazards.randomElement(using: &generator.rng)! : generator.value(depth: 1)
                return "\"k\(index)\":" + generator.whitespace() + value
            }
            let properties = "{" + members.joined(separator: ",") + "}"
            let payload = #"{"type":"track","userId":"u","event":"E","properties":"# + properties + "}"
            let message = try decode(payload).get()
            #expect(message.properties.text == properties, "round \(round)")
            let tree = try JSONValue(parsing: properties)
            #expect(message.properties.value == tree, "round \(round): \(properties)")
            // The first problem met in the text; which one that is depends on order the tree lost.
            let problems = treeStorageProblems(tree)
            let problem = message.properties.storageProblem
            #expect(problem.map(problems.contains) ?? problems.isEmpty, "round \(round): \(properties)")
            if message.properties.storageProblem != nil { refused += 1 }
        }
        #expect(refused > 100, "the hazards should make some objects unstorable, made \(refused)")
    }

    @Test func membersAreFoundByTheirDecodedKeyAndTheLastCopyWins() {
        let context = RawJSON(validated: #"{"sessionId":"a","sess\u0069onId":"b","traits":{"x":[1, 2]}}"#)
        #expect(context["sessionId"] == .string("b"))
        #expect(context.member("traits")?.text == #"{"x":[1, 2]}"#)
        #expect(context["missing"] == nil)
        #expect(RawJSON(validated: "[1]")["0"] == nil)
    }

    @Test func sessionIdAndTraitsAreReadFromInsideTheObjects() throws {
        let fromContext = try decode(
            #"{"type":"identify","userId":"u","context":{"sessionId":"s1","traits":{"plan":"pro"}}}"#
        ).get()
        #expect(fromContext.sessionId == "s1" && fromContext.traits.value == .object(["plan": .string("pro")]))
        let fromProperties = try decode(#"{"type":"track","userId":"u","event":"E","properties":{"sessionId":7}}"#)
            .get()
        #expect(fromProperties.sessionId == "7")
    }

    /// sessionId and context traits are picked up while the message is scanned: every rule of a
    /// lookup in the finished objects must still hold.
    @Test func sessionIdAndTraitsFollowTheLookupRules() throws {
        func message(_ payload: String, envelope: String? = nil) throws -> SegmentMessage {
            try decode(payload, envelope: envelope).get()
        }
        let both = try message(
            #"{"type":"track","userId":"u","event":"E","context":{"sessionId":"c"},"properties":{"sessionId":"p"}}"#)
        #expect(both.sessionId == "c")
        let lastCopy = try message(
            #"{"type":"track","userId":"u","event":"E","context":{"sessionId":"a","sess\u0069onId":"b"}}"#)
        #expect(lastCopy.sessionId == "b")
        let lastContext = try message(
            #"{"type":"track","userId":"u","event":"E","context":{"sessionId":"a"},"properties":{"sessionId":"p"},"context":{}}"#
        )
        #expect(lastContext.sessionId == "p" && lastContext.context.text == "{}")
        let nested = try message(#"{"type":"track","userId":"u","event":"E","context":{"page":{"sessionId":"deep"}}}"#)
        #expect(nested.sessionId == nil)
        let batch = #"{"context":{"sessionId":"batch","traits":{"plan":"team"}}}"#
        let fromBatch = try message(#"{"type":"identify","userId":"u"}"#, envelope: batch)
        #expect(fromBatch.sessionId == "batch" && fromBatch.traits.value == .object(["plan": .string("team")]))
        let ownWins = try message(#"{"type":"identify","userId":"u","context":{"sessionId":"own"}}"#, envelope: batch)
        #expect(ownWins.sessionId == "own" && ownWins.traits.value == .object(["plan": .string("team")]))
        #expect(
            reason(decode(#"{"type":"track","userId":"u","event":"E","context":{"sessionId":{}}}"#)) == .invalidField)
    }
}
