import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SuportService
import Tickets

/// The web desk: staff pages over the same `Desk` the CLI and mail use. Every action is one
/// form posting to one desk operation, authorized there; the routes only read forms and
/// render pages.
public struct WebDesk: Sendable {
    let desk: Desk
    let settings: WebSettings
    let pages: Pages
    let logger: Logger
    /// Desk calls block (SQLite, bcrypt): they run here, never on the cooperative pool.
    let work = DispatchQueue(label: "suport.web", attributes: .concurrent)

    static let sessionCookie = "suport_session"
    /// Forms shown to people without a session (login, a new request, a login link) carry a
    /// token that must match this cookie, set with the form (a double-submit token).
    static let formCookie = "suport_form"

    public init(desk: Desk, settings: WebSettings, logger: Logger) throws {
        self.desk = desk
        self.settings = settings
        self.logger = logger
        pages = try Pages(folder: settings.pagesPath)
        WebMetrics.bootstrap()
    }

    /// The HTTP application: a `Service` for the daemon's group, or to run alone (`suport web`).
    public func application() -> Application<RouterResponder<DeskContext>> {
        Application(router: router(), configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
                    logger: logger)
    }

    func router() -> Router<DeskContext> {
        let router = Router(context: DeskContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: MetricsMiddleware())
        router.get("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/static/suport.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(bytes: pages.stylesheet)))
        }
        // For a scraper on this machine, not through a proxy (which would forward it from anywhere).
        router.get("/metrics") { request, context in
            guard context.peer.map(Self.isLoopback) ?? true, request.headers[HTTPField.Name("X-Forwarded-For")!] == nil else {
                return Response(status: .notFound)
            }
            let text = try await blocking { try WebMetrics.scrape(desk) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // Browsers ask for an icon on every site; we have none to give.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/login") { request, _ in loginPage(request, problem: nil) }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout") { request, _ in try await logout(request) }
        router.get("/") { request, _ in try await staffPage(request) { try listPage(request, $0) } }
        router.get("/dashboard") { request, _ in try await staffPage(request) { try dashboardPage(request, $0) } }
        router.get("/tickets/:number") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            return try await staffPage(request) { try ticketPage(request, number: number, staff: $0) }
        }
        router.get("/tickets/:number/attachments/:id") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            let id = try context.parameters.require("id", as: Int64.self)
            return try await staffPage(request) { try attachment(number: number, id: id, staff: $0) }
        }
        router.post("/tickets/:number/:action") { request, context in
            let number = try context.parameters.require("number", as: Int.self)
            let action = try context.parameters.require("action")
            return try await staffAction(request, number: number, action: action)
        }
        articleRoutes(router)
        requesterRoutes(router)
        publicRoutes(router)
        return router
    }

    // MARK: sessions

