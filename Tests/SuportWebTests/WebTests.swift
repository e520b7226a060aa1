import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SuportService
@testable import SuportWeb
import Tickets
import MIME

@Suite struct StaffLoginTests {
    @Test func theLoginPageCarriesATokenBoundToACookie() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            let page = try await b.get("/login")
            #expect(page.status == .ok)
            #expect(b.csrf != nil && b.cookies[WebDesk.formCookie] == b.csrf)
            // Nothing left unset shows as "nil" (an absent value is left out of the page's values).
            #expect(!String(buffer: page.body).contains("nil"))
            // A login form posted without the token its page set is refused, and nobody is signed in.
            b.cookies[WebDesk.formCookie] = nil
            let forged = try await b.post("/login", [("handle", "anna"), ("password", WebFixture.password)])
            #expect(forged.status == .forbidden)
            #expect(b.cookies[WebDesk.sessionCookie] == nil)
        }
    }

    @Test func aRightPasswordOpensASessionWithItsCookieFlags() async throws {
        let f = try WebFixture(publicURL: "https://desk.example.test")
        try await f.test { client in
            let b = Browser(client)
            let response = try await b.login("anna")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix(WebDesk.sessionCookie + "=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure") && cookie.contains("Path=/"))
            let list = try await b.get("/")
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains("Anna Soler"))
        }
        // Only the token's digest is stored.
        let stored = try f.desk.store.session(id: AccessRules.storedID("x"), now: Date())
        #expect(stored == nil)
    }

    @Test func aWrongPasswordIsRefusedAndRepeatedFailuresAreLimited() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            let wrong = try await b.login("anna", password: "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("not right"))
            // The page gives the handle back, never the password.
            #expect(String(buffer: wrong.body).contains("value=\"anna\"") && !String(buffer: wrong.body).contains("not the password"))
            let unknown = try await b.login("nobody", password: "whatever it is")
            #expect(unknown.status == .unauthorized)
            for _ in 0..<4 { try await b.login("anna", password: "still not it") }
            // Five failures for anna: now even the right password waits.
            let limited = try await b.login("anna")
            #expect(limited.status == .tooManyRequests)
            #expect(b.cookies[WebDesk.sessionCookie] == nil)
            // Other accounts are not locked by anna's failures.
            let pere = try await b.login("pere")
            #expect(pere.status == .seeOther)
        }
        // The password never reaches the log, at any level.
        #expect(!f.log.text.contains(WebFixture.password) && !f.log.text.contains("still not it"))
        #expect(f.log.text.contains("web login refused"))
    }

    @Test func logoutEndsTheSessionAndNeedsTheToken() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            let session = try #require(b.cookies[WebDesk.sessionCookie])
            try await b.get("/")
            let refused = try await b.post("/logout", [], csrf: "forged")
            #expect(refused.status == .forbidden)
            #expect(try f.desk.staffSession(token: session) != nil)
            let out = try await b.post("/logout", [])
            #expect(out.status == .seeOther)
            #expect(try f.desk.staffSession(token: session) == nil)
            b.cookies[WebDesk.sessionCookie] = session
            let after = try await b.get("/")
            #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func aNewPasswordEndsOldSessionsAndShortOnesAreRefused() async throws {
        let f = try WebFixture()
        let (token, _) = try f.desk.login(handle: "anna", password: WebFixture.password, from: "127.0.0.1", sessionSeconds: 60)
        #expect(try f.desk.staffSession(token: token) != nil)
        #expect(throws: AccessError.weakPassword(minimum: 10)) { try f.desk.setPassword("short", handle: "anna") }
        try f.desk.setPassword("another long password", handle: "anna")
        #expect(try f.desk.staffSession(token: token) == nil)
        // An expired session opens nothing.
        let (brief, _) = try f.desk.login(handle: "pere", password: WebFixture.password, from: "127.0.0.1", sessionSeconds: 60)
        #expect(try f.desk.staffSession(token: brief, now: Date().addingTimeInterval(61)) == nil)
    }

    @Test func onlyALocalPathIsAPlaceToGoAfterLogin() {
        #expect(WebDesk.localPath("/tickets/3") == "/tickets/3")
        #expect(WebDesk.localPath("//evil.example/") == "/")
        #expect(WebDesk.localPath("https://evil.example/") == "/")
        #expect(WebDesk.localPath("/\\evil.example") == "/")
        #expect(WebDesk.localPath("/x\r\nSet-Cookie: a=b") == "/")
    }
}

