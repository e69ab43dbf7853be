/// Why a Snowplow request is refused as a whole (400), or why one event cannot be translated (the
/// detail of its row in `failed_events`).
struct SnowplowError: Error, Equatable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
