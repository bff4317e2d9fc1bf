import Shared

extension QueryParameters {
    /// The first value of `name` as a `T`, with failures reported to `check` instead of thrown,
    /// so a route can list every bad parameter in one `422`: `is required` when `required` and
    /// absent, `must be <a T>` when it does not parse; `nil` then, and when absent and optional.
    ///
    /// ```swift
    /// var check = Validation()
    /// let from = query.get("from", as: LocalDate.self, required: true, into: &check)
    /// let limit = query.get("limit", as: Int.self, into: &check) ?? 20
    /// if !check.errors.isEmpty { throw APIError(.validationError, details: check.errors) }
    /// ```
    func get<T: LosslessStringConvertible>(
        _ name: String,
        as type: T.Type,
        required: Bool = false,
        into check: inout Validation
    ) -> T? {
        guard let text = self.get(name) else {
            if required { check.fail(name, "is required") }
            return nil
        }
        guard let value = T(text) else {
            check.fail(name, "must be \(TypeWording.noun(for: type))")
            return nil
        }
        return value
    }
}
