import Foundation
import MailTransport

/// How the web desk is served: `[web]`. Without the section, `suport serve` runs no web desk.
public struct WebSettings: Sendable {
    /// The address and port to listen on (loopback by default; TLS is the proxy's job).
    public let host: String
    public let port: Int
    /// The desk's address as people reach it, for the links in notifications (`https://desk.example.org`).
    public let publicURL: String
    /// Proxies whose `X-Forwarded-Proto` and `X-Forwarded-For` are believed.
    public let trustedProxies: [String]
    /// How long a session lasts from the login (or the link) that opened it.
    public let sessionSeconds: Double
    /// The largest upload a form accepts, all files together.
    public let maxUploadBytes: Int
    /// The folder of page templates and strings.
    public let pagesPath: String
    /// The key requester links are signed with (from the environment or a file; empty when it could not be read).
    public let linkSecret: [UInt8]

    struct Section: Decodable {
        let listen: String?
        let publicURL: String?
        let trustedProxies: [String]?
        let sessionHours: MailSettings.Number?
        let maxUploadBytes: Int?
        let pages: String?
        let secretEnv: String?
        let secretFile: String?

        enum CodingKeys: String, CodingKey {
            case listen, publicURL = "public_url", trustedProxies = "trusted_proxies", sessionHours = "session_hours"
            case maxUploadBytes = "max_upload_bytes", pages, secretEnv = "secret_env", secretFile = "secret_file"
        }
    }

    /// Builds the settings; the link secret must be readable when `environment` is given (serve, web).
    static func build(_ s: Section, base: URL, environment: [String: String]?,
                      fail: (String, String) -> ConfigError) throws(ConfigError) -> WebSettings {
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        let listen = s.listen ?? "127.0.0.1:8080"
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65535).contains(port) else {
            throw fail("web.listen", "write HOST:PORT, as in 127.0.0.1:8080")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let url = s.publicURL ?? "http://\(listen)"
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw fail("web.public_url", "write the desk's address, as in https://desk.example.org")
        }
        let hours = s.sessionHours?.value ?? 12
        guard hours > 0, hours <= 24 * 30 else { throw fail("web.session_hours", "must be more than 0 and at most 720") }
        let upload = s.maxUploadBytes ?? 10 * 1024 * 1024
        guard upload >= 1024 else { throw fail("web.max_upload_bytes", "must be at least 1024") }
        // The daemon and the web desk need the secret; another command (a CLI reply, whose
        // notifications carry links too) uses it when it can read it, and sends none when not.
        let required = environment != nil
        let env = environment ?? ProcessInfo.processInfo.environment
        var secret: [UInt8] = []
        if s.secretEnv == nil && s.secretFile == nil && required {
            throw fail("web", "give secret_env or secret_file: the key requester links are signed with")
        }
        if let name = s.secretEnv {
            if let value = env[name], !value.isEmpty { secret = Array(value.utf8) } else if required {
                throw fail("web.secret_env", "the environment variable \(name) is not set")
            }
        } else if let file = s.secretFile {
            if let data = FileManager.default.contents(atPath: resolve(file)) {
                secret = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            } else if required {
                throw fail("web.secret_file", "cannot read \(resolve(file))")
            }
        }
        if !secret.isEmpty || required {
            guard secret.count >= 16 else { throw fail("web", "the link secret must be at least 16 characters") }
        }
        return WebSettings(host: host, port: port, publicURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                           trustedProxies: s.trustedProxies ?? [], sessionSeconds: hours * 3600, maxUploadBytes: upload,
                           pagesPath: resolve(s.pages ?? "web"), linkSecret: secret)
    }
}
