import Metrics

/// The daemon's counters, through swift-metrics: whichever backend the process bootstrapped
/// (the web desk's `/metrics` uses Prometheus) counts them; without one they cost nothing.
/// Made when first used, so a process bootstraps its backend before it starts its services.
enum DeskMetrics {
    /// Messages filed by this process, from any source (mailbox, pipe, web page or form).
    static let filed = Counter(label: "suport_messages_filed_total")
    static let setAside = Counter(label: "suport_messages_set_aside_total")
    static let sent = Counter(label: "suport_notifications_sent_total")
    static let failed = Counter(label: "suport_notifications_failed_total")
    static let pollerErrors = Counter(label: "suport_poller_errors_total")
    static let dispatcherErrors = Counter(label: "suport_dispatcher_errors_total")
}
