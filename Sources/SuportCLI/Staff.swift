import ArgumentParser
import Foundation
import SuportService
import Tickets

struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Staff members' web access.",
                                                    subcommands: [StaffPassword.self])
}

struct StaffPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set a staff member's web desk password, read from standard input (never from the command line).",
        discussion: "The password is kept as a bcrypt hash in the database; setting it ends the member's web sessions. Run by an admin, or by the member (--actor).")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The staff handle.") var handle: String

    func run() throws {
        try options.run { desk in
            guard let staff = desk.policy.staff(handle) else { throw DeskError.unknownStaff(handle) }
            if options.actorName.flatMap(desk.policy.staff)?.id != staff.id {
                _ = try Authorization.admin(options.actorName, policy: desk.policy)
            }
            if isatty(0) != 0 { FileHandle.standardError.write(Data("Password for \(staff.id): ".utf8)) }
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
            try desk.setPassword(line, handle: staff.id)
            print("password set for \(staff.id); their web sessions have ended")
        }
    }
}

struct RevokeLinks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-links",
        abstract: "Revoke the web links a ticket's requesters were sent (one address, or all): they open nothing, and their sessions end.",
        discussion: "Notifications sent afterwards carry new links that work.")
    @OptionGroup var options: DeskOptions
    @Argument(help: "The ticket number.") var number: Int
    @Argument(help: "Only this person's links (default: every requester's and Cc's).") var address: String?

    func run() throws {
        try options.run { desk in
            let revoked = try desk.revokeLinks(ticket: number, address: address, actor: options.actorName)
            print("\(desk.policy.tag.tag(for: number)): links revoked for \(revoked.isEmpty ? "nobody" : revoked.joined(separator: ", "))")
        }
    }
}
