import Logging

/// Builds a `Config` from flags, the environment, `.env` text and defaults, validating every
/// value. Pure: the caller reads the file and the environment, so it is unit tested directly.
public enum ConfigLoader {
    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnv: the contents of `.env`, if the file exists.
    ///   - overrides: values from command-line flags, keyed by variable name (`WORKERS`).
    ///   - cpuCount: the default for `WORKERS`.
    public static func load(
        environment: [String: String],
        dotEnv: String? = nil,
        overrides: [String: String] = [:],
        cpuCount: Int
    ) throws(ConfigError) -> Config {
        var values: [String: String] = [:]
        if let dotEnv {
            do {
                values = try DotEnv.parse(dotEnv)
            } catch {
                throw ConfigError(variable: ".env", problem: "line \(error.line): \(error.reason)")
            }
        }
        values.merge(environment) { _, real in real }
        values.merge(overrides) { _, flag in flag }
        return try self.build(values, cpuCount: cpuCount)
    }

    private static func build(_ values: [String: String], cpuCount: Int) throws(ConfigError) -> Config {
        var config = Config(cpuCount: cpuCount)
        let reader = Reader(values: values)
        config.host = try reader.host("HOST", default: config.host)
        config.port = try reader.integer("PORT", default: config.port, in: 1...65535)
        config.workers = try reader.integer("WORKERS", default: config.workers, in: 1...256)
        config.databaseURL = try reader.postgresURL("DATABASE_URL", default: config.databaseURL)
        config.migrationDatabaseURL = try reader.postgresURL(
            "MIGRATION_DATABASE_URL",
            default: config.databaseURL
        )
        config.redisURL = reader.string("REDIS_URL") ?? config.redisURL
        config.redis = try RedisURLParser.parse(config.redisURL)
        config.logLevel = try reader.choice("LOG_LEVEL", default: config.logLevel)
        config.logFormat = try reader.choice("LOG_FORMAT", default: config.logFormat)
        config.appEnv = try reader.choice("APP_ENV", default: config.appEnv)
        config.shutdownTimeoutSeconds = try reader.integer("SHUTDOWN_TIMEOUT", default: 30, in: 1...3600)
        config.drainDelaySeconds = try reader.integer("DRAIN_DELAY", default: 0, in: 0...3600)
        config.workerTimeoutSeconds = try reader.integer("WORKER_TIMEOUT", default: 30, in: 2...3600)
        config.startupTimeoutSeconds = try reader.integer("STARTUP_TIMEOUT", default: 30, in: 1...3600)
        config.maxRequests = try reader.integer("MAX_REQUESTS", default: 0, in: 0...1_000_000_000)
        config.maxRequestsJitter = try reader.integer("MAX_REQUESTS_JITTER", default: 0, in: 0...1_000_000_000)
        config.controlSocket = reader.string("CONTROL_SOCKET")
        config.postgresPoolSize = try reader.integer("PG_POOL_SIZE", default: 4, in: 1...100)
        config.redisPoolSize = try reader.integer("REDIS_POOL_SIZE", default: 2, in: 1...100)
        config.healthTimeoutMilliseconds = try reader.integer("HEALTH_TIMEOUT_MS", default: 1000, in: 10...60000)
        config.connectTimeoutMilliseconds = try reader.integer(
            "DB_CONNECT_TIMEOUT_MS",
            default: 2000,
            in: 10...120_000
        )
        config.queryTimeoutMilliseconds = try reader.integer("DB_QUERY_TIMEOUT_MS", default: 5000, in: 10...600_000)
        config.maxBodySize = try reader.integer("MAX_BODY_SIZE", default: 1_048_576, in: 0...1_073_741_824)
        config.maxURLLength = try reader.integer("MAX_URL_LENGTH", default: 8192, in: 64...1_048_576)
        config.maxHeaderBytes = try reader.integer("MAX_HEADER_BYTES", default: 16384, in: 256...1_048_576)
        config.maxHeaderCount = try reader.integer("MAX_HEADER_COUNT", default: 100, in: 4...10000)
        config.headerTimeoutMilliseconds = try reader.integer("HEADER_TIMEOUT_MS", default: 10000, in: 100...600_000)
        config.bodyTimeoutMilliseconds = try reader.integer("BODY_TIMEOUT_MS", default: 30000, in: 100...3_600_000)
        config.keepAliveTimeoutMilliseconds = try reader.integer(
            "KEEPALIVE_TIMEOUT_MS",
            default: 5000,
            in: 100...3_600_000
        )
        config.handlerTimeoutMilliseconds = try reader.integer(
            "HANDLER_TIMEOUT_MS",
            default: 10000,
            in: 10...3_600_000
        )
        config.maxConnections = try reader.integer("MAX_CONNECTIONS", default: 4096, in: 1...1_000_000)
        return config
    }
}

/// Reads and validates single variables; an empty value counts as unset.
private struct Reader {
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
