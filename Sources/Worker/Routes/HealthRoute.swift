import NIOCore
import NIOHTTP1
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `GET /health` (readiness: PostgreSQL and Redis checked now) and `GET /health/live`
/// (liveness: the process answers; touches no dependency).
enum HealthRoute {
    /// The service version, one source of truth.
    static let version = Version.current

    /// Registers both routes.
    static func register(in router: inout Router) {
        router.on(.GET, "/health", .future(self.health))
        let live = ByteBuffer(string: #"{"status":"ok"}"#)
        router.on(.GET, "/health/live", .sync { _, _ in Response.json(.ok, buffer: live) })
    }

    /// 200 with everything connected, else 503 `degraded` naming what is down.
    static func health(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        let started = context.services.serviceStartMilliseconds
        return context.services.healthChecker.check().map { report in
            let body = self.body(report: report, uptimeSeconds: self.uptimeSeconds(since: started))
            return Response.json(report.healthy ? .ok : .serviceUnavailable, body)
        }
    }

    /// `{"status":"ok","version":"1.0.0","uptime":123,"db":"connected","redis":"connected"}`
    static func body(report: HealthChecker.Report, uptimeSeconds: Int) -> [UInt8] {
        var json = JSONWriter(capacity: 112)
        json.field("status", report.healthy ? "ok" : "degraded")
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
