import Foundation
import MailTransport

/// A private Dovecot + Postfix pair from `scripts/mail-servers`, stopped when released.
final class MailServers: @unchecked Sendable {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let settings: [String: String]
    var dir: String { settings["MAIL_DIR"]! }
    var ca: String { settings["MAIL_CA"]! }
    func port(_ name: String) -> Int { Int(settings[name] ?? "") ?? 0 }

    init() throws {
        let out = try Self.script(["up"])
        let s = Self.settings(out)
        guard s["MAIL_DIR"] != nil else { throw NSError(domain: "mail-servers", code: 1, userInfo: [NSLocalizedDescriptionKey: out]) }
        settings = s
    }

    /// One pair for the whole test run (stopping Dovecot takes seconds); stopped at exit.
    static let shared: Result<MailServers, Error> = {
        let result = Result { try MailServers() }
        if case .success(let servers) = result {
            sharedDir = servers.dir
            atexit { if let dir = MailServers.sharedDir { _ = try? MailServers.script(["down", dir]) } }
        }
        return result
    }()
    nonisolated(unsafe) static var sharedDir: String?

    static func get() throws -> MailServers { try shared.get() }

    /// The `KEY=VALUE` lines a server script prints.
    static func settings(_ output: String) -> [String: String] {
        var s: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { s[String(kv[0])] = String(kv[1]) }
        }
        return s
    }

    @discardableResult
    static func script(_ args: [String]) throws -> String { try run(repo.appendingPathComponent("scripts/mail-servers").path, args) }

    /// Runs a program to its end; its output, or an error with it when it failed.
    @discardableResult
    static func run(_ executable: String, _ args: [String], environment: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ms-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        // Dovecot keeps its parent's descriptors: a file, not a pipe, so we need not wait for it to exit.
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: out)
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "mail-servers", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    func imap(_ user: String, tls: TLSMode = .implicit, local: String? = nil) -> Endpoint {
        var e = Endpoint(host: "127.0.0.1", port: port(tls == .implicit ? "IMAPS_PORT" : "IMAP_PORT"), tls: tls, caFile: ca,
                         username: "\(user)@example.test", password: "\(user)-pw", localAddress: local)
        e.readTimeout = 20
        return e
    }

    func submission(_ user: String) -> Endpoint {
        Endpoint(host: "127.0.0.1", port: port("SUBMISSION_PORT"), tls: .starttls, caFile: ca,
                 username: "\(user)@example.test", password: "\(user)-pw")
    }

    /// Sends a message as a requestor's mail client would, through the unauthenticated MX port.
    func deliver(_ raw: String, from: String, to: [String]) throws {
        let smtp = SMTPClient(Endpoint(host: "127.0.0.1", port: port("MX_PORT"), tls: .none, username: "", password: ""),
                              helo: "client.example.test")
        let outcome = smtp.send(Array(raw.utf8), from: from, to: to)
        guard outcome == .sent else { throw NSError(domain: "deliver", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(outcome)"]) }
    }

    /// Waits until `user`'s INBOX holds at least `count` messages matching `criteria`; returns them.
    func waitForMail(_ user: String, criteria: String = "ALL", count: Int = 1, timeout: Double = 20) throws -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let conn = try IMAPConnection(imap(user))
            _ = try conn.select("INBOX")
            let uids = try conn.uidSearch(criteria)
            if uids.count >= count || Date() > deadline {
                let bodies = try conn.fetch(uids).map(\.body)
                conn.logout()
                return bodies
            }
            conn.logout()
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
