import NIOCore
import NIOPosix
import Shared
import Synchronization
import Testing

@testable import Worker

/// What `BlockingPool` writes to its words of the metrics region: one wait per operation that
/// got a connection, gauges back to rest, and the dependency's state from connection attempts.
/// The pool's logic only: the connection is a plain object (the real clients are covered by
/// the database suite and the integration tests).
@Suite("Pool metrics")
struct PoolMetricsTests {
    private final class Token: Sendable {}
    private struct ConnectFailed: Error {}
    private final class FailNext: Sendable {
        let value = Atomic<Bool>(true)
    }

    @Test func everyOperationRecordsOneWaitAndConnectionsSetTheDependencyState() async throws {
        let region = MetricsRegion.anonymous()
        let failNext = FailNext()
        let pool = BlockingPool<Token>(
            name: "test",
            size: 1,
            maxQueued: 8,
            connect: {
                if failNext.value.exchange(false, ordering: .relaxed) { throw ConnectFailed() }
                return Token()
            },
            isUsable: { _ in true },
            metrics: .postgres(region)
        )
        defer { pool.shutdown() }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        #expect(region.value(.postgresUp) == 0)  // unknown until something was tried

        await #expect(throws: ConnectFailed.self) {
            try await pool.run(on: loop, breaks: { _ in true }) { _ in () }.get()
        }
        #expect(region.value(.postgresUp) == 1 && region.value(.postgresConnectFailures) == 1)
        #expect(region.poolWaits(.postgres).count == 0)  // no connection, no wait to tell

        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<5 {
                group.addTask { try await pool.run(on: loop, breaks: { _ in true }) { _ in index }.get() }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 10)
        #expect(region.value(.postgresUp) == 2)
        let waits = region.poolWaits(.postgres)
        #expect(waits.count == 5 && waits.sumNanoseconds > 0)
        #expect(region.poolWaits(.redis).count == 0)
        #expect(region.value(.postgresUsed) == 0 && region.value(.postgresIdle) == 1)
    }
}
