import ArgumentParser
import SuportService

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure Suport's own speed.", subcommands: [BenchParse.self, BenchHostile.self, BenchIngest.self])
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

struct BenchIngest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest",
                                                    abstract: "File every message of a folder into a fresh database and print throughput.")

    @OptionGroup var options: DeskOptions
    @Argument(help: "A folder of .eml files.") var folder: String

    func run() throws {
        do {
            print(try IngestBenchmark.run(configuration: try Configuration.load(path: options.configPath), folder: folder))
        } catch {
            complain("\(error)")
            throw ExitCode(1)
        }
    }
}
