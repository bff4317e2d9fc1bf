import Logging

/// The service's validated configuration.
///
/// Sources, strongest first: command-line flags, the real environment, `.env`, defaults.
/// `ConfigLoader` builds it; every field is valid once it exists. The initial values below are
/// the defaults; each variable's name, check and summary are declared once in
/// `Config.variables`.
public struct Config: Sendable, Equatable {
    /// How log records are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// One JSON object per line on stderr.
        case json
        /// journald's native protocol (`sd_journal_sendv`).
        case journal
        /// `journal` when stderr is the journal (`JOURNAL_STREAM`), else `json`.
        case auto
    }

    /// The application environment.
    public enum AppEnv: String, Sendable, CaseIterable {
        case development, test, staging, production
    }

    /// Interface to listen on (`HOST`).
    public var host = "0.0.0.0"
    /// TCP port (`PORT`).
    public var port = 3000
    /// Worker processes (`WORKERS`, `--workers`).
    public var workers = 1
    /// The service's PostgreSQL connection (`DATABASE_URL`), as `app_rw`.
    public var databaseURL = "postgres://app_rw@127.0.0.1:5432/saas_api"
    /// The migrator's PostgreSQL connection (`MIGRATION_DATABASE_URL`), an owner role.
    public var migrationDatabaseURL = "postgres://app_rw@127.0.0.1:5432/saas_api"
    /// Redis (`REDIS_URL`).
    public var redis = RedisEndpoint(host: "127.0.0.1", port: 6379, password: nil, database: 0)
    /// `REDIS_URL` as given (for logs, masked).
    public var redisURL = "redis://127.0.0.1:6379/0"
    /// Minimum level logged (`LOG_LEVEL`).
    public var logLevel = Logger.Level.info
    /// Log output (`LOG_FORMAT`).
    public var logFormat = LogFormat.auto
    /// `APP_ENV`.
    public var appEnv = AppEnv.development
    /// Graceful-drain budget in seconds (`SHUTDOWN_TIMEOUT`).
    public var shutdownTimeoutSeconds = 30
    /// Seconds a stopping service keeps serving with readiness at 503 before it drains, so a
    /// load balancer takes it out of rotation first (`DRAIN_DELAY`).
    public var drainDelaySeconds = 0
    /// Seconds without a heartbeat before a worker counts as hung (`WORKER_TIMEOUT`).
    public var workerTimeoutSeconds = 30
    /// Seconds for the first generation of workers to become ready (`STARTUP_TIMEOUT`).
    public var startupTimeoutSeconds = 30
    /// Recycle a worker after this many requests (`MAX_REQUESTS`, `--max-requests`); 0 = never.
    public var maxRequests = 0
    /// Up to this many extra requests per worker, at random (`MAX_REQUESTS_JITTER`).
    public var maxRequestsJitter = 0
    /// The supervisor's local control socket for `status` (`CONTROL_SOCKET`); `nil`: a
    /// per-port default under `/run/saas-api`, `$XDG_RUNTIME_DIR` or `/tmp`.
    public var controlSocket: String?
    /// PostgreSQL connections per worker (`PG_POOL_SIZE`).
    public var postgresPoolSize = 4
    /// Redis connections per worker (`REDIS_POOL_SIZE`).
    public var redisPoolSize = 2
    /// Deadline of the `/health` checks in milliseconds (`HEALTH_TIMEOUT_MS`).
    public var healthTimeoutMilliseconds = 1000
    /// Deadline to connect to PostgreSQL or Redis in milliseconds (`DB_CONNECT_TIMEOUT_MS`).
    public var connectTimeoutMilliseconds = 2000
    /// Deadline of one query or command in milliseconds (`DB_QUERY_TIMEOUT_MS`).
    public var queryTimeoutMilliseconds = 5000
    /// Largest accepted request body in bytes (`MAX_BODY_SIZE`).
    public var maxBodySize = 1_048_576
    /// Largest request target (path + query) in bytes (`MAX_URL_LENGTH`); beyond it 414.
    public var maxURLLength = 8192
    /// Largest total of header names and values in bytes (`MAX_HEADER_BYTES`); beyond it 431.
    public var maxHeaderBytes = 16384
    /// Most header fields in one request (`MAX_HEADER_COUNT`); beyond it 431.
    public var maxHeaderCount = 100
    /// Milliseconds for a request head to arrive once it started (`HEADER_TIMEOUT_MS`); then 408.
    public var headerTimeoutMilliseconds = 10000
    /// Milliseconds for a request body to arrive after its head (`BODY_TIMEOUT_MS`); then 408.
    public var bodyTimeoutMilliseconds = 30000
    /// Milliseconds an idle keep-alive connection stays open (`KEEPALIVE_TIMEOUT_MS`).
    public var keepAliveTimeoutMilliseconds = 5000
    /// Milliseconds a handler may take before the client gets 504 (`HANDLER_TIMEOUT_MS`).
    public var handlerTimeoutMilliseconds = 10000
    /// Open connections per worker (`MAX_CONNECTIONS`); beyond it new ones wait in the backlog.
    public var maxConnections = 4096
    /// Where the supervisor serves `/metrics` (`METRICS_ADDRESS`); `nil` (set empty): off.
    public var metricsAddress: MetricsAddress? = .standard

    /// A configuration with every default; `workers` is the CPU count.
    public init(cpuCount: Int) {
        self.workers = max(1, cpuCount)
    }
}

/// Where Redis is, parsed from `redis://[:password@]host[:port][/db]`.
public struct RedisEndpoint: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// `AUTH` password, if any.
    public var password: String?
    /// `SELECT` database index.
    public var database: Int

    /// Creates an endpoint.
    public init(host: String, port: Int, password: String?, database: Int) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
    }
}
