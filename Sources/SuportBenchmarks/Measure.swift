import Foundation

/// Wall-clock seconds `body` takes: the one timer every `suport bench` command uses.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
