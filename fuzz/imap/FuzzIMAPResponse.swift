// libFuzzer entry point for the IMAP response reader (Sources/MailTransport/IMAPResponse.swift),
// built with that one file by `scripts/fuzz imap`: every response in the input is read
// until the reader asks for more bytes or reports malformed input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = IMAPResponseParser()
    parser.maxLiteral = 1 << 20
    var position = 0
    var count = 0
    while position < bytes.count {
        guard let (response, next) = try? parser.next(bytes, from: position) else { break }
        precondition(next > position, "the reader must always make progress")
        position = next
        if case .data(let values) = response { count += values.count }
        count += 1
    }
    if count < 0 { print(count) }
    return 0
}
