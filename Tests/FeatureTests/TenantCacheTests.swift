import Shared
import Synchronization
import Testing

@testable import Worker

/// The tenant hook's per-worker cache, with a clock the test moves (no sleeping, no timing).
@Suite("Tenant cache")
struct TenantCacheTests {
    /// A monotonic clock in nanoseconds that only moves when told.
    final class ManualClock: Sendable {
        private let nanoseconds = Atomic<UInt64>(1_000_000_000)
        func now() -> UInt64 { self.nanoseconds.load(ordering: .relaxed) }
        func advance(_ duration: Duration) {
            let nanoseconds =
                UInt64(duration.components.seconds) * 1_000_000_000
                + UInt64(duration.components.attoseconds / 1_000_000_000)
            self.nanoseconds.add(nanoseconds, ordering: .relaxed)
        }
    }

    static let tenant = Tenant(storeId: UUID(), timezone: "Europe/Paris", currency: "EUR")

    func cache(capacity: Int = 100) -> (TenantCache, ManualClock) {
        let clock = ManualClock()
        let cache = TenantCache(hitTTL: .seconds(30), missTTL: .seconds(1), capacity: capacity, now: clock.now)
        return (cache, clock)
    }

    @Test("a found store is served for its TTL, then looked up again")
    func servesAFoundStoreForItsTTL() {
        let (cache, clock) = self.cache()
        let id = Self.tenant.storeId
        #expect(cache.lookup(id) == .unknown)
        cache.remember(id, Self.tenant)
        #expect(cache.lookup(id) == .found(Self.tenant))
        clock.advance(.seconds(29))
        #expect(cache.lookup(id) == .found(Self.tenant))
        clock.advance(.seconds(1))
        #expect(cache.lookup(id) == .unknown)
    }

    @Test("an unknown store is remembered only briefly, so a new store is served soon")
    func remembersAMissBriefly() {
        let (cache, clock) = self.cache()
        let id = UUID()
        cache.remember(id, nil)
        #expect(cache.lookup(id) == .missing)
        clock.advance(.milliseconds(999))
        #expect(cache.lookup(id) == .missing)
        clock.advance(.milliseconds(1))
        #expect(cache.lookup(id) == .unknown)
        cache.remember(id, Self.tenant)
        #expect(cache.lookup(id) == .found(Self.tenant))
    }

    @Test("random ids cannot grow it past its capacity; expired entries go first")
    func staysWithinItsCapacity() {
        let (cache, clock) = self.cache(capacity: 3)
        cache.remember(Self.tenant.storeId, Self.tenant)
        for _ in 0..<2 { cache.remember(UUID(), nil) }
        #expect(cache.count == 3)
        clock.advance(.seconds(2))  // the misses expire, the store does not
        cache.remember(UUID(), nil)
        #expect(cache.count == 2)
        #expect(cache.lookup(Self.tenant.storeId) == .found(Self.tenant))
        for _ in 0..<10 { cache.remember(UUID(), nil) }
        #expect(cache.count <= 3)
        // Replacing a known entry never evicts.
        let (full, _) = self.cache(capacity: 1)
        full.remember(Self.tenant.storeId, Self.tenant)
        full.remember(Self.tenant.storeId, Self.tenant)
        #expect(full.count == 1)
    }
}
