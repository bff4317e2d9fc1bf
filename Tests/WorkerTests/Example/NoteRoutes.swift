import Shared

@testable import Worker

/// The README's example feature: `POST /v1/charts/{chartId}/notes?limit=…` with a path
/// parameter, a typed query with a range, a JSON body with field rules and a value from the
/// `/v1` group's hook. It lives in the test target, so production serves only real routes.
enum NoteRoutes {
    struct CreateNote: Decodable, Validatable {
        var text: String
        var rating: Int
        var tags: [String]?

        func validate(_ check: inout Validation) {
            check.field("text", self.text, .length(1...500))
            check.field("rating", self.rating, .range(1...5))
            check.field("tags", self.tags, .count(0...10))
        }
    }

    struct NoteCreated: Codable {
        let chartId: UUID
        let storeId: UUID
        let text: String
        let rating: Int
        let limit: Int
    }

    static func register(in router: inout Router) {
        router.group("/v1", before: StoreHook.resolve) { v1 in
            v1.post("/charts/{chartId}/notes") { request, context in
                let chartId = try request.parameters.require("chartId", as: UUID.self)
                let limit = try request.queryParameters.get("limit", as: Int.self, default: 20, in: 1...100)
                let note = try request.decode(CreateNote.self)
                let store = try context.require(StoreHook.Store.self)
                let created = NoteCreated(
                    chartId: chartId,
                    storeId: store.id,
                    text: note.text,
                    rating: note.rating,
                    limit: limit
                )
                return try .json(created, status: .created)
            }
        }
    }
}
