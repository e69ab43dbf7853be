/// `# HELP` lines for `/metrics`: swift-metrics has no place for a description, so the exposition
/// gets them here, one per metric family (promtool and Prometheus's UI show them).
enum MetricHelp {
    static let texts: [String: String] = [
        "http_server_requests_total": "HTTP requests answered, by route, method and status.",
        "http_server_request_duration_seconds": "Time to answer an HTTP request, by route, method and status.",
        "http_server_request_errors_total": "HTTP requests that failed, by route, method and status.",
        "http_server_active_requests": "HTTP requests being answered now.",
        "tracker_collector_events_accepted_total": "Messages committed to staging and acknowledged.",
        "tracker_collector_messages_total": "Messages committed to staging and acknowledged, by protocol.",
        "tracker_collector_rejected_requests_total": "Requests the collector refused, by reason code.",
        "tracker_collector_commit_duration_seconds": "Time of one group-commit insert, COMMIT included.",
        "tracker_collector_flush_rows": "Rows per group-commit flush.",
        "tracker_collector_flush_failures_total": "Group-commit flushes that failed (their requests got 503).",
        "tracker_collector_queued_rows": "Accepted rows waiting in memory for a flush.",
        "tracker_collector_database_up": "1 when the collector's last database operation succeeded.",
        "tracker_collector_notifications_total": "NOTIFY wake-ups sent to the workers.",
        "tracker_staging_backlog_rows": "Rows waiting in ingest_staging.",
        "tracker_staging_oldest_age_seconds": "Age of the oldest row waiting in ingest_staging.",
        "tracker_worker_events_moved_total": "Events stored in events.",
        "tracker_worker_events_failed_total": "Messages kept in failed_events, by reason.",
        "tracker_worker_duplicates_dropped_total": "Retried copies dropped by the dedupe window.",
        "tracker_worker_batch_rows": "Rows claimed per move transaction.",
        "tracker_worker_batch_duration_seconds": "Time of one move transaction.",
        "tracker_worker_batch_errors_total": "Move transactions that failed and were retried.",
        "tracker_pipeline_lag_seconds": "Time from a message's receipt to its storage.",
        "tracker_worker_leader": "1 on the replica that holds the maintenance lock.",
        "tracker_worker_listener_connected": "1 while the LISTEN connection is up.",
        "tracker_worker_wakeups_total": "Times a worker woke to drain, by notify or poll.",
        "tracker_events_partitions": "Daily partitions of events.",
        "tracker_maintenance_runs_total": "Maintenance runs, by task and result.",
        "tracker_stream_clients": "Live tail streams open now.",
        "tracker_stream_events_sent_total": "Events written to live tail streams, one per client that received it.",
        "tracker_stream_clients_dropped_total":
            "Live tail clients dropped or refused, by reason (slow: its buffer filled; limit: over the client limit).",
        "tracker_stream_listener_connected": "1 while the live tail's LISTEN connection is up.",
        "tracker_db_query_duration_seconds": "Database time of the query API, by named query.",
        "tracker_db_connections_busy": "Database connections this process is using now.",
        "tracker_db_connections_max": "Database connections this process may open.",
    ]

    /// Adds a `# HELP` line before every `# TYPE` line of `exposition`.
    static func annotate(_ exposition: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(exposition.count + 4096)
        for line in exposition.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: "# TYPE ".utf8) {
                let name = String(decoding: line.dropFirst(7).prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self)
                output += Array("# HELP \(name) \(texts[name] ?? "tracker metric \(name).")\n".utf8)
            }
            output += line
            output.append(UInt8(ascii: "\n"))
        }
        if exposition.last == UInt8(ascii: "\n") { output.removeLast() }
        return output
    }
}
