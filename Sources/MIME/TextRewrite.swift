/// Rewriting the text of a stored message in place (a redaction): each text part that is
/// the body, or an alternative to it, is replaced by its transformed text as UTF-8 in
/// base64; every other part (attachments above all) keeps its bytes, so their checksums still hold.
public enum TextRewrite {
    /// The raw message with its body texts transformed, or nil when it has no text part that
    /// can be rewritten where it lies.
    public static func rewrite(_ raw: [UInt8], _ transform: (String) -> String) -> [UInt8]? {
        let message = Message(bytes: raw)
        var leaves: [Part] = []
        var firstText = true
        func walk(_ part: Part) {
            if part.contentType.isMultipart && !part.children.isEmpty { part.children.forEach(walk); return }
            guard part.contentType.type == "text", ["plain", "html"].contains(part.contentType.subtype),
                  part.disposition?.isAttachment != true, part.filename == nil || firstText else { return }
            firstText = false
            leaves.append(part)
        }
        walk(message.root)
        guard !leaves.isEmpty else { return nil }
        var out = raw
        // From the last part to the first, so the earlier ranges stay where they are.
        for part in leaves.reversed() {
            let range = part.raw.startIndex..<part.raw.endIndex
            guard range.upperBound <= raw.count, raw[range].elementsEqual(part.raw) else { return nil }
            let text = Charset.decode(part.decodedBody()[...], label: part.contentType.charset, log: nil)
            var head: [UInt8] = []
            if part === message.root {
                for field in part.header.fields where !field.is("Content-Type") && !field.is("Content-Transfer-Encoding") {
                    head += Array(field.name.utf8) + [ASCII.colon] + Array(field.rawValue) + [ASCII.cr, ASCII.lf]
                }
            } else if let disposition = part.header.first("Content-Disposition") {
                head += Array("Content-Disposition:".utf8) + Array(disposition.rawValue) + [ASCII.cr, ASCII.lf]
            }
            head += Array("Content-Type: text/\(part.contentType.subtype); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
            let body = Base64.encode(Array(transform(text).utf8))
            out.replaceSubrange(range, with: head + body + [ASCII.cr, ASCII.lf])
        }
        return out
    }
}
