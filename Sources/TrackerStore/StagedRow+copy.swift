import Foundation
import NIOCore
import TrackerCore

/// Staged rows as `COPY … FROM STDIN` text: what PostgreSQL loads with one multi-insert per page,
/// instead of a row-by-row insert from `unnest` over bound arrays (a third of its work per event).
extension StagedRow {
    /// The columns `appendCopyLine` writes, in order.
    static let copyColumns = ["received_at", "source", "kind", "implied_type", "message_id", "payload", "envelope"]

    /// Appends this row as one line of COPY's text format. `receivedAt` is this row's time as
    /// text, formatted once per request by the caller.
    func appendCopyLine(to buffer: inout ByteBuffer, receivedAt: String) {
        Self.appendField(receivedAt, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(source, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(kind.rawValue, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(impliedType, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(messageId, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(payload, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(envelope, to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// One field: `\N` for NULL; a backslash, tab, newline or carriage return escaped with a
    /// backslash, every other byte as it is.
    static func appendField(_ text: String?, to buffer: inout ByteBuffer) {
        guard var text else {
            buffer.writeStaticString(#"\N"#)
            return
        }
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let escape: UInt8
                switch bytes[index] {
                case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
                case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                buffer.writeInteger(UInt8(ascii: "\\"))
                buffer.writeInteger(escape)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
    }
}