@Suite struct StaffPageTests {
    @Test func staffSeeTheirQueuesOnlyAndAnotherQueuesTicketIsNotFound() async throws {
        let f = try WebFixture()
        let support = try f.file(subject: "No connection at the node", body: "Since yesterday.")
        let treasury = try f.file(subject: "Membership fee receipt", body: "Please send it.", to: "treasury@example.test")
        try await f.test { client in
            let marta = Browser(client)
            try await marta.login("marta")
            let list = String(buffer: try await marta.get("/").body)
            #expect(list.contains("Membership fee receipt") && !list.contains("No connection at the node"))
            // Changing the number in the address shows nothing of a ticket outside her queues.
            let other = try await marta.get("/tickets/\(support)")
            #expect(other.status == .notFound && !String(buffer: other.body).contains("No connection"))
            let file = try await marta.get("/tickets/\(support)/attachments/1")
            #expect(file.status == .notFound)
            // Nor can she change it.
            try await marta.get("/tickets/\(treasury)")
            let post = try await marta.post("/tickets/\(support)/status", [("value", "resolved")])
            #expect(post.status == .notFound)
            #expect(try f.desk.store.ticket(support)?.status == .new)
            // Her own ticket she sees.
            let own = try await marta.get("/tickets/\(treasury)")
            #expect(own.status == .ok && String(buffer: own.body).contains("Please send it."))
        }
    }

    @Test func anAdminSeesEveryQueue() async throws {
        let f = try WebFixture { $0.replacingOccurrences(of: "admins = []", with: "admins = [\"marta\"]") }
        try f.file(subject: "No connection at the node", body: "Since yesterday.")
        try await f.test { client in
            let marta = Browser(client)
            try await marta.login("marta")
            #expect(String(buffer: try await marta.get("/").body).contains("No connection at the node"))
        }
    }

