// A libFuzzer target for the collector's hand-written JSON scanner and the worker's decoding, built by
// infra/reliability/fuzz.sh with `swiftc -sanitize=fuzzer,address` over TrackerCore's sources. Any
// crash, out-of-bounds read (AddressSanitizer), disagreement between the batch scanner and the full
// parser on what is valid JSON, or a decoded message whose indexed fields exceed their byte limits
// stops the fuzzer with the input that caused it.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // Copied into an allocation of exactly `count` bytes, so AddressSanitizer sees any read past it.
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { bytes.deallocate() }
    bytes.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count))
    let buffer = UnsafeRawBufferPointer(bytes)

    let parsed = Result { () throws(JSONScanError) in try JSONValue(parsing: buffer) }
    let batch = Result { () throws(IngestRejection) in try IngestBody.scanBatch(buffer, limits: IngestLimits()) }
    if case .success(let scanned) = batch {
        // Every message the collector would stage, decoded as the worker does: what it accepts must fit
        // the indexes (limits in UTF-8 bytes, whatever the characters), and the envelope its cap.
        if let envelope = scanned.envelope, envelope.utf8.count > IngestLimits().maxEnvelopeBytes {
            fatalError("an envelope over its limit was accepted: \(envelope.utf8.count) bytes")
        }
        let members = SegmentMessage.parseEnvelope(scanned.envelope)
        for message in scanned.messages {
            let payload = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[message.range]), as: UTF8.self)
            guard
                case .success(let decoded) = SegmentMessage.decode(
                    payload: payload, batch: members, impliedType: nil, messageId: "m", receivedAt: .now)
            else { continue }
            for (field, value, limit) in [
                ("userId", decoded.userId, 256), ("anonymousId", decoded.anonymousId, 256),
                ("event", decoded.event, 200), ("groupId", decoded.groupId, 256),
                ("previousId", decoded.previousId, 256),
            ] where (value?.utf8.count ?? 0) > limit {
                fatalError("\(field) of \(value!.utf8.count) bytes passed its \(limit)-byte limit")
            }
        }
    }
    for type in MessageType.allCases {
        _ = Result { () throws(IngestRejection) in
            try IngestBody.scanMessage(buffer, type: type, limits: IngestLimits())
        }
    }
    if case .success(let value) = parsed, case .object = value {
        // What the parser accepts as an object, the single-message scanner must not call invalid JSON.
        if case .failure(.invalidJSON(let reason)) = Result(catching: { () throws(IngestRejection) in
            try IngestBody.scanMessage(buffer, type: .track, limits: IngestLimits())
        }) {
            fatalError("the parser accepts this object but the scanner says invalid JSON: \(reason)")
        }
    }
    return 0
}
