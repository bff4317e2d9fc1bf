import Database
import Shared

extension RequestContext {
    /// Runs `body` in a transaction of tenant `store` on the worker's PostgreSQL pool (see
    /// `PostgresPool.withTenant`). Errors propagate; the worker's error mapping answers them.
    @discardableResult
    func withTenant<T: Sendable>(
        _ store: UUID,
        readOnly: Bool = false,
        _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        try await self.services.postgres.withTenant(store, readOnly: readOnly, on: self.eventLoop, body)
    }

    /// Runs `body` in a transaction with **no tenant** (non-tenant data only; see
    /// `PostgresPool.withoutTenant`).
    @discardableResult
    func withoutTenant<T: Sendable>(
        readOnly: Bool = false,
        _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        try await self.services.postgres.withoutTenant(readOnly: readOnly, on: self.eventLoop, body)
    }
}
