import ArgumentParser
import Foundation
import MIME
import SuportService

/// The `suport` command line: thin, every piece of logic lives in SuportService.
@main
struct Suport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suport",
        abstract: "An email-driven helpdesk.",
        subcommands: [Parse.self, Bench.self]
    )
}

struct Parse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show how Suport reads a message.")

    @Argument(help: "The message file, or - for standard input.") var file: String
    @Flag(help: "Print the parse as JSON.") var json = false

    func run() async throws {
        let bytes: [UInt8]
        do { bytes = try RawInput.read(path: file) } catch {
            FileHandle.standardError.write(Data("suport: \(error)\n".utf8))
            throw ExitCode(66)
        }
        let message = Message(bytes: bytes)
        print(json ? MessageReport.json(message).rendered() : MessageReport.summary(message))
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure Suport's own speed.", subcommands: [BenchParse.self, BenchHostile.self])
}

struct BenchParse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Parse every message in a folder and print throughput.")

    @Argument(help: "A folder of .eml files.") var folder: String
    @Option(help: "How many times to parse the whole folder.") var rounds = 3

    func run() async throws {
        let result = try ParseBenchmark.run(folder: folder, rounds: rounds)
        print(result.report)
    }
}

struct BenchHostile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hostile", abstract: "Time hostile message shapes at growing sizes.")

    @Option(help: "The base scale of each shape.") var base = 20_000

    func run() async throws {
        print(HostileBenchmark.run(base: base))
    }
}
