import Foundation
import Hummingbird
import Mustache
import Tickets

/// A page template or strings file that cannot be used.
public struct PagesError: Error, CustomStringConvertible {
    public let description: String
}

/// The web desk's pages: Mustache templates (`config/web/*.mustache`, HTML-escaped by
/// default, and no template uses the unescaped form) and their words in each language
/// (`config/web/strings.json`), and the stylesheet served from our own files.
struct Pages: Sendable {
    static let names = ["layout-top", "layout-bottom", "login", "list", "ticket", "dashboard", "problem", "requester", "new", "access", "mine", "article", "articles", "article-edit"]

    let library: MustacheLibrary
    /// Every string by key, per language; English fills any key a translation lacks.
    let strings: [Language: [String: String]]
    let stylesheet: [UInt8]

    /// Reads the templates, strings and stylesheet from `folder`.
    init(folder: String) throws {
        var library = MustacheLibrary()
        for name in Self.names {
            let path = "\(folder)/\(name).mustache"
            guard let data = FileManager.default.contents(atPath: path) else { throw PagesError(description: "cannot read \(path)") }
            do { library.register(try MustacheTemplate(string: String(decoding: data, as: UTF8.self)), named: name) } catch {
                throw PagesError(description: "\(path): \(error)")
            }
        }
        self.library = library
        let stringsPath = "\(folder)/strings.json"
        guard let data = FileManager.default.contents(atPath: stringsPath),
              let all = try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]],
              let english = all["en"] else { throw PagesError(description: "cannot read \(stringsPath): an object of languages, each of strings") }
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases { strings[language] = english.merging(all[language.rawValue] ?? [:]) { $1 } }
        self.strings = strings
        guard let css = FileManager.default.contents(atPath: "\(folder)/suport.css") else { throw PagesError(description: "cannot read \(folder)/suport.css") }
        stylesheet = Array(css)
    }

    /// The language a browser asks for first among ours (`Accept-Language`), else `fallback`.
    static func language(_ header: String?, fallback: Language) -> Language {
        guard let header else { return fallback }
        let asked = header.split(separator: ",").map { item -> (String, Double) in
            let parts = item.split(separator: ";")
            let tag = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            let q = parts.dropFirst().first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("q=") }
                .flatMap { Double($0.trimmingCharacters(in: .whitespaces).dropFirst(2)) } ?? 1
            return (String(tag.prefix { $0 != "-" }), q)
        }
        for (tag, _) in asked.sorted(by: { $0.1 > $1.1 }) {
            if let l = Language(rawValue: tag) { return l }
        }
        return fallback
    }

    /// Renders a page: the template between the layout's top and bottom, the strings as `t`.
    func render(_ name: String, _ values: [String: Any], language: Language, status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["t"] = strings[language] ?? [:]
        context["lang"] = language.rawValue
        let body = (library.render(context, withTemplate: "layout-top") ?? "")
            + (library.render(context, withTemplate: name) ?? "")
            + (library.render(context, withTemplate: "layout-bottom") ?? "")
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
