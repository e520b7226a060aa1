import Foundation
import MIME
import Testing
@testable import SuportService

/// Runs the built `suport` binary, as a user would.
struct CommandRun {
    let status: Int32
    let stdout: String
    let stderr: String

    static var binary: URL {
        // The test bundle sits beside the products in .build/<config>/.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("suport").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("suport")
    }

    /// Runs `suport` (or another of the products beside it: `suport-ingest`).
    static func suport(_ arguments: [String], stdin: [UInt8]? = nil, executable: String = "suport") throws -> CommandRun {
        let process = Process()
        process.executableURL = binary.deletingLastPathComponent().appendingPathComponent(executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandRun(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

@Suite struct ParseCommandTests {
    let fixture = Installation.repo.appendingPathComponent("fixtures/mail/rfc/catalan-latin1-qp.eml")

    @Test func jsonMatchesTheFixture() throws {
        let run = try CommandRun.suport(["parse", "--json", fixture.path])
        #expect(run.status == 0)
        let expected = try JSONValue.parse(Data(contentsOf: fixture.deletingPathExtension().appendingPathExtension("json")))
        #expect(try JSONValue.parse(Data(run.stdout.utf8)) == expected)
    }

    @Test func readsStandardInput() throws {
        let run = try CommandRun.suport(["parse", "--json", "-"], stdin: Array("Subject: =?utf-8?q?Bon_dia?=\r\n\r\nhola\r\n".utf8))
        #expect(run.status == 0)
        let value = try JSONValue.parse(Data(run.stdout.utf8))
        guard case .object(let pairs) = value else { Issue.record("not an object"); return }
        let keys = ["subject", "from", "to", "cc", "replyTo", "messageId", "inReplyTo", "references", "date",
                    "text", "html", "attachments", "defects"]
        #expect(Set(pairs.map(\.0)) == Set(keys))
        // The keys come in the documented order.
        let positions = keys.compactMap { run.stdout.firstRange(of: "\n  \"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
        #expect(pairs.first { $0.0 == "subject" }?.1 == .string("Bon dia"))
    }

    @Test func garbageStillExitsZero() throws {
        let run = try CommandRun.suport(["parse", "-"], stdin: [0xFF, 0x00, 0x0D, 0x2D, 0x2D] + Array(repeating: 0x3D, count: 100))
        #expect(run.status == 0)
        #expect(run.stdout.contains("Defect"))
    }

    @Test func unreadableFileIsOneClearLine() throws {
        let run = try CommandRun.suport(["parse", "/nonexistent/message.eml"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "suport: cannot read /nonexistent/message.eml: No such file or directory\n")
    }
}
