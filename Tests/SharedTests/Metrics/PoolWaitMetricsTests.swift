import Testing

@testable import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas_api_pool_wait_seconds`: its buckets, its words in the shared region and its
/// exposition.
@Suite("Pool wait histogram")
struct PoolWaitMetricsTests {
    @Test(
        "waits fall in the first bucket whose bound is at least them (le)",
        arguments: [
            (UInt64(0), 0), (50_000, 0), (50_001, 1), (1_000_000, 4), (1_000_001, 5), (250_000_000, 11),
            (10_000_000_000, 16), (10_000_000_001, 17), (UInt64.max, 17),
        ]
    )
    func bucketIndex(nanoseconds: UInt64, bucket: Int) {
        #expect(PoolWaitBuckets.index(nanoseconds: nanoseconds) == bucket)
    }

    @Test func labelsSpellTheBoundsInSeconds() {
        #expect(PoolWaitBuckets.count == PoolWaitBuckets.labels.count)
        #expect(PoolWaitBuckets.count == PoolWaitBuckets.boundsNanoseconds.count + 1)
        #expect(PoolWaitBuckets.labels.last == "+Inf")
        #expect(
            PoolWaitBuckets.boundsNanoseconds.map { Double($0) / 1e9 }
                == PoolWaitBuckets.labels.dropLast().map { Double($0)! }
        )
    }

    @Test func theHistogramsFitTheRegionBesideTheRequestSeries() {
        let end = MetricsLayout.poolWaitOffset(.redis) + MetricsLayout.poolWaitWords
        #expect(
            MetricsLayout.poolWaitOffset(.postgres) >= MetricsLayout.seriesOffset
                + MetricsLayout.seriesCapacity * MetricsLayout.seriesWords
        )
        #expect(end * 8 <= MetricsLayout.byteCount)
    }

    @Test func aWaitIsOneBucketAndTheSumOfItsPoolOnly() throws {
        let supervisorSide = try MetricsRegion.create()
        let worker = try #require(MetricsRegion.adopt(fd: dup(supervisorSide.fd)))
        worker.poolWaited(.postgres, nanoseconds: 30_000)
        worker.poolWaited(.postgres, nanoseconds: 2_000_000)
        worker.poolWaited(.redis, nanoseconds: 20_000_000_000)
        let postgres = supervisorSide.poolWaits(.postgres)
        var expected = HistogramCounts(bucketCount: PoolWaitBuckets.count)
        expected.buckets[0] = 1
        expected.buckets[5] = 1
        expected.sumNanoseconds = 2_030_000
        #expect(postgres == expected)
        let redis = supervisorSide.poolWaits(.redis)
        #expect(redis.count == 1 && redis.buckets[PoolWaitBuckets.count - 1] == 1)
        #expect(redis.sumNanoseconds == 20_000_000_000)
        #expect(supervisorSide.requestCount() == 0 && supervisorSide.requestSeries().isEmpty)
    }

    @Test func theExpositionIsCumulativeInSecondsWithEveryPool() {
        var postgres = HistogramCounts(bucketCount: PoolWaitBuckets.count)
        postgres.buckets[0] = 3
        postgres.buckets[4] = 1
        postgres.sumNanoseconds = 1_100_000
        var writer = PrometheusTextWriter()
        writer.poolWaits([(.postgres, postgres), (.redis, HistogramCounts(bucketCount: PoolWaitBuckets.count))])
        let lines = String(decoding: writer.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(
            lines.prefix(2) == [
                "# HELP saas_api_pool_wait_seconds Time an operation waited for a connection from its pool.",
                "# TYPE saas_api_pool_wait_seconds histogram",
            ]
        )
        #expect(lines.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="5e-05"} 3"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="0.0005"} 3"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="0.001"} 4"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="+Inf"} 4"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_sum{pool="postgres"} 0.0011"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_count{pool="postgres"} 4"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_bucket{pool="redis",le="+Inf"} 0"#))
        #expect(lines.contains(#"saas_api_pool_wait_seconds_count{pool="redis"} 0"#))
        #expect(lines.count == 2 + 2 * (PoolWaitBuckets.count + 2))
    }
}
