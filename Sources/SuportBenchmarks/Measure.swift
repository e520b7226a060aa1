import Foundation

/// Wall-clock seconds `body` takes: the one timer every `suport bench` command uses.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// What a pass cost the process: wall-clock and CPU seconds (user and system), and the bytes
/// it wrote (`wchar` of /proc/self/io: every write call, before the page cache).
struct Cost {
    var wall: Double
    var cpu: Double
    var written: Int

    /// Measures `body`.
    static func of(_ body: () throws -> Void) rethrows -> Cost {
        let (cpu0, written0) = (cpuSeconds(), writtenBytes())
        let wall = try seconds(body)
        return Cost(wall: wall, cpu: cpuSeconds() - cpu0, written: writtenBytes() - written0)
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    private static func writtenBytes() -> Int {
        guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8),
              let line = io.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return 0 }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? 0
    }
}