    @Test func aFormWithoutItsTokenIsRefusedAndChangesNothing() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Router", body: "It blinks.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            for token in ["", "forged-token"] {
                let r = try await b.post("/tickets/\(n)/status", [("value", "open")], csrf: token)
                #expect(r.status == .forbidden)
            }
            let m = try await b.postMultipart("/tickets/\(n)/reply", [("text", "hello")], files: [])
            #expect(m.status == .seeOther)  // with the page's token it goes through
            b.csrf = "forged"
            let forgedReply = try await b.postMultipart("/tickets/\(n)/reply", [("text", "again")], files: [])
            #expect(forgedReply.status == .forbidden)
        }
        let history = try f.desk.store.history(n).map(\.kind)
        #expect(history.filter { $0 == "correspondence-staff" }.count == 1)
        #expect(try f.desk.store.ticket(n)?.status == .open)  // opened by the one reply that went through
    }

    @Test func aReplyWithAFileGoesToTheRequesterThroughTheDesk() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Antenna settings", body: "Where are they?")
        let pdf = Array("%PDF-1.4 test".utf8)
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let r = try await b.postMultipart("/tickets/\(n)/reply", [("text", "Here it is.\nRegards")],
                                              files: [("files", "factura 12.pdf", "application/pdf", pdf)])
            #expect(r.status == .seeOther && r.headers[.location] == "/tickets/\(n)?saved=reply", "\(String(buffer: r.body).prefix(600))")
            let page = String(buffer: try await b.get("/tickets/\(n)").body)
            #expect(page.contains("Here it is.") && page.contains("factura 12.pdf"), "\((try? f.desk.store.attachments(n)) ?? []) \(((try? f.desk.store.history(n)) ?? []).map { ($0.kind, $0.message) })")
        }
        let sent = try f.desk.store.outbox(state: nil, ticket: n).filter { $0.recipient == "jordi@example.cat" && $0.template == "correspondence" }
        let entry = try #require(sent.first)
        let bytes = String(decoding: try f.desk.store.outboxMessage(entry.id), as: UTF8.self)
        #expect(bytes.contains("factura 12.pdf") && bytes.contains("Here it is."))
        #expect(try f.desk.store.history(n).contains { $0.kind == "correspondence-staff" && $0.actor == "anna" })
    }

    @Test func aRefusedChangeShowsTheDesksWordsOnThePage() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Router", body: "It blinks.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let r = try await b.post("/tickets/\(n)/set", [("field", "due"), ("value", "tomorrow-ish")])
            #expect(r.status == .unprocessableContent)
            #expect(String(buffer: r.body).contains("tomorrow-ish"))
            let owner = try await b.post("/tickets/\(n)/owner", [("value", "marta")])
            #expect(owner.status == .unprocessableContent)
            #expect(String(buffer: owner.body).contains("marta is not staff of the support queue"))
        }
        #expect(try f.desk.store.ticket(n)?.owner == nil)
    }

    @Test func everyTicketFormReachesTheOneOperation() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Node down", body: "Since 9.")
        let other = try f.file(subject: "Also down", body: "Same here.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let forms: [(String, [(String, String)])] = [
                ("owner", [("value", "pere")]), ("add-owner", [("value", "anna")]), ("priority", [("value", "7")]),
                ("set", [("field", "due"), ("value", "2026-12-24T13:00")]), ("set", [("field", "waiting"), ("value", "supplier")]),
                ("set", [("field", "type"), ("value", "incident")]), ("set", [("field", "reference"), ("value", "SUP-991")]),
                ("set", [("field", "field.node"), ("value", "sants-12")]), ("time", [("duration", "1h30m"), ("note", "on site")]),
                ("link", [("kind", "parent-of"), ("other", "#\(other)")]), ("status", [("value", "stalled")]),
            ]
            for (action, fields) in forms {
                let r = try await b.post("/tickets/\(n)/\(action)", fields)
                #expect(r.status == .seeOther, "\(action) \(fields): \(String(buffer: r.body).prefix(400))")
            }
        }
        let t = try #require(try f.desk.store.ticket(n))
        #expect(t.owner == "pere" && t.coOwners == ["anna"] && t.priority == 7 && t.waitingFor == .supplier && t.type == "incident")
        #expect(t.externalRef == "SUP-991" && t.fields["node"] == "sants-12" && t.minutesWorked == 90 && t.status == .stalled)
        #expect(t.due != nil)
        #expect(try f.desk.store.links(n).contains { $0.ticket == other })
    }

    @Test func aMoveToTreasuryLeavesThePageAndTellsTreasury() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "A question", body: "Who answers this?")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let r = try await b.post("/tickets/\(n)/queue", [("value", "treasury")])
            #expect(r.status == .seeOther && r.headers[.location] == "/?moved=\(n)", "\(String(buffer: r.body).prefix(600))")
        }
        #expect(try f.desk.store.ticket(n)?.queue == "treasury")
        #expect(try f.desk.store.outbox(state: nil, ticket: n).contains { $0.recipient == "marta@example.test" })
    }

    @Test func requesterTextIsEscapedEverywhereAndThePolicyForbidsScript() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "<script>alert('subject')</script>", body: "<img src=x onerror=alert(1)> \"quoted\"",
                           from: "\"<b>Mallory</b>\" <mallory@example.cat>")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            for path in ["/", "/tickets/\(n)"] {
                let r = try await b.get(path)
                let page = String(buffer: r.body)
                #expect(!page.contains("<script>") && !page.contains("<img src=x") && !page.contains("<b>Mallory"))
                #expect(page.contains("&lt;script&gt;"))
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(r.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func anAttachmentIsDownloadedNeverShown() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Screenshot", body: "", extra: [
            "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b1",
        ].map { $0 } + ["", "--b1", "Content-Type: text/plain", "", "See attached.", "--b1",
                        "Content-Type: text/html; name=\"page\\\".html\"", "Content-Disposition: attachment; filename=\"evil\\\".html\"", "",
                        "<script>alert(1)</script>", "--b1--"])
        let attachment = try #require(try f.desk.store.attachments(n).first)
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            let r = try await b.get("/tickets/\(n)/attachments/\(attachment.id)")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/octet-stream")
            #expect(r.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"evil_.html\"") == true)
            #expect(r.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func theListPagesFiltersAndAppliesSavedViews() async throws {
        let f = try WebFixture()
        for i in 1...105 { try f.file(subject: "Ticket \(i)", body: "Body \(i)") }
        try f.file(subject: "Fibre cut in Sants", body: "The fibre is cut.")
        try f.desk.store.saveView(name: "fibre", arguments: ["--search", "fibre"], by: "anna", now: Date())
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            // Newest first, a page follows from the last number shown; any other order pages by offset.
            let first = String(buffer: try await b.get("/").body)
            let next = try #require(first.firstMatch(of: /href="(\/\?below=\d+)" rel="next"/).map { String($0.1) })
            // The newest 50: the fibre ticket and tickets 105 to 57.
            #expect(first.contains("Fibre cut") && first.contains("Ticket 57<") && !first.contains("Ticket 56<"))
            let second = String(buffer: try await b.get(next).body)
            #expect(second.contains("Ticket 56<") && second.contains("Ticket 7<") && !second.contains("Ticket 57<") && !second.contains("Ticket 6<"))
            #expect(second.contains("rel=\"next\"") && second.contains("els més nous"))
            let byPriority = String(buffer: try await b.get("/?sort=-priority&page=3").body)
            #expect(byPriority.contains("rel=\"prev\"") && !byPriority.contains("rel=\"next\""))
            let search = String(buffer: try await b.get("/?q=fibre").body)
            #expect(search.contains("Fibre cut in Sants") && !search.contains("Ticket 7<"))
            let view = String(buffer: try await b.get("/?view=fibre").body)
            #expect(view.contains("Fibre cut in Sants") && !view.contains("Ticket 7<"))
            let bad = try await b.get("/?sla=purple")
            #expect(String(buffer: bad.body).contains("--sla takes green, yellow or red"))
            let dashboard = try await b.get("/dashboard")
            #expect(dashboard.status == .ok && String(buffer: dashboard.body).contains("support"))
        }
    }

    @Test func signedOutVisitorsGoToTheLoginPageAndBack() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            let r = try await b.get("/tickets/1?x=1")
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/login?next=%2Ftickets%2F1%3Fx%3D1")
            let health = try await b.get("/healthz")
            #expect(health.status == .ok)
        }
    }
}

