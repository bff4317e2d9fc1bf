import Shared

/// The store a `/v1` request acts for. The `/v1` group's `before` hook resolves it (until
/// authentication lands: `X-Store-Id` in development and test, `401` elsewhere) and handlers
/// read it with `try context.require(Tenant.self)`; the later auth feature replaces the hook,
/// nothing else.
struct Tenant: Sendable, Equatable {
    /// `app.stores.id`: what `context.withTenant` scopes every query to.
    let storeId: UUID
    /// `app.stores.timezone` (IANA), the default zone of analytics buckets.
    let timezone: String
    /// `app.stores.currency_code` (ISO 4217), the currency of every amount the store reports.
    let currency: String
}
