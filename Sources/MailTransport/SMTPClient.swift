import CCurl
import Foundation

/// The outcome of offering one message to the SMTP server.
public enum SMTPOutcome: Equatable, Sendable {
    case sent
    /// A 4xx reply for this message or recipient: try it again later.
    case transientFailure(String)
    /// The server could not be reached, did not answer, refused our TLS or our login, or is
    /// shutting down (421): nothing can be sent now, this message or any other.
    case unreachable(String)
    /// 5xx for the recipient or the message: recorded on the ticket, not retried.
    case permanentFailure(String)
}

/// Sends composed messages over SMTP with libcurl: smtps:// or STARTTLS required, AUTH,
/// our EHLO name, the envelope sender and one RCPT per recipient, the bytes as composed.
/// One instance keeps its connection between messages (libcurl reuses it). Blocking:
/// confine an instance to one thread or queue.
public final class SMTPClient {
    private let endpoint: Endpoint
    private let helo: String
    private var handle: CurlHandle?
    /// The last send failed because the server refused our login (a wrong password, an expired token).
    public private(set) var loginRefused = false

    /// The OAuth token this client logs in with, if any (to know when a fresh one needs a new client).
    public var bearerToken: String? { endpoint.bearer?.token }

    public init(_ endpoint: Endpoint, helo: String) {
        self.endpoint = endpoint
        self.helo = helo.isEmpty ? "localhost" : helo
    }

    private final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    /// Offers `message` from `sender` (the envelope, where bounces go) to `recipients`.
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) -> SMTPOutcome {
        let curl: CurlHandle
        do {
            if handle == nil { handle = try CurlHandle() }
            curl = handle!
        } catch {
            return .unreachable("\(error)")
        }
        curl.configure(endpoint, url: endpoint.url(scheme: endpoint.tls == .implicit ? "smtps" : "smtp", path: "/\(helo)"))
        curl.set(CURLOPT_TIMEOUT_MS, Int(endpoint.readTimeout * 1000))
        curl.set(CURLOPT_MAIL_FROM, "<\(sender)>")
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for r in recipients { list = curl_slist_append(list, "<\(r)>") }
        defer { curl_slist_free_all(list) }
        _ = ccurl_setopt_slist(curl.handle, CURLOPT_MAIL_RCPT, list)
        curl.set(CURLOPT_UPLOAD, 1)
        curl.set(CURLOPT_INFILESIZE_LARGE, message.count)
        let upload = Upload(message)
        let box = Unmanaged.passRetained(upload)
        defer { box.release() }
        _ = ccurl_setopt_pointer(curl.handle, CURLOPT_READDATA, box.toOpaque())
        _ = ccurl_setopt_read_function(curl.handle) { buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let u = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
            let n = min(size * count, u.bytes.count - u.offset)
            if n > 0 {
                u.bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + u.offset, byteCount: n)
                }
                u.offset += n
            }
            return n
        }
        let code = curl_easy_perform(curl.handle)
        loginRefused = code == CURLE_LOGIN_DENIED
        if code == CURLE_OK { return .sent }
        var response = 0
        _ = ccurl_getinfo_long(curl.handle, CURLINFO_RESPONSE_CODE, &response)
        let error = curl.error(code, while: "SMTP to \(endpoint.host):\(endpoint.port)")
        // A failed exchange may leave the connection in any state: start afresh next time.
        handle = nil
        switch error {
        case .authentication, .tls:
            // Our configuration is wrong, not the message: keep it until an operator fixes it.
            return .unreachable("\(error)")
        default: break
        }
        if (500...599).contains(response) { return .permanentFailure("\(response): \(error)") }
        if response == 421 { return .unreachable("\(response): \(error)") }
        if (400...499).contains(response) { return .transientFailure("\(response): \(error)") }
        // Refused connections and timeouts pass; so may a refused login or TLS, once an operator fixes them.
        return .unreachable("\(error)")
    }

    /// Connects, says EHLO and logs in without sending anything (for `suport check`).
    public func check() -> Result<Void, TransportError> {
        do {
            let curl = try CurlHandle()
            curl.configure(endpoint, url: endpoint.url(scheme: endpoint.tls == .implicit ? "smtps" : "smtp", path: "/\(helo)"))
            curl.set(CURLOPT_CONNECT_ONLY, 1)
            let code = curl_easy_perform(curl.handle)
            return code == CURLE_OK ? .success(()) : .failure(curl.error(code, while: "SMTP login to \(endpoint.host):\(endpoint.port)"))
        } catch {
            return .failure(error)
        }
    }
}
