import ArgumentParser
import Foundation
import MIME
import SuportService
import Tickets
import TicketStore

struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time", abstract: "Time worked on a ticket: add DURATION (1h30m, 90m, 1.5h, 1:30), list, remove ID (your own).",
        usage: "suport time N add DURATION [--date D] [--billable|--not-billable] [-m NOTE]\n       suport time N list [--json]\n       suport time N remove ID")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    @Argument(help: "add, list or remove.") var action: String
    @Argument(help: "The duration (add) or the entry's id (remove).") var value: String?
    @Option(help: "The day worked, YYYY-MM-DD (default: today).") var date: String?
    @Flag(help: "Billed (default: as the ticket is).") var billable = false
    @Flag(name: .customLong("not-billable"), help: "Not billed.") var notBillable = false
    @Option(name: .shortAndLong, help: "A note.") var message: String?
    @Flag(help: "Print JSON (list).") var json = false

    func run() throws {
        switch action {
        case "add":
            guard let value, let minutes = WorkDuration.minutes(value) else {
                throw ValidationError("\((value ?? "").debugDescription) is not a duration (1h30m, 90m, 1.5h)")
            }
            guard !(billable && notBillable) else { throw ValidationError("--billable or --not-billable, not both") }
            let flag: Bool? = billable ? true : notBillable ? false : nil
            try perform(options, number) { _ in
                .addTime(TimeEntry(minutes: minutes, day: date ?? TimeRules.day(Date()), billable: flag, note: message))
            }
        case "remove":
            guard let value, let id = Int64(value) else { throw ValidationError("give the entry's id (suport time N list)") }
            try perform(options, number) { _ in .removeTime(id) }
        case "list":
            try options.run { desk in
                guard let ticket = try desk.store.ticket(number) else { throw DeskError.unknownTicket(number) }
                let entries = try desk.store.timeEntries(ticket: number, from: nil, to: nil)
                if json {
                    print(JSONValue.array(entries.map(Views.json)).rendered())
                } else {
                    print(entries.isEmpty ? "No time recorded." : Views.table(["ID", "DAY", "STAFF", "TIME", "BILLABLE", "NOTE"], entries.map {
                        [String($0.id), $0.day, $0.staff, WorkDuration.text($0.minutes), $0.billable ? "yes" : "no", $0.note ?? ""]
                    }))
                    print("Total: \(WorkDuration.text(ticket.minutesWorked)) (the ticket is \(ticket.billable ? "billable" : "not billable"))")
                }
            }
        default:
            throw ValidationError("add, list or remove, not \(action.debugDescription)")
        }
    }
}

struct Billable: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Whether a ticket's time is billed: yes or no.")
    @OptionGroup var options: DeskOptions
    @Argument var number: Int
    @Argument var value: String
    func run() throws {
        guard let b = ["yes": true, "no": false, "si": true, "sí": true][value.lowercased()] else { throw ValidationError("say yes or no") }
        try perform(options, number) { _ in .billable(b) }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reports.", subcommands: [TimeReport.self])
}

struct TimeReport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "time",
                                                    abstract: "Time worked between two days, by staff member and billable flag, ready for invoicing.")
    @OptionGroup var options: DeskOptions
    @Option(help: "The first day, YYYY-MM-DD.") var from: String
    @Option(help: "The last day, YYYY-MM-DD.") var to: String
    @Option(help: "Only this staff member.") var staff: String?
    @Option(help: "Only tickets of this queue.") var queue: String?
    @Flag(help: "Print CSV.") var csv = false
    @Flag(help: "Print JSON.") var json = false
    func run() throws {
        try options.run { desk in
            let report = try desk.timeReport(from: from, to: to, staff: staff, queue: queue)
            if json {
                print(JSONValue.object([
                    ("from", .string(from)), ("to", .string(to)), ("minutes", .int(report.total)),
                    ("billableMinutes", .int(report.billable)),
                    ("byStaff", .array(report.byStaff.map { .object([("staff", .string($0.staff)), ("minutes", .int($0.minutes)),
                                                                     ("billableMinutes", .int($0.billable))]) })),
                    ("entries", .array(report.entries.map(Views.json))),
                ]).rendered())
            } else if csv {
                print("day,ticket,queue,staff,minutes,billable,note")
                for e in report.entries {
                    let note = (e.note ?? "").replacingOccurrences(of: "\"", with: "\"\"")
                    print("\(e.day),\(e.ticket),\(report.queues[e.ticket] ?? ""),\(e.staff),\(e.minutes),\(e.billable ? "yes" : "no"),\"\(note)\"")
                }
            } else {
                print(Views.table(["STAFF", "TIME", "BILLABLE", "NOT BILLABLE"], report.byStaff.map {
                    [$0.staff, WorkDuration.text($0.minutes), WorkDuration.text($0.billable), WorkDuration.text($0.minutes - $0.billable)]
                } + [["total", WorkDuration.text(report.total), WorkDuration.text(report.billable), WorkDuration.text(report.total - report.billable)]]))
            }
        }
    }
}
