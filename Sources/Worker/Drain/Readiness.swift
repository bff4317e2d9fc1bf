import Synchronization

/// Whether this worker accepts work, as `/health/ready` reports it, and whether its responses
/// close their connections.
///
/// One relaxed atomic, written by the drain and read on the event loop on every response.
/// Two kinds of drain differ here: when the *service* stops (`draining`), readiness turns
/// `503` so balancers take the host out of rotation; when only this worker goes (a reload,
/// a scale-down, a recycle: `retiring`), the host stays in rotation (the slot's next worker
/// serves its socket), so readiness stays `200`. Both close every connection after its next
/// response, so keep-alive clients (a balancer's pooled connections among them) reconnect
/// elsewhere. Readiness never looks at PostgreSQL or Redis: a database blip shared by every
/// host must not take them all out of the balancer at once.
final class Readiness: Sendable {
    /// The states, in the only order they are entered (`retiring` may be skipped, and a
    /// retiring worker may still become `draining`).
    enum State: UInt8, Sendable, Comparable {
        /// Not yet accepting connections.
        case starting
        /// Serving.
        case ready
        /// Only this worker drains; the host stays ready.
        case retiring
        /// The service stops: out of the balancer.
        case draining

        static func < (lhs: State, rhs: State) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let value = Atomic<UInt8>(State.starting.rawValue)

    /// A readiness that starts as `starting`.
    init() {}

    /// The current state.
    var state: State { State(rawValue: self.value.load(ordering: .relaxed)) ?? .draining }

    /// `true` once any drain began: every response closes its connection.
    @inline(__always)
    var closing: Bool { self.value.load(ordering: .relaxed) >= State.retiring.rawValue }

    /// `/health/ready` answers `200`.
    var isReady: Bool { self.state == .ready || self.state == .retiring }

    /// The worker is about to accept connections.
    func markReady() { self.advance(to: .ready) }

    /// A drain began: `draining` when the service stops, else `retiring`. Never goes back.
    func markDrain(serviceStopping: Bool) { self.advance(to: serviceStopping ? .draining : .retiring) }

    private func advance(to next: State) {
        var current = self.value.load(ordering: .relaxed)
        while current < next.rawValue {
            let (exchanged, original) = self.value.compareExchange(
                expected: current,
                desired: next.rawValue,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }
}
