/// One failing field of a request: where (`items[0].title`, a parameter's name; empty for the
/// body as a whole) and what is wrong with it, in words safe to show the client.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// The field's path: keys joined by `.`, array indices in brackets (`items[0].title`).
    public let field: String
    /// What is wrong, e.g. `is required`, `must be at most 200 characters`.
    public let message: String

    /// A field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`, for logs and test failures.
    public var description: String { "\(self.field): \(self.message)" }

    /// `[{"field":"…","message":"…"},…]`
    static func jsonArray(_ errors: [FieldError]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, error) in errors.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            var object = JSONWriter(capacity: 32 + error.field.utf8.count + error.message.utf8.count)
            object.field("field", error.field)
            object.field("message", error.message)
            bytes += object.finish()
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
