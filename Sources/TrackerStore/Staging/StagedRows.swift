import Foundation
import NIOCore
import TrackerCore

/// A request's staged rows as `COPY … FROM STDIN` text, formatted where the request is handled:
/// a flush only sends the texts of the requests it groups. COPY loads whole pages per WAL record
/// instead of inserting row by row from `unnest` over bound arrays; formatting in the request's
/// task spreads that work over every core rather than leaving it all to the flush, and a message
/// goes from the body into the text without a String of its own.
public struct StagedRows: Sendable {
    /// The columns each line holds, in order.
    static let copyColumns = ["received_at", "source", "kind", "implied_type", "message_id", "payload", "envelope_id"]

    public private(set) var count = 0
    /// The batch envelopes the rows name, each stored once however many rows share it.
    public private(set) var envelopes: [StagedEnvelope] = []
    /// The first row's source, for metrics.
    public private(set) var source: String?
    private(set) var text = ByteBuffer()

    /// Rows for about `bytes` of payloads and envelopes, with room for their other fields: one
    /// allocation per request, not one at each doubling of a text grown from empty.
    public init(reservingCapacity bytes: Int = 0, rows: Int = 0) {
        text.reserveCapacity(bytes + rows * 160)
    }

    public init(_ rows: [StagedRow]) {
        self.init(
            reservingCapacity: rows.reduce(0) { $0 + $1.payload.utf8.count + ($1.envelope?.utf8.count ?? 0) },
            rows: rows.count)
        // Rows of one request share their arrival time: formatted once per run of equal times.
        var time: (date: Date, text: String)?
        var envelopeIds: [String: UUID] = [:]
        for row in rows {
            if time?.date != row.receivedAt { time = (row.receivedAt, ISO8601.string(from: row.receivedAt)) }
            let envelopeId = row.envelope.map { text in
                if let id = envelopeIds[text] { return id }
                let id = addEnvelope(text)
                envelopeIds[text] = id
                return id
            }
            var payload = row.payload
            payload.withUTF8 { bytes in
                append(
                    receivedAt: time!.text, source: row.source, kind: row.kind, impliedType: row.impliedType,
                    messageId: row.messageId, payload: UnsafeRawBufferPointer(bytes), envelopeId: envelopeId)
            }
        }
    }

    /// Bytes held: the COPY text and the envelopes, what the collector's queue is bounded by.
    public var byteCount: Int { text.readableBytes + envelopes.reduce(0) { $0 + $1.text.utf8.count } }

    /// Adds a batch envelope the next rows can name, and returns its id.
    public mutating func addEnvelope(_ text: String) -> UUID {
        let envelope = StagedEnvelope(id: UUID(), text: StagedRow.storable(text))
        envelopes.append(envelope)
        return envelope.id
    }

    /// Appends one row. `payload` is a message's bytes cut from a request body the scanner checked
    /// as JSON, which holds no NUL byte (PostgreSQL's text cannot); the other fields get the same
    /// NUL replacement as `StagedRow`'s. `receivedAt` is the arrival time as text.
    public mutating func append(
        receivedAt: String, source: String, kind: StagedRow.Kind, impliedType: String?, messageId: String,
        payload: UnsafeRawBufferPointer, envelopeId: UUID?
    ) {
        if self.source == nil { self.source = source }
        Self.appendField(receivedAt, to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(StagedRow.storable(source), to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(kind.rawValue, to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(impliedType.map(StagedRow.storable), to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(StagedRow.storable(messageId), to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(payload, to: &text)
        text.writeInteger(UInt8(ascii: "\t"))
        Self.appendField(envelopeId?.uuidString, to: &text)
        text.writeInteger(UInt8(ascii: "\n"))
        count += 1
    }

    static func appendField(_ text: String?, to buffer: inout ByteBuffer) {
        guard var text else {
            buffer.writeStaticString(#"\N"#)
            return
        }
        text.withUTF8 { appendField(UnsafeRawBufferPointer($0), to: &buffer) }
    }

    /// One field of COPY's text format: a backslash, tab, newline or carriage return escaped with a
    /// backslash, every other byte as it is. Runs without one are copied whole.
    static func appendField(_ bytes: UnsafeRawBufferPointer, to buffer: inout ByteBuffer) {
        var start = 0
        for index in bytes.indices {
            let byte = bytes[index]
            // Every byte that needs escaping is a backslash or at most a carriage return.
            guard byte <= UInt8(ascii: "\r") || byte == UInt8(ascii: "\\") else { continue }
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            buffer.writeInteger(UInt8(ascii: "\\"))
            buffer.writeInteger(escape)
            start = index + 1
        }
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }
}

/// A batch's shared `context`/`integrations`/`sentAt`, stored once in `ingest_envelopes`.
public struct StagedEnvelope: Sendable, Equatable {
    public var id: UUID
    public var text: String
}
