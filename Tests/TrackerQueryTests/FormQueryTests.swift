import Testing
import TrackerHTTP

/// The one query-string decoder every server uses, on its own: form encoding, repeats, bad bytes.
@Suite struct FormQueryTests {
    func refusal(_ query: String, repeatable: Set<String> = []) -> APIError? {
        do {
            _ = try FormQuery(decoding: query, repeatable: repeatable)
            return nil
        } catch {
            return error
        }
    }

    @Test func plusIsASpaceAndPercentEscapesAreUTF8Bytes() throws {
        let query = try FormQuery(
            decoding: "event=Page+Viewed&user_id=a%2Bb%40example.com&name=Caf%C3%A9%20%F0%9F%9A%80"
                + "&q=Q%26A%3D1%25&raw=Zo\u{EB}&ev%65nt2=x+%2B+y")
        #expect(query.value("event") == "Page Viewed")
        #expect(query.value("user_id") == "a+b@example.com")
        #expect(query.value("name") == "Café 🚀")
        #expect(query.value("q") == "Q&A=1%")
        #expect(query.value("raw") == "Zoë")
        #expect(query.value("event2") == "x + y", "names are decoded too")
        #expect(query.value("missing") == nil)
    }

    @Test func emptyValuesPairsAndQueries() throws {
        let query = try FormQuery(decoding: "a=&b&&c=1=2&")
        #expect(query.value("a") == "")
        #expect(query.value("b") == "")
        #expect(query.value("c") == "1=2", "only the first = separates")
        #expect(try FormQuery(decoding: nil).value("a") == nil)
        #expect(try FormQuery(decoding: "").value("a") == nil)
    }

    @Test func aRepeatedParameterIsRefusedUnlessRepeatable() throws {
        let twice = try #require(refusal("user_id=u1&user_id=u2"))
        #expect(twice.status == .badRequest)
        #expect(twice.code == "invalid_parameter")
        #expect(twice.message == "user_id is given twice; send it once.")
        // The same name however it is encoded.
        #expect(refusal("user_id=u1&user%5Fid=u1")?.message == "user_id is given twice; send it once.")
        #expect(refusal("flag&flag")?.message == "flag is given twice; send it once.")

        let steps = try FormQuery(decoding: "step=Signed+Up&step=Paid&limit=5", repeatable: ["step"])
        #expect(steps.values("step") == ["Signed Up", "Paid"])
        #expect(steps.value("step") == "Signed Up")
        #expect(steps.values("limit") == ["5"])
        #expect(steps.values("missing") == [])
        #expect(
            refusal("step=a&limit=1&limit=2", repeatable: ["step"])?.message.hasPrefix("limit is given twice") == true)
    }

    @Test(arguments: [
        ("event=%zz", "event", "\"%zz\""),
        ("event=100%", "event", "\"%\""),
        ("event=a%4", "event", "\"%4\""),
        ("event=%G1", "event", "\"%G1\""),
        ("user_id=ok&event=Page%2", "event", "\"%2\""),
    ])
    func anEscapeThatIsNotTwoHexDigitsIsRefusedNamingTheParameter(query: String, name: String, shown: String) throws {
        let error = try #require(refusal(query))
        #expect(error.status == .badRequest && error.code == "invalid_parameter")
        #expect(error.message.hasPrefix("\(name) holds \(shown), which is not a percent escape"), "\(error.message)")
        #expect(error.message.contains("%25"))
    }

    @Test(arguments: ["event=%C3", "event=%C3%28", "event=%FF", "event=%ED%A0%80", "event=caf%E9"])
    func bytesThatAreNotUTF8AreRefusedNamingTheParameter(query: String) throws {
        let error = try #require(refusal(query))
        #expect(error.code == "invalid_parameter")
        #expect(error.message.hasPrefix("event is not UTF-8 text"), "\(error.message)")
    }

    @Test func aBadParameterNameIsQuotedAsSent() throws {
        let error = try #require(refusal("us%zzer=1"))
        #expect(error.message.hasPrefix("The parameter name \"us%zzer\" holds \"%zz\""), "\(error.message)")
        #expect(refusal("%C3=1")?.message.hasPrefix("The parameter name \"%C3\" is not UTF-8") == true)
    }
}
