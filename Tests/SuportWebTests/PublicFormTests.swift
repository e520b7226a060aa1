import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import SuportService
@testable import SuportWeb
import Tickets
import TicketStore
import MIME

@Suite struct WebIntakeTests {
    func fields(_ subject: String, email: String = "nuria@example.cat", name: String = "Núria Vidal", queue: String = "support",
                text: String = "The antenna fell.") -> [(String, String)] {
        [("name", name), ("email", email), ("subject", subject), ("text", text), ("queue", queue)]
    }

    @Test func aRequestFromTheFormIsFiledAsMailIs() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            try await b.get("/new")
            let r = try await b.postMultipart("/new", fields("Antena caiguda", text: "L'antena del terrat ha caigut.\nGràcies"),
                                              files: [("files", "foto.jpg", "image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0])])
            #expect(r.status == .ok && String(buffer: r.body).contains("class=\"saved\""))
        }
        let t = try #require(try f.desk.store.list(TicketFilter()).first)
        #expect(t.title == "Antena caiguda" && t.queue == "support" && t.requestors.map(\.address) == ["nuria@example.cat"])
        #expect(try f.desk.store.attachments(t.number).contains { $0.filename == "foto.jpg" })
        let created = try #require(try f.desk.store.history(t.number).first)
        let raw = try f.raw(created)
        #expect(raw.contains("X-Suport-Source: web form from unknown"))
        // The same acknowledgement as for mail, and the routing rules: a fee question goes to treasury.
        #expect(try f.desk.store.outbox(state: nil, ticket: t.number).contains { $0.recipient == "nuria@example.cat" && $0.template == "acknowledgement" })
        try await f.test { client in
            let b = Browser(client)
            try await b.get("/new")
            try await b.post("/new", fields("Question about the membership fee", email: "pau@example.cat"))
        }
        #expect(try f.desk.store.list(TicketFilter()).first?.queue == "treasury")
    }

    @Test func aFilledHoneypotAForeignFormAndBadFieldsFileNothing() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            try await b.get("/new")
            let robot = try await b.post("/new", fields("Cheap pills") + [("website", "http://spam.example")])
            #expect(robot.status == .ok && String(buffer: robot.body).contains("class=\"saved\""))
            let forged = try await b.post("/new", fields("Forged"), csrf: "not-the-cookie")
            #expect(forged.status == .forbidden)
            try await b.get("/new")
            let bad = try await b.post("/new", fields("No address", email: "not an address"))
            #expect(bad.status == .unprocessableContent && String(buffer: bad.body).contains("not an email address"))
            // What the person typed is kept in the form, escaped.
            try await b.get("/new")
            let empty = try await b.post("/new", fields("<b>x</b>", text: " "))
            #expect(String(buffer: empty.body).contains("value=\"&lt;b&gt;x&lt;/b&gt;\""))
            try await b.get("/new")
            let ours = try await b.post("/new", fields("Loop", email: "support@example.test"))
            #expect(ours.status == .unprocessableContent)
        }
        #expect(try f.desk.store.list(TicketFilter()).isEmpty)
    }

    @Test func theFormIsLimitedPerAddressAndNoHeaderIsInjected() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            for i in 1...5 {
                try await b.get("/new")
                let r = try await b.post("/new", fields("Request \(i)", name: "Eve\r\nBcc: victim@example.org"))
                #expect(r.status == .ok)
            }
            try await b.get("/new")
            let sixth = try await b.post("/new", fields("Request 6"))
            #expect(sixth.status == .tooManyRequests)
            // Another address from the same place still gets through, up to the per-IP limit.
            try await b.get("/new")
            let other = try await b.post("/new", fields("Other", email: "someone.else@example.cat"))
            #expect(other.status == .ok)
        }
        let tickets = try f.desk.store.list(TicketFilter())
        #expect(tickets.count == 6)
        for t in tickets {
            let created = try #require(try f.desk.store.history(t.number).first)
            let raw = try f.raw(created)
            #expect(!raw.lowercased().contains("\r\nbcc:"))
        }
    }
}