@Suite struct WebPartsTests {
    @Test func everyLanguageHasEveryString() throws {
        let data = try Data(contentsOf: WebFixture.repo.appendingPathComponent("config/web/strings.json"))
        let all = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: String]])
        let english = Set(all["en"]?.keys ?? [:].keys)
        for language in Language.allCases {
            #expect(Set(all[language.rawValue]?.keys ?? [:].keys) == english, "\(language)")
        }
        // Every {{t.key}} a template uses is a string.
        for name in Pages.names {
            let text = try String(contentsOf: WebFixture.repo.appendingPathComponent("config/web/\(name).mustache"), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-z_]+)\}\}/) {
                #expect(english.contains(String(match.1)), "\(name): t.\(match.1)")
            }
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) renders nothing unescaped")
        }
    }

    @Test func formsReadBothEncodings() {
        let url = Form.urlEncoded("a=1&text=two+words%0Aand%26more&a=2&empty=")
        #expect(url.fields["a"] == ["1", "2"] && url.raw("text") == "two words\nand&more" && url["empty"] == nil)
        let body = Array("--XX\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nline one\r\nline two\r\n--XX\r\nContent-Disposition: form-data; name=\"files\"; filename=\"C:\\\\dir\\\\a.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XX\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--XX--\r\n".utf8)
        let multi = Form.multipart(body, contentType: "multipart/form-data; boundary=XX")
        #expect(multi.raw("text") == "line one\r\nline two")
        #expect(multi.files.count == 1 && multi.files.first?.filename == "a.txt" && multi.files.first?.data == Array("abc".utf8))
    }

    @Test func theBrowsersLanguageChoosesThePages() {
        #expect(Pages.language("es-ES,es;q=0.9,en;q=0.8", fallback: .ca) == .es)
        #expect(Pages.language("de-DE, en;q=0.5", fallback: .ca) == .en)
        #expect(Pages.language("de", fallback: .ca) == .ca)
        #expect(Pages.language(nil, fallback: .en) == .en)
    }
}

