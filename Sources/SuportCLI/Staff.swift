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