    /// Runs blocking desk work off the cooperative pool.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            work.async { continuation.resume(with: Result(catching: body)) }
        }
    }

    /// Whether the browser reached us over HTTPS: the public address says so, or a trusted
    /// proxy does (`X-Forwarded-Proto` from anyone else is ignored).
    func isSecure(_ request: Request, peer: String?) -> Bool {
        if settings.publicURL.hasPrefix("https:") { return true }
        guard let peer, settings.trustedProxies.contains(peer) else { return false }
        return request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// The address a request came from: the peer, or for a trusted proxy the last address it forwarded.
    func clientAddress(_ request: Request, peer: String?) -> String {
        guard let peer else { return "unknown" }
        if settings.trustedProxies.contains(peer),
           let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").last {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return peer
    }

    static func isLoopback(_ address: String) -> Bool { address == "::1" || address.hasPrefix("127.") || address == "::ffff:127.0.0.1" }

    func cookie(_ name: String, _ value: String, maxAge: Int?, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func language(_ request: Request) -> Language {
        Pages.language(request.headers[.acceptLanguage], fallback: desk.policy.queues.first?.language ?? .en)
    }

    /// A page for signed-in staff; anyone else is sent to the login page, and back after it.
    func staffPage(_ request: Request, _ page: @escaping @Sendable (StaffSession) throws -> Response) async throws -> Response {
        let token = request.cookies[Self.sessionCookie]?.value
        let outcome: Response? = try await blocking {
            guard let token, let session = try desk.staffSession(token: token) else { return nil }
            return try page(session)
        }
        if let outcome { return outcome }
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return .redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
    }

    // MARK: login

    /// A page with a form for someone without a session: its token, and the cookie it must match.
    func publicForm(_ name: String, _ values: [String: Any], _ request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let token = AccessRules.token()
        var values = values
        values["csrf"] = token
        var response = pages.render(name, values, language: language(request), status: status)
        response.setCookie(cookie(Self.formCookie, token, maxAge: 3600, secure: settings.publicURL.hasPrefix("https:")))
        return response
    }

    /// Whether a form posted without a session carries the token of the page it came from.
    func publicFormIsOurs(_ request: Request, _ form: Form) -> Bool {
        guard let sent = form["csrf"], let expected = request.cookies[Self.formCookie]?.value else { return false }
        return AccessRules.same(sent, expected)
    }

    func loginPage(_ request: Request, problem: String?, status: HTTPResponse.Status = .ok, handle: String? = nil) -> Response {
        let next = request.uri.queryParameters["next"].map(String.init) ?? "/"
        var values: [String: Any] = ["next": Self.localPath(next)]
        if let problem { values["problem"] = problem }
        if let handle { values["handle"] = handle }
        return publicForm("login", values, request, status: status)
    }

    /// Only a path on this site is a place to go after logging in (never `//elsewhere`, nor
    /// anything with a control character that could end the Location header).
    static func localPath(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        return plain && path.hasPrefix("/") && !path.hasPrefix("//") && !path.hasPrefix("/\\") ? path : "/"
    }

    func login(_ request: Request, _ context: DeskContext) async throws -> Response {
        var reading = request
        let form = try await Form.read(&reading, limit: 64 * 1024)
        guard publicFormIsOurs(request, form) else { return forbidden(request) }
        let handle = form["handle"] ?? "", password = form.raw("password") ?? ""
        let address = clientAddress(request, peer: context.peer)
        let secure = isSecure(request, peer: context.peer)
        let seconds = settings.sessionSeconds
        do {
            let (token, _) = try await blocking { try desk.login(handle: handle, password: password, from: address, sessionSeconds: seconds) }
            var response = Response.redirect(to: Self.localPath(form["next"] ?? "/"))
            response.setCookie(cookie(Self.sessionCookie, token, maxAge: Int(seconds), secure: secure))
            response.setCookie(cookie(Self.formCookie, "", maxAge: 0, secure: secure))
            logger.info("web login", metadata: ["staff": "\(handle)", "from": "\(address)"])
            return response
        } catch let error as AccessError {
            logger.notice("web login refused", metadata: ["staff": "\(handle)", "from": "\(address)", "why": "\(error)"])
            let status: HTTPResponse.Status = if case .tooManyAttempts = error { .tooManyRequests } else { .unauthorized }
            return loginPage(request, problem: error.description, status: status, handle: handle)
        }
    }

    func logout(_ request: Request) async throws -> Response {
        var reading = request
        let form = try await Form.read(&reading, limit: 64 * 1024)
        guard let token = request.cookies[Self.sessionCookie]?.value else { return .redirect(to: "/login") }
        let valid = try await blocking { () -> Bool in
            guard let session = try desk.staffSession(token: token) else { return false }
            guard let sent = form["csrf"], AccessRules.same(sent, session.session.csrf) else { return false }
            try desk.logout(token: token)
            return true
        }
        guard valid else { return forbidden(request) }
        var response = Response.redirect(to: "/login")
        response.setCookie(cookie(Self.sessionCookie, "", maxAge: 0, secure: settings.publicURL.hasPrefix("https:")))
        return response
    }

    /// A form without the token its page carried: refused, and nothing done.
    func forbidden(_ request: Request) -> Response {
        pages.render("problem", ["problem": pages.strings[language(request)]?["csrf_refused"] ?? "refused"], language: language(request),
                     status: .forbidden)
    }

    func notFound(_ request: Request) -> Response {
        pages.render("problem", ["problem": pages.strings[language(request)]?["not_found"] ?? "not found"], language: language(request),
                     status: .notFound)
    }
}
