import Foundation
import Mustache

/// Replies staff write once and use often, per queue and language: plain-text mustache
/// templates that read the ticket's fields (`{{requestor_name}}`, `{{tag}}`, `{{due}}`) and
/// may begin with email commands (`Status: resolved`), which apply when the answer is sent.
public struct CannedAnswers: Sendable {
    /// Where one answer applies: one queue, or every queue (nil), in one language.
    public struct Key: Hashable, Sendable {
        public let queue: String?
        public let language: Language
        public let name: String

        public init(queue: String?, language: Language, name: String) {
            self.queue = queue
            self.language = language
            self.name = name
        }

        var libraryName: String { "\(queue ?? "*")/\(language.rawValue)/\(name)" }
    }

    /// A source that does not compile: which, and why.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let key: Key
        public let reason: String
        public var description: String { "canned answer \(key.libraryName) does not parse: \(reason)" }
    }

    private let library: MustacheLibrary
    public let keys: Set<Key>

    /// None at all.
    public init() {
        library = MustacheLibrary()
        keys = []
    }

    /// Compiles the answers. Their text is plain (no HTML escaping), as the notifications' is.
    public init(sources: [Key: String]) throws(Invalid) {
        var library = MustacheLibrary()
        for (key, text) in sources {
            do {
                try library.register("{{% CONTENT_TYPE: TEXT}}\n" + text, named: key.libraryName)
            } catch {
                throw Invalid(key: key, reason: "\(error)")
            }
        }
        self.library = library
        keys = Set(sources.keys)
    }

    /// Whether a name may name an answer: lowercase letters, digits, '-' and '_' (it is a file name and an email command's word).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" || $0 == "_" }
    }

    /// The names usable on a ticket of this queue, in its language.
    public func names(queue: String, language: Language) -> [String] {
        Set(keys.filter { ($0.queue == nil || $0.queue == queue) && $0.language == language }.map(\.name)).sorted()
    }

    /// The answer a ticket of this queue uses: the queue's own, else the one for every queue.
    func key(_ name: String, queue: String, language: Language) -> Key? {
        [Key(queue: queue, language: language, name: name), Key(queue: nil, language: language, name: name)].first(where: keys.contains)
    }

    /// The answer's text for this ticket, written by this staff member, in the queue's
    /// language (the language its notices are written in). An unknown name is refused with
    /// the names there are.
    public func text(_ name: String, on ticket: TicketRecord, by staff: Staff, policy: DeskPolicy, at date: Date) throws(DeskError) -> String {
        let language = policy.queue(named: ticket.queue)?.language ?? .en
        let wanted = name.lowercased()
        guard let key = key(wanted, queue: ticket.queue, language: language) else {
            throw .unknownCanned(name, queue: ticket.queue, language: language.rawValue, known: names(queue: ticket.queue, language: language))
        }
        var values = policy.templateValues(of: ticket, language: language, at: date)
        let requestor = ticket.requestors.first
        values["requestor_name"] = requestor?.name ?? requestor?.address
        values["requestors"] = ticket.requestors.map { $0.name ?? $0.address }.joined(separator: ", ")
        values["staff_name"] = staff.name
        return library.render(values.filter { !$0.value.isEmpty }, withTemplate: key.libraryName) ?? ""
    }
}

extension CannedAnswers {
    /// The words that ask for a canned answer by email (`Canned: password-reset`), with their Catalan and Spanish forms.
    static let words: Set<String> = ["canned", "resposta", "respuesta", "plantilla"]

    /// The answer named by a staff message whose own words (`ReplyText.ownWords`: quotes,
    /// their introduction and the signature left out) are only the line `Canned: NAME`.
    public static func requested(in text: String) -> String? {
        let own = ReplyText.ownWords(text)
        guard !own.contains("\n"), let colon = own.firstIndex(of: ":"),
              words.contains(own[..<colon].trimmingSpaces().lowercased()) else { return nil }
        let name = own[own.index(after: colon)...].trimmingSpaces().lowercased()
        return name.isEmpty ? nil : name
    }
}
