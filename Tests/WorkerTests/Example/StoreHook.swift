import Shared

@testable import Worker

/// The example's `before` hook: the store named by `X-Store-Id` goes into the context (issue 13
/// puts the production one on the `/v1` group). A missing or malformed header ends the request.
enum StoreHook {
    /// The tenant a request acts for.
    struct Store: Sendable {
        let id: UUID
    }

    static let resolve = Hook.sync { request, context in
        guard let header = request.headers.first(name: "x-store-id") else {
            throw APIError(.badRequest, "The X-Store-Id header is required")
        }
        guard let id = UUID(header) else {
            throw APIError(.badRequest, "The X-Store-Id header must be a UUID")
        }
        context.set(Store(id: id))
    }
}
