import ArgumentParser
import Foundation
import SuportService

/// `suport bench …`: Suport's own speed, printed. Linked only into the executable.
public struct Bench: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure Suport's own speed.", subcommands: [BenchParse.self, BenchHostile.self, BenchIngest.self, BenchFloor.self, BenchGrowth.self, BenchSMTP.self, BenchFetch.self])
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

    @OptionGroup var options: BenchOptions
    @Argument(help: "A folder of .eml files.") var folder: String

    func run() throws {
        try report { try IngestBenchmark.run(configuration: try Configuration.load(path: options.configPath), folder: folder) }
    }
}

struct BenchFloor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "floor",
                                                    abstract: "Time the storage floor alone: a folder's messages written durably, nothing else.")

    @Argument(help: "A folder of .eml files.") var folder: String
    @Option(help: "Messages per transaction.") var batch = 20

    func run() throws {
        let paths = try ParseBenchmark.corpusPaths(folder)
        let cost = try StorageFloor.run(paths: paths, batch: max(1, batch))
        print(String(format: "storage floor (batches of %d): %d messages in %.2f s, %.2f ms CPU a message", max(1, batch), paths.count,
                     cost.wall, cost.cpu * 1000 / Double(max(1, paths.count))))
    }
}

struct BenchGrowth: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "growth",
                                                    abstract: "Filing cost and listing latency as the database grows.")

    @OptionGroup var options: BenchOptions
    @Option(help: "The database to grow (kept, so the CLI can be timed against it).") var database: String
    @Option(help: "Ticket counts to measure at, comma-separated.") var sizes = "1000,100000"
    @Option(help: "Messages filed at each size to measure the cost.") var probe = 200

    func run() throws {
        let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
        try report {
            try GrowthBenchmark.run(configuration: try Configuration.load(path: options.configPath), sizes: sizes, probe: probe,
                                    database: database)
        }
    }
}

struct BenchSMTP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "smtp",
                                                    abstract: "Notifications per second over one kept connection and a new one each (sends real mail).")

    @OptionGroup var options: BenchOptions
    @Option(help: "Notifications to send in each pass.") var count = 200
    @Option(help: "Where they go (a test mailbox).") var to: String

    func run() throws {
        try report { try OutboxBenchmark.run(configuration: try Configuration.load(path: options.configPath, secrets: true), count: count, to: to) }
    }
}

struct BenchFetch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fetch",
                                                    abstract: "Fetch every message of the first mailbox in batches, filing nothing.")

    @OptionGroup var options: BenchOptions

    func run() throws {
        try report { try FetchBenchmark.run(configuration: try Configuration.load(path: options.configPath, secrets: true)) }
    }
}

/// The configuration a benchmark reads.
struct BenchOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $SUPORT_CONFIG, else config/suport.toml).")
    var config: String?

    var configPath: String { Configuration.path(config) }
}

/// Prints a benchmark's figures, or its error as one line on stderr and exit status 1.
func report(_ benchmark: () throws -> String) throws {
    do {
        print(try benchmark())
    } catch {
        complain("\(error)")
        throw ExitCode(1)
    }
}
