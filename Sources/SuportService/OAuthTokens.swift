import Foundation
import MailTransport

/// A login's token went wrong in a way an operator must fix: what, and where.
public struct OAuthError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Nothing will change by waiting (a refused refresh token, a command that fails).
    public let permanent: Bool
}

/// Where one login (a mailbox, or SMTP) gets its OAuth 2.0 access token, and the token it
/// holds now. Three ways: a file something else keeps fresh, a command that prints one, or
/// Suport's own refresh against the provider's token endpoint (RFC 6749 §6), before the token
/// expires and once after a server refused it. A refresh token the endpoint rotates is
/// written back to its file atomically, mode 0600. Tokens and secrets never reach an error
/// or a log. Safe to share between threads.
public final class OAuthTokens: @unchecked Sendable {
    /// What the configuration gives for a token endpoint.
    public struct Refresh: Sendable {
        public let tokenURL: String
        public let clientID: String
        /// Empty for a public client (the device-code flow has none).
        public let clientSecret: String
        public let refreshTokenFile: String
        public let scope: String?
        /// A CA bundle for the endpoint's certificate (a private endpoint); the system's otherwise.
        public let caFile: String?
        /// The provider's device authorization endpoint (RFC 8628), for `suport oauth login`.
        public var deviceURL: String? = nil
    }

    public enum Origin: Sendable {
        case file(String)
        case command(String)
        case refresh(Refresh)
    }

    public let mechanism: Bearer.Mechanism
    public let origin: Origin
    /// Which login, for the words of an error ("mailbox support", "smtp").
    let login: String
    /// A token is renewed when it has less than this left.
    static let margin: TimeInterval = 60

    private let lock = NSLock()
    private var held: (token: String, expires: Date?)?
    private var refreshes = 0

    public init(mechanism: Bearer.Mechanism, origin: Origin, login: String) {
        self.mechanism = mechanism
        self.origin = origin
        self.login = login
    }

    /// How many times this process refreshed the token (`suport check` says whether it did).
    public var refreshCount: Int { lock.withLock { refreshes } }

    /// The bearer to log in with: the token held while it has more than a minute left, else a fresh one.
    public func bearer(now: Date = Date()) throws -> Bearer {
        try lock.withLock {
            if let held, held.expires.map({ $0.timeIntervalSince(now) > Self.margin }) ?? false {
                return Bearer(token: held.token, mechanism: mechanism)
            }
            let fresh = try fetch(now: now)
            held = fresh
            return Bearer(token: fresh.token, mechanism: mechanism)
        }
    }

    /// The server refused the token held: another one, for the login's one more try.
    public func renewed() throws -> Bearer {
        lock.withLock { held = nil }
        return try bearer()
    }

    private func fetch(now: Date) throws -> (token: String, expires: Date?) {
        switch origin {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw OAuthError(description: "\(login): cannot read the access token file \(path)", permanent: true)
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw OAuthError(description: "\(login): the access token file \(path) is empty", permanent: true) }
            // Read again at every login: whatever keeps the file fresh may have renewed it.
            return (token, nil)
        case .command(let command):
            return (try run(command), nil)
        case .refresh(let refresh):
            return try self.refresh(refresh, now: now)
        }
    }

    /// Runs `token_command` with the shell; its standard output, trimmed, is the token. Its
    /// standard error goes to ours (an operator's helper may explain itself there).
    private func run(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch {
            throw OAuthError(description: "\(login): token_command could not be started: \(error)", permanent: true)
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, !token.isEmpty else {
            throw OAuthError(description: "\(login): token_command exited with status \(p.terminationStatus)"
                                 + (token.isEmpty ? " and printed no token" : ""), permanent: false)
        }
        return token
    }

    /// The refresh-token grant. A refusal (400/401: `invalid_grant`, `invalid_client`) is
    /// permanent and says what to fix; a server that cannot be reached or fails (5xx) is not.
    private func refresh(_ r: Refresh, now: Date) throws -> (token: String, expires: Date?) {
        guard let data = FileManager.default.contents(atPath: r.refreshTokenFile) else {
            throw OAuthError(description: "\(login): cannot read refresh_token_file \(r.refreshTokenFile): obtain a refresh token "
                                 + "(suport oauth login, or the provider's own tool) and write it there", permanent: true)
        }
        let refreshToken = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", r.clientID)]
        if !r.clientSecret.isEmpty { fields.append(("client_secret", r.clientSecret)) }
        if let scope = r.scope { fields.append(("scope", scope)) }
        let host = URL(string: r.tokenURL)?.host ?? r.tokenURL
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try HTTPSForm.post(r.tokenURL, fields: fields, caFile: r.caFile)
        } catch {
            throw OAuthError(description: "\(login): the token endpoint \(host) cannot be used: \(error)", permanent: error.isTransient == false)
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
        guard answer.status == 200, let token = json["access_token"] as? String, !token.isEmpty else {
            let code = (json["error"] as? String).map { String($0.prefix(60)) } ?? "no access_token in the answer"
            let detail = (json["error_description"] as? String).map { ": " + String($0.prefix(200)) } ?? ""
            let permanent = (400...499).contains(answer.status)
            throw OAuthError(description: "\(login): the token endpoint \(host) refused the refresh (HTTP \(answer.status), \(code)\(detail))"
                                 + (permanent ? "; the refresh token in \(r.refreshTokenFile) no longer works or the client is wrong: "
                                        + "obtain a new one (suport oauth login) and write it there, or check client_id and the client secret" : ""),
                             permanent: permanent)
        }
        // A rotated refresh token replaces the old one on disk before the new access token is used.
        if let rotated = json["refresh_token"] as? String, !rotated.isEmpty, rotated != refreshToken {
            try Self.replace(r.refreshTokenFile, with: rotated + "\n", login: login)
        }
        refreshes += 1
        let lifetime = (json["expires_in"] as? NSNumber)?.doubleValue ?? (json["expires_in"] as? String).flatMap(Double.init) ?? 3600
        return (token, now.addingTimeInterval(lifetime))
    }

    /// Writes a secret file whole or not at all: a new file beside it (mode 0600), synced, renamed over it.
    static func replace(_ path: String, with text: String, login: String) throws {
        let temporary = path + ".new-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw OAuthError(description: "\(login): cannot write \(temporary) (errno \(errno))", permanent: true) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, 0o600)
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OAuthError(description: "\(login): cannot replace the refresh token in \(path) (errno \(errno))", permanent: true)
        }
    }
}

