import ArgumentParser
import SuportService

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure Suport's own speed.", subcommands: [BenchParse.self, BenchHostile.self])
}

struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parse", abstract: "Parse every message in a folder and print throughput.")

    @Argument(help: "A folder of .eml files.") var folder: String
    @Option(help: "How many times to parse the whole folder.") var rounds = 3

    func run() throws {
        print(try ParseBenchmark.run(folder: folder, rounds: rounds).report)
    }
}

struct BenchHostile: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hostile", abstract: "Time hostile message shapes at growing sizes.")

    @Option(help: "The base scale of each shape.") var base = 20_000

    func run() throws {
        print(HostileBenchmark.run(base: base))
    }
}
