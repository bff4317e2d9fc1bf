/// What a supervisor tells a worker it spawns, beyond the configuration: passed in the
/// `SAAS_API_WORKER` environment variable (the process title stays readable in `ps`).
///
/// The worker is its own executable (`SiblingExecutable.worker`), so the supervisor maps
/// neither libpq, hiredis nor SwiftNIO.
///
/// File descriptors are fixed: the control channel is `controlFD`, the listening sockets are
/// `firstListenerFD ..< firstListenerFD + listenerCount`, the metrics region (`MetricsRegion`)
/// follows them when `hasMetrics`. Everything else is closed.
public struct WorkerLaunch: Sendable, Equatable {
    /// The environment variable that carries the launch; its presence selects the worker role.
    public static let environmentKey = "SAAS_API_WORKER"
    /// The control channel's fd in the worker.
    public static let controlFD: Int32 = 3
    /// The first listening socket's fd in the worker.
    public static let firstListenerFD: Int32 = 4

    /// Exit status: the worker could not boot (bad config, cannot listen). Not worth restarting
    /// at once.
    public static let exitBootFailure: Int32 = 3

    /// The worker's slot, 0-based.
    public var slot: Int
    /// Generation: 1 at start, +1 per reload.
    public var generation: Int
    /// How many listening sockets follow `firstListenerFD`.
    public var listenerCount: Int
    /// The supervisor's pid, to detect being orphaned before `PR_SET_PDEATHSIG` took effect.
    public var supervisorPID: Int32
    /// When the service started (wall clock, milliseconds since the epoch), for `uptime`.
    public var serviceStartMilliseconds: Int64
    /// Whether the supervisor passed a metrics region (at `metricsFD`).
    public var hasMetrics: Bool

    /// Creates a launch description.
    public init(
        slot: Int,
        generation: Int,
        listenerCount: Int,
        supervisorPID: Int32,
        serviceStartMilliseconds: Int64,
        hasMetrics: Bool = false
    ) {
        self.slot = slot
        self.generation = generation
        self.listenerCount = listenerCount
        self.supervisorPID = supervisorPID
        self.serviceStartMilliseconds = serviceStartMilliseconds
        self.hasMetrics = hasMetrics
    }

    /// The metrics region's fd in the worker: right after the listening sockets.
    public var metricsFD: Int32 { Self.firstListenerFD + Int32(self.listenerCount) }

    /// `slot=2;generation=1;listeners=1;supervisor=123;started=1764230869123;metrics=1`
    public var encoded: String {
        "slot=\(self.slot);generation=\(self.generation);listeners=\(self.listenerCount);"
            + "supervisor=\(self.supervisorPID);started=\(self.serviceStartMilliseconds);metrics=\(self.hasMetrics ? 1 : 0)"
    }

    /// Parses `encoded`; `nil` when anything is missing or malformed.
    public init?(encoded: String) {
        var fields: [Substring: Substring] = [:]
        for pair in encoded.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            fields[parts[0]] = parts[1]
        }
        guard let slot = fields["slot"].flatMap({ Int($0) }), slot >= 0,
            let generation = fields["generation"].flatMap({ Int($0) }), generation >= 1,
            let listeners = fields["listeners"].flatMap({ Int($0) }), listeners >= 1,
            let supervisor = fields["supervisor"].flatMap({ Int32($0) }),
            let started = fields["started"].flatMap({ Int64($0) })
        else { return nil }
        self.init(
            slot: slot,
            generation: generation,
            listenerCount: listeners,
            supervisorPID: supervisor,
            serviceStartMilliseconds: started,
            hasMetrics: fields["metrics"] == "1"
        )
    }
}
