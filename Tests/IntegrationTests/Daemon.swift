import Foundation
import MailTransport
import MIME

/// A desk wired to the test mail servers, and `suport serve` running as a real process.
final class DeskUnderTest: @unchecked Sendable {
    let servers: MailServers
    let folder: URL
    let config: String
    private var process: Process?
    private var logHandle: FileHandle?
    var log: URL { folder.appendingPathComponent("daemon.log") }

    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("suport").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("suport")
    }

    /// The web desk's port, when the desk serves one.
    private(set) var webPort: Int?
    var webBase: String { "http://127.0.0.1:\(webPort ?? 0)" }

    init(servers: MailServers, pollInterval: Int = 2, idle: Bool = true, folder watched: String = "INBOX", retryBase: Double = 1,
         database: String? = nil, postgres: String? = nil, web: Bool = false, edit: (String) -> String = { $0 }) throws {
        self.servers = servers
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let databasePath = database ?? "\(folder.path)/suport.sqlite"
        var text = try String(contentsOf: MailServers.repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "database = \"suport.sqlite\"", with: "database = \"\(databasePath)\"")
        text = text.replacingOccurrences(of: "templates = \"templates\"", with: "templates = \"\(MailServers.repo.path)/config/templates\"")
        text = text.replacingOccurrences(of: "canned = \"canned\"", with: "canned = \"\(MailServers.repo.path)/config/canned\"")
        // Staff replies go at once: the tests read what arrives, not the undo window.
        text = text.replacingOccurrences(of: "undo_minutes = 5", with: "undo_minutes = 0")
        text += """

            [imap]
            host = "127.0.0.1"
            port = \(servers.port("IMAPS_PORT"))
            tls = "implicit"
            ca_file = "\(servers.ca)"
            poll_interval = \(pollInterval)
            idle = \(idle)
            batch_size = 10
            timeout = 20

            [[imap.mailboxes]]
            name = "support"
            user = "support@example.test"
            password_env = "TEST_SUPPORT_PASSWORD"
            folder = "\(watched)"

            [[imap.mailboxes]]
            name = "treasury"
            user = "treasury@example.test"
            password_file = "\(folder.path)/treasury.secret"

            [smtp]
            host = "127.0.0.1"
            port = \(servers.port("SUBMISSION_PORT"))
            tls = "starttls"
            ca_file = "\(servers.ca)"
            helo = "suport.example.test"
            user = "support@example.test"
            password_env = "TEST_SMTP_PASSWORD"
            retry_base_seconds = \(retryBase)
            retry_maximum_seconds = 2
            outbox_interval = 0.5

            [log]
            level = "info"

            """
        // On PostgreSQL: a database of the test's private cluster instead of the SQLite file.
        if let postgres { text += try PostgresServer.get().section(postgres) }
        if web {
            let port = try freePort()
            webPort = port
            text += """

                [web]
                listen = "127.0.0.1:\(port)"
                pages = "\(MailServers.repo.path)/config/web"
                secret_env = "TEST_WEB_SECRET"

                """
        }
        try "treasury-pw\n".write(to: folder.appendingPathComponent("treasury.secret"), atomically: true, encoding: .utf8)
        config = folder.appendingPathComponent("suport.toml").path
        try edit(text).write(toFile: config, atomically: true, encoding: .utf8)
    }

    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["TEST_SUPPORT_PASSWORD"] = "support-pw"
        env["TEST_SMTP_PASSWORD"] = "support-pw"
        env["TEST_WEB_SECRET"] = "the integration tests' link secret"
        env["TEST_DB_PASSWORD"] = (try? PostgresServer.shared.get().password) ?? ""
        return env
    }()

    /// Whether the daemon started last is still running (false after it crashed).
    var isRunning: Bool { process?.isRunning == true }

    /// Forgets a daemon that has exited by itself, and returns how it ended.
    func reap() -> (status: Int32, reason: Process.TerminationReason)? {
        guard let p = process, !p.isRunning else { return nil }
        process = nil
        try? logHandle?.close()
        return (p.terminationStatus, p.terminationReason)
    }

    /// Starts `suport serve`; `namespace`: inside that network namespace (`ip netns exec`
    /// execs the daemon in place, so the process is the daemon itself).
    func start(environment extra: [String: String] = [:], logLevel: String? = nil, namespace: String? = nil) throws {
        let p = Process()
        let serve = ["serve", "--config", config] + (logLevel.map { ["--log-level", $0] } ?? [])
        if let namespace {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            p.arguments = ["netns", "exec", namespace, Self.binary.path] + serve
        } else {
            p.executableURL = Self.binary
            p.arguments = serve
        }
        p.environment = Self.environment.merging(extra) { $1 }
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        logHandle = handle
    }

    /// SIGTERM, then the exit status (-1 when it did not end, or ended unseen by Foundation).
    @discardableResult
    func stop() -> Int32 {
        guard let p = process else { return 0 }
        p.terminate()
        let seen = Self.waitForExit(p)
        process = nil
        try? logHandle?.close()
        return seen ? p.terminationStatus : -1
    }

    /// SIGKILL; whether the daemon was still alive to be killed (a chaos run checks none died on its own).
    @discardableResult
    func kill9() -> Bool {
        guard let p = process else { return false }
        let alive = p.isRunning && !Self.isZombie(p.processIdentifier)
        kill(p.processIdentifier, SIGKILL)
        Self.waitForExit(p)
        process = nil
        return alive
    }

    /// Waits, for a while, for `p` to end; whether Foundation saw it end (so its status can be
    /// read). A daemon that crashed on its own once stayed a zombie Foundation never reaped, and
    /// `waitUntilExit` hung the chaos run for good: a zombie counts as ended after a grace.
    @discardableResult
    static func waitForExit(_ p: Process, seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var zombieSince: Date?
        while Date() < deadline {
            if !p.isRunning { return true }
            if isZombie(p.processIdentifier) {
                if let since = zombieSince, Date().timeIntervalSince(since) > 5 { return false }
                zombieSince = zombieSince ?? Date()
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// Whether the kernel holds `pid` as ended and unreaped (or holds it no more).
    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    deinit {
        if let p = process { kill(p.processIdentifier, SIGKILL); Self.waitForExit(p) }
    }

    /// Runs the CLI against this desk.
    @discardableResult
    func cli(_ args: [String], actor: String? = "anna", stdin: String? = nil, environment extra: [String: String] = [:]) throws -> String {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args + ["--config", config] + (actor.map { ["--actor", $0] } ?? [])
        p.environment = Self.environment.merging(extra) { $1 }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Every ticket, the auto-generated mail filed silently (`list --auto`) included: the
    /// load tests send auto-generated mail so that nothing answers it.
    func ticketCount() throws -> Int {
        func count(_ extra: [String]) throws -> Int {
            try cli(["list", "--json", "--limit", "100000"] + extra).components(separatedBy: "\"number\":").count - 1
        }
        return try count([]) + count(["--auto"])
    }

    /// How many messages are set aside (`suport failed`) and not yet filed again.
    func setAsideCount() throws -> Int {
        try cli(["failed", "--json"]).components(separatedBy: "\"id\": ").count - 1
    }

    /// Files again, as an operator would (`suport failed retry`), the messages set aside
    /// because filing them was begun `filing_attempts` times without finishing: in a run that
    /// kills the daemon at random, a message that was in hand at several kills in a row (the
    /// daemon cannot tell those kills from crashes the message caused). Returns how many were
    /// retried; throws, saying what it found, when one was set aside for any other reason or
    /// is not filed on a new ticket of its own.
    func retryCrashedAside() throws -> Int {
        struct Unexpected: Error, CustomStringConvertible { let description: String }
        let failed = try cli(["failed", "--json"])
        let entries = failed.components(separatedBy: "\"id\": ").dropFirst()
        guard entries.allSatisfy({ $0.contains("ended without a word (a crash)") }) else {
            throw Unexpected(description: "set aside for another reason: \(failed)")
        }
        for entry in entries {
            let id = String(entry.prefix { $0.isNumber })
            let retried = try cli(["failed", "retry", id])
            guard retried.contains("new ticket") else { throw Unexpected(description: "failed message \(id) retried: \(retried)") }
        }
        return entries.count
    }

    func status(_ n: Int) throws -> String? {
        let json = try cli(["show", "\(n)", "--json"])
        guard let r = json.range(of: "\"status\": \"") else { return nil }
        return String(json[r.upperBound...].prefix { $0 != "\"" })
    }
}

/// A TCP port nothing listens on now (the kernel's choice for port 0).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw NSError(domain: "freePort", code: 1) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw NSError(domain: "freePort", code: 2) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits for a condition, polling (an error counts as "not yet"); false if it never came.
func eventually(timeout: Double = 30, _ condition: () throws -> Bool) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if (try? condition()) == true { return true }
        Thread.sleep(forTimeInterval: 0.25)
    }
    return (try? condition()) == true
}

extension MailServers {
    /// Every test user: empty all their folders, so a test starts clean.
    func emptyAll() throws {
        for user in ["support", "treasury", "outbox", "anna", "pere", "marta"] { try empty(user) }
    }

    /// Empties a user's INBOX and filed folder, so each test starts clean.
    func empty(_ user: String) throws {
        let conn = try IMAPConnection(imap(user))
        for folder in ["INBOX", "Suport/Filed", "Suport/Failed", "Incoming"] {
            guard (try? conn.select(folder)) != nil else { continue }
            let uids = try conn.uidSearch("ALL")
            if !uids.isEmpty {
                try conn.addFlags(uids, "\\Deleted")
                try conn.command("EXPUNGE")
            }
        }
        conn.logout()
    }

    /// The messages in a user's INBOX (parsed), optionally only those to `recipient`.
    func messages(_ user: String, to recipient: String? = nil) throws -> [Message] {
        let conn = try IMAPConnection(imap(user))
        _ = try conn.select("INBOX")
        let all = try conn.fetch(try conn.uidSearch("ALL")).map { Message(bytes: $0.body) }
        conn.logout()
        guard let recipient else { return all }
        return all.filter { $0.to.contains { $0.address.lowercased() == recipient.lowercased() } }
    }

    /// How many messages a folder holds, through a connection of its own.
    func count(_ user: String, _ folder: String) -> Int? {
        guard let conn = try? IMAPConnection(imap(user)) else { return nil }
        defer { conn.logout() }
        return try? conn.select(folder).exists
    }

    func imapStop(crash: Bool = false) throws { try MailServers.script(["stop-imap", dir] + (crash ? ["--crash"] : [])) }
    func imapStart() throws { try MailServers.script(["start-imap", dir]) }
    func smtpStop() throws { try MailServers.script(["stop-smtp", dir]) }
    func smtpStart() throws { try MailServers.script(["start-smtp", dir]) }
}
