import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

/// The `suport` command line: thin, every rule lives below it. The executable adds the
/// benchmarks, which only it links.
public enum SuportCLI {
    /// The root command's configuration, with `extra` commands after the desk's own.
    public static func configuration(adding extra: [any ParsableCommand.Type]) -> CommandConfiguration {
        CommandConfiguration(
            commandName: "suport",
            abstract: "An email-driven helpdesk.",
            subcommands: [Parse.self, Ingest.self, List.self, Show.self, AttachmentCommand.self, Move.self, StatusCommand.self,
                          SetStatus<ResolveStatus>.self, SetStatus<RejectStatus>.self,
                          SetStatus<StallStatus>.self, SetStatus<OpenStatus>.self, Assign.self, Take.self, Untake.self, Reply.self,
                          CommentCommand.self, TitleCommand.self, PriorityCommand.self, RequestorCommand.self, CcCommand.self,
                          Watch.self, Unwatch.self, Due.self, PurgeCommand.self, PersonCommand.self, Audit.self, Redact.self,
                          TimeCommand.self, Billable.self, Report.self, LinkCommand.self, UnlinkCommand.self, Merge.self,
                          SetField.self, UnsetField.self, Escalate.self, Org.self, AssetCommand.self, ViewCommand.self, DashboardCommand.self, SearchCommand.self,
                          OutboxCommand.self, Failed.self, DB.self, CheckConfig.self, Check.self, StaffCommand.self, RevokeLinks.self, KB.self, CannedCommand.self, TaskCommand.self, OAuthCommand.self] + extra
        )
    }

    /// The commands as a root of their own, for running in process.
    struct Root: ParsableCommand {
        static let configuration = SuportCLI.configuration(adding: [])
    }

    /// Runs one command line in this process, as the executable would; returns its exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try Root.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            let code = Root.exitCode(for: error).rawValue
            if code != 0 || !(error is ExitCode) {
                let message = Root.fullMessage(for: error)
                if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            return code
        }
    }
}

/// Options every desk command takes.
struct DeskOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).")
    var config: String?
    @Option(help: "Who is acting: a staff handle or address (default: $SUPORT_ACTOR).")
    var actor: String?

    var configPath: String { Configuration.path(config) }

    var actorName: String? { actor ?? ProcessInfo.processInfo.environment["SUPORT_ACTOR"] }

    /// Runs `body` with the desk; any error becomes one line on stderr and exit status 1
    /// (78, EX_CONFIG, for a bad configuration).
    func run(_ body: (Desk) throws -> Void) throws {
        let desk: Desk
        do {
            desk = try Desk(configuration: Configuration.load(path: configPath))
        } catch {
            complain("\(error)")
            throw ExitCode(78)
        }
        do {
            try body(desk)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            complain("\(error)")
            throw ExitCode(1)
        }
    }
}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Show how Suport reads a message.")

    @Argument(help: "The message file, or - for standard input.") var file: String
    @Flag(help: "Print the parse as JSON.") var json = false

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try RawInput.read(path: file) } catch {
            complain("\(error)")
            throw ExitCode(66)
        }
        let message = Message(bytes: bytes)
        print(json ? MessageReport.json(message).rendered() : MessageReport.summary(message))
    }
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", 
        abstract: "File one message from standard input (for an MTA pipe).",
        discussion: "Exit status: 0 filed, dropped or already filed; 75 (EX_TEMPFAIL) on a transient failure, so the MTA retries; 65 (EX_DATAERR) when there are no bytes at all.")

    @OptionGroup var options: DeskOptions
    @Option(help: "A name for where the message came from, kept with it.") var mailbox: String?
    @Flag(help: "Print the outcome as JSON.") var json = false

    func run() throws {
        let status = MailPipe.run(configPath: options.configPath, mailbox: mailbox, json: json)
        if status != MailPipe.filed { throw ExitCode(status) }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tickets, newest first.")

    @OptionGroup var options: DeskOptions
    @OptionGroup var filter: ListFilterOptions
    @Option(help: "Start from a saved view (suport view list), the options given here on top.") var view: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try options.run { desk in
            var query = filter.query
            if let view { query = query.over(try ListFilterOptions.parse(try desk.savedView(view)).query) }
            printTickets(try desk.store.list(try query.filter(policy: desk.policy, actor: options.actorName)), desk: desk, json: json)
        }
    }
}

/// A list of tickets: the table people read, or JSON.
func printTickets(_ tickets: [TicketRecord], desk: Desk, json: Bool) {
    print(json ? JSONValue.array(tickets.map { Views.json($0, tag: desk.policy.tag) }).rendered()
               : Views.list(tickets, tag: desk.policy.tag, zone: desk.policy.displayZone))
}

/// Which tickets `list` (and a saved view) shows, and in what order.
struct ListFilterOptions: ParsableArguments {
    @Option(help: "Only this queue.") var queue: String?
    @Option(help: "Only these statuses, comma-separated.") var status: String?
    @Option(help: "Only tickets this staff member owns (lead or sharing); me is the --actor.") var owner: String?
    @Flag(help: "Only tickets nobody owns.") var unowned = false
    @Option(help: "Only tickets with this requestor.") var requestor: String?
    @Option(help: "Only tickets with these words (as suport search finds them).") var search: String?
    @Flag(help: "Only auto-generated mail that joined no ticket, filed without telling anyone (auto_mail = file).") var auto = false
    @Option(help: "Only these priorities: N, or A-B.") var priority: String?
    @Option(help: "Only this type.") var type: String?
    @Option(help: "Only this organisation's tickets.") var org: String?
    @Option(help: "Only tickets about this asset.") var asset: String?
    @Option(help: "Only tickets waiting for requester, supplier or support.") var waiting: String?
    @Option(help: "Only tickets at this support level.") var level: String?
    @Option(help: "Only tickets of this SLA colour: green, yellow or red.") var sla: String?
    @Option(help: "Only tickets whose custom field has this value: NAME=VALUE (repeatable).") var field: [String] = []
    @Option(help: "Only tickets with this outside reference.") var ref: String?
    @Option(parsing: .unconditional,
            help: "Sort by these keys, comma-separated, '-' for descending: \(SortKey.allCases.map(\.rawValue).joined(separator: ", ")), or field.NAME.")
    var sort: String?
    @Option(help: "At most this many tickets (default 500).") var limit: Int?

