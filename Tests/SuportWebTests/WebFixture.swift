import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StoreTestSupport
import Synchronization
@testable import SuportService
@testable import SuportWeb
import Tickets

/// The example desk with a web desk over a fresh database (SQLite, or PostgreSQL when
/// `SUPORT_TEST_POSTGRES` is set): anna and pere are staff of support, marta of treasury;
/// `edit` changes the configuration text first.
struct WebFixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let password = "correct horse battery"

    let folder: URL
    let desk: Desk
    let web: WebDesk
    let log: LogRecorder

    init(publicURL: String = "http://127.0.0.1:8080", edit: (String) -> String = { $0 }) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("suport-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = try String(contentsOf: Self.repo.appendingPathComponent("config/suport.example.toml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "templates = \"templates\"", with: "templates = \"\(Self.repo.path)/config/templates\"")
        text = text.replacingOccurrences(of: "canned = \"canned\"", with: "canned = \"\(Self.repo.path)/config/canned\"")
        text = text.replacingOccurrences(of: "undo_minutes = 5", with: "undo_minutes = 0")
        text += """

            [web]
            public_url = "\(publicURL)"
            pages = "\(Self.repo.path)/config/web"
            secret_env = "TEST_WEB_SECRET"
            max_upload_bytes = 200000

            """
        let path = folder.appendingPathComponent("suport.toml").path
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = try Configuration.load(path: path, secrets: true, environment: ["TEST_WEB_SECRET": "a test secret, long enough"])
        if TestEngine.isPostgres { configuration = configuration.with(postgres: try TestEngine.postgresDatabase()) }
        desk = try Desk(configuration: configuration)
        log = LogRecorder()
        let recorder = log
        let logger = Logger(label: "web-test") { _ in recorder }
        web = try WebDesk(desk: desk, settings: configuration.web!, logger: logger)
        for handle in ["anna", "pere", "marta"] { try desk.setPassword(Self.password, handle: handle) }
    }

    /// Files a message from a requester to a queue's address; returns the ticket number.
    @discardableResult
    func file(subject: String, body: String, from: String = "Jordi Puig <jordi@example.cat>", to: String = "support@example.test",
              extra: [String] = []) throws -> Int {
        let lines = ["From: \(from)", "To: \(to)", "Subject: \(subject)", "Message-ID: <\(UUID().uuidString)@example.cat>",
                     "Date: Tue, 01 Dec 2026 10:00:00 +0100"] + extra + ["", body]
        let outcome = try desk.file(Desk.Mail(raw: Array(lines.joined(separator: "\r\n").utf8)))
        return outcome.ticket!
    }

    /// Runs `body` against the web desk in process.
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await web.application().test(.router, body)
    }
}

/// A browser's cookie jar and the form token of the last page, enough to act as one.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    @discardableResult
    func get(_ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        return keep(try await client.execute(uri: uri, method: .get, headers: headers, body: nil))
    }

    /// Posts a URL-encoded form; the page's form token is added unless `csrf` is given (or "" for none).
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf given: String? = nil) async throws -> TestResponse {
        var all = fields
        let token = given ?? csrf ?? ""
        if !token.isEmpty { all.append(("csrf", token)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        return keep(try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)))
    }

    /// Posts `multipart/form-data`: fields, and files as (field, filename, type, bytes).
    @discardableResult
    func postMultipart(_ uri: String, _ fields: [(String, String)], files: [(String, String, String, [UInt8])]) async throws -> TestResponse {
        let boundary = "----suport\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in fields + [("csrf", csrf ?? "")] {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for (name, filename, type, bytes) in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
            body += bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        return keep(try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body)))
    }

    /// Signs in as a staff member through the login page.
    @discardableResult
    func login(_ handle: String, password: String = WebFixture.password) async throws -> TestResponse {
        try await get("/login")
        return try await post("/login", [("handle", handle), ("password", password), ("next", "/")])
    }

    /// Keeps the cookies a response sets and the form token its page carries.
    private func keep(_ response: TestResponse) -> TestResponse {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let page = String(buffer: response.body)
        if let range = page.range(of: "name=\"csrf\" value=\"") {
            csrf = String(page[range.upperBound...].prefix { $0 != "\"" })
        }
        return response
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Every log line the web desk writes, with its metadata, to look for secrets in.
final class LogRecorder: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.level) \(event.message) \(event.metadata ?? [:])"
        lines.withLock { $0.append(text) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
