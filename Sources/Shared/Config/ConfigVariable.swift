import Logging

/// One configuration variable: its name, a one-line summary, how its text is read and
/// checked into `Config`, and how it is written back as text (the supervisor's start log and
/// the workers' environment). Its default is the initial value of its `Config` property.
///
/// Every variable is declared once, in `Config.variables`; `ConfigLoader` reads them in that
/// order, `Config.environment(masked:)` writes them, and a test holds `.env.example` to the
/// same names. Adding a variable is one `Config` property and one entry.
public struct ConfigVariable: Sendable {
    /// The environment variable, e.g. `PORT`.
    public let name: String
    /// What it sets, in one line.
    public let summary: String
    /// Its value can hold a password: masked in logs.
    public let isSecret: Bool
    /// Reads the variable's text (if set) into `config`, or throws the one-line problem.
    let read: @Sendable (inout Config, ConfigReader) throws(ConfigError) -> Void
    /// The variable's value in `config`, as text.
    let text: @Sendable (Config) -> String

    /// A whole number in `range`.
    static func integer(
        _ name: String,
        _ field: WritableKeyPath<Config, Int> & Sendable,
        in range: ClosedRange<Int>,
        _ summary: String
    ) -> ConfigVariable {
        ConfigVariable(
            name: name,
            summary: summary,
            isSecret: false,
            read: { config, reader throws(ConfigError) in
                config[keyPath: field] = try reader.integer(name, default: config[keyPath: field], in: range)
            },
            text: { String($0[keyPath: field]) }
        )
    }

    /// One of the cases of `T`, by raw value (case-insensitive).
    static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ name: String,
        _ field: WritableKeyPath<Config, T> & Sendable,
        _ summary: String
    ) -> ConfigVariable where T.RawValue == String {
        ConfigVariable(
            name: name,
            summary: summary,
            isSecret: false,
            read: { config, reader throws(ConfigError) in
                config[keyPath: field] = try reader.choice(name, default: config[keyPath: field])
            },
            text: { $0[keyPath: field].rawValue }
        )
    }
}

/// Reads and validates single variables; an empty value counts as unset.
struct ConfigReader {
    let values: [String: String]

    func string(_ name: String) -> String? {
        guard let value = self.values[name], !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let raw = self.string(name) else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigError(
                variable: name,
                problem: "'\(raw)' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default fallback: T) throws(ConfigError) -> T
    where T.RawValue == String {
        guard let raw = self.string(name) else { return fallback }
        guard let value = T(rawValue: raw.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError(variable: name, problem: "'\(raw)' is not one of: \(allowed)")
        }
        return value
    }

    func host(_ name: String, default fallback: String) throws(ConfigError) -> String {
        guard let raw = self.string(name) else { return fallback }
        let allowed = raw.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
        }
        guard allowed, raw.utf8.count <= 253 else {
            throw ConfigError(variable: name, problem: "'\(raw)' is not a host name or IP address")
        }
        return raw
    }

    func postgresURL(_ name: String, default fallback: String) throws(ConfigError) -> String {
        guard let raw = self.string(name) else { return fallback }
        guard raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") else {
            throw ConfigError(
                variable: name,
                problem: "'\(Secrets.mask(raw))' is not a postgres:// or postgresql:// URL"
            )
        }
        return raw
    }
}
