import Logging
import Shared

/// The worker's side of the metrics setup.
enum WorkerMetrics {
    /// The region the supervisor passed (`WorkerLaunch.metricsFD`), or a private one when
    /// there is none (then nobody scrapes this worker's counts, but recording stays the same
    /// code path).
    static func region(for launch: WorkerLaunch, logger: Logger) -> MetricsRegion {
        guard launch.hasMetrics else { return .anonymous() }
        guard let region = MetricsRegion.adopt(fd: launch.metricsFD) else {
            logger.warning(
                "the metrics region passed by the supervisor is unusable; this worker's requests are not in /metrics"
            )
            return .anonymous()
        }
        return region
    }
}
