import Logging

extension Config {
    /// Every configuration variable, declared once, in the order they are read (a variable
    /// whose default is another's comes after it). Defaults are the `Config` properties'
    /// initial values.
    public static let variables: [ConfigVariable] = [
        .integer("PORT", \.port, in: 1...65535, "HTTP listen port."),
        ConfigVariable(
            name: "HOST",
            summary: "HTTP listen address (0.0.0.0 = all IPv4 interfaces).",
            isSecret: false,
            read: { config, reader throws(ConfigError) in config.host = try reader.host("HOST", default: config.host) },
            text: { $0.host }
        ),
        .integer("WORKERS", \.workers, in: 1...256, "Worker processes (also --workers); default: the CPU count."),
        ConfigVariable(
            name: "DATABASE_URL",
            summary: "PostgreSQL URL the service connects with (app_rw); gssencmode=disable unless the URL sets it.",
            isSecret: true,
            read: { config, reader throws(ConfigError) in
                config.databaseURL = try reader.postgresURL("DATABASE_URL", default: config.databaseURL)
            },
            text: { $0.databaseURL }
        ),
        ConfigVariable(
            name: "MIGRATION_DATABASE_URL",
            summary: "PostgreSQL URL for `migrate` (an owner role); default: DATABASE_URL.",
            isSecret: true,
            read: { config, reader throws(ConfigError) in
                config.migrationDatabaseURL = try reader.postgresURL(
                    "MIGRATION_DATABASE_URL",
                    default: config.databaseURL
                )
            },
            text: { $0.migrationDatabaseURL }
        ),
        ConfigVariable(
            name: "REDIS_URL",
            summary: "Redis URL (database number in the path).",
            isSecret: true,
            read: { config, reader throws(ConfigError) in
                config.redisURL = reader.string("REDIS_URL") ?? config.redisURL
                config.redis = try RedisURLParser.parse(config.redisURL)
            },
            text: { $0.redisURL }
        ),
        .choice("LOG_LEVEL", \.logLevel, "Log verbosity."),
        .choice("LOG_FORMAT", \.logFormat, "Log format: json, journal or auto."),
        .choice("APP_ENV", \.appEnv, "Environment name."),
        .integer("SHUTDOWN_TIMEOUT", \.shutdownTimeoutSeconds, in: 1...3600, "Seconds for workers to drain."),
        .integer("DRAIN_DELAY", \.drainDelaySeconds, in: 0...3600, "Seconds at readiness 503 before draining."),
        .integer("WORKER_TIMEOUT", \.workerTimeoutSeconds, in: 2...3600, "Seconds without a heartbeat: hung."),
        .integer("STARTUP_TIMEOUT", \.startupTimeoutSeconds, in: 1...3600, "Seconds for the first workers."),
        .integer("MAX_REQUESTS", \.maxRequests, in: 0...1_000_000_000, "Recycle a worker after this many requests."),
        .integer("MAX_REQUESTS_JITTER", \.maxRequestsJitter, in: 0...1_000_000_000, "Extra requests, at random."),
        ConfigVariable(
            name: "CONTROL_SOCKET",
            summary: "The supervisor's control socket for `status`; default: per port.",
            isSecret: false,
            read: { config, reader throws(ConfigError) in config.controlSocket = reader.string("CONTROL_SOCKET") },
            text: { $0.controlSocket ?? "" }
        ),
        .integer("PG_POOL_SIZE", \.postgresPoolSize, in: 1...100, "PostgreSQL connections per worker."),
        .integer("REDIS_POOL_SIZE", \.redisPoolSize, in: 1...100, "Redis connections per worker."),
        .integer("HEALTH_TIMEOUT_MS", \.healthTimeoutMilliseconds, in: 10...60000, "Deadline of /health checks."),
        .integer("DB_CONNECT_TIMEOUT_MS", \.connectTimeoutMilliseconds, in: 10...120_000, "Connect deadline."),
        .integer("DB_QUERY_TIMEOUT_MS", \.queryTimeoutMilliseconds, in: 10...600_000, "Query deadline."),
        .integer("MAX_BODY_SIZE", \.maxBodySize, in: 0...1_073_741_824, "Largest request body in bytes."),
        .integer("MAX_URL_LENGTH", \.maxURLLength, in: 64...1_048_576, "Largest request target in bytes."),
        .integer("MAX_HEADER_BYTES", \.maxHeaderBytes, in: 256...1_048_576, "Largest header names and values."),
        .integer("MAX_HEADER_COUNT", \.maxHeaderCount, in: 4...10000, "Most header fields in a request."),
        .integer("HEADER_TIMEOUT_MS", \.headerTimeoutMilliseconds, in: 100...600_000, "Time for a started head."),
        .integer("BODY_TIMEOUT_MS", \.bodyTimeoutMilliseconds, in: 100...3_600_000, "Time for a body."),
        .integer("KEEPALIVE_TIMEOUT_MS", \.keepAliveTimeoutMilliseconds, in: 100...3_600_000, "Idle keep-alive time."),
        .integer("HANDLER_TIMEOUT_MS", \.handlerTimeoutMilliseconds, in: 10...3_600_000, "Time a handler may take."),
        .integer("MAX_CONNECTIONS", \.maxConnections, in: 1...1_000_000, "Open connections per worker."),
        ConfigVariable(
            name: "METRICS_ADDRESS",
            summary: "Where the supervisor serves /metrics (host:port); empty: off.",
            isSecret: false,
            read: { config, reader throws(ConfigError) in
                // Read raw: set but empty turns the listener off (elsewhere empty means unset).
                guard let raw = reader.values["METRICS_ADDRESS"] else { return }
                guard raw.isEmpty || MetricsAddress(raw) != nil else {
                    throw ConfigError(
                        variable: "METRICS_ADDRESS",
                        problem: "'\(raw)' is not host:port (an IP address), or empty for off"
                    )
                }
                config.metricsAddress = MetricsAddress(raw)
            },
            text: { $0.metricsAddress?.description ?? "" }
        ),
    ]

    /// Every variable with its current value, secrets masked: what the supervisor logs at start
    /// and what it hands to workers (unmasked) through their environment.
    public func environment(masked: Bool) -> [(String, String)] {
        Self.variables.map { variable in
            let text = variable.text(self)
            return (variable.name, masked && variable.isSecret ? Secrets.mask(text) : text)
        }
    }
}
