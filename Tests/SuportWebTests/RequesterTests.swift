import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SuportService
@testable import SuportWeb
@testable import Tickets
import MIME

extension WebFixture {
    /// The personal link in the newest notification to `address` on ticket `n`.
    func link(_ n: Int, to address: String = "jordi@example.cat") throws -> String? {
        let sent = try desk.store.outbox(state: nil, ticket: n).filter { $0.recipient == address }
        guard let newest = sent.first else { return nil }
        let text = Message(bytes: try desk.store.outboxMessage(newest.id)).text ?? ""
        return text.firstMatch(of: /\/r\/([A-Za-z0-9._\-]+)/).map { "/r/" + String($0.1) }
    }
}

@Suite struct RequesterPageTests {
    @Test func theLinkInAReplyOpensThePublicConversationOnly() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Router blinks", body: "Red light since this morning.")
        _ = try f.desk.change(.comment(text: "Internal: his contract is overdue", attachments: []), ticket: n, actor: "anna")
        _ = try f.desk.change(.reply(text: "Please unplug it for ten seconds.", attachments: []), ticket: n, actor: "anna")
        let link = try #require(try f.link(n))
        #expect(link.hasPrefix("/r/\(n)."))
        try await f.test { client in
            let b = Browser(client)
            let opened = try await b.get(link)
            #expect(opened.status == .seeOther && opened.headers[.location] == "/my/\(n)")
            #expect(b.cookies[WebDesk.requesterCookie] != nil && b.cookies[WebDesk.sessionCookie] == nil)
            let page = String(buffer: try await b.get("/my/\(n)").body)
            #expect(page.contains("Red light since this morning.") && page.contains("Please unplug it"))
            #expect(!page.contains("contract is overdue"))
            // A requester's session opens no staff page.
            let staff = try await b.get("/tickets/\(n)")
            #expect(staff.status == .seeOther && staff.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func anotherNumberOrAnAlteredLinkShowsNothing() async throws {
        let f = try WebFixture()
        let mine = try f.file(subject: "Mine", body: "My words.")
        let theirs = try f.file(subject: "Theirs", body: "Secret words of someone else.", from: "Other Person <other@example.org>")
        _ = try f.desk.change(.reply(text: "Answer.", attachments: []), ticket: mine, actor: "anna")
        let link = try #require(try f.link(mine))
        try await f.test { client in
            let b = Browser(client)
            try await b.get(link)
            let other = try await b.get("/my/\(theirs)")
            #expect(other.status == .notFound && !String(buffer: other.body).contains("Secret words"))
            // The same link with the other ticket's number: the signature no longer matches.
            let forged = link.replacingOccurrences(of: "/r/\(mine).", with: "/r/\(theirs).")
            let c = Browser(client)
            let refused = try await c.get(forged)
            #expect(refused.status == .notFound && c.cookies[WebDesk.requesterCookie] == nil)
            let nonsense = try await c.get("/r/garbage")
            #expect(nonsense.status == .notFound)
            let none = try await c.get("/my/\(mine)")
            #expect(none.status == .notFound && !String(buffer: none.body).contains("My words"))
        }
    }

    @Test func aReplyOnThePageIsFiledAsMailAndReopensTheTicket() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Wifi drops", body: "Every evening.")
        _ = try f.desk.change(.status(.resolved), ticket: n, actor: "anna")
        let link = try #require(try f.link(n))
        try await f.test { client in
            let b = Browser(client)
            try await b.get(link)
            try await b.get("/my/\(n)")
            let forged = try await b.post("/my/\(n)/reply", [("text", "no token")], csrf: "forged")
            #expect(forged.status == .forbidden)
            let r = try await b.postMultipart("/my/\(n)/reply", [("text", "It dropped again tonight, at nine.")],
                                              files: [("files", "trace.txt", "text/plain", Array("ping timeout".utf8))])
            #expect(r.status == .seeOther && r.headers[.location] == "/my/\(n)?saved=reply")
        }
        let t = try #require(try f.desk.store.ticket(n))
        #expect(t.status == .open)
        let entry = try #require(try f.desk.store.history(n).last { $0.kind == "correspondence" })
        #expect(entry.actor == "jordi@example.cat")
        let id = try #require(entry.message)
        let raw = String(decoding: try #require(try f.desk.store.rawMessage(id)), as: UTF8.self)
        #expect(raw.contains("X-Suport-Source: web") && raw.contains("It dropped again"))
        #expect(try f.desk.store.attachments(n).contains { $0.filename == "trace.txt" })
        // Staff are told, as of a reply by mail.
        #expect(try f.desk.store.outbox(state: nil, ticket: n).contains { $0.recipient == "anna@example.test" || $0.recipient == "pere@example.test" })
    }

