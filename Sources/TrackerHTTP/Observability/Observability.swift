import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics set-up, done once by the executable (and by tests that scrape).
public enum Observability {
    public enum LogFormat: String, Sendable, CaseIterable {
        case json, text
    }

    /// Every metric of the process, rendered by `/metrics`.
    public static let registry = PrometheusCollectorRegistry()

    private static let metricsBootstrapped = Mutex(false)

    public static func bootstrapLogging(level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }

    /// Routes swift-metrics into `registry`; safe to call more than once.
    public static func bootstrapMetrics() {
        metricsBootstrapped.withLock { done in
            guard !done else { return }
            done = true
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.nameAndLabelSanitizer = { name, labels in
                (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
            }
            factory.defaultDurationHistogramBuckets = [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
        }
    }

    /// Prometheus names for Hummingbird's OpenTelemetry-style labels, with `_total` on counters.
    static func prometheusName(_ name: String) -> String {
        switch name {
        case "hb.requests": "http_server_requests_total"
        case "hb.request.errors": "http_server_request_errors_total"
        case "http.server.request.duration": "http_server_request_duration_seconds"
        default: name.replacingOccurrences(of: ".", with: "_")
        }
    }
}
