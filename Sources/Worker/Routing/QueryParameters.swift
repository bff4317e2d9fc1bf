import Shared

/// The query string, split and percent-decoded (`+` is a space), repeated keys kept in order.
///
/// ```swift
/// let limit = try request.queryParameters.get("limit", as: Int.self, default: 20, in: 1...100)
/// ```
/// A value that does not parse is `400 BAD_REQUEST`; one out of range is `422
/// VALIDATION_ERROR`; both name the parameter in `details`.
struct QueryParameters: Sendable {
    /// Every `name=value` pair in order (`name` alone has the value `""`).
    let items: [(name: String, value: String)]

    /// Parses `query` (without the `?`). Split on the bytes `&` and `=` (ASCII, so every piece
    /// is whole characters): `split` and `firstIndex(of:)` on the characters cost ten times more
    /// for a `?limit=20` (grapheme breaking), on every request of a list route.
    init(_ query: Substring?) {
        guard let query, !query.isEmpty else {
            self.items = []
            return
        }
        var items: [(name: String, value: String)] = []
        let utf8 = query.utf8
        var start = utf8.startIndex
        while start != utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "&")) ?? utf8.endIndex
            if start != end {  // `a&&b`: no empty pair
                let pair = query[start..<end]
                if let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) {
                    items.append(
                        (
                            PercentDecoding.decode(pair[..<equals], plusIsSpace: true),
                            PercentDecoding.decode(pair[pair.utf8.index(after: equals)...], plusIsSpace: true)
                        )
                    )
                } else {
                    items.append((PercentDecoding.decode(pair, plusIsSpace: true), ""))
                }
            }
            start = end == utf8.endIndex ? end : utf8.index(after: end)
        }
        self.items = items
    }

    /// The first value of `name`.
    func get(_ name: String) -> String? {
        self.items.first { $0.name == name }?.value
    }

    /// Every value of `name` (`?tag=a&tag=b` → `["a", "b"]`).
    func all(_ name: String) -> [String] {
        self.items.filter { $0.name == name }.map(\.value)
    }

    /// The first value of `name`; `400` when it is missing.
    func require(_ name: String) throws -> String {
        guard let value = self.get(name) else {
            throw Self.failure(.badRequest, name, "is required")
        }
        return value
    }

    /// The first value of `name` as a `T`, or `nil` when absent; `400` when it does not parse.
    func get<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T? {
        guard let text = self.get(name) else { return nil }
        guard let value = T(text) else {
            throw Self.failure(.badRequest, name, "must be \(TypeWording.noun(for: type))")
        }
        return value
    }

    /// The first value of `name` as a `T` (`default` when absent), which must lie in `range`.
    func get<T: LosslessStringConvertible & Comparable>(
        _ name: String,
        as type: T.Type,
        default defaultValue: T,
        in range: ClosedRange<T>
    ) throws -> T {
        let value = try self.get(name, as: type) ?? defaultValue
        guard range.contains(value) else {
            throw Self.failure(.validationError, name, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// `Query parameter 'name' message`, naming the parameter in `details` (also for a route's
    /// own checks of a parameter, so every query error reads alike).
    static func failure(_ code: ErrorCode, _ name: String, _ message: String) -> APIError {
        APIError(code, "Query parameter '\(name)' \(message)", details: [FieldError(field: name, message: message)])
    }
}
