import Synchronization

/// Fresh trace and span ids for one process: a relaxed atomic counter mixed with random seeds
/// (SplitMix64), so every id is unique in the process, looks random (W3C asks for random
/// trace ids) and costs no system call.
public final class TraceIDSource: Sendable {
    private let counter = Atomic<UInt64>(0)
    private let seeds: (UInt64, UInt64, UInt64)

    /// A source seeded from the system's random generator.
    public init() {
        var random = SystemRandomNumberGenerator()
        self.seeds = (random.next(), random.next(), random.next())
    }

    /// A source with fixed seeds (tests).
    public init(seeds: (UInt64, UInt64, UInt64)) {
        self.seeds = seeds
    }

    /// A new span id (never zero).
    public func nextSpanID() -> UInt64 {
        let value = Self.mix(self.counter.wrappingAdd(1, ordering: .relaxed).newValue &+ self.seeds.0)
        return value == 0 ? 1 : value
    }

    /// A new trace id, high and low half (never both zero).
    public func nextTraceID() -> (UInt64, UInt64) {
        let count = self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        let high = Self.mix(count &+ self.seeds.1)
        let low = Self.mix(count &+ self.seeds.2)
        return (high, high | low == 0 ? 1 : low)
    }

    /// A new trace id (high, low) and span id from one counter step.
    public func nextTrace() -> (UInt64, UInt64, UInt64) {
        let count = self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        let high = Self.mix(count &+ self.seeds.1)
        let low = Self.mix(count &+ self.seeds.2)
        let span = Self.mix(count &+ self.seeds.0)
        return (high, high | low == 0 ? 1 : low, span == 0 ? 1 : span)
    }

    /// SplitMix64's finaliser: a bijection, so distinct counters give distinct ids.
    @inline(__always)
    static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