    /// The list these options ask for.
    var query: ListQuery {
        var q = ListQuery()
        q.queue = queue
        q.status = status
        q.owner = owner
        q.unowned = unowned
        q.requestor = requestor
        q.search = search
        q.auto = auto
        q.priority = priority
        q.type = type
        q.organisation = org
        q.asset = asset
        q.waiting = waiting
        q.level = level
        q.sla = sla
        q.fields = field
        q.externalRef = ref
        q.sort = sort
        q.limit = limit
        return q
    }
}

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "view", abstract: "Saved views: named list filters and sorts.",
                                                    subcommands: [ViewSave.self, ViewList.self, ViewRemove.self])
}

struct ViewSave: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Save list options under a name: suport view save mine-red --owner me --sla red.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    @Argument(parsing: .allUnrecognized, help: "The options, as suport list takes them.") var arguments: [String] = []
    func run() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("a view's name uses letters, digits, '-' or '_'")
        }
        let args = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        let parsed = try ListFilterOptions.parse(args)
        try options.run { desk in
            _ = try parsed.query.filter(policy: desk.policy, actor: options.actorName)
            try desk.store.saveView(name: name, arguments: args, by: options.actorName, now: Date())
            print("view \(name): suport list \(args.joined(separator: " "))")
        }
    }
}

struct ViewList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List saved views (the database's and the configuration's).")
    @OptionGroup var options: DeskOptions
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            var rows = try desk.store.views().map { ($0.name, $0.arguments.joined(separator: " "), "saved") }
            for (name, args) in desk.policy.views.sorted(by: { $0.key < $1.key }) where !rows.contains(where: { $0.0 == name }) {
                rows.append((name, args, "config"))
            }
            if json {
                print(JSONValue.array(rows.map { .object([("name", .string($0.0)), ("options", .string($0.1)), ("from", .string($0.2))]) }).rendered())
            } else {
                print(rows.isEmpty ? "No views." : Views.table(["VIEW", "FROM", "OPTIONS"], rows.map { [$0.0, $0.2, $0.1] }))
            }
        }
    }
}

struct ViewRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget a saved view.")
    @OptionGroup var options: DeskOptions
    @Argument var name: String
    func run() throws {
        try options.run { desk in
            guard try desk.store.removeView(name: name) else { throw ValidationError("no saved view \(name.debugDescription)") }
            print("view \(name) removed")
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one ticket.")

    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    @Flag(help: "Also show the history.") var history = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try options.run { desk in
            guard let ticket = try desk.store.ticket(number) else { throw DeskError.unknownTicket(number) }
            try desk.recordAccess(ticket: number, actor: options.actorName, via: "cli")
            let attachments = try desk.store.attachments(number)
            let entries = history ? try desk.store.history(number) : []
            if json {
                var pairs: [(String, JSONValue)] = []
                if case .object(let p) = Views.json(ticket, tag: desk.policy.tag) { pairs = p }
                pairs.append(("attachments", .array(attachments.map(Views.json))))
                pairs.append(("links", .array(try desk.store.links(number).map { .string($0.description) })))
                pairs.append(("tasks", .array(try desk.tasks(of: number).map {
                    .object([("number", .int($0.number)), ("status", .string($0.status.rawValue)), ("owner", $0.owner.map(JSONValue.string) ?? .null),
                             ("approval", $0.approval.map { .string($0.rawValue) } ?? .null), ("title", .string($0.title))])
                })))
                pairs.append(("suggestions", .array(try desk.suggestions(for: ticket).map { .object([("id", .int(Int($0.id))), ("title", .string($0.title))]) })))
                if history { pairs.append(("history", .array(entries.map(Views.json)))) }
                print(JSONValue.object(pairs).rendered())
            } else {
                print(Views.show(ticket, tag: desk.policy.tag, attachments: attachments, zone: desk.policy.displayZone))
                for link in try desk.store.links(number) { print("Link:       \(link.description)") }
                for line in TaskLines.lines(try desk.tasks(of: number), policy: desk.policy) { print("Task:       \(line)") }
                for a in try desk.suggestions(for: ticket) { print("May help:   KB\(a.id) \(a.title)") }
                if history {
                    print("")
                    print(Views.history(entries) { try? desk.store.messageText($0) ?? nil })
                }
            }
        }
    }
}

struct AttachmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "attachment", abstract: "Write out an attachment of a ticket.")

    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    @Argument(help: "The attachment id (see suport show).") var id: Int64
    @Option(name: .shortAndLong, help: "Write here (a file, or a folder to keep the attachment's name); default: standard output.")
    var output: String?

    func run() throws {
        try options.run { desk in
            let (record, bytes) = try desk.store.attachment(id, ofTicket: number)
            if let output {
                let path = AttachmentExport.destination(output: output, name: record.filename, fallback: "attachment-\(id)")
                try AttachmentExport.write(bytes, to: path)
                print("wrote \(bytes.count) bytes to \(path)")
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }
}
