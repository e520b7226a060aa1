import ArgumentParser
import Foundation
import SuportService
import Tickets

struct CannedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "canned", abstract: "Canned answers: replies written once, used with suport reply N --canned NAME.",
                                                    subcommands: [CannedList.self, CannedShow.self])
}

struct CannedList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The canned answers, by queue and language.")
    @OptionGroup var options: DeskOptions
    @Option(help: "Only those a ticket of this queue may use.") var queue: String?
    func run() throws {
        try options.run { desk in
            let queues = try queue.map { name in
                guard let q = desk.policy.queue(named: name) else { throw DeskError.unknownQueue(name) }
                return [q]
            } ?? desk.policy.queues
            for q in queues {
                for language in Language.allCases {
                    let names = desk.policy.canned.names(queue: q.name, language: language)
                    guard !names.isEmpty else { continue }
                    print("\(q.name) (\(language.rawValue)\(language == q.language ? ", the queue's language" : "")): \(names.joined(separator: ", "))")
                }
            }
        }
    }
}

struct CannedShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A canned answer as it would be sent on a ticket, commands first.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var name: String
    func run() throws {
        try options.run { desk in print(try desk.cannedText(name, ticket: number, actor: options.actorName), terminator: "") }
    }
}

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Tasks: work handed to a staff member under a ticket, never mailed to its requesters.",
        subcommands: [TaskAdd.self, TaskList.self, TaskApprove.self, TaskSendBack.self])
}

struct TaskAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Hand a task under ticket N to a staff member of its queue.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The parent ticket.") var number: Int
    @Option(help: "Who does it: a staff handle.") var to: String
    @Option(help: "When it is due: YYYY-MM-DD [HH:MM], in the desk's time zone.") var due: String?
    @Option(help: "Its title (default: the first line of the text).") var title: String?
    @OptionGroup var body: MessageOptions
    func run() throws {
        let text = try body.text()
        try options.run { desk in
            let when = try due.map { d in
                guard let date = TimeRules.moment(d, in: desk.policy.displayZone) else { throw DeskError.invalidMoment(d) }
                return date
            }
            let task = try desk.addTask(parent: number, owner: to, due: when, title: title, text: text, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: task.number)): task of \(desk.policy.tag.tag(for: number)) for \(task.owner ?? to)"
                + (task.due.map { ", due \(TimeRules.stamp($0, in: desk.policy.displayZone))" } ?? "") + ": \(task.title)")
        }
    }
}

struct TaskList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A ticket's tasks and where each stands.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    func run() throws {
        try options.run { desk in
            guard let parent = try desk.store.ticket(number) else { throw DeskError.unknownTicket(number) }
            _ = try Authorization.staff(options.actorName, on: parent, policy: desk.policy)
            let tasks = try desk.tasks(of: number)
            if tasks.isEmpty { print("\(desk.policy.tag.tag(for: number)) has no tasks") }
            for line in TaskLines.lines(tasks, policy: desk.policy) { print(line) }
        }
    }
}

/// A task in one line, as `task list` and `show` print it.
enum TaskLines {
    static func lines(_ tasks: [TicketRecord], policy: DeskPolicy) -> [String] {
        tasks.map { t in
            let approval = switch t.approval {
            case .pending?: ", waiting for approval"
            case .approved?: ", approved"
            default: ""
            }
            return "#\(t.number) \(t.status.rawValue)\(approval), \(t.owner ?? "nobody")"
                + (t.due.map { ", due \(TimeRules.stamp($0, in: policy.displayZone))" } ?? "") + ": \(t.title)"
        }
    }
}

struct TaskApprove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve the work of a closed task (admins, on queues with task_approval).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Option(name: .shortAndLong, help: "A note for its owner.") var message: String?
    func run() throws { try perform(options, number) { _ in .review(approved: true, note: message) } }
}

struct TaskSendBack: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send-back", abstract: "Send a closed task back to its owner: it opens again (admins).")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Option(name: .shortAndLong, help: "What is missing.") var message: String
    func run() throws { try perform(options, number) { _ in .review(approved: false, note: message) } }
}
