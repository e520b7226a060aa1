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
