import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import Worker

/// Admission of `BlockingPool` (lock-free counters): at most `maxQueued` operations wait for a
/// thread, the next is refused at once, a finished wait frees its place, and after shutdown
/// nothing is admitted.
@Suite("Blocking pool admission")
struct BlockingPoolAdmissionTests {
    final class Connection: Sendable {}

    static let never: @Sendable (any Error) -> Bool = { _ in false }

    @Test func beyondMaxQueuedAnOperationIsRefusedAndAPlaceFreesWhenOneStarts() throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pool = BlockingPool<Connection>(
            name: "test",
            size: 1,
            maxQueued: 2,
            queueTimeout: .seconds(30),
            connect: { Connection() },
            isUsable: { _ in true }
        )
        defer { pool.shutdown() }
        let gate = ConditionLock(value: 0)
        let running = ConditionLock(value: 0)
        // The only thread runs the first operation until the gate opens.
        let first = pool.run(on: loop, breaks: Self.never) { _ in
            running.lock()
            running.unlock(withValue: 1)
            gate.lock(whenValue: 1)
            gate.unlock()
            return 1
        }
        running.lock(whenValue: 1)
        running.unlock()
        let second = pool.run(on: loop, breaks: Self.never) { _ in 2 }
        let third = pool.run(on: loop, breaks: Self.never) { _ in 3 }
        #expect(throws: PoolError.overloaded(pool: "test")) {
            try pool.run(on: loop, breaks: Self.never) { _ in 4 }.wait()
        }
        gate.lock()
        gate.unlock(withValue: 1)
        #expect(try [first.wait(), second.wait(), third.wait()] == [1, 2, 3])
        #expect(try pool.run(on: loop, breaks: Self.never) { _ in 5 }.wait() == 5)
        pool.shutdown()
        #expect(throws: PoolError.shutDown(pool: "test")) {
            try pool.run(on: loop, breaks: Self.never) { _ in 6 }.wait()
        }
    }
}
