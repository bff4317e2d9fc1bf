import Synchronization

/// The worker-wide source of generated request ids, shared by every connection: a relaxed
/// atomic counter behind a prefix rendered once, each id built in one allocation (no lock,
/// no concatenation).
final class RequestIDSource: Sendable {
    private let prefix: [UInt8]
    private let counter = Atomic<UInt64>(0)

    init() {
        self.prefix = Array(RequestID.randomPrefix().utf8)
    }

    /// The next generated id.
    func next() -> String {
        let value = self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        return RequestID.format(prefix: self.prefix, counter: value)
    }
}
