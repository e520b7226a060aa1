import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

/// Applies a change and prints what happened.
func perform(_ options: DeskOptions, _ number: Int, comment: String? = nil, force: Bool = false,
             _ change: (Desk) throws -> TicketChange) throws {
    try options.run { desk in
        let outcome = try desk.change(try change(desk), ticket: number, actor: options.actorName, comment: comment, force: force)
        let tag = desk.policy.tag.tag(for: number)
        if outcome.changed {
            print("\(tag): \(outcome.ticket.queue), \(outcome.ticket.status.rawValue), owner \(outcome.ticket.owner ?? "nobody"); "
                + "\(outcome.notifications) notification\(outcome.notifications == 1 ? "" : "s") queued")
        } else {
            print("\(tag): already so, nothing changed")
        }
    }
}

struct Move: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "move", abstract: "Move a ticket to another queue.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var queue: String
    @Option(help: "A note kept with the change.") var comment: String?
    func run() throws { try perform(options, number, comment: comment) { _ in .queue(queue) } }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Set a ticket's status (new, open, stalled, resolved, rejected).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var status: String
    @Option(help: "A note kept with the change.") var comment: String?
    @Flag(help: "Resolve even when it depends on an open ticket.") var force = false
    func run() throws {
        guard let s = Status(rawValue: status.lowercased()) else {
            complain("no status \(status.debugDescription): use new, open, stalled, resolved or rejected")
            throw ExitCode(1)
        }
        try perform(options, number, comment: comment, force: force) { _ in .status(s) }
    }
}

/// A status the shorthand commands set: `suport resolve N` is `suport status N resolved`.
protocol FixedStatus {
    static var status: Status { get }
    static var command: String { get }
}

enum ResolveStatus: FixedStatus { static let status = Status.resolved; static let command = "resolve" }
enum RejectStatus: FixedStatus { static let status = Status.rejected; static let command = "reject" }
enum StallStatus: FixedStatus { static let status = Status.stalled; static let command = "stall" }
enum OpenStatus: FixedStatus { static let status = Status.open; static let command = "open" }

struct SetStatus<S: FixedStatus>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: S.command, abstract: "Mark a ticket \(S.status.rawValue).")
    }
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Option(help: "A note kept with the change.") var comment: String?
    @Flag(help: "Resolve even when it depends on an open ticket.") var force = false
    func run() throws { try perform(options, number, comment: comment, force: force) { _ in .status(S.status) } }
}

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Give a ticket to a staff member (the lead owner), or share it (--also).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var staff: String
    @Flag(help: "Add them as an owner who shares the work; the lead stays.") var also = false
    @Flag(help: "Take them off the owners (the next becomes the lead).") var remove = false
    func run() throws {
        guard !(also && remove) else { throw ValidationError("--also adds an owner and --remove takes one off: give one") }
        try perform(options, number) { _ in also ? .addOwner(staff) : remove ? .removeOwner(staff) : .owner(staff) }
    }
}

struct Take: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "take", abstract: "Take a ticket yourself (the --actor).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    func run() throws { try perform(options, number) { _ in .owner(options.actorName ?? "") } }
}

struct Untake: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "untake", abstract: "Leave a ticket unowned.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    func run() throws { try perform(options, number) { _ in .owner(nil) } }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge ticket N into M: its messages, people, time and links move; N points at M.",
                                                    usage: "suport merge N into M")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument(help: "The word into.") var into: String
    @Argument var target: Int
    func run() throws {
        guard into.lowercased() == "into" else { throw ValidationError("write suport merge N into M") }
        try options.run { desk in
            let outcome = try desk.merge(number, into: target, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: number)) merged into \(desk.policy.tag.tag(for: target)); "
                + "\(outcome.notifications) notification\(outcome.notifications == 1 ? "" : "s") queued")
        }
    }
}

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Link a ticket: N parent M (N is the problem behind M), N child M, N depends-on M, N relates-to M, N refers-to URL.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument(help: "parent, child, depends-on, relates-to or refers-to.") var kind: String
    @Argument(help: "The other ticket's number, or the URL.") var target: String
    func run() throws { try perform(options, number) { _ in try linkChange(kind, target, add: true) } }
}

struct UnlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unlink", abstract: "Remove a link (as suport link names it).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var kind: String
    @Argument var target: String
    func run() throws { try perform(options, number) { _ in try linkChange(kind, target, add: false) } }
}

