/// Scalars, read straight from the `JSONValue` with a field-level message on mismatch.
extension ValueDecoder {
    /// `type` decoded here when it is a scalar this decoder knows, else `nil`.
    func primitive<T>(_ type: T.Type) -> T? {
        if T.self == String.self { return self.string() as? T }
        if T.self == Int.self { return self.integer(Int.self) as? T }
        if T.self == Bool.self { return self.bool() as? T }
        if T.self == UUID.self { return self.uuid() as? T }
        if T.self == DecimalString.self { return self.decimal() as? T }
        if T.self == DateTime.self { return self.dateTime() as? T }
        if T.self == Double.self { return self.floatingPoint(Double.self) as? T }
        if let enumType = T.self as? any JSONEnum.Type { return self.enumCase(enumType) as? T }
        if T.self == Int64.self { return self.integer(Int64.self) as? T }
        if T.self == Int32.self { return self.integer(Int32.self) as? T }
        if T.self == Int16.self { return self.integer(Int16.self) as? T }
        if T.self == Int8.self { return self.integer(Int8.self) as? T }
        if T.self == UInt.self { return self.integer(UInt.self) as? T }
        if T.self == UInt64.self { return self.integer(UInt64.self) as? T }
        if T.self == UInt32.self { return self.integer(UInt32.self) as? T }
        if T.self == UInt16.self { return self.integer(UInt16.self) as? T }
        if T.self == UInt8.self { return self.integer(UInt8.self) as? T }
        if T.self == Float.self { return self.floatingPoint(Float.self) as? T }
        return nil
    }

    func string() -> String {
        if case .string(let text)? = self.value { return text }
        self.fail("must be a string")
        return ""
    }

    func bool() -> Bool {
        if case .bool(let flag)? = self.value { return flag }
        self.fail("must be true or false")
        return false
    }

    /// An integral JSON number that fits `I` (`1.0` and `1e2` are not integers here).
    func integer<I: FixedWidthInteger>(_ type: I.Type) -> I {
        guard case .number(let text)? = self.value else {
            self.fail("must be an integer")
            return 0
        }
        if let value = I(text) { return value }
        if text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        {
            self.fail("must be an integer")
        } else {
            self.fail("must be between \(I.min) and \(I.max)")
        }
        return 0
    }

    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) -> F {
        if case .number(let text)? = self.value, let value = F(text), value.isFinite { return value }
        self.fail("must be a number")
        return 0
    }

    func uuid() -> UUID {
        let placeholder = UUID(high: 0, low: 0)
        guard case .string(let text)? = self.value else {
            self.fail("must be a UUID string")
            return placeholder
        }
        guard let value = UUID(text) else {
            self.fail("must be a UUID")
            return placeholder
        }
        return value
    }

    func decimal() -> DecimalString {
        let message = "must be a decimal number in a string, e.g. \"12.50\""
        if case .string(let text)? = self.value, let value = DecimalString(text) { return value }
        self.fail(message)
        return DecimalString(0)
    }

    func dateTime() -> DateTime {
        let message = "must be an RFC 3339 date-time, e.g. \"2026-01-31T12:00:00Z\""
        if case .string(let text)? = self.value, let value = DateTime(text) { return value }
        self.fail(message)
        return DateTime(microsecondsSinceEpoch: 0)
    }

    func enumCase<E: JSONEnum>(_ type: E.Type) -> E {
        if case .string(let text)? = self.value, let value = E(rawValue: text) { return value }
        self.fail("must be one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        return E.jsonPlaceholder
    }
}

/// A type the decoder can put in place of a value that failed, so decoding goes on and every
/// other field is still checked.
public protocol JSONPlaceholder {
    /// Any valid value (it is never returned to a handler: the decode fails).
    static var jsonPlaceholder: Self { get }
}

/// A string enum for JSON: the decoder reports `must be one of: a, b, c` and keeps going.
///
/// ```swift
/// enum ChartKind: String, JSONEnum { case line, bar }
/// ```
public protocol JSONEnum: RawRepresentable<String>, CaseIterable, Codable, Sendable, JSONPlaceholder {}

extension JSONEnum {
    /// The first case.
    public static var jsonPlaceholder: Self { Self.allCases.first! }
}