extension OAuthTokens {
    /// Logs in with `body`, a token in the endpoint where there is one; a login the server
    /// refuses is tried once more with a fresh token.
    static func login<T>(_ endpoint: Endpoint, _ tokens: OAuthTokens?, _ body: (Endpoint) throws -> T) throws -> T {
        guard let tokens else { return try body(endpoint) }
        var e = endpoint
        e.bearer = try tokens.bearer()
        do {
            return try body(e)
        } catch TransportError.authentication {
            e.bearer = try tokens.renewed()
            return try body(e)
        }
    }
}

extension OAuthTokens {
    /// The device authorization grant (RFC 8628), for `suport oauth login`: asks the provider
    /// for a code, has `say` tell the operator where to enter it, polls the token endpoint as
    /// fast as the provider allows until they have, and saves the refresh token it gives to
    /// `refresh_token_file` (mode 0600). Returns that file.
    public func deviceLogin(say: (String) -> Void, wait: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) throws -> String {
        guard case .refresh(let r) = origin else {
            throw OAuthError(description: "\(login): suport oauth login needs token_url, client_id and refresh_token_file", permanent: true)
        }
        guard let deviceURL = r.deviceURL else {
            throw OAuthError(description: "\(login): give device_url, the provider's device authorization endpoint", permanent: true)
        }
        var client = [("client_id", r.clientID)]
        if !r.clientSecret.isEmpty { client.append(("client_secret", r.clientSecret)) }
        func json(_ answer: (status: Int, body: [UInt8])) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
        }
        let asked = json(try HTTPSForm.post(deviceURL, fields: client + (r.scope.map { [("scope", $0)] } ?? []), caFile: r.caFile))
        guard let deviceCode = asked["device_code"] as? String, let userCode = asked["user_code"] as? String else {
            throw OAuthError(description: "\(login): the device authorization endpoint gave no code"
                                 + ((asked["error"] as? String).map { " (\($0.prefix(60)))" } ?? ""), permanent: true)
        }
        let uri = asked["verification_uri"] as? String ?? asked["verification_url"] as? String ?? "(the provider's page)"
        say("Open \(uri) in a browser, sign in as the mailbox's account, and enter the code \(userCode).")
        var interval = (asked["interval"] as? NSNumber)?.doubleValue ?? 5
        let deadline = Date().addingTimeInterval((asked["expires_in"] as? NSNumber)?.doubleValue ?? 900)
        while Date() < deadline {
            wait(interval)
            let answer = json(try HTTPSForm.post(r.tokenURL, fields: [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                                                                      ("device_code", deviceCode)] + client, caFile: r.caFile))
            if let refresh = answer["refresh_token"] as? String, !refresh.isEmpty {
                try Self.replace(r.refreshTokenFile, with: refresh + "\n", login: login)
                return r.refreshTokenFile
            }
            switch answer["error"] as? String {
            case "authorization_pending": continue
            case "slow_down": interval += 5
            case let other:
                let why = other.map { String($0.prefix(60)) } ?? "no refresh_token: ask for the offline_access scope"
                throw OAuthError(description: "\(login): the sign-in did not give a refresh token (\(why))", permanent: true)
            }
        }
        throw OAuthError(description: "\(login): the code expired before the sign-in was finished: run suport oauth login again", permanent: true)
    }
}
