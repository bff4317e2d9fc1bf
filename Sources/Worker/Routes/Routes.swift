/// The composition root: every route the worker serves, registered in one place. The worker
/// and the tests build their router here, so a test exercises exactly what production serves.
///
/// A feature adds one line here, or inside a group (`/v1` features: in `V1Routes`).
enum Routes {
    /// Registers every production route.
    static func register(in router: inout Router) {
        HealthRoute.register(in: &router)
        V1Routes.register(in: &router)
    }

    /// A router with every production route.
    static func makeRouter() -> Router {
        var router = Router()
        self.register(in: &router)
        return router
    }
}
