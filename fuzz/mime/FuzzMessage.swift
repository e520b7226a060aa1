// libFuzzer entry point for the MIME parser. Built together with Sources/MIME by
// scripts/fuzz mime (one module, so no package build is needed for the sanitizers).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message = Message(bytes: bytes, limits: ParseLimits(maxDepth: 40, maxParts: 2_000))
    // Touch everything a ticket reads, so lazy paths run too.
    var sink = (message.subject?.count ?? 0) + (message.text?.count ?? 0) + (message.html?.count ?? 0)
    sink += message.from.count + message.to.count + message.cc.count + message.replyTo.count + message.references.count
    for attachment in message.attachments { sink += attachment.size + (attachment.filename?.count ?? 0) }
    if let report = message.deliveryReport { sink += report.recipients.count + (report.returnedMessageID?.count ?? 0) }
    sink += message.defects.count
    if sink < 0 { print(sink) }
    return 0
}