/// The change `suport link` or `unlink` asks for.
func linkChange(_ kind: String, _ target: String, add: Bool) throws -> TicketChange {
    if ["refers-to", "refers", "url"].contains(kind.lowercased()) { return add ? .refer(target) : .unrefer(target) }
    guard let k = LinkKind.named(kind) else { throw ValidationError("no link kind \(kind.debugDescription): parent, child, depends-on, relates-to, refers-to") }
    guard let other = Int(target.trimmingCharacters(in: CharacterSet(charactersIn: "#"))) else { throw ValidationError("\(target) is not a ticket number") }
    return add ? .link(k, other) : .unlink(k, other)
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Follow a ticket: its correspondence and comments reach you (the --actor).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    func run() throws { try perform(options, number) { _ in .watch(options.actorName ?? "") } }
}

struct Unwatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unwatch", abstract: "Stop following a ticket.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    func run() throws { try perform(options, number) { _ in .unwatch(options.actorName ?? "") } }
}

struct Due: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "due", 
        abstract: "Do the work that has fallen due: resolutions nobody approved within approval_days close without approval.",
        discussion: "suport serve does this every minute; run it from cron where only the MTA pipe (suport ingest) files mail.")
    @OptionGroup var options: DeskOptions
    func run() throws {
        try options.run { desk in
            let changed = try desk.runDueWork()
            print("\(changed) ticket\(changed == 1 ? "" : "s") changed")
        }
    }
}

struct PersonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "person", abstract: "What the desk holds about one person (GDPR).",
                                                    subcommands: [PersonExportCommand.self, PersonEraseCommand.self, PersonLanguageCommand.self])
}

struct PersonLanguageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "language",
        abstract: "Show or set the language a person's notifications are written in (ca, es, en; auto: learn it again from their next message).")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The person's address.") var address: String
    @Argument(help: "ca, es, en or auto.") var language: String?
    func run() throws {
        try options.run { desk in
            if let language {
                guard let staff = options.actorName.flatMap(desk.policy.staff) else { throw DeskError.unknownStaff(options.actorName ?? "") }
                let chosen = language.lowercased() == "auto" ? nil : Language(rawValue: language.lowercased())
                guard chosen != nil || language.lowercased() == "auto" else { throw ValidationError("the language is ca, es, en or auto") }
                try desk.store.setLanguage(chosen, of: address, by: staff.id, now: Date())
            }
            if let known = try desk.store.language(of: address) {
                print("\(address.lowercased()): \(known.language.rawValue) (\(known.setBy == "learned" ? "learned from their mail" : "set by \(known.setBy)"))")
            } else {
                print("\(address.lowercased()): not known yet; the queue's language until their mail tells")
            }
        }
    }
}

struct PersonExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write everything held about an address into a new folder: index.json, and every message, file and notification as stored.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The person's address.") var address: String
    @Option(name: .shortAndLong, help: "The folder to create (it must not exist, or be empty).") var output: String
    func run() throws {
        try options.run { desk in
            let files = try PersonExport.write(address, store: desk.store, tag: desk.policy.tag, to: output)
            print("wrote \(files) files to \(output)")
        }
    }
}

struct PersonEraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase an address everywhere (GDPR Art. 17): a pseudonym in its place, the messages it sent replaced by a stub, its files gone (admins only).")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The person's address.") var address: String
    @Flag(help: "Only say what would change.") var dryRun = false
    func run() throws {
        try options.run { desk in
            let (erasure, r) = try desk.erase(person: address, actor: options.actorName, dryRun: dryRun)
            let tickets = r.tickets.map { desk.policy.tag.tag(for: $0) }.joined(separator: " ")
            print("\(dryRun ? "would erase" : "erased") \(erasure.address)\(dryRun ? "" : " (now \(erasure.pseudonym))"): "
                + "\(r.tickets.count) tickets\(tickets.isEmpty ? "" : " (\(tickets))"), \(r.messagesStubbed) messages replaced by a stub, \(r.attachmentsDeleted) files, "
                + "\(r.notificationsEmptied) notifications emptied, \(r.otherMessagesScrubbed) other messages and \(r.historyEntries) history entries rewritten")
        }
    }
}

