extension PrometheusTextWriter {
    /// One series of a histogram family: cumulative `name_bucket` lines with `le` from
    /// `bucketLabels` (`+Inf` last), `name_sum` in seconds and `name_count`. `labels` must not
    /// be empty (the bucket lines append `le` after them).
    public mutating func histogram(
        _ name: String,
        _ labels: [(String, String)],
        _ counts: HistogramCounts,
        bucketLabels: [String]
    ) {
        let labelText = Self.labelText(labels)
        let bucketName = name + "_bucket"
        var cumulative: UInt64 = 0
        for (index, count) in counts.buckets.enumerated() {
            cumulative &+= count
            self.bucket(bucketName, labelText: labelText, le: bucketLabels[index], cumulative)
        }
        self.sample(name + "_sum", labels, Double(counts.sumNanoseconds) / 1e9)
        self.sample(name + "_count", labels, cumulative)
    }

    /// `saas_api_pool_wait_seconds`: how long operations waited for a pooled connection, one
    /// series per pool (`pool` label), every pool present from the first scrape.
    public mutating func poolWaits(_ waits: [(pool: MetricsLayout.Pool, counts: HistogramCounts)]) {
        let name = "saas_api_pool_wait_seconds"
        self.family(name, .histogram, help: "Time an operation waited for a connection from its pool.")
        for wait in waits {
            self.histogram(name, [("pool", wait.pool.name)], wait.counts, bucketLabels: PoolWaitBuckets.labels)
        }
    }
}
