#if canImport(Glibc)
import Glibc
#endif

/// How long a drain may take, in nanoseconds: the one formula the worker (its own give-up
/// time) and the supervisor (when it kills a worker that is still there) both use.
///
/// A *delayed* drain is the one of a stopping service: readiness turns `503` at once, every
/// request is still served for `delay` (`DRAIN_DELAY`, time for load balancers to take the
/// host out of rotation), then the worker stops accepting and finishes in-flight requests
/// within `shutdownTimeout` (`SHUTDOWN_TIMEOUT`). Any other drain (a reload or scale-down
/// retiring one worker, a worker told to stop on its own) skips the delay: the host stays in
/// rotation, so nothing needs to wait for a balancer.
public struct DrainTimeline: Sendable, Equatable {
    /// What the supervisor sends a ready worker when the service stops: readiness `503`, the
    /// delay, then the drain. `SIGTERM` stays the drain of one worker (a reload, a scale-down,
    /// someone stopping that process), which leaves the host in the balancer.
    public static let serviceStopSignal = SIGUSR1

    /// Serving with readiness at `503` before the drain proper (`DRAIN_DELAY`).
    public var delay: UInt64
    /// Finishing in-flight requests once accepting stopped (`SHUTDOWN_TIMEOUT`).
    public var shutdownTimeout: UInt64

    /// A timeline from nanosecond values.
    public init(delay: UInt64, shutdownTimeout: UInt64) {
        self.delay = delay
        self.shutdownTimeout = shutdownTimeout
    }

    /// The timeline `config` asks for.
    public init(config: Config) {
        let second: UInt64 = 1_000_000_000
        self.init(
            delay: UInt64(config.drainDelaySeconds) * second,
            shutdownTimeout: UInt64(config.shutdownTimeoutSeconds) * second
        )
    }

    /// From the drain's start to the moment the worker gives up on its last connections.
    public func budget(delayed: Bool) -> UInt64 {
        (delayed ? self.delay : 0) &+ self.shutdownTimeout
    }
}
