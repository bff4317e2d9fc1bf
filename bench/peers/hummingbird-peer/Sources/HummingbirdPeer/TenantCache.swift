import Foundation
import Synchronization

/// Stores by id with an expiry, shared by every event loop of the process.
final class TenantCache: Sendable {
    private let entries = Mutex<[UUID: (tenant: Tenant, expires: ContinuousClock.Instant)]>([:])

    func get(_ storeId: UUID, now: ContinuousClock.Instant) -> Tenant? {
        self.entries.withLock { entries in
            guard let entry = entries[storeId], entry.expires > now else { return nil }
            return entry.tenant
        }
    }

    func put(_ tenant: Tenant, until expires: ContinuousClock.Instant) {
        self.entries.withLock { $0[tenant.storeId] = (tenant, expires) }
    }
}
