import Foundation
import Logging

/// Readable lines on standard error (the default log format). Unlike swift-log's
/// `StreamLogHandler`, which re-renders all metadata each time a key is set — and a key (the
/// request id) is set on every request — this renders only the lines it writes.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = mergedMetadata(event).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
            separator: " ")
        let line =
            "\(JSONLogHandler.timestamp()) \(event.level) \(label):\(fields.isEmpty ? "" : " " + fields) \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
