extension PrometheusTextWriter {
    /// `http_server_request_duration_seconds` (OpenTelemetry's `http.server.request.duration`
    /// as Prometheus exports it): cumulative buckets, `_sum` in seconds and `_count` for every
    /// series of `totals`, in a stable order.
    public mutating func requestDurations(_ totals: RequestTotals) {
        let name = "http_server_request_duration_seconds"
        self.family(name, .histogram, help: "Duration of HTTP server requests.")
        let bucketName = name + "_bucket"
        for key in totals.series.keys.sorted() {
            let counts = totals.series[key]!
            var labels = [
                ("http_request_method", HTTPMethodLabel.names[key.method]),
                ("http_response_status_code", String(key.status)),
            ]
            if let route = key.route { labels.append(("http_route", route)) }
            let labelText = Self.labelText(labels)
            var cumulative: UInt64 = 0
            for (index, count) in counts.buckets.enumerated() {
                cumulative &+= count
                self.bucket(bucketName, labelText: labelText, le: DurationBuckets.labels[index], cumulative)
            }
            self.sample(name + "_sum", labels, Double(counts.sumNanoseconds) / 1e9)
            self.sample(name + "_count", labels, cumulative)
        }
    }
}
