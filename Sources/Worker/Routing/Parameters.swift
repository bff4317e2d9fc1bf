import Shared

/// The path parameters of a matched route (`{chartId}` → its value), percent-decoded on
/// access; typed access throws `400 BAD_REQUEST` naming the parameter.
///
/// ```swift
/// let chartId = try request.parameters.require("chartId", as: UUID.self)
/// ```
struct Parameters: Sendable {
    /// Names in path order (shared with the route) and raw values (slices of the request
    /// target); `nil` for a static route, which then copies no array at all.
    private let storage: (names: [String], values: [Substring])?

    /// No parameters.
    init() {
        self.storage = nil
    }

    /// The values of the parameters `names`, in path order.
    init(names: [String], values: [Substring]) {
        self.storage = (names, values)
    }

    private var names: [String] { self.storage?.names ?? [] }
    private var values: [Substring] { self.storage?.values ?? [] }

    /// The decoded value of `name`, or `nil` when the route has no such parameter.
    func get(_ name: String) -> String? {
        guard let index = self.names.firstIndex(of: name), index < self.values.count else { return nil }
        return PercentDecoding.decode(self.values[index], plusIsSpace: false)
    }

    /// The decoded value of `name`; a name the route does not have is a programming error (500).
    func require(_ name: String) throws -> String {
        guard let value = self.get(name) else { throw MissingRouteValue(name: name) }
        return value
    }

    /// The value of `name` as a `T` (`UUID`, `Int`, …); `400` naming the parameter when it does
    /// not parse.
    func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T {
        let text = try self.require(name)
        guard let value = T(text) else {
            let message = "must be \(TypeWording.noun(for: type))"
            throw APIError(
                .badRequest,
                "Path parameter '\(name)' \(message)",
                details: [FieldError(field: name, message: message)]
            )
        }
        return value
    }

    /// Name–value pairs, decoded, in path order.
    var all: [(name: String, value: String)] {
        zip(self.names, self.values).map { ($0, PercentDecoding.decode($1, plusIsSpace: false)) }
    }
}

/// A handler asked for a path parameter or context value its route never provides: a bug in
/// the route, answered 500 and logged with the name.
struct MissingRouteValue: Error, CustomStringConvertible {
    let name: String
    var description: String { "the route provides no value named \(self.name)" }
}

/// How messages name the type a value must have.
enum TypeWording {
    static func noun<T>(for type: T.Type) -> String {
        switch type {
        case is UUID.Type: "a UUID"
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is Int8.Type: "an integer"
        case is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type, is UInt8.Type: "a non-negative integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is DecimalString.Type: "a decimal number"
        case is DateTime.Type: "an RFC 3339 date-time"
        case is LocalDate.Type: "a date (YYYY-MM-DD)"
        default: "valid"
        }
    }
}
