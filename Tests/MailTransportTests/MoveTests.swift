import Testing
@testable import MailTransport

/// Moving filed mail out of the watched folder never removes mail that is not ours.
@Suite struct MoveTests {
    @Test func withMoveOneCommand() {
        #expect(IMAPConnection.moveCommands([3, 4], to: "Suport/Filed", capabilities: ["MOVE", "UIDPLUS"])
                == ["UID MOVE 3,4 \"Suport/Filed\""])
    }

    @Test func withUIDPlusOnlyOurUIDsAreExpunged() {
        #expect(IMAPConnection.moveCommands([3, 4], to: "Suport/Filed", capabilities: ["UIDPLUS"])
                == ["UID COPY 3,4 \"Suport/Filed\"", "UID STORE 3,4 +FLAGS.SILENT (\\Deleted)", "UID EXPUNGE 3,4"])
    }

    @Test func withoutUIDPlusNothingIsExpunged() {
        let commands = IMAPConnection.moveCommands([3], to: "Suport/Filed", capabilities: ["IMAP4REV1", "IDLE"])
        #expect(commands == ["UID COPY 3 \"Suport/Filed\"", "UID STORE 3 +FLAGS.SILENT (\\Deleted)"])
        #expect(!commands.contains { $0.contains("EXPUNGE") })
    }

    @Test func nothingToMoveSendsNothing() {
        #expect(IMAPConnection.moveCommands([], to: "x", capabilities: []).isEmpty)
    }
}
