import Foundation
import Logging

/// One line per log event on standard error: a JSON object for log collectors (`LOG_FORMAT=json`)
/// or readable text. Unlike swift-log's `StreamLogHandler`, which re-renders all metadata each time
/// a key is set — and a key (the request id) is set on every request — this renders only the lines
/// it writes.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: Observability.LogFormat

    public init(label: String, format: Observability.LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The handler's metadata, then its provider's, then the event's own: later ones win.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line: Data?
        switch format {
        case .json: line = jsonLine(event, merged)
        case .text: line = textLine(event, merged)
        }
        if let line { FileHandle.standardError.write(line) }
    }

    private func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> Data? {
        var fields: [String: Any] = [
            "time": Self.timestamp(),
            "level": event.level.rawValue,
            "logger": label,
            "message": "\(event.message)",
        ]
        for (key, value) in metadata { fields[key] = Self.plain(value) }
        if event.level >= .error { fields["source"] = "\(event.file):\(event.line)" }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return nil }
        data.append(0x0A)
        return data
    }

    private func textLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> Data {
        let fields = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        return Data("\(Self.timestamp()) \(event.level) \(label):\(fields) \(event.message)\n".utf8)
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    static func timestamp() -> String {
        Date.now.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
