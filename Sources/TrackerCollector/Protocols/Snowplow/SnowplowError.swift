/// Why a Snowplow request is refused as a whole (400), before anything is stored.
struct SnowplowError: Error, Equatable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
