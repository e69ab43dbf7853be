import Testing

@testable import TrackerCollector

@Suite struct WriteKeysTests {
    @Test func pairsAKeyWithoutSourceAndATrailingCommaAreRead() throws {
        let keys = try WriteKeys(parsing: " web-key:web , ios-key : ios,bare-key,")
        #expect(keys.sources == ["web-key": "web", "ios-key": "ios", "bare-key": WriteKeys.defaultSource])
        #expect(try WriteKeys(parsing: "").isEnabled == false)
    }

    @Test(arguments: [
        (":", "entry 1 has no key before its ':'"),
        ("a:web,:ios", "entry 2 has no key before its ':'"),
        ("secret-key:", "entry 1 has no source after its ':'"),
        ("secret-key:web,other:ios,secret-key:android", "entry 3 repeats the key of an earlier entry"),
        ("CHANGE-ME:web", "entry 1 is the placeholder CHANGE-ME: set a real key"),
    ])
    func aMalformedListIsAnErrorNamingTheVariableNeverACrash(text: String, reason: String) {
        #expect {
            try WriteKeys(parsing: text)
        } throws: { error in
            let description = "\(error)"
            return description == "TRACKER_WRITE_KEYS: \(reason) (expected key:source,key:source)"
                && !description.contains("secret-key")
        }
    }
}
