import CCurl
import Foundation

/// How a connection is secured.
public enum TLSMode: String, Sendable, Codable {
    /// TLS from the first byte (imaps://, smtps://).
    case implicit
    /// Plain connection upgraded with STARTTLS, which is required: no STARTTLS, no login.
    case starttls
    /// No TLS at all: only for a server on loopback, as the configuration enforces.
    case none
}

/// An OAuth 2.0 access token and the SASL mechanism it is presented with (hosted mailboxes:
/// Microsoft 365, Google Workspace).
public struct Bearer: Sendable {
    public enum Mechanism: String, Sendable, CaseIterable {
        /// Google's and Microsoft's own mechanism.
        case xoauth2
        /// RFC 7628.
        case oauthbearer
    }

    /// Never logged, never part of a URL or an error message.
    public let token: String
    public let mechanism: Mechanism

    public init(token: String, mechanism: Mechanism) {
        self.token = token
        self.mechanism = mechanism
    }

    /// The SASL name: `XOAUTH2`, `OAUTHBEARER`.
    public var saslName: String { mechanism.rawValue.uppercased() }

    /// The client's first (and only) message, before base64: RFC 7628 §3.1 for OAUTHBEARER,
    /// Google's format for XOAUTH2.
    func initialResponse(user: String, host: String, port: Int) -> [UInt8] {
        switch mechanism {
        case .oauthbearer: Array("n,a=\(user),\u{1}host=\(host)\u{1}port=\(port)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)
        case .xoauth2: Array("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8)
        }
    }
}

/// A server to log in to.
public struct Endpoint: Sendable {
    public var host: String
    public var port: Int
    public var tls: TLSMode
    /// A CA bundle for private servers; the system's trust store otherwise.
    public var caFile: String?
    public var username: String
    /// Never logged, never part of a URL or an error message.
    public var password: String
    /// With a token, the login presents it (XOAUTH2 or OAUTHBEARER) instead of the password.
    public var bearer: Bearer?
    /// Bind the local end to this address (a multi-homed host; the tests use 127.0.0.2).
    public var localAddress: String?
    public var connectTimeout: Double = 15
    /// How long to wait for the server to say anything before giving up.
    public var readTimeout: Double = 60

    public init(host: String, port: Int, tls: TLSMode, caFile: String? = nil, username: String, password: String,
                localAddress: String? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.caFile = caFile
        self.username = username
        self.password = password
        self.localAddress = localAddress
    }

    /// Whether the host is this machine (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    func url(scheme: String, path: String = "/") -> String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(h):\(port)\(path)"
    }
}

/// What went wrong talking to a server, in words an operator can act on. Never holds a secret.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Could not reach the server (refused, unreachable, DNS).
    case unreachable(String)
    /// TLS failed: certificate not trusted or not matching, or STARTTLS not offered.
    case tls(String)
    /// The server refused the login.
    case authentication(String)
    case timeout(String)
    /// The server answered something we cannot use, or refused a command.
    case refused(String)
    case closed(String)
    case cancelled

    public var description: String {
        switch self {
        case .unreachable(let s): return "cannot reach the server: \(s)"
        case .tls(let s): return "TLS failed: \(s)"
        case .authentication(let s): return "login refused: \(s)"
        case .timeout(let s): return "timed out: \(s)"
        case .refused(let s): return "the server refused: \(s)"
        case .closed(let s): return "connection closed: \(s)"
        case .cancelled: return "cancelled"
        }
    }

    /// Worth trying again later (everything but a refused login or TLS mismatch may pass).
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timeout, .closed, .cancelled, .refused: return true
        case .tls, .authentication: return false
        }
    }
}

/// libcurl's global state, set up once before the first handle.
enum CurlGlobal {
    static let ready: Bool = { curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK }()
}

/// A libcurl easy handle with the options every connection shares. Confined to one thread at a time.
final class CurlHandle {
    let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init() throws(TransportError) {
        _ = CurlGlobal.ready
        guard let h = curl_easy_init() else { throw .unreachable("libcurl could not create a handle") }
        handle = h
        errorBuffer.withUnsafeMutableBufferPointer { _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, $0.baseAddress) }
        _ = ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
    }

    deinit { curl_easy_cleanup(handle) }

    func set(_ option: CURLoption, _ value: Int) { _ = ccurl_setopt_long(handle, option, value) }
    func set(_ option: CURLoption, _ value: String) { _ = ccurl_setopt_string(handle, option, value) }

    /// The options for a login to `endpoint`.
    func configure(_ endpoint: Endpoint, url: String) {
        set(CURLOPT_URL, url)
        // No user, no login by libcurl (an IMAP login with a token is ours to speak).
        if !endpoint.username.isEmpty { set(CURLOPT_USERNAME, endpoint.username) }
        if let bearer = endpoint.bearer {
            // libcurl's SASL for SMTP: the token, and only the mechanism asked for.
            set(CURLOPT_XOAUTH2_BEARER, bearer.token)
            set(CURLOPT_LOGIN_OPTIONS, "AUTH=\(bearer.saslName)")
            set(CURLOPT_SASL_IR, 1)
        } else {
            set(CURLOPT_PASSWORD, endpoint.password)
        }
        set(CURLOPT_CONNECTTIMEOUT_MS, Int(endpoint.connectTimeout * 1000))
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = endpoint.caFile { set(CURLOPT_CAINFO, ca) }
        if let local = endpoint.localAddress { set(CURLOPT_INTERFACE, "host!\(local)") }
        switch endpoint.tls {
        case .implicit: break
        case .starttls: set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        case .none: set(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
        }
    }

    /// libcurl's words for a failure, classified.
    func error(_ code: CURLcode, while doing: String) -> TransportError {
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let text = "\(doing): \(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)"
        switch code {
        case CURLE_LOGIN_DENIED: return .authentication(text)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CACERT_BADFILE: return .tls(text)
        case CURLE_OPERATION_TIMEDOUT: return .timeout(text)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_INTERFACE_FAILED: return .unreachable(text)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING: return .closed(text)
        default: return .refused(text)
        }
    }
}