struct Redact: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "redact", 
        abstract: "Redact part of a stored message, in its text and its raw bytes (the message number is in show --history).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument(help: "The stored message's number.") var message: Int64
    @Option(help: "Redact what this case-insensitive regular expression matches.") var pattern: String?
    @Option(help: "Redact these lines of the text, A-B (1-based).") var lines: String?
    func run() throws {
        let selection: RedactRules.Selection
        if let pattern, lines == nil {
            selection = .pattern(pattern)
        } else if let lines, pattern == nil {
            let bounds = lines.split(separator: "-").compactMap { Int($0) }
            guard (1...2).contains(bounds.count), let a = bounds.first, let b = bounds.last, a <= b else {
                throw ValidationError("--lines takes A-B, as in 3-5")
            }
            selection = .lines(a...b)
        } else {
            throw ValidationError("give --pattern or --lines")
        }
        try options.run { desk in
            _ = try desk.redact(ticket: number, message: message, selection: selection, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: number)): message \(message) redacted")
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Who read a ticket, when and how (kept access_log_days).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let entries = try desk.store.accessLog(ticket: number)
            if json {
                print(JSONValue.array(entries.map {
                    .object([("at", .string(MessageReport.utcTimestamp($0.at))), ("actor", .string($0.actor)), ("via", .string($0.via))])
                }).rendered())
            } else {
                print(entries.isEmpty ? "No readings on record." : Views.table(["AT", "WHO", "VIA"], entries.map {
                    [MessageReport.utcTimestamp($0.at), $0.actor, $0.via]
                }))
            }
        }
    }
}

struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Purge the finished tickets past their queue's keep_resolved_months (the daemon does it as it falls due).")
    @OptionGroup var options: DeskOptions
    @Flag(help: "Only list what would be purged.") var dryRun = false
    func run() throws {
        try options.run { desk in
            let due = try desk.dueForPurge()
            if dryRun {
                print(due.isEmpty ? "Nothing to purge." : Views.list(due, tag: desk.policy.tag))
            } else {
                let changed = try desk.runDueWork()
                print("\(changed) ticket\(changed == 1 ? "" : "s") changed")
            }
        }
    }
}

/// Text from -m or --file, and files to attach.
struct MessageOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The text.") var message: String?
    @Option(name: .customLong("file"), help: "Read the text from this file (- for standard input).") var textFile: String?
    @Option(name: .customLong("attach"), help: "Attach this file (repeatable).") var attachments: [String] = []

    func text() throws -> String {
        if let message { return message }
        if let textFile { return String(decoding: try RawInput.read(path: textFile), as: UTF8.self) }
        throw ValidationError("give the text with -m TEXT or --file F")
    }

    func files() throws -> [OutgoingAttachment] {
        try attachments.map { path in
            OutgoingAttachment(filename: URL(fileURLWithPath: path).lastPathComponent, contentType: MediaTypes.guess(path),
                               data: try RawInput.read(path: path))
        }
    }
}

/// A staff member's words on a ticket: the text and files.
func performWriting(_ options: DeskOptions, _ number: Int, _ body: MessageOptions,
                    _ change: @escaping (String, [OutgoingAttachment]) -> TicketChange) throws {
    let text = try body.text(), files = try body.files()
    try perform(options, number) { _ in change(text, files) }
}

struct Reply: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reply", abstract: "Write to the requestors and Ccs of a ticket.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @OptionGroup var body: MessageOptions
    @Option(help: "Send this canned answer (suport canned list); its command lines apply with it.") var canned: String?
    @Flag(help: "With --canned: open the answer in $VISUAL or $EDITOR before it is sent.") var edit = false
    @Flag(help: "With --canned: resolve even when the ticket depends on an open ticket or has open tasks.") var force = false
    func run() throws {
        if let canned {
            guard body.message == nil, body.textFile == nil else { throw ValidationError("--canned gives the text: leave out -m and --file") }
            try options.run { desk in
                var text = try desk.cannedText(canned, ticket: number, actor: options.actorName)
                if edit { text = try Editor.edit(text) }
                let outcome = try desk.reply(ticket: number, text: text, attachments: try body.files(), via: "canned answer \(canned)",
                                             actor: options.actorName, force: force)
                print("\(desk.policy.tag.tag(for: number)): canned answer \(canned) sent; \(outcome.ticket.status.rawValue), owner "
                    + "\(outcome.ticket.owner ?? "nobody"); \(outcome.notifications) notification\(outcome.notifications == 1 ? "" : "s") queued")
            }
        } else {
            guard !edit else { throw ValidationError("--edit goes with --canned NAME") }
            try performWriting(options, number, body) { .reply(text: $0, attachments: $1) }
        }
        // Within the undo window the author may still change their mind: say how.
        try options.run { desk in
            guard let held = try desk.store.outbox(state: .pending, ticket: number, limit: 50)
                .first(where: { $0.heldUntil.map { $0 > Date() } == true && $0.author == desk.policy.staff(options.actorName ?? "")?.id }),
                  let until = held.heldUntil else { return }
            print("held until \(TimeRules.stamp(until, in: desk.policy.displayZone)): suport outbox edit \(held.id) -m TEXT, or suport outbox withdraw \(held.id)")
        }
    }
}

