import ArgumentParser
import SuportBenchmarks
import SuportCLI
import SuportWeb

/// The `suport` executable: the desk's commands, and the benchmarks only it links.
@main
struct Suport: ParsableCommand {
    static let configuration = SuportCLI.configuration(adding: [Serve.self, Web.self, Bench.self])
}
