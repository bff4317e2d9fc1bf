/// An error that is meant to reach the client: a code (which fixes the HTTP status), a message
/// safe to show, and any headers the status requires (`Allow` for 405).
///
/// Any other error thrown by a handler becomes `INTERNAL_ERROR` with a generic message; its
/// details go only to the log.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code.
    public let code: ErrorCode
    /// A message for the client; never internal details.
    public let message: String
    /// Extra response headers, e.g. `[("Allow", "GET, HEAD")]`.
    public let headers: [(String, String)]
    /// Which fields failed and why (`VALIDATION_ERROR`, a bad parameter); empty for most errors.
    public let details: [FieldError]

    /// Creates an error; `message` defaults to the code's generic message.
    public init(
        _ code: ErrorCode,
        _ message: String? = nil,
        headers: [(String, String)] = [],
        details: [FieldError] = []
    ) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.headers = headers
        self.details = details
    }

    /// The HTTP status code.
    public var status: Int { self.code.status }

    /// `{"success":false,"error":{"code":"…","message":"…"}}`, with
    /// `"details":[{"field":"…","message":"…"}]` inside `error` when there are details.
    public var envelope: [UInt8] {
        var inner = JSONWriter(capacity: 64 + self.message.utf8.count)
        inner.field("code", self.code.rawValue)
        inner.field("message", self.message)
        if !self.details.isEmpty { inner.field("details", rawJSON: FieldError.jsonArray(self.details)) }
        var outer = JSONWriter(capacity: 96 + self.message.utf8.count)
        outer.field("success", rawJSON: "false")
        outer.field("error", rawJSON: inner.finishString())
        return outer.finish()
    }

    /// `CODE: message`, for logs.
    public var description: String { "\(self.code.rawValue): \(self.message)" }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }
}

extension APIError {
    /// 404 for a route that does not exist: `Route GET /x not found`.
    public static func routeNotFound(method: String, path: String) -> APIError {
        APIError(.notFound, "Route \(method) \(Self.printable(path)) not found")
    }

    /// 405 with the `Allow` header listing the methods the path supports.
    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> APIError {
        APIError(
            .methodNotAllowed,
            "Method \(method) is not allowed on \(Self.printable(path))",
            headers: [("Allow", allowed.joined(separator: ", "))]
        )
    }

    /// Client-supplied text echoed in a message or log is cut short (200 characters) and its
    /// control bytes replaced by `?`. Already-clean text is returned as is.
    public static func printable(_ text: String) -> String {
        if text.utf8.count <= 200, text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) { return text }
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
        return text.unicodeScalars.count > 200 ? out + "…" : out
    }
}