extension WebFixture {
    /// The raw message a history entry carries, as text.
    func raw(_ entry: HistoryEntry) throws -> String {
        let id = try #require(entry.message)
        return String(decoding: try #require(try desk.store.rawMessage(id)), as: UTF8.self)
    }
}

@Suite struct LoginLinkTests {
    @Test func aRequesterGetsASingleUseLinkToTheirTicketsByMail() async throws {
        let f = try WebFixture()
        let first = try f.file(subject: "First", body: "One.")
        let second = try f.file(subject: "Second", body: "Two.")
        let foreign = try f.file(subject: "Not hers", body: "Someone else's.", from: "Other <other@example.org>")
        try await f.test { client in
            let b = Browser(client)
            try await b.get("/access")
            let r = try await b.post("/access", [("email", "Jordi@Example.cat")])
            #expect(r.status == .ok)
        }
        let mail = try #require(try f.desk.store.outbox(state: nil, ticket: nil).first { $0.template == "login-link" })
        #expect(mail.recipient == "jordi@example.cat" && mail.ticket == nil)
        let text = Message(bytes: try f.desk.store.outboxMessage(mail.id)).text ?? ""
        let path = try #require(text.firstMatch(of: /http:\/\/127\.0\.0\.1:8080(\/access\/[A-Za-z0-9_\-]+)/).map { String($0.1) })
        try await f.test { client in
            let b = Browser(client)
            let opened = try await b.get(path)
            #expect(opened.status == .seeOther && opened.headers[.location] == "/my")
            let list = String(buffer: try await b.get("/my").body)
            #expect(list.contains("/my/\(first)") && list.contains("/my/\(second)") && !list.contains("Not hers"))
            let page = try await b.get("/my/\(second)")
            #expect(page.status == .ok)
            let other = try await b.get("/my/\(foreign)")
            #expect(other.status == .notFound)
            // Used once, it opens nothing again.
            let again = try await Browser(client).get(path)
            #expect(again.status == .notFound)
        }
    }

    @Test func anAddressWithoutTicketsGetsTheSameAnswerAndNoMail() async throws {
        let f = try WebFixture()
        try await f.test { client in
            let b = Browser(client)
            try await b.get("/access")
            let r = try await b.post("/access", [("email", "stranger@example.org")])
            #expect(r.status == .ok && String(buffer: r.body).contains("class=\"saved\""))
            let forged = try await b.post("/access", [("email", "stranger@example.org")], csrf: "forged")
            #expect(forged.status == .forbidden)
        }
        #expect(try f.desk.store.outbox(state: nil, ticket: nil).isEmpty)
    }

    @Test func aLoginLinkExpiresAndRequestsAreLimited() throws {
        let f = try WebFixture()
        try f.file(subject: "Mine", body: "Words.")
        let now = Date()
        try f.desk.sendLoginLink(to: "jordi@example.cat", baseURL: "http://desk", ip: "192.0.2.1", now: now)
        let mail = try #require(try f.desk.store.outbox(state: nil, ticket: nil).first)
        let text = Message(bytes: try f.desk.store.outboxMessage(mail.id)).text ?? ""
        let token = try #require(text.firstMatch(of: /\/access\/([A-Za-z0-9_\-]+)/).map { String($0.1) })
        #expect(throws: LinkRefused.self) { _ = try f.desk.openLoginLink(token, sessionSeconds: 60, now: now.addingTimeInterval(31 * 60)) }
        for _ in 2...5 { try f.desk.sendLoginLink(to: "jordi@example.cat", baseURL: "http://desk", ip: "192.0.2.1", now: now) }
        #expect(throws: FormRefused.tooMany(minutes: 60)) {
            try f.desk.sendLoginLink(to: "jordi@example.cat", baseURL: "http://desk", ip: "192.0.2.1", now: now)
        }
    }
}
