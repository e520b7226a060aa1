import Foundation
import MIME
import Testing
@testable import SuportService
@testable import Tickets
@testable import TicketStore

@Suite struct KnowledgeTests {
    func fixture() throws -> Fixture { try Fixture(policy: dataModelPolicy()) }

    @Test func anArticleIsWrittenBySupportStaffAndEditsKeepEveryVersion() throws {
        let f = try fixture()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let a = try f.desk.addArticle(title: "El node no respon després d'un tall de llum", problem: "  El node del terrat no respon.  ",
                                      solution: "Reiniciar la font d'alimentació i comprovar el cable PoE.", tags: ["PoE", "node", "poe"],
                                      queue: "support", language: nil, isPublic: false, actor: "anna", now: now)
        #expect(a.version == 1 && a.tags == ["poe", "node"] && a.problem == "El node del terrat no respon." && a.language == .ca)
        // Staff of another queue may not write a support article; nobody unknown may write one.
        #expect(throws: DeskError.notStaffOfQueue("marta", "support")) {
            _ = try f.desk.addArticle(title: "x", problem: "y", solution: "z", tags: [], queue: "support", language: nil, isPublic: false, actor: "marta")
        }
        #expect(throws: DeskError.invalidField("solution", "say what solves it")) {
            _ = try f.desk.addArticle(title: "x", problem: "y", solution: " ", tags: [], queue: nil, language: nil, isPublic: false, actor: "marta")
        }
        let edited = try #require(try f.desk.editArticle(a.id, ArticleEdit(solution: "Canviar l'injector PoE.", isPublic: true), actor: "anna",
                                                          now: now.addingTimeInterval(60)))
        #expect(edited.version == 2 && edited.isPublic && edited.problem == a.problem)
        #expect(try f.desk.editArticle(a.id, ArticleEdit(solution: "Canviar l'injector PoE."), actor: "anna") == nil)
        #expect(throws: DeskError.notStaffOfQueue("marta", "support")) { _ = try f.desk.editArticle(a.id, ArticleEdit(title: "mine"), actor: "marta") }
        let versions = try f.store.articleVersions(a.id)
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions[0].solution == "Reiniciar la font d'alimentació i comprovar el cable PoE." && !versions[0].isPublic)
        #expect(try f.store.article(a.id) == edited)
    }

    @Test func searchFoldsAccentsAndCaseAndRanksTitlesFirst() throws {
        let f = try fixture()
        let body = try f.desk.addArticle(title: "Connexió lenta al vespre", problem: "La xarxa va lenta; el node està saturat.",
                                         solution: "Repartir els clients entre dues antenes.", tags: [], queue: "support", language: nil,
                                         isPublic: false, actor: "anna")
        let title = try f.desk.addArticle(title: "El node es reinicia sol", problem: "Es reinicia cada hora.", solution: "Canviar la font.",
                                          tags: ["energia"], queue: nil, language: .ca, isPublic: true, actor: "anna")
        #expect(try f.store.searchArticles("NODE", limit: 10).map(\.id) == [title.id, body.id])
        #expect(try f.store.searchArticles("connexio", limit: 10).map(\.id) == [body.id])
        #expect(try f.store.searchArticles("energia", limit: 10).map(\.id) == [title.id], "tags")
        // An edit's new words are found, and the old ones are not.
        _ = try f.desk.editArticle(body.id, ArticleEdit(solution: "Afegir un segon enllaç de fibra."), actor: "pere")
        #expect(try f.store.searchArticles("fibra", limit: 10).map(\.id) == [body.id])
        #expect(try f.store.searchArticles("antenes", limit: 10).isEmpty)
        #expect(try f.store.articles(queue: "treasury").map(\.id) == [title.id], "the whole desk's articles are in every queue's list")
        #expect(throws: StoreError.self) { try f.store.searchArticles("?!", limit: 10) }
    }

    @Test func theCommandLineWritesShowsAndFindsArticles() throws {
        let i = try Installation()
        let add = try i.run(["kb", "add", "--title", "Factura duplicada", "--problem", "Han cobrat la quota dues vegades.",
                             "--solution", "Retornar el segon rebut.", "--queue", "treasury", "--tag", "quota"], actor: "marta")
        #expect(add.status == 0 && add.stdout.contains("KB1: Factura duplicada (version 1, internal)"), "\(add.stderr)")
        let refused = try i.run(["kb", "edit", "1", "--title", "x"], actor: "anna")
        #expect(refused.status == 1 && refused.stderr.contains("anna is not staff of the treasury queue"))
        let edit = try i.run(["kb", "edit", "1", "--solution", "Retornar el segon rebut per transferència.", "--public"], actor: "marta")
        #expect(edit.status == 0 && edit.stdout.contains("version 2"))
        let show = try i.run(["kb", "show", "1", "--history"], actor: nil)
        #expect(show.stdout.contains("Shown to: everyone (public)") && show.stdout.contains("version 2") && show.stdout.contains("changed solution, public"))
        let found = try i.run(["kb", "search", "transferencia", "--json"], actor: nil)
        #expect(found.stdout.contains("\"title\": \"Factura duplicada\"") && found.stdout.contains("\"version\": 2"))
        let none = try i.run(["kb", "search", "router"], actor: nil)
        #expect(none.stdout.contains("No articles."))
        let list = try i.run(["kb", "list", "--queue", "treasury"], actor: nil)
        #expect(list.stdout.contains("KB1") && list.stdout.contains("public"))
    }
}