/// The staff member's editor, on a text they change before it is used.
enum Editor {
    /// Opens `text` in `$VISUAL`, else `$EDITOR`, else `vi`, and returns what was saved. An
    /// editor that fails, or a text left empty, sends nothing.
    static func edit(_ text: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("suport-reply-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: file, options: [.atomic])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor may carry its own arguments ("code --wait"): the shell splits them.
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("the editor (\(editor)) failed: nothing was sent") }
        let edited = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        guard !edited.allSatisfy(\.isWhitespace) else { throw ValidationError("the text was left empty: nothing was sent") }
        return edited
    }
}

struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "comment", abstract: "Add an internal note for staff (never sent to requestors).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @OptionGroup var body: MessageOptions
    func run() throws { try performWriting(options, number, body) { .comment(text: $0, attachments: $1) } }
}

struct TitleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "title", abstract: "Retitle a ticket.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var title: String
    func run() throws { try perform(options, number) { _ in .title(title) } }
}

struct PriorityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "priority", abstract: "Set a ticket's priority, 0 to 10.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var priority: Int
    func run() throws { try perform(options, number) { _ in .priority(priority) } }
}

enum PersonAction: String, ExpressibleByArgument { case add, del }

/// Adds or removes a person in one role; the address may carry a display name ("Pau <pau@x>").
func performPerson(_ options: DeskOptions, _ number: Int, _ action: PersonAction, _ address: String,
                   add: @escaping (Address) -> TicketChange, remove: @escaping (String) -> TicketChange) throws {
    try perform(options, number) { _ in
        action == .add ? add(Address.parseList(address).first ?? Address(address: address)) : remove(address)
    }
}

struct RequestorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "requestor", abstract: "Add or remove a requestor.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var action: PersonAction
    @Argument var address: String
    func run() throws { try performPerson(options, number, action, address, add: { .addRequestor($0) }, remove: { .removeRequestor($0) }) }
}

struct CcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cc", abstract: "Add or remove a Cc.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var action: PersonAction
    @Argument var address: String
    func run() throws { try performPerson(options, number, action, address, add: { .addCc($0) }, remove: { .removeCc($0) }) }
}

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "The notifications waiting, sent and failed.",
                                                    subcommands: [OutboxList.self, OutboxRetry.self, OutboxShow.self, OutboxEdit.self, OutboxWithdraw.self],
                                                    defaultSubcommand: OutboxList.self)
}

struct OutboxList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the outbox, newest first.")
    @OptionGroup var options: DeskOptions
    @Option(help: "Only pending, sent, failed or withdrawn.") var state: String?
    @Option(help: "Only this ticket.") var ticket: Int?
    @Option(help: "At most this many rows.") var limit = 200
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            var filter: OutboxEntry.State? = nil
            if let state {
                guard let s = OutboxEntry.State(rawValue: state) else { throw ValidationError("state must be pending, sent, failed or withdrawn") }
                filter = s
            }
            let rows = try desk.store.outbox(state: filter, ticket: ticket, limit: limit)
            print(json ? JSONValue.array(rows.map(Views.json)).rendered() : Views.outbox(rows, tag: desk.policy.tag))
        }
    }
}

struct OutboxEdit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Give your reply new words while it is held (the undo window).")
    @OptionGroup var options: DeskOptions
    @Argument(help: "One of the reply's notifications (suport outbox list).") var id: Int64
    @Option(name: .shortAndLong, help: "The new text.") var message: String?
    @Option(name: .customLong("file"), help: "Read the new text from this file (- for standard input).") var textFile: String?
    func run() throws {
        let text: String
        if let message { text = message } else if let textFile { text = String(decoding: try RawInput.read(path: textFile), as: UTF8.self) } else {
            throw ValidationError("give the new text with -m TEXT or --file F")
        }
        try options.run { desk in
            let outcome = try desk.editHeld(outbox: id, text: text, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: outcome.ticket.number)): reply edited, \(outcome.notifications) notification\(outcome.notifications == 1 ? "" : "s") rewritten")
        }
    }
}

struct OutboxWithdraw: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Withdraw your reply while it is held (the undo window): nobody is sent it.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "One of the reply's notifications (suport outbox list).") var id: Int64
    func run() throws {
        try options.run { desk in
            let outcome = try desk.withdrawHeld(outbox: id, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: outcome.ticket.number)): reply withdrawn, \(outcome.notifications) notification\(outcome.notifications == 1 ? "" : "s") not sent")
        }
    }
}

