import NIOCore
import NIOHTTP1
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `GET /health` (PostgreSQL and Redis checked now), `GET /health/ready` (whether this instance
/// accepts work: for load balancers; touches no dependency) and `GET /health/live` (liveness:
/// the process answers; touches no dependency).
enum HealthRoute {
    /// The service version, one source of truth.
    static let version = Version.current

    /// Registers both routes.
    static func register(in router: inout Router) {
        router.on(.GET, "/health", .future(self.health))
        let live = ByteBuffer(string: #"{"status":"ok"}"#)
        router.on(.GET, "/health/live", .sync { _, _ in Response.json(.ok, buffer: live) })
        let ready = ByteBuffer(string: #"{"status":"ready"}"#)
        let starting = ByteBuffer(string: #"{"status":"starting"}"#)
        let draining = ByteBuffer(string: #"{"status":"draining"}"#)
        router.on(
            .GET,
            "/health/ready",
            .sync { _, context in
                switch context.services.readiness.state {
                case .ready, .retiring: Response.json(.ok, buffer: ready)
                case .starting: Response.json(.serviceUnavailable, buffer: starting)
                case .draining: Response.json(.serviceUnavailable, buffer: draining)
                }
            }
        )
    }

    /// 200 with everything connected, else 503 `degraded` naming what is down; 503 `draining`
    /// while the service stops (a single worker retiring in a reload does not count).
    static func health(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        let started = context.services.serviceStartMilliseconds
        let readiness = context.services.readiness
        return context.services.healthChecker.check().map { report in
            let draining = readiness.state == .draining
            let body = self.body(report: report, draining: draining, uptimeSeconds: self.uptimeSeconds(since: started))
            return Response.json(report.healthy && !draining ? .ok : .serviceUnavailable, body)
        }
    }

    /// `{"status":"ok","version":"1.0.0","uptime":123,"db":"connected","redis":"connected"}`;
    /// `status` is `degraded` with a dependency down, `draining` while draining.
    static func body(report: HealthChecker.Report, draining: Bool = false, uptimeSeconds: Int) -> [UInt8] {
        var json = JSONWriter(capacity: 112)
        json.field("status", draining ? "draining" : report.healthy ? "ok" : "degraded")
        json.field("version", self.version)
        json.field("uptime", uptimeSeconds)
        json.field("db", report.database ? "connected" : "disconnected")
        json.field("redis", report.redis ? "connected" : "disconnected")
        return json.finish()
    }

    private static func uptimeSeconds(since startMilliseconds: Int64) -> Int {
        let nowMilliseconds = WallClock.milliseconds()
        return Int(max(0, (nowMilliseconds - startMilliseconds) / 1000))
    }
}