    @Test func aRequesterApprovesAResolutionFromThePage() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Receipt for my membership fee", body: "Please send it.", to: "treasury@example.test")
        _ = try f.desk.change(.status(.resolved), ticket: n, actor: "marta")
        #expect(try f.desk.store.ticket(n)?.approval == .pending)
        let link = try #require(try f.link(n))
        try await f.test { client in
            let b = Browser(client)
            try await b.get(link)
            let page = String(buffer: try await b.get("/my/\(n)").body)
            #expect(page.contains("/my/\(n)/approve"))
            let r = try await b.post("/my/\(n)/approve", [])
            #expect(r.status == .seeOther)
        }
        let t = try #require(try f.desk.store.ticket(n))
        #expect(t.approval == .approved && t.status == .resolved)
    }

    @Test func aRevokedLinkOpensNothingAndEndsItsSession() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Antenna", body: "Bent by the wind.")
        _ = try f.desk.change(.reply(text: "We will come.", attachments: []), ticket: n, actor: "anna")
        let link = try #require(try f.link(n))
        try await f.test { client in
            let b = Browser(client)
            try await b.get(link)
            let before = try await b.get("/my/\(n)")
            #expect(before.status == .ok)
            #expect(throws: DeskError.self) { _ = try f.desk.revokeLinks(ticket: n, address: nil, actor: "marta") }
            let revoked = try f.desk.revokeLinks(ticket: n, address: nil, actor: "anna", now: Date().addingTimeInterval(1))
            #expect(revoked == ["jordi@example.cat"])
            let after = try await b.get("/my/\(n)")
            #expect(after.status == .notFound)
            let again = try await Browser(client).get(link)
            #expect(again.status == .notFound)
        }
        // A notification after the revocation carries a new link that works.
        _ = try f.desk.change(.reply(text: "Done.", attachments: []), ticket: n, actor: "anna", now: Date().addingTimeInterval(5))
        let fresh = try #require(try f.link(n))
        #expect(fresh != link)
        try await f.test { client in
            let opened = try await Browser(client).get(fresh)
            #expect(opened.status == .seeOther)
        }
    }

    @Test func aRequesterGetsNoFileOfAnInternalComment() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Cable", body: "Cut.")
        _ = try f.desk.change(.comment(text: "photo of the contract", attachments: [OutgoingAttachment(filename: "contract.pdf", contentType: "application/pdf", data: Array("%PDF".utf8))]),
                              ticket: n, actor: "anna")
        _ = try f.desk.change(.reply(text: "Noted.", attachments: []), ticket: n, actor: "anna")
        let hidden = try #require(try f.desk.store.attachments(n).first { $0.filename == "contract.pdf" })
        let link = try #require(try f.link(n))
        try await f.test { client in
            let b = Browser(client)
            try await b.get(link)
            let file = try await b.get("/my/\(n)/attachments/\(hidden.id)")
            #expect(file.status == .notFound)
        }
    }

    @Test func linksAreBoundToTicketAndAddress() {
        let links = RequesterLinks(baseURL: "https://desk.example") { data in ContentHashShim.mac(data) }
        let token = links.token(ticket: 12, address: "Jordi@Example.cat", issued: Date(timeIntervalSince1970: 1_800_000_000))
        let grant = links.verify(token)
        #expect(grant == RequesterLinks.Grant(ticket: 12, address: "jordi@example.cat", issued: Date(timeIntervalSince1970: 1_800_000_000)))
        var altered = Array(token)
        altered[altered.count - 3] = altered[altered.count - 3] == "A" ? "B" : "A"
        #expect(links.verify(String(altered)) == nil)
        let other = RequesterLinks(baseURL: "https://desk.example") { data in ContentHashShim.mac([1] + data) }
        #expect(other.verify(token) == nil)
    }
}

/// A stand-in MAC for the token tests (the desk uses HMAC-SHA256 from OpenSSL).
enum ContentHashShim {
    static func mac(_ data: [UInt8]) -> [UInt8] {
        var h: [UInt8] = Array(repeating: 0, count: 32)
        for (i, b) in data.enumerated() { h[i % 32] = h[i % 32] &* 31 &+ b }
        return h
    }
}

@Suite struct RevokeFromThePageTests {
    @Test func staffRevokeTheLinksFromTheTicketPage() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Socket", body: "Burnt.")
        _ = try f.desk.change(.reply(text: "We see.", attachments: []), ticket: n, actor: "anna", now: Date().addingTimeInterval(-5))
        let link = try #require(try f.link(n))
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let r = try await b.post("/tickets/\(n)/revoke-links", [])
            #expect(r.status == .seeOther)
            let opened = try await Browser(client).get(link)
            #expect(opened.status == .notFound)
        }
    }
}

@Suite struct TemplateLinkTests {
    /// Every notification a requester or Cc receives offers the ticket's page.
    @Test func everyRequesterTemplateCarriesTheLink() throws {
        for language in ["ca", "es", "en"] {
            for name in ["acknowledgement", "correspondence", "merged", "approval-request", "status", "queue-requestors", "too-large"] {
                let text = try String(contentsOf: WebFixture.repo.appendingPathComponent("config/templates/\(language)/\(name).mustache"), encoding: .utf8)
                #expect(text.contains("{{#web_link}}") && text.contains("{{web_link}}"), "\(language)/\(name)")
            }
        }
    }
}
