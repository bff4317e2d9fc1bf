import Foundation

/// Runs a blocking closure on its own thread (not the Swift concurrency pool, which has as
/// few threads as cores) and hands back its result.
public final class ResultThread<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<T, any Error>?

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            let outcome = Result { try body() }
            self.condition.lock()
            self.result = outcome
            self.condition.broadcast()
            self.condition.unlock()
        }
        thread.start()
    }

    /// Waits for the closure and returns its value or rethrows its error.
    public func join() throws -> T {
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.result == nil { self.condition.wait() }
        return try self.result!.get()
    }
}

/// A counter shared between threads.
public final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// A counter at zero.
    public init() {}

    /// Adds one.
    public func increment() { self.add(1) }

    /// Adds `amount`.
    public func add(_ amount: Int) {
        self.lock.lock()
        self.count += amount
        self.lock.unlock()
    }

    /// The count now.
    public var value: Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.count
    }
}

/// A set of strings shared between threads.
public final class LockedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var members = Set<String>()

    /// An empty set.
    public init() {}

    /// Adds `member`.
    public func insert(_ member: String) {
        self.lock.lock()
        self.members.insert(member)
        self.lock.unlock()
    }

    /// The members now.
    public var value: Set<String> {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.members
    }
}