@Suite struct KnowledgeFromTicketsTests {
    func mail(_ subject: String, _ body: String, id: String, from: String = "eva@example.cat") -> [String] {
        ["From: \(from)", "To: support@example.test", "Subject: \(subject)", "Message-ID: <\(id)@example.cat>", "", body, ""]
    }

    @Test func aResolvedTicketDraftsAnArticleThatIsSuggestedOncePublished() throws {
        let f = try Fixture(policy: dataModelPolicy())
        let solved = try #require(try f.file(mail("L'antena del terrat no sincronitza", "Des d'ahir l'antena del terrat no sincronitza amb el node.",
                                                  id: "kb1")).ticket)
        _ = try f.change(.reply(text: "Hem reorientat l'antena i actualitzat el firmware del node.", attachments: []), solved)
        #expect(throws: DeskError.self) { _ = try f.desk.draftArticle(fromTicket: solved, actor: "anna") }  // not resolved yet
        _ = try f.change(.status(.resolved), solved)
        let draft = try f.desk.draftArticle(fromTicket: solved, actor: "anna")
        #expect(draft.isDraft && draft.sourceTicket == solved && draft.title == "L'antena del terrat no sincronitza")
        #expect(draft.problem == "Des d'ahir l'antena del terrat no sincronitza amb el node.")
        #expect(draft.solution == "Hem reorientat l'antena i actualitzat el firmware del node.")
        #expect(try f.store.links(solved).contains { $0.url == "kb:\(draft.id)" })

        let similar = try #require(try f.file(mail("Antena sense sincronitzar", "La meva antena no sincronitza des d'avui.", id: "kb2",
                                                   from: "joan@example.cat")).ticket)
        let other = try #require(try f.file(mail("Quota de soci", "Quan es cobra la quota?", id: "kb3", from: "rosa@example.cat")).ticket)
        let similarTicket = try #require(try f.store.ticket(similar))
        #expect(try f.desk.suggestions(for: similarTicket).isEmpty, "a draft is never suggested")
        _ = try f.desk.editArticle(draft.id, ArticleEdit(publish: true), actor: "anna")
        #expect(try f.desk.suggestions(for: similarTicket).map(\.id) == [draft.id])
        #expect(try f.desk.suggestions(for: try #require(try f.store.ticket(other))).isEmpty)
        // One shared word is not enough.
        let weak = try #require(try f.file(mail("Problema amb l'antena", "Hola.", id: "kb4", from: "pau@example.cat")).ticket)
        #expect(try f.desk.suggestions(for: try #require(try f.store.ticket(weak))).isEmpty)
    }

    @Test func suggestionWordsAreFoldedLongAndDistinct() {
        #expect(KnowledgeRules.suggestionWords(title: "Connexió LENTA", text: "La connexio és lenta al vespre, molt lenta.")
                == ["connexio", "lenta", "vespre"])
    }
}

@Suite struct KnowledgeInNoticesTests {
    @Test func aNewTicketsStaffNoticeNamesTheArticlesThatMayHelp() throws {
        let f = try Fixture(policy: dataModelPolicy(), templates: shippedTemplates())
        let a = try f.desk.addArticle(title: "La impressora no imprimeix", problem: "La impressora de l'oficina no imprimeix res.",
                                      solution: "Treure el paper encallat i reiniciar-la.", tags: [], queue: "support", language: nil,
                                      isPublic: false, actor: "anna")
        let n = try #require(try f.file(["From: jan@example.cat", "To: support@example.test", "Subject: La impressora no imprimeix",
                                         "Message-ID: <kbn1@example.cat>", "", "La impressora de l'entrada no imprimeix.", ""]).ticket)
        let staffNotice = try #require(try f.store.outbox(state: nil, ticket: n).first { $0.template == "new-ticket" })
        let text = Message(bytes: try f.store.outboxMessage(staffNotice.id)).text ?? ""
        #expect(text.contains("KB\(a.id) La impressora no imprimeix"), "\(text)")
        // The requester's acknowledgement does not carry staff's articles.
        let ack = try #require(try f.store.outbox(state: nil, ticket: n).first { $0.template == "acknowledgement" })
        #expect(!(Message(bytes: try f.store.outboxMessage(ack.id)).text ?? "").contains("KB\(a.id)"))
        // A ticket about something else names none.
        let other = try #require(try f.file(["From: jan@example.cat", "To: support@example.test", "Subject: Canvi d'adreça",
                                             "Message-ID: <kbn2@example.cat>", "", "He canviat de domicili.", ""]).ticket)
        let otherNotice = try #require(try f.store.outbox(state: nil, ticket: other).first { $0.template == "new-ticket" })
        #expect(!(Message(bytes: try f.store.outboxMessage(otherNotice.id)).text ?? "").contains("KB"))
    }
}
