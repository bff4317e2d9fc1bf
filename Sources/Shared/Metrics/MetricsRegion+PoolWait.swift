import CSupport

extension MetricsRegion {
    /// A worker's wait for a pooled connection (`BlockingPool`, from a pool thread): one
    /// bucket add and one sum add, relaxed, like a request.
    public func poolWaited(_ pool: MetricsLayout.Pool, nanoseconds: UInt64) {
        let histogram = self.words + MetricsLayout.poolWaitOffset(pool)
        saas_counter_add(histogram + PoolWaitBuckets.index(nanoseconds: nanoseconds), 1)
        saas_counter_add(histogram + PoolWaitBuckets.count, nanoseconds)
    }

    /// The wait histogram of `pool` so far (buckets not cumulative).
    public func poolWaits(_ pool: MetricsLayout.Pool) -> HistogramCounts {
        let histogram = self.words + MetricsLayout.poolWaitOffset(pool)
        var counts = HistogramCounts(bucketCount: PoolWaitBuckets.count)
        for bucket in 0..<PoolWaitBuckets.count { counts.buckets[bucket] = saas_counter_load(histogram + bucket) }
        counts.sumNanoseconds = saas_counter_load(histogram + PoolWaitBuckets.count)
        return counts
    }
}
