import Foundation
import Hummingbird
import MIME

/// A posted form: its fields and its files, read from `application/x-www-form-urlencoded`
/// or `multipart/form-data` (parsed by our MIME parser, which already reads multipart bodies).
struct Form: Sendable {
    private(set) var fields: [String: [String]] = [:]
    private(set) var files: [OutgoingAttachment] = []

    /// The first value of a field, trimmed; nil when absent or blank.
    subscript(_ name: String) -> String? {
        guard let v = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    /// A field's value exactly as sent (a reply's text keeps its lines and spaces).
    func raw(_ name: String) -> String? { fields[name]?.first }

    /// Reads the request's body, refusing one larger than `limit` bytes.
    static func read(_ request: inout Request, limit: Int) async throws -> Form {
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw HTTPError(.contentTooLarge, message: "The form is larger than the desk accepts (\(limit / 1024 / 1024) MB).")
        }
        let bytes = Array(buffer.readableBytesView)
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") { return multipart(bytes, contentType: type) }
        return urlEncoded(String(decoding: bytes, as: UTF8.self))
    }

    /// `a=1&b=two+words` (WHATWG URL-encoded form data).
    static func urlEncoded(_ text: String) -> Form {
        var form = Form()
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            form.fields[decode(kv[0]), default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
        return form
    }

    /// A multipart body: each part named by its Content-Disposition; parts with a file name are files.
    static func multipart(_ body: [UInt8], contentType: String) -> Form {
        // The parser reads a message: give the body the header that says how it is split.
        let message = Message(bytes: Array("Content-Type: \(contentType.filter { $0 != "\r" && $0 != "\n" })\r\n\r\n".utf8) + body)
        var form = Form()
        for part in message.root.children {
            guard let name = part.disposition?.parameters["name"] else { continue }
            let data = part.decodedBody()
            if let filename = part.disposition?.parameters["filename"] {
                // A file input left empty still sends a part, with no name and no bytes.
                guard !filename.isEmpty || !data.isEmpty else { continue }
                let clean = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "attachment"
                form.files.append(OutgoingAttachment(filename: clean, contentType: part.contentType.mimeType, data: data))
            } else {
                form.fields[name, default: []].append(String(decoding: data, as: UTF8.self))
            }
        }
        return form
    }
}
