import Foundation
import Metrics
import Prometheus
import SuportService
import Synchronization

/// `/metrics` in the Prometheus text format: the daemon's counters (swift-metrics, bootstrapped
/// here once per process onto a Prometheus registry), request durations, and gauges read
/// from the store when scraped (the outbox by state, tickets yellow and red).
enum WebMetrics {
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    /// Points swift-metrics at our registry; later calls do nothing (it may be done once per process).
    static func bootstrap() {
        bootstrapped.withLock { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }

    /// The text a scrape reads, the gauges brought up to date first. Blocks on the store.
    static func scrape(_ desk: Desk, now: Date = Date()) throws -> String {
        let counts = try desk.store.counts()
        let outbox = MetricNameDescriptor(metricName: "suport_outbox_notifications", unitName: "",
                                          helpText: "Notifications in the outbox, by state")
        let sla = MetricNameDescriptor(metricName: "suport_tickets_sla", unitName: "",
                                       helpText: "Open tickets whose SLA is yellow (deadline near) or red (overdue)")
        for state in ["pending", "sent", "failed", "withdrawn"] {
            registry.makeGauge(descriptor: outbox, labels: [("state", state)]).set(Double(counts["outbox." + state] ?? 0))
        }
        let board = try desk.dashboard(now: now)
        registry.makeGauge(descriptor: sla, labels: [("colour", "yellow")]).set(Double(board.queues.map(\.yellow).reduce(0, +)))
        registry.makeGauge(descriptor: sla, labels: [("colour", "red")]).set(Double(board.queues.map(\.red).reduce(0, +)))
        return registry.emitToString()
    }
}
