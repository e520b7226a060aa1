import CCurl
import Foundation

/// One form posted over HTTPS (an OAuth 2.0 token request, RFC 6749 §6), with libcurl: the
/// server's certificate verified, `https` only (no redirect elsewhere), the answer read whole.
public enum HTTPSForm {
    private final class Sink {
        var bytes: [UInt8] = []
    }

    /// Posts `fields` as `application/x-www-form-urlencoded`; returns the status and the body
    /// (at most 1 MiB). The fields may hold secrets: they never reach an error.
    public static func post(_ url: String, fields: [(String, String)], caFile: String? = nil,
                            timeout: Double = 30) throws(TransportError) -> (status: Int, body: [UInt8]) {
        guard url.lowercased().hasPrefix("https://") else { throw .tls("\(url) is not an https:// address") }
        let curl = try CurlHandle()
        curl.set(CURLOPT_URL, url)
        curl.set(CURLOPT_PROTOCOLS_STR, "https")
        curl.set(CURLOPT_SSL_VERIFYPEER, 1)
        curl.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile { curl.set(CURLOPT_CAINFO, caFile) }
        curl.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        curl.set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 15) * 1000))
        curl.set(CURLOPT_COPYPOSTFIELDS, encode(fields))
        let headers = curl_slist_append(nil, "Accept: application/json")
        defer { curl_slist_free_all(headers) }
        _ = ccurl_setopt_slist(curl.handle, CURLOPT_HTTPHEADER, headers)
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        _ = ccurl_setopt_pointer(curl.handle, CURLOPT_WRITEDATA, box.toOpaque())
        _ = ccurl_setopt_write_function(curl.handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let s = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            let n = size * count
            // More than a token answer ever is: stop reading (libcurl then fails the transfer).
            guard s.bytes.count + n <= 1 << 20 else { return 0 }
            data.withMemoryRebound(to: UInt8.self, capacity: n) { s.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            return n
        }
        let code = curl_easy_perform(curl.handle)
        let host = URL(string: url)?.host ?? url
        guard code == CURLE_OK else { throw curl.error(code, while: "HTTPS to \(host)") }
        var status = 0
        _ = ccurl_getinfo_long(curl.handle, CURLINFO_RESPONSE_CODE, &status)
        return (status, sink.bytes)
    }

    /// RFC 6749 Appendix B: form encoding.
    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func e(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return fields.map { "\(e($0.0))=\(e($0.1))" }.joined(separator: "&")
    }
}
