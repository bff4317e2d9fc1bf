/// A type whose values carry rules beyond their shape (lengths, ranges, formats, enums),
/// declared next to the type and checked by `JSONBodyDecoder` in the same pass as decoding:
///
/// ```swift
/// struct CreateChart: Decodable, Validatable {
///     var title: String
///     var rating: Int
///     func validate(_ check: inout Validation) {
///         check.field("title", self.title, .length(1...200))
///         check.field("rating", self.rating, .range(1...5))
///     }
/// }
/// ```
public protocol Validatable {
    /// Reports each broken rule to `check`.
    func validate(_ check: inout Validation)
}

/// Collects the broken rules of one value; field names are prefixed with the value's path.
public struct Validation {
    /// The failures so far, with full paths.
    public private(set) var errors: [FieldError] = []
    private let prefix: String

    /// An empty collection for the value at `prefix` (`""` for the body itself).
    public init(prefix: String = "") {
        self.prefix = prefix
    }

    /// Checks `rules` on `value` in order; the first that fails is reported for `name`.
    public mutating func field<Value>(_ name: String, _ value: Value, _ rules: Rule<Value>...) {
        for rule in rules {
            if let message = rule.check(value) {
                self.fail(name, message)
                return
            }
        }
    }

    /// Checks `rules` on an optional value when it is present.
    public mutating func field<Value>(_ name: String, _ value: Value?, _ rules: Rule<Value>...) {
        guard let value else { return }
        for rule in rules {
            if let message = rule.check(value) {
                self.fail(name, message)
                return
            }
        }
    }

    /// Reports `message` for `name` (a rule across fields, say).
    public mutating func fail(_ name: String, _ message: String) {
        self.errors.append(FieldError(field: self.prefix.isEmpty ? name : self.prefix + "." + name, message: message))
    }
}

/// One rule on a value: `nil` when it holds, else the message (`must be at most 200 characters`).
public struct Rule<Value> {
    /// The check.
    public let check: (Value) -> String?

    /// A rule from a check returning the failure message, or `nil`.
    public init(_ check: @escaping (Value) -> String?) {
        self.check = check
    }

    /// A rule that holds when `isValid` says so, else reports `message`.
    public static func custom(_ message: String, _ isValid: @escaping (Value) -> Bool) -> Rule {
        Rule { isValid($0) ? nil : message }
    }
}

extension Rule where Value == String {
    /// Between `range.lowerBound` and `range.upperBound` characters.
    public static func length(_ range: ClosedRange<Int>) -> Rule {
        Rule { text in
            let count = text.count
            if count < range.lowerBound {
                return range.lowerBound == 1 ? "must not be empty" : "must be at least \(range.lowerBound) characters"
            }
            return count > range.upperBound ? "must be at most \(range.upperBound) characters" : nil
        }
    }

    /// Between `range.lowerBound` and `range.upperBound` Unicode code points: what JSON
    /// Schema's `maxLength` and PostgreSQL's `char_length` count (`length` counts characters as
    /// a reader sees them, so `"e\u{301}"` is 1 there and 2 here).
    public static func codePoints(_ range: ClosedRange<Int>) -> Rule {
        Rule { text in
            let count = text.unicodeScalars.count
            if count < range.lowerBound {
                return range.lowerBound == 1 ? "must not be empty" : "must be at least \(range.lowerBound) characters"
            }
            return count > range.upperBound ? "must be at most \(range.upperBound) characters" : nil
        }
    }

    /// No U+0000: PostgreSQL's `text` cannot store it.
    public static var noNullCharacter: Rule {
        .custom("must not contain the character U+0000") { !$0.utf8.contains(0) }
    }

    /// Something besides blanks.
    public static var notBlank: Rule {
        .custom("must not be blank") { $0.contains { !$0.isWhitespace } }
    }

    /// One of `values`.
    public static func oneOf(_ values: [String]) -> Rule {
        .custom("must be one of: " + values.joined(separator: ", ")) { values.contains($0) }
    }

    /// A plausible email address: `local@domain.tld`, no blanks, at most 254 characters.
    public static var email: Rule {
        .custom("must be an email address") { text in
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard text.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty,
                !text.contains(where: { $0.isWhitespace })
            else { return false }
            let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
        }
    }
}

extension Rule where Value: Comparable {
    /// Within `range`, both ends included.
    public static func range(_ range: ClosedRange<Value>) -> Rule {
        .custom("must be between \(range.lowerBound) and \(range.upperBound)") { range.contains($0) }
    }

    /// At least `minimum`.
    public static func min(_ minimum: Value) -> Rule {
        .custom("must be at least \(minimum)") { $0 >= minimum }
    }

    /// At most `maximum`.
    public static func max(_ maximum: Value) -> Rule {
        .custom("must be at most \(maximum)") { $0 <= maximum }
    }
}

extension Rule where Value: Collection {
    /// Between `range.lowerBound` and `range.upperBound` elements.
    public static func count(_ range: ClosedRange<Int>) -> Rule {
        .custom("must have between \(range.lowerBound) and \(range.upperBound) items") { range.contains($0.count) }
    }
}

extension Rule where Value == DecimalString {
    /// Zero or more.
    public static var nonNegative: Rule {
        .custom("must not be negative") { !$0.isNegative }
    }

    /// At most `digits` digits after the point (2 for most currencies).
    public static func scale(atMost digits: Int) -> Rule {
        .custom("must have at most \(digits) decimal places") { $0.scale <= digits }
    }
}
