import NIOConcurrencyHelpers

/// The worker-wide source of generated request ids, shared by every connection.
final class RequestIDSource: Sendable {
    private let generator = NIOLockedValueBox(RequestIDGenerator())

    /// The next generated id.
    func next() -> String {
        self.generator.withLockedValue { $0.next() }
    }
}