struct OutboxRetry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Send a failed or waiting notification again now.")
    @OptionGroup var options: DeskOptions
    @Argument var id: Int64
    func run() throws {
        try options.run { desk in
            try desk.store.retry(id)
            print("outbox \(id): queued to be sent again")
        }
    }
}

struct OutboxShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a notification exactly as it is sent.")
    @OptionGroup var options: DeskOptions
    @Argument var id: Int64
    func run() throws {
        try options.run { desk in FileHandle.standardOutput.write(Data(try desk.store.outboxMessage(id))) }
    }
}

struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "The database.", subcommands: [DBMigrate.self, DBCopy.self])
}

struct DBMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply schema migrations (also done on every start).")
    @OptionGroup var options: DeskOptions
    func run() throws {
        try options.run { desk in
            let applied = try desk.store.migrate()
            print(applied.isEmpty ? "the database is up to date" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}

struct DBCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a desk from its SQLite file into a PostgreSQL database, verified; run it again to resume.",
        discussion: """
            Rows the target has already are left as they are, so an interrupted copy run again goes on where it stopped. \
            At the end every table must hold as many rows on both sides and every stored message must hash to its SHA-256 \
            in the target. Stop the daemons first. The password comes from SUPORT_DB_PASSWORD or --password-file.
            """)
    @Option(help: "The source: sqlite:PATH.") var from: String
    @Option(help: "The target: postgres://USER@HOST:PORT/DATABASE.") var to: String
    @Option(help: "A file holding the target's password.") var passwordFile: String?
    @Option(help: "A CA bundle for the target's certificate.") var caFile: String?
    @Option(help: "verify-full (the default) or disable (loopback only).") var tls = "verify-full"

    func run() throws {
        guard from.hasPrefix("sqlite:") else { throw ValidationError("--from must be sqlite:PATH") }
        let path = String(from.dropFirst("sqlite:".count))
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no database at \(path)") }
        let url = to.hasPrefix("postgres:postgres") ? String(to.dropFirst("postgres:".count)) : to
        guard var settings = PostgresSettings.parse(url: url) else { throw ValidationError("--to must be postgres://USER@HOST:PORT/DATABASE") }
        guard let mode = PostgresSettings.TLS(rawValue: tls) else { throw ValidationError("--tls must be verify-full or disable") }
        settings.tls = mode
        settings.caFile = caFile
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else { throw ValidationError("cannot read \(passwordFile)") }
            settings.password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        } else {
            settings.password = ProcessInfo.processInfo.environment["SUPORT_DB_PASSWORD"]
        }
        let source = try SQLStore(path: path)
        let target = try SQLStore(postgres: settings)
        var last = ""
        let report = try source.copy(to: target) { table, rows in
            if table != last { last = table; FileHandle.standardError.write(Data("copying \(table)…\n".utf8)) }
            _ = rows
        }
        for (name, rows) in report.tables where rows > 0 { print("\(name): \(rows)") }
        print("copied \(report.written) rows; \(report.blobsVerified) stored messages and files verified; search index rebuilt")
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate a configuration file and its templates.")
    @OptionGroup var options: DeskOptions
    func run() throws {
        do {
            let config = try Configuration.load(path: options.configPath)
            try Desk.loadTemplates(config.templatesPath).validate()
            print("\(options.configPath): ok — \(config.summary)")
        } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
    }
}

struct Failed: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "failed", abstract: "Messages that could not be filed (kept raw; the daemon moved them to Suport/Failed).",
                                                    subcommands: [FailedList.self, FailedRetry.self], defaultSubcommand: FailedList.self)
}

struct FailedList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the messages set aside, newest first.")
    @OptionGroup var options: DeskOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let rows = try desk.store.failedIntake()
            if json {
                print(JSONValue.array(rows.map(Views.json)).rendered())
            } else if rows.isEmpty {
                print("No failed messages.")
            } else {
                print(Views.table(["ID", "MAILBOX", "UID", "SIZE", "FROM", "SUBJECT", "ERROR"], rows.map {
                    [String($0.id), $0.mailbox, String($0.uid), String($0.size), $0.sender ?? "-", $0.subject ?? "-", $0.error]
                }))
            }
        }
    }
}

struct FailedRetry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "File a message set aside again, once its cause is fixed.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The failed message's id (see suport failed).") var id: Int64
    func run() throws {
        try options.run { desk in
            let outcome = try desk.retryFailed(id)
            print("failed message \(id): \(outcome.summary(tag: desk.policy.tag))")
            if case .setAside = outcome.action { throw ExitCode(1) }
        }
    }
}
