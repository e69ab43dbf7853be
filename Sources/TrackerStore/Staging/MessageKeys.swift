import NIOCore

/// The dedupe keys a flush wrote.
struct MessageKeys: Sendable, Equatable {
    var sources: [String] = []
    var messageIds: [String] = []

    /// The keys of every row of `text`, `COPY` text as `StagedRows.append` writes it. Read back from
    /// the text only when a commit's answer was lost, so requests carry no second copy of their ids.
    init(copyText text: ByteBuffer) {
        let sourceField = StagedRows.copyColumns.firstIndex(of: "source")!
        let messageIdField = StagedRows.copyColumns.firstIndex(of: "message_id")!
        for line in text.readableBytesView.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            sources.append(Self.unescaped(fields[sourceField]))
            messageIds.append(Self.unescaped(fields[messageIdField]))
        }
    }

    /// One field of `COPY`'s text format as it was before `StagedRows.appendField` escaped it.
    static func unescaped(_ field: some Collection<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var escaped = false
        for byte in field {
            guard escaped else {
                if byte == UInt8(ascii: "\\") { escaped = true } else { bytes.append(byte) }
                continue
            }
            escaped = false
            switch byte {
            case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
