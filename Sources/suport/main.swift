import ArgumentParser
import SuportBenchmarks
import SuportCLI

/// The `suport` executable: the desk's commands, and the benchmarks only it links.
@main
struct Suport: ParsableCommand {
    static let configuration = SuportCLI.configuration(adding: [Bench.self])
}
