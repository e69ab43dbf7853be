// A libFuzzer target for the collector's hand-written JSON scanner, built by infra/reliability/fuzz.sh
// with `swiftc -sanitize=fuzzer,address` over TrackerCore's sources. Any crash, out-of-bounds read
// (AddressSanitizer) or disagreement between the batch scanner and the full parser on what is valid
// JSON stops the fuzzer with the input that caused it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // Copied into an allocation of exactly `count` bytes, so AddressSanitizer sees any read past it.
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
    defer { bytes.deallocate() }
    bytes.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count))
    let buffer = UnsafeRawBufferPointer(bytes)

    let parsed = Result { () throws(JSONScanError) in try JSONValue(parsing: buffer) }
    _ = Result { () throws(IngestRejection) in try IngestBody.scanBatch(buffer, limits: IngestLimits()) }
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
