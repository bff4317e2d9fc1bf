/// Decodes a JSON request body into a `Decodable` type and reports **every** failing field
/// at once (missing, wrong type, unknown, failed rule), not just the first.
///
/// How: the decoder never throws at a failing field. It records the failure with the field's
/// path, hands the type a placeholder (`""`, `0`, the first case of a `JSONEnum`, …) and goes
/// on; validation rules (`Validatable`) run on each value as it is built, skipping fields that
/// already failed; object keys the type never asked for are reported as unknown at the end.
/// Only a type that throws and has no placeholder (a custom `init(from:)`) stops the pass
/// early; what was recorded until then is still reported.
///
/// Formats: integers must be integral JSON numbers in range; `DecimalString`, `UUID` and
/// `DateTime` are JSON strings (decimals never go through `Double`).
public enum JSONBodyDecoder {
    /// At most this many field errors are reported (a hostile body must not make a huge answer).
    public static let maxErrors = 100

    /// Parses `bytes` and decodes a `T`.
    public static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: UnsafeRawBufferPointer
    ) throws(JSONBodyError) -> T {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .malformed(error)
        }
        return try self.decode(type, from: value)
    }

    /// Decodes a `T` from a parsed document.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONBodyError) -> T {
        let session = DecodingSession()
        let decoder = ValueDecoder(value: value, codingPath: [], session: session, silent: false)
        var result: T?
        do {
            result = try decoder.decodeValue(T.self)
            // Only a complete pass knows which keys were never asked for.
            session.recordUnknownKeys()
        } catch is DecodingAborted {
            result = nil
        } catch {
            // Only our own containers run here, and they never throw anything else; a custom
            // init(from:) that throws another error is reported on the body as a whole.
            if session.errors.isEmpty { session.record(path: "", message: "is invalid") }
        }
        guard session.errors.isEmpty, let result else { throw .invalid(session.errors) }
        return result
    }
}

/// Why a body could not be decoded.
public enum JSONBodyError: Error, Sendable, Equatable {
    /// Not JSON at all (answered 400, saying where).
    case malformed(JSONSyntaxError)
    /// JSON, but fields are missing, of the wrong type, unknown, or break a rule (answered 422).
    case invalid([FieldError])
}

/// Thrown up the stack when a value could neither be decoded nor replaced by a placeholder.
struct DecodingAborted: Error {}

/// Shared by every container of one decoding pass: the errors so far and the keys each object
/// was asked for.
final class DecodingSession {
    private(set) var errors: [FieldError] = []
    private var usages: [ObjectUsage] = []
    private var usageByPath: [String: ObjectUsage] = [:]

    func record(path: String, message: String) {
        guard self.errors.count < JSONBodyDecoder.maxErrors else { return }
        self.errors.append(FieldError(field: path, message: message))
    }

    func record(_ codingPath: [any CodingKey], _ message: String) {
        self.record(path: Self.path(codingPath), message: message)
    }

    /// Whether `path`, anything inside it, or anything it is inside already failed (its rules
    /// are then not checked: the value may be a placeholder).
    func hasError(atOrAround path: String) -> Bool {
        self.errors.contains { Self.isWithin($0.field, path) || Self.isWithin(path, $0.field) }
    }

    /// Whether `inner` is `outer` or a path inside it (`a.b` and `a[0]` are inside `a`).
    private static func isWithin(_ inner: String, _ outer: String) -> Bool {
        guard inner.hasPrefix(outer) else { return false }
        if outer.isEmpty || inner.utf8.count == outer.utf8.count { return true }
        let next = inner.utf8.dropFirst(outer.utf8.count).first
        return next == UInt8(ascii: ".") || next == UInt8(ascii: "[")
    }

    /// The usage record of the object at `codingPath` (one per object, however many containers
    /// a type opens on it); duplicate keys are reported when it is first seen.
    func usage(at codingPath: [any CodingKey], members: [JSONMember]) -> ObjectUsage {
        let path = Self.path(codingPath)
        if let usage = self.usageByPath[path] { return usage }
        let usage = ObjectUsage(path: path, members: members)
        self.usages.append(usage)
        self.usageByPath[path] = usage
        if members.count > 1 {
            var seen = Set<String>()
            for member in members where !seen.insert(member.key).inserted {
                self.record(path: Self.join(path, member.key), message: "is given more than once")
            }
        }
        return usage
    }

    /// Reports every key no container asked for.
    func recordUnknownKeys() {
        for usage in self.usages where !usage.allKeysRead {
            for member in usage.members where !usage.asked.contains(member.key) {
                self.record(path: Self.join(usage.path, member.key), message: "is not an allowed field")
            }
        }
    }

    /// Runs `value`'s rules, keeping only failures of fields that decoded cleanly.
    func validate(_ value: any Validatable, at codingPath: [any CodingKey]) {
        var validation = Validation(prefix: Self.path(codingPath))
        value.validate(&validation)
        for error in validation.errors where !self.hasError(atOrAround: error.field) {
            self.record(path: error.field, message: error.message)
        }
    }

    /// `items[0].title`
    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key as? IndexKey {
                path += "[\(index.index)]"
            } else {
                path = self.join(path, key.stringValue)
            }
        }
        return path
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }
}

/// The keys one JSON object was asked for.
final class ObjectUsage {
    let path: String
    let members: [JSONMember]
    var asked = Set<String>()
    /// A dictionary-like type read `allKeys`: every key counts as known.
    var allKeysRead = false

    init(path: String, members: [JSONMember]) {
        self.path = path
        self.members = members
    }
}

/// The coding key of an array element.
struct IndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
    var stringValue: String { "[\(self.index)]" }
    var intValue: Int? { self.index }
}

/// A coding key made from a string (`superDecoder`).
struct NamedKey: CodingKey {
    let stringValue: String
    init(_ name: String) { self.stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    var intValue: Int? { nil }
}
