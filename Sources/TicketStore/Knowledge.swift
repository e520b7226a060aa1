import Foundation
import Tickets

extension SQLStore {
    static let articleColumns = "id, title, problem, solution, tags, queue, language, public, author, created_at, updated_at, version, draft, source_ticket"

    public func addArticle(_ a: Article) throws -> Article {
        try transaction { db in
            let id = try db.insert(sql: """
                INSERT INTO kb_articles (title, problem, solution, tags, queue, language, public, author, created_at, updated_at, version,
                    draft, source_ticket)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                """, arguments: [a.title, a.problem, a.solution, a.tags.joined(separator: "\t"), a.queue, a.language.rawValue, a.isPublic,
                                 a.author, a.created.timeIntervalSince1970, a.updated.timeIntervalSince1970, a.isDraft, a.sourceTicket])
            let kept = Article(id: id, title: a.title, problem: a.problem, solution: a.solution, tags: a.tags, queue: a.queue,
                               language: a.language, isPublic: a.isPublic, author: a.author, created: a.created, updated: a.updated, version: 1,
                               isDraft: a.isDraft, sourceTicket: a.sourceTicket)
            try keepVersion(db, kept)
            return kept
        }
    }

    public func updateArticle(_ a: Article) throws {
        try transaction { db in
            try db.execute(sql: """
                UPDATE kb_articles SET title = ?, problem = ?, solution = ?, tags = ?, queue = ?, language = ?, public = ?, author = ?,
                    updated_at = ?, version = ?, draft = ? WHERE id = ?
                """, arguments: [a.title, a.problem, a.solution, a.tags.joined(separator: "\t"), a.queue, a.language.rawValue, a.isPublic,
                                 a.author, a.updated.timeIntervalSince1970, a.version, a.isDraft, a.id])
            guard db.changesCount == 1 else { throw StoreError.noSuchArticle(a.id) }
            try keepVersion(db, a)
        }
    }

    /// The version in the history, and the index row for the text as it is now.
    private func keepVersion(_ db: SQLSession, _ a: Article) throws {
        try db.execute(sql: """
            INSERT INTO kb_versions (article, version, title, problem, solution, tags, queue, language, public, author, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [a.id, a.version, a.title, a.problem, a.solution, a.tags.joined(separator: "\t"), a.queue, a.language.rawValue,
                             a.isPublic, a.author, a.updated.timeIntervalSince1970])
        try keepIndex(db, a)
    }

    /// The article's row in its full-text index, for the text as it is now.
    func keepIndex(_ db: SQLSession, _ a: Article) throws {
        let body = [a.problem, a.solution, a.tags.joined(separator: " ")].joined(separator: "\n")
        switch db.dialect {
        case .sqlite:
            try db.execute(sql: "INSERT OR REPLACE INTO kb_index (rowid, title, body) VALUES (?, ?, ?)", arguments: [a.id, a.title, body])
        case .postgres:
            try db.execute(sql: """
                INSERT INTO kb_index (rowid, title, body, words)
                VALUES (?, ?, ?, setweight(\(FullText.vector("?")), 'A') || setweight(\(FullText.vector("?")), 'D'))
                ON CONFLICT (rowid) DO UPDATE SET title = excluded.title, body = excluded.body, words = excluded.words
                """, arguments: [a.id, a.title, body, FullText.words(a.title), FullText.words(body)])
        }
    }

    static func article(_ row: SQLRow) -> Article {
        Article(id: row[0], title: row[1], problem: row[2], solution: row[3],
                tags: (row[4] as String).split(separator: "\t").map(String.init), queue: row[5],
                language: Language(rawValue: row[6]) ?? .en, isPublic: row[7], author: row[8],
                created: Date(timeIntervalSince1970: row[9]), updated: Date(timeIntervalSince1970: row[10]), version: row[11],
                isDraft: row[12], sourceTicket: row[13])
    }

    public func article(_ id: Int64) throws -> Article? {
        try read { try SQLRow.fetchOne($0, sql: "SELECT \(Self.articleColumns) FROM kb_articles WHERE id = ?", arguments: [id]).map(Self.article) }
    }

    public func articles(queue: String?) throws -> [Article] {
        try read { db in
            let rows = try queue.map {
                try SQLRow.fetchAll(db, sql: "SELECT \(Self.articleColumns) FROM kb_articles WHERE queue = ? OR queue IS NULL ORDER BY updated_at DESC, id DESC",
                                 arguments: [$0])
            } ?? SQLRow.fetchAll(db, sql: "SELECT \(Self.articleColumns) FROM kb_articles ORDER BY updated_at DESC, id DESC")
            return rows.map(Self.article)
        }
    }

    public func articleVersions(_ id: Int64) throws -> [Article] {
        try read { db in
            guard let created = try Double.fetchOne(db, sql: "SELECT created_at FROM kb_articles WHERE id = ?", arguments: [id]) else { return [] }
            return try SQLRow.fetchAll(db, sql: """
                SELECT article, title, problem, solution, tags, queue, language, public, author, ?, at, version, 0, NULL
                FROM kb_versions WHERE article = ? ORDER BY version
                """, arguments: [created, id]).map(Self.article)
        }
    }

    public func searchArticles(_ words: String, limit: Int) throws -> [Article] {
        guard let query = FullText.query(words, engine.dialect) else { throw StoreError.nothingToSearch(words) }
        return try read { db in
            // A title's words count five times a body's.
            try SQLRow.fetchAll(db, sql: """
                SELECT \(Self.articleColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM kb_index JOIN kb_articles a ON a.id = kb_index.rowid
                WHERE \(FullText.matches("kb_index", db.dialect)) ORDER BY \(FullText.score("kb_index", db.dialect)) LIMIT ?
                """, arguments: SQLArguments(FullText.scoreBindsQuery(db.dialect) ? [query, query, limit] : [query, limit])).map(Self.article)
        }
    }

    public func hasPublishedArticles() throws -> Bool { try read { try hasPublishedArticles($0) } }

    func hasPublishedArticles(_ db: SQLSession) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM kb_articles WHERE draft = 0)")) == true
    }

    public func articlesMatchingAny(_ words: [String], queue: String?, limit: Int) throws -> [Article] {
        try read { try articlesMatchingAny($0, words, queue: queue, limit: limit) }
    }

    func articlesMatchingAny(_ db: SQLSession, _ words: [String], queue: String?, limit: Int) throws -> [Article] {
        guard let query = FullText.query(words: words, db.dialect, any: true) else { return [] }
        let d = db.dialect
        return try SQLRow.fetchAll(db.cachedStatement(sql: """
                SELECT \(Self.articleColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM kb_index JOIN kb_articles a ON a.id = kb_index.rowid
                WHERE \(FullText.matches("kb_index", d)) AND a.draft = 0 AND (a.queue IS NULL OR a.queue = ?) ORDER BY \(FullText.score("kb_index", d)) LIMIT ?
                """), arguments: SQLArguments(FullText.scoreBindsQuery(d) ? [query, queue, query, limit] : [query, queue, limit])).map(Self.article)
    }
}