@Suite struct MetricsTests {
    @Test func metricsAreReadOnThisMachineOnly() async throws {
        let f = try WebFixture()
        try f.file(subject: "Counted", body: "One.")
        try await f.test { client in
            let b = Browser(client)
            let r = try await b.get("/metrics")
            let text = String(buffer: r.body)
            #expect(r.status == .ok && r.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(text.contains("suport_outbox_notifications{state=\"pending\"}") && text.contains("suport_tickets_sla{colour=\"red\"} 0"))
            // Through a proxy (which forwards whoever asks), there is nothing here.
            let proxied = try await b.get("/metrics", headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"])
            #expect(proxied.status == .notFound)
        }
        #expect(WebDesk.isLoopback("127.0.0.1") && WebDesk.isLoopback("::1") && !WebDesk.isLoopback("192.0.2.7"))
    }
}

@Suite struct ProxyAndLimitTests {
    func request(_ headers: HTTPFields) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: "http", authority: "desk", path: "/", headerFields: headers),
                body: RequestBody(buffer: ByteBuffer()))
    }

    @Test func forwardedHeadersCountOnlyFromTrustedProxies() throws {
        let f = try WebFixture { $0.replacingOccurrences(of: "public_url = \"http://127.0.0.1:8080\"",
                                                         with: "public_url = \"http://127.0.0.1:8080\"\ntrusted_proxies = [\"127.0.0.1\"]") }
        let forwarded = request([HTTPField.Name("X-Forwarded-Proto")!: "https", HTTPField.Name("X-Forwarded-For")!: "198.51.100.1, 203.0.113.7"])
        #expect(f.web.isSecure(forwarded, peer: "127.0.0.1"))
        #expect(f.web.clientAddress(forwarded, peer: "127.0.0.1") == "203.0.113.7")
        // From anyone else the same headers are the sender's word, and not believed.
        #expect(!f.web.isSecure(forwarded, peer: "192.0.2.50"))
        #expect(f.web.clientAddress(forwarded, peer: "192.0.2.50") == "192.0.2.50")
        #expect(!f.web.isSecure(request([:]), peer: "127.0.0.1"))
    }

    @Test func failuresFromOneAddressLimitEveryAccount() throws {
        let f = try WebFixture()
        for i in 0..<20 {
            #expect(throws: AccessError.refused) {
                _ = try f.desk.login(handle: "nobody\(i)", password: "guess \(i)", from: "198.51.100.9", sessionSeconds: 60)
            }
        }
        #expect(throws: AccessError.tooManyAttempts(minutes: 15)) {
            _ = try f.desk.login(handle: "anna", password: WebFixture.password, from: "198.51.100.9", sessionSeconds: 60)
        }
        // From elsewhere anna still signs in; and a quarter of an hour later, from there too.
        _ = try f.desk.login(handle: "anna", password: WebFixture.password, from: "198.51.100.10", sessionSeconds: 60)
        _ = try f.desk.login(handle: "anna", password: WebFixture.password, from: "198.51.100.9", sessionSeconds: 60,
                             now: Date().addingTimeInterval(16 * 60))
    }

    @Test func anUploadOverTheLimitIsRefusedWhole() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Logs", body: "Here.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let big = [UInt8](repeating: 65, count: 300_000)
            let r = try await b.postMultipart("/tickets/\(n)/reply", [("text", "big file")], files: [("files", "big.log", "text/plain", big)])
            #expect(r.status == .contentTooLarge)
            #expect(r.headers[.contentSecurityPolicy] != nil)
        }
        #expect(try f.desk.store.history(n).allSatisfy { $0.kind != "correspondence-staff" })
    }

    @Test func aHeldReplyIsWithdrawnFromThePageAndTicketsMerge() async throws {
        let f = try WebFixture { $0.replacingOccurrences(of: "undo_minutes = 0", with: "undo_minutes = 5") }
        let n = try f.file(subject: "Printer", body: "Jammed.")
        let dup = try f.file(subject: "Printer again", body: "Still jammed.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            try await b.postMultipart("/tickets/\(n)/reply", [("text", "Oops, wrong ticket")], files: [])
            let page = String(buffer: try await b.get("/tickets/\(n)").body)
            let id = try #require(page.firstMatch(of: /name="outbox" value="(\d+)"/).map { String($0.1) })
            let withdrawn = try await b.post("/tickets/\(n)/withdraw", [("outbox", id)])
            #expect(withdrawn.status == .seeOther)
            let merged = try await b.post("/tickets/\(dup)/merge", [("into", "#\(n)")])
            #expect(merged.status == .seeOther && merged.headers[.location] == "/tickets/\(n)?saved=merge")
        }
        #expect(try f.desk.store.outbox(state: .withdrawn, ticket: n).contains { $0.recipient == "jordi@example.cat" })
        #expect(try f.desk.store.ticket(dup)?.mergedInto == n)
    }
}

