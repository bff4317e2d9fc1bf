/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` once
/// per family, then its samples, label values escaped (`\\`, `\"`, `\n`).
///
/// Values are integers or doubles (`+Inf`, `-Inf`, `NaN` spelled as Prometheus wants).
public struct PrometheusTextWriter {
    /// A metric family's type.
    public enum Kind: String {
        case counter, gauge, histogram
    }

    /// The exposition so far.
    public private(set) var bytes: [UInt8] = []

    /// The content type of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// An empty exposition with room for `capacity` bytes.
    public init(capacity: Int = 4096) {
        self.bytes.reserveCapacity(capacity)
    }

    /// Starts the family `name`: its `HELP` and `TYPE` lines.
    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        self.append("# HELP ")
        self.append(name)
        self.bytes.append(UInt8(ascii: " "))
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): self.append("\\\\")
            case UInt8(ascii: "\n"): self.append("\\n")
            default: self.bytes.append(byte)
            }
        }
        self.append("\n# TYPE ")
        self.append(name)
        self.bytes.append(UInt8(ascii: " "))
        self.append(kind.rawValue)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    /// One sample with an integer value.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        self.head(name, labels)
        self.appendDecimal(value)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    /// `name{LABELS,le="bound"} value` with labels rendered once by `labelText` (a histogram
    /// writes ~17 lines per series with the same labels).
    mutating func bucket(_ name: String, labelText: [UInt8], le: String, _ value: UInt64) {
        self.append(name)
        self.bytes.append(UInt8(ascii: "{"))
        self.bytes.append(contentsOf: labelText)
        self.append(",le=\"")
        self.append(le)
        self.append("\"} ")
        self.appendDecimal(value)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    /// `label="value",…` escaped, without braces, for `bucket`.
    static func labelText(_ labels: [(String, String)]) -> [UInt8] {
        var writer = PrometheusTextWriter(capacity: 128)
        writer.head("", labels)
        return Array(writer.bytes.dropFirst().dropLast(2))  // "{" … "} "
    }

    private mutating func appendDecimal(_ value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            self.bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// One sample with a floating-point value.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        self.head(name, labels)
        self.append(Self.format(value))
        self.bytes.append(UInt8(ascii: "\n"))
    }

    /// A value as the text format spells it.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private mutating func head(_ name: String, _ labels: [(String, String)]) {
        self.append(name)
        if !labels.isEmpty {
            self.bytes.append(UInt8(ascii: "{"))
            for (index, (label, value)) in labels.enumerated() {
                if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
                self.append(label)
                self.append("=\"")
                for byte in value.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): self.append("\\\\")
                    case UInt8(ascii: "\""): self.append("\\\"")
                    case UInt8(ascii: "\n"): self.append("\\n")
                    default: self.bytes.append(byte)
                    }
                }
                self.bytes.append(UInt8(ascii: "\""))
            }
            self.bytes.append(UInt8(ascii: "}"))
        }
        self.bytes.append(UInt8(ascii: " "))
    }

    private mutating func append(_ text: String) {
        self.bytes.append(contentsOf: text.utf8)
    }
}
