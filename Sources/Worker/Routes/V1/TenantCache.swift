import Shared
import Synchronization

/// What the `/v1` tenant hook knows about stores, per worker, for a short time: a store's
/// metadata (timezone, currency) for `hitTTL`, the fact that an id is no store for `missTTL`.
/// A hit costs a request no database round trip.
///
/// **What a stale entry means.** Within `hitTTL` of its lookup, a store that was deleted still
/// resolves: its routes then see no rows (row-level security finds none for a deleted store)
/// and writes fail their `store_id` foreign key, so nothing leaks and nothing is written; and a
/// changed timezone or currency shows up to `hitTTL` late. Within `missTTL`, a store created
/// just after a miss still answers `404`. Each worker has its own cache, so two workers may
/// disagree for that long. Entries are never refreshed in place: an expired one is looked up
/// again.
///
/// Called on the event loop (the tenant hook): one short lock around a dictionary access, no
/// suspension, no blocking call and no allocation while it is held. At most `capacity` entries: a
/// client cycling through random ids cannot grow it without bound (on overflow the expired
/// entries go, and if that is not enough, all of them).
final class TenantCache: Sendable {
    /// The answer for one store id.
    enum Lookup: Equatable {
        /// The store, as looked up less than `hitTTL` ago.
        case found(Tenant)
        /// No such store, as found less than `missTTL` ago.
        case missing
        /// Not known (never looked up, or expired): ask the database.
        case unknown
    }

    private struct Entry {
        /// `nil`: no such store.
        let tenant: Tenant?
        /// Monotonic nanoseconds after which the entry is ignored.
        let expires: UInt64
    }

    /// How long a found store is trusted (default 30 s).
    let hitTTL: Duration
    /// How long an unknown id is remembered (default 1 s: a new store is served soon).
    let missTTL: Duration
    /// The most entries kept.
    let capacity: Int
    private let now: @Sendable () -> UInt64
    private let entries = Mutex<[UUID: Entry]>([:])

    /// A cache with the given lifetimes; `now` is the monotonic clock in nanoseconds (tests pass
    /// their own).
    init(
        hitTTL: Duration = .seconds(30),
        missTTL: Duration = .seconds(1),
        capacity: Int = 10_000,
        now: @escaping @Sendable () -> UInt64 = MonotonicClock.nanoseconds
    ) {
        self.hitTTL = hitTTL
        self.missTTL = missTTL
        self.capacity = capacity
        self.now = now
    }

    /// What is known about `store` now.
    func lookup(_ store: UUID) -> Lookup {
        let now = self.now()
        return self.entries.withLock { entries in
            guard let entry = entries[store], entry.expires > now else { return .unknown }
            return entry.tenant.map(Lookup.found) ?? .missing
        }
    }

    /// Remembers the outcome of a lookup of `store`: its tenant, or `nil` for no such store.
    func remember(_ store: UUID, _ tenant: Tenant?) {
        let now = self.now()
        let lifetime = tenant == nil ? self.missTTL : self.hitTTL
        let entry = Entry(tenant: tenant, expires: now + Self.nanoseconds(lifetime))
        self.entries.withLock { entries in
            if entries.count >= self.capacity && entries[store] == nil {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[store] = entry
        }
    }

    /// Entries held now, expired ones included (for tests).
    var count: Int { self.entries.withLock { $0.count } }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds)) / 1_000_000_000
    }
}
