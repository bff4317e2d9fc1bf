/// The `/v1` API: one group whose `before` hook resolves the tenant (`TenantHook`), so every
/// route in it reads `try context.require(Tenant.self)`. A feature registers its routes here,
/// one line each.
enum V1Routes {
    /// Registers the `/v1` group and its routes. The tenant cache is created here, once per
    /// router: the worker builds one router, so each worker has its own cache.
    static func register(in router: inout Router) {
        let tenants = TenantCache()
        router.group("/v1", before: TenantHook.make(cache: tenants)) { v1 in
            ChartRoutes.register(in: &v1)
            RevenueRoutes.register(in: &v1)
        }
    }
}
