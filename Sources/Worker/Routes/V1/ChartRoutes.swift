import Database
import NIOCore
import NIOHTTP1
import Shared

/// Saved charts (`app.saved_charts`), in the `/v1` group: list, read, create, update, delete.
///
/// Each request is one transaction of its tenant with one statement (a `PATCH` or `DELETE`
/// whose `If-Match` fails runs a second to tell `412` from `404`). Another tenant's chart is
/// invisible under row-level security, so it is `404` exactly like a missing one. Chart
/// responses carry `ETag` (`ChartVersion`); `PATCH` and `DELETE` honour `If-Match`.
enum ChartRoutes {
    /// Registers the routes under `/charts` of `group`.
    static func register(in group: inout RouteGroup) {
        group.on(.GET, "/charts", .future(self.list))
        group.post("/charts", self.create)
        group.get("/charts/{chartId}", self.show)
        group.patch("/charts/{chartId}", self.update)
        group.delete("/charts/{chartId}", self.delete)
    }

    /// `GET /v1/charts`: a page of charts and the cursor of the next one.
    ///
    /// The hottest route answers from a future, not a task: the event loop hands the request
    /// to a pool thread, which runs the one-statement transaction in one round trip and writes
    /// the body straight from the result (no `Chart` per row), and the event loop writes it (two
    /// thread hops in all).
    static func list(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        do {
            let store = try context.require(Tenant.self).storeId
            let query = try ChartListQuery(request.queryParameters)
            let (sql, parameters) = query.statement(store: store)
            return context.services.postgres.queryAsTenant(
                store,
                readOnly: true,
                on: context.eventLoop,
                sql,
                parameters: parameters,
                decode: query.body
            ) { body in
                .json(.ok, buffer: try body?.get() ?? ChartListQuery.emptyPage)
            }
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
    }

    /// `GET /v1/charts/{chartId}`.
    static func show(_ request: Request, _ context: RequestContext) async throws -> Response {
        let store = try context.require(Tenant.self).storeId
        let id = try request.parameters.require("chartId", as: UUID.self)
        // One statement: one round trip (and batched with others when the pool is busy).
        let rows = try await context.services.postgres.queryAsTenant(
            store,
            readOnly: true,
            on: context.eventLoop,
            Self.selectOne,
            parameters: [store, id]
        ) { $0 }.get()
        guard let values = rows.rows.first else { throw Self.notFound }
        return try Self.respond(with: Chart(row: values), status: .ok)
    }

    /// `POST /v1/charts`: `201`, `Location` and `ETag`.
    static func create(_ request: Request, _ context: RequestContext) async throws -> Response {
        let store = try context.require(Tenant.self).storeId
        let draft = try request.decode(ChartDraft.self)
        let rows = try await Self.mappingReferences {
            try await context.withTenant(store) { tx in
                try tx.query(ChartDraft.insert, parameters: draft.parameters(store: store))
            }
        }
        guard let values = rows.rows.first else {
            throw PostgresDecodingError(column: "*", expected: "the inserted chart", problem: .missing)
        }
        let chart = try Chart(row: values)
        var response = try Self.respond(with: chart, status: .created)
        response.headers.add(name: "Location", value: chart.location)
        return response
    }

    /// `PATCH /v1/charts/{chartId}`: the changed chart and its new `ETag`.
    static func update(_ request: Request, _ context: RequestContext) async throws -> Response {
        let store = try context.require(Tenant.self).storeId
        let id = try request.parameters.require("chartId", as: UUID.self)
        let version = ChartVersion(ifMatch: request.headers.httpHeaders)
        let patch = try request.decode(ChartPatch.self)
        let (sql, parameters) = patch.statement(store: store, id: id, version: version)
        let outcome = try await Self.mappingReferences {
            try await context.withTenant(store) { tx -> Outcome in
                if let values = try tx.query(sql, parameters: parameters).rows.first { return .chart(values) }
                return try Self.miss(store: store, id: id, version: version, in: tx)
            }
        }
        return try Self.respond(to: outcome) { try Self.respond(with: Chart(row: $0), status: .ok) }
    }

    /// `DELETE /v1/charts/{chartId}`: `204`.
    static func delete(_ request: Request, _ context: RequestContext) async throws -> Response {
        let store = try context.require(Tenant.self).storeId
        let id = try request.parameters.require("chartId", as: UUID.self)
        let version = ChartVersion(ifMatch: request.headers.httpHeaders)
        var sql = "DELETE FROM app.saved_charts WHERE store_id = $1 AND id = $2"
        var arguments: [any PostgresEncodable] = [store, id]
        if let condition = version.condition(parameter: 3) {
            sql += " AND " + condition
            arguments.append(version.parameter)
        }
        let (statement, parameters) = (sql + " RETURNING id", arguments)
        let outcome = try await context.withTenant(store) { tx -> Outcome in
            if let values = try tx.query(statement, parameters: parameters).rows.first { return .chart(values) }
            return try Self.miss(store: store, id: id, version: version, in: tx)
        }
        return try Self.respond(to: outcome) { _ in Response(status: .noContent, body: ByteBuffer()) }
    }

    /// What a conditional write found.
    private enum Outcome: Sendable {
        /// The row it returned.
        case chart([String?])
        case notFound
        case versionMismatch
    }

    private static let selectOne = "SELECT \(Chart.columns) FROM app.saved_charts WHERE store_id = $1 AND id = $2"
    private static let exists = "SELECT 1 FROM app.saved_charts WHERE store_id = $1 AND id = $2"
    private static let notFound = APIError(.notFound, "Chart not found")

    /// Why a conditional write touched no row: the chart is not there, or (only asked when the
    /// request had an `If-Match`) its version did not match.
    private static func miss(
        store: UUID,
        id: UUID,
        version: ChartVersion,
        in tx: PostgresTransaction
    ) throws
        -> Outcome
    {
        guard version.accepted != nil else { return .notFound }
        return try tx.query(Self.exists, store, id).rows.isEmpty ? .notFound : .versionMismatch
    }

    private static func respond(to outcome: Outcome, _ found: ([String?]) throws -> Response) throws -> Response {
        switch outcome {
        case .chart(let values): return try found(values)
        case .notFound: throw Self.notFound
        case .versionMismatch:
            throw APIError(.preconditionFailed, "The chart has changed since the version in If-Match")
        }
    }

    /// `chart` as the body, with its `ETag`.
    private static func respond(with chart: Chart, status: HTTPResponseStatus) throws -> Response {
        var response = try Response.json(chart, status: status)
        response.headers.add(name: "ETag", value: chart.etag)
        return response
    }

    /// Runs a write, answering a `conversation_id` or `message_id` that names no conversation or
    /// message of this store as a `422` on that field (the two-column foreign keys refuse it;
    /// another store's row is as absent as a missing one). PostgreSQL reports the first
    /// failing key only.
    private static func mappingReferences<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.sqlState == SQLState.foreignKeyViolation {
            let field: String
            switch error.constraint {
            case "saved_charts_conversation_fkey": field = "conversation_id"
            case "saved_charts_message_fkey": field = "message_id"
            default: throw error
            }
            throw APIError(
                .validationError,
                "The request body failed validation",
                details: [FieldError(field: field, message: "does not exist")]
            )
        }
    }
}
