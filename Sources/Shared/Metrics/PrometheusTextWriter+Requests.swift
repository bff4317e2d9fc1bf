extension PrometheusTextWriter {
    /// `http_server_request_duration_seconds` (OpenTelemetry's `http.server.request.duration`
    /// as Prometheus exports it): cumulative buckets, `_sum` in seconds and `_count` for every
    /// series of `totals`, in a stable order.
    public mutating func requestDurations(_ totals: RequestTotals) {
        let name = "http_server_request_duration_seconds"
        self.family(name, .histogram, help: "Duration of HTTP server requests.")
        for key in totals.series.keys.sorted() {
            let counts = totals.series[key]!
            var labels = [
                ("http_request_method", HTTPMethodLabel.names[key.method]),
                ("http_response_status_code", String(key.status)),
            ]
            if let route = key.route { labels.append(("http_route", route)) }
            self.histogram(name, labels, counts, bucketLabels: DurationBuckets.labels)
        }
    }
}