@Suite struct KnowledgeOnThePageTests {
    @Test func aTicketPageOffersArticlesThatMayHelp() async throws {
        let f = try WebFixture()
        let a = try f.desk.addArticle(title: "Router que parpelleja en vermell", problem: "El router parpelleja en vermell.",
                                      solution: "Desendollar-lo deu segons i tornar-lo a endollar.", tags: [], queue: "support",
                                      language: nil, isPublic: false, actor: "anna")
        let n = try f.file(subject: "El router parpelleja", body: "Parpelleja en vermell des del matí.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            let page = String(buffer: try await b.get("/tickets/\(n)").body)
            #expect(page.contains("KB\(a.id) Router que parpelleja en vermell") && page.contains("Desendollar-lo deu segons"))
        }
    }
}

@Suite struct PublicArticleTests {
    @Test func aPublicArticleHasAPageAndTheAcknowledgementLinksTheBestMatch() async throws {
        let f = try WebFixture { $0.replacingOccurrences(of: "suggest_in_acknowledgement = false", with: "suggest_in_acknowledgement = true") }
        let open = try f.desk.addArticle(title: "Com reiniciar el router <b>bé</b>", problem: "El router no dona connexió.",
                                         solution: "Desendollar-lo deu segons.", tags: [], queue: "support", language: nil, isPublic: true, actor: "anna")
        let staffOnly = try f.desk.addArticle(title: "Contractes del router", problem: "Intern.", solution: "Intern.", tags: [], queue: "support",
                                             language: nil, isPublic: false, actor: "anna")
        let n = try f.file(subject: "El router no dona connexió", body: "Des d'avui el router no dona connexió.")
        let ack = try #require(try f.desk.store.outbox(state: nil, ticket: n).first { $0.template == "acknowledgement" })
        let text = Message(bytes: try f.desk.store.outboxMessage(ack.id)).text ?? ""
        #expect(text.contains("http://127.0.0.1:8080/kb/\(open.id)"), "\(text)")
        try await f.test { client in
            let b = Browser(client)
            let page = try await b.get("/kb/\(open.id)")
            #expect(page.status == .ok && String(buffer: page.body).contains("Desendollar-lo deu segons."))
            #expect(String(buffer: page.body).contains("&lt;b&gt;bé&lt;/b&gt;"))
            let hidden = try await b.get("/kb/\(staffOnly.id)")
            #expect(hidden.status == .notFound)
        }
    }
}

@Suite struct FilterFormTests {
    @Test func theFilterFormOffersPlainChoicesAndKeepsWhatWasAsked() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            let page = String(buffer: try await b.get("/?sla=red&status=open&queue=support").body)
            #expect(page.contains("<option value=\"red\" selected>red</option>") && page.contains("<option value=\"green\">green</option>"))
            #expect(page.contains("<option value=\"open\" selected>open</option>") && page.contains("<option value=\"support\" selected>support</option>"))
            #expect(!page.contains("Optional("))
        }
    }
}
