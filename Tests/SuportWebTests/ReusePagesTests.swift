import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MIME
import Testing
@testable import SuportService
@testable import SuportWeb
import Tickets

/// Canned answers, tasks and the knowledge base on the staff pages.
@Suite struct ReusePagesTests {
    @Test func aCannedAnswerFillsTheReplyAndItsCommandAppliesWhenSent() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "La connexió cau", body: "Cada tarda.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            let plain = String(buffer: try await b.get("/tickets/\(n)").body)
            #expect(plain.contains("<option value=\"need-details\"") && !plain.contains("name=\"canned\" value="))
            let filled = String(buffer: try await b.get("/tickets/\(n)?canned=need-details").body)
            #expect(filled.contains("name=\"canned\" value=\"need-details\"") && filled.contains("Waiting: requester")
                    && filled.contains("Hola Jordi Puig,"), "\(filled.prefix(3000))")
            // Staff edit the words, keep the command line, and send (as a browser does, with CRLF line ends).
            let r = try await b.postMultipart("/tickets/\(n)/reply", [("canned", "need-details"),
                                                                       ("text", "Waiting: requester\r\n\r\nHola Jordi, de quina hora a quina?")], files: [])
            #expect(r.status == .seeOther, "\(String(buffer: r.body).prefix(600))")
            let unknown = String(buffer: try await b.get("/tickets/\(n)?canned=nope").body)
            #expect(unknown.contains("no canned answer &quot;nope&quot;") || unknown.contains("no canned answer \"nope\""), "\(unknown.prefix(2000))")
        }
        #expect(try f.desk.store.ticket(n)?.waitingFor == .requester)
        let sent = try #require(try f.desk.store.outbox(state: nil, ticket: n).first { $0.recipient == "jordi@example.cat" && $0.template == "correspondence" })
        let text = Message(bytes: try f.desk.store.outboxMessage(sent.id)).text ?? ""
        #expect(text.contains("de quina hora a quina?") && !text.contains("Waiting"))
        #expect(try f.desk.store.history(n).contains { $0.kind == "waiting" && $0.note == "canned answer need-details: Waiting: requester" })
    }

    @Test func aTaskIsAddedListedAndHoldsItsParentOnThePage() async throws {
        let f = try WebFixture()
        let n = try f.file(subject: "Node del terrat", body: "No arrenca.")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/tickets/\(n)")
            let add = try await b.post("/tickets/\(n)/task", [("owner", "pere"), ("due", "2026-12-24T13:00"), ("title", ""),
                                                              ("text", "Pujar al terrat\nAmb l'escala llarga.")])
            let task = n + 1
            #expect(add.status == .seeOther && add.headers[.location] == "/tickets/\(task)?saved=task", "\(String(buffer: add.body).prefix(600))")
            let parent = String(buffer: try await b.get("/tickets/\(n)").body)
            #expect(parent.contains("<a href=\"/tickets/\(task)\">#\(task) Pujar al terrat</a>"), "\(parent.prefix(4000))")
            let refused = try await b.post("/tickets/\(n)/status", [("value", "resolved")])
            #expect(refused.status == .unprocessableContent && String(buffer: refused.body).contains("tasks not finished: #\(task)"))
            let forced = try await b.post("/tickets/\(n)/status", [("value", "resolved"), ("force", "yes")])
            #expect(forced.status == .seeOther)
            // A task page has no form for tasks of its own.
            let taskPage = String(buffer: try await b.get("/tickets/\(task)").body)
            #expect(!taskPage.contains("/tickets/\(task)/task"))
            // Nor anything for requesters, whom a task has none of: its words are internal.
            #expect(!taskPage.contains("revoke-links") && !taskPage.contains("name=\"canned\"") && taskPage.contains("message internal"))
        }
        let task = try #require(try f.desk.store.ticket(n + 1))
        #expect(task.isTask && task.owner == "pere" && task.requestors.isEmpty && task.due != nil)
    }

    @Test func onlyAnAdminApprovesATaskOnThePage() async throws {
        let f = try WebFixture {
            $0.replacingOccurrences(of: "task_approval = false", with: "task_approval = true")
                .replacingOccurrences(of: "admins = []", with: "admins = [\"marta\"]")
        }
        let n = try f.file(subject: "Antena", body: "Desorientada.")
        let task = try f.desk.addTask(parent: n, owner: "pere", due: nil, text: "Orientar l'antena", actor: "anna").number
        _ = try f.desk.change(.status(.resolved), ticket: task, actor: "pere")
        try await f.test { client in
            let pere = Browser(client)
            try await pere.login("pere")
            let page = String(buffer: try await pere.get("/tickets/\(task)").body)
            #expect(!page.contains("/tickets/\(task)/approve"))
            let refused = try await pere.post("/tickets/\(task)/approve", [("note", "")])
            #expect(refused.status == .unprocessableContent && String(buffer: refused.body).contains("pere is not one of the admins"))

            let marta = Browser(client)
            try await marta.login("marta")
            let review = String(buffer: try await marta.get("/tickets/\(task)").body)
            #expect(review.contains("/tickets/\(task)/approve") && review.contains("/tickets/\(task)/send-back"))
            let back = try await marta.post("/tickets/\(task)/send-back", [("note", "Falta la foto.")])
            #expect(back.status == .seeOther)
            #expect(try f.desk.store.ticket(task)?.status == .open)
            _ = try f.desk.change(.status(.resolved), ticket: task, actor: "pere")
            try await marta.get("/tickets/\(task)")
            let ok = try await marta.post("/tickets/\(task)/approve", [("note", "")])
            #expect(ok.status == .seeOther)
        }
        #expect(try f.desk.store.ticket(task)?.approval == .approved)
    }

    @Test func staffWriteFindAndEditArticlesAndDraftOneFromATicket() async throws {
        let f = try WebFixture()
        let treasury = try f.desk.addArticle(title: "Quota duplicada", problem: "Dos rebuts.", solution: "Retornar-ne un.", tags: [],
                                             queue: "treasury", language: nil, isPublic: false, actor: "marta")
        try await f.test { client in
            let b = Browser(client)
            try await b.login("anna")
            try await b.get("/articles/new")
            let made = try await b.post("/articles", [("title", "El node no arrenca"), ("problem", "Després d'un tall de llum."),
                                                      ("solution", "Canviar la font <PoE>."), ("tags", "node, poe"), ("queue", "support"),
                                                      ("language", "ca")])
            #expect(made.status == .seeOther, "\(String(buffer: made.body).prefix(800))")
            let location = try #require(made.headers[.location])
            let page = String(buffer: try await b.get(location).body)
            #expect(page.contains("Canviar la font &lt;PoE&gt;.") && page.contains("value=\"node, poe\""), "\(page.prefix(3000))")
            let id = try #require(Int64(location.dropFirst("/articles/".count).prefix { $0.isNumber }))
            let edit = try await b.post("/articles/\(id)", [("title", "El node no arrenca"), ("problem", "Després d'un tall de llum."),
                                                            ("solution", "Canviar la font i revisar el cable."), ("tags", "node"),
                                                            ("queue", "support"), ("language", "ca"), ("public", "yes")])
            #expect(edit.status == .seeOther)
            let empty = try await b.post("/articles/\(id)", [("title", "El node no arrenca"), ("problem", "x"), ("solution", " "),
                                                             ("queue", "support"), ("language", "ca")])
            #expect(empty.status == .unprocessableContent && String(buffer: empty.body).contains("say what solves it"))
            let found = String(buffer: try await b.get("/articles?q=cable").body)
            #expect(found.contains("KB\(id)") && !found.contains("Quota duplicada"))
            // Another queue's article is not anna's to read or write.
            #expect(try await b.get("/articles/\(treasury.id)").status == .notFound)
            let list = String(buffer: try await b.get("/articles").body)
            #expect(list.contains("El node no arrenca") && !list.contains("Quota duplicada"))
            let forged = try await b.post("/articles/\(id)", [("title", "x"), ("problem", "y"), ("solution", "z")], csrf: "not-the-token")
            #expect(forged.status == .forbidden)

            // A resolved ticket drafts an article, which opens for editing.
            let n = try f.file(subject: "Router penjat", body: "El router no respon.")
            _ = try f.desk.change(.reply(text: "Reiniciat i actualitzat.", attachments: []), ticket: n, actor: "anna")
            _ = try f.desk.change(.status(.resolved), ticket: n, actor: "anna")
            try await b.get("/tickets/\(n)")
            let draft = try await b.post("/tickets/\(n)/draft-article", [])
            let draftLocation = try #require(draft.headers[.location])
            #expect(draft.status == .seeOther && draftLocation.hasPrefix("/articles/"))
            let draftPage = String(buffer: try await b.get(draftLocation).body)
            #expect(draftPage.contains("Reiniciat i actualitzat.") && draftPage.contains("name=\"publish\"")
                    && draftPage.contains("href=\"/tickets/\(n)\""), "\(draftPage.prefix(3000))")
        }
        let versions = try f.desk.store.articleVersions(try #require(try f.desk.store.articles(queue: "support").first { $0.title == "El node no arrenca" }).id)
        #expect(versions.map(\.version) == [1, 2] && versions[1].isPublic)
    }
}
