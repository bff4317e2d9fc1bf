import CLibPQ
import Shared
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, owning its `PGconn` pointer.
///
/// Every call blocks the calling thread, bounded by a deadline: run it on a thread pool, never
/// on an event loop. Not safe for concurrent use; a pool hands it to one user at a time (hence
/// `@unchecked Sendable`). After an error with `breaksConnection`, discard the connection.
public final class PostgresConnection: @unchecked Sendable {
    let conn: OpaquePointer
    /// Set by an error after which the connection must not be reused.
    var broken = false
    /// A number no other connection of this process has had (for logs and tests: behind
    /// PgBouncer the server's backend pid says nothing about the client connection).
    public let serial: Int

    private static let serials = Atomic<Int>(0)

    private init(conn: OpaquePointer) {
        self.conn = conn
        self.serial = Self.serials.wrappingAdd(1, ordering: .relaxed).newValue
    }

    deinit {
        PQfinish(self.conn)
    }

    /// Connects to `url` (a `postgres://` URL or a libpq conninfo string) within `timeout`.
    ///
    /// The handshake runs non-blocking (`PQconnectStartParams` + `poll`), so a server that
    /// accepts but never answers costs exactly the timeout.
    public static func connect(url: String, timeout: Duration) throws(PostgresError) -> PostgresConnection {
        let deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
        // `expand_dbname` lets the URL carry everything; the fallback application_name names us
        // in pg_stat_activity. Keys are applied in order, so the ones before `dbname` are
        // defaults the URL overrides.
        var keys = ["dbname", "fallback_application_name"]
        var values = [url, "saas-api"]
        if Self.gssEncryptionIsUnset {
            keys.insert("gssencmode", at: 0)
            values.insert("disable", at: 0)
        }
        let conn: OpaquePointer? = withCStringArray(keys) { keyPointers in
            withCStringArray(values) { valuePointers in
                PQconnectStartParams(keyPointers, valuePointers, 1)
            }
        }
        guard let conn else {
            throw PostgresError(kind: .connectionFailed, message: "out of memory")
        }
        let connection = PostgresConnection(conn: conn)  // frees conn on every failure path
        guard PQstatus(conn) != CONNECTION_BAD else {
            throw PostgresError(kind: .connectionFailed, message: connection.lastErrorMessage)
        }
        // Without this, libpq prints NOTICEs to stderr, which would break our log format.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        var status = PGRES_POLLING_WRITING
        while true {
            switch status {
            case PGRES_POLLING_OK:
                PQsetnonblocking(conn, 1)
                return connection
            case PGRES_POLLING_FAILED:
                throw PostgresError(kind: .connectionFailed, message: connection.lastErrorMessage)
            case PGRES_POLLING_READING:
                try connection.wait(for: Int16(POLLIN), deadline: deadline, during: .connectionFailed)
            default:
                try connection.wait(for: Int16(POLLOUT), deadline: deadline, during: .connectionFailed)
            }
            status = PQconnectPoll(conn)
        }
    }

    /// No GSSAPI encryption unless asked for (`gssencmode` in the URL or `PGGSSENCMODE`).
    ///
    /// libpq's default, `prefer`, probes for Kerberos credentials before every connection,
    /// which loads and initialises the Kerberos libraries in each worker (~0.6 MiB resident per
    /// process, measured) for a feature this service's deployments do not use; PgBouncer does
    /// not offer it either. `prefer` never made encryption certain anyway: TLS (`sslmode`) is
    /// untouched.
    static let gssEncryptionIsUnset = getenv("PGGSSENCMODE") == nil

    /// Whether the connection is usable: connected and not broken by an earlier error.
    public var isUsable: Bool {
        !self.broken && PQstatus(self.conn) == CONNECTION_OK
    }

    /// The backend process id announced when the connection opened (`PQbackendPID`). Behind a
    /// pooler such as PgBouncer it is the pooler's made-up id, not a PostgreSQL backend's.
    public var announcedBackendPID: Int32 {
        PQbackendPID(self.conn)
    }

    /// The value libpq uses for connection option `keyword` (`PQconninfo`): what the URL,
    /// the environment or our defaults chose, e.g. `gssencmode`. `nil` for an unknown keyword.
    public func option(_ keyword: String) -> String? {
        guard let options = PQconninfo(self.conn) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let name = option.pointee.keyword {
            if String(cString: name) == keyword { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }

    /// Round trips so far: each a flush of what was sent and a wait for all of its answers
    /// (one statement, one script, or one pipeline of statements). For tests and the
    /// round-trip count of a tenant transaction.
    public internal(set) var roundTrips = 0

    /// `BEGIN` and the settings of a `withTenant` / `withoutTenant` whose body has not run a
    /// statement yet: the next statement on this connection takes them along in its round
    /// trip (`pipeline`), so the transaction is open before that statement runs, whichever
    /// way it is sent. `nil` outside such a body and once they were sent.
    var pendingBegin: [PipelinedStatement]?

    /// The statements prepared on this connection (`enableStatementCache`); `nil`: every
    /// statement goes unnamed (the default, and always through a pooler).
    var statementCache: StatementCache?

    /// Where the connection stands in a transaction.
    public var transactionStatus: TransactionStatus {
        switch PQtransactionStatus(self.conn) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_ACTIVE: .active
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .failed
        default: .unknown
        }
    }

    /// Makes the connection fit for its next user, or says it is not: idle is fine; an open
    /// or failed transaction is rolled back; a statement still running (its deadline passed)
    /// or a broken connection cannot be reused and must be closed.
    public func resetForReuse(timeout: Duration) -> Bool {
        self.pendingBegin = nil  // a transaction that never began has nothing to undo
        guard self.isUsable else { return false }
        switch self.transactionStatus {
        case .idle:
            return self.deallocateEvicted(timeout: timeout)
        case .inTransaction, .failed:
            do {
                try self.execute("ROLLBACK", timeout: timeout)
            } catch {
                self.broken = true
                return false
            }
            return self.transactionStatus == .idle && self.deallocateEvicted(timeout: timeout)
        case .active, .unknown:
            self.broken = true
            return false
        }
    }

    /// The server's version number, e.g. `160004` for 16.4.
    public var serverVersion: Int {
        Int(PQserverVersion(self.conn))
    }

    /// Runs one statement with `$1…` parameters (extended protocol; text format) and returns
    /// its rows.
    @discardableResult
    public func query(
        _ sql: String,
        _ parameters: [String?] = [],
        timeout: Duration
    ) throws(PostgresError)
        -> PostgresRows
    {
        if let begin = self.pendingBegin {
            self.pendingBegin = nil
            return try self.pipeline(begin + [PipelinedStatement(sql: sql, parameters: parameters)], timeout: timeout)
        }
        if self.statementCache != nil {  // prepared, and prepared in the same round trip the first time
            return try self.pipeline([PipelinedStatement(sql: sql, parameters: parameters)], timeout: timeout)
        }
        let deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
        let sent: Int32 = withCStringArray(parameters) { values in
            PQsendQueryParams(self.conn, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        try self.checkSent(sent)
        return try self.collectResults(deadline: deadline)
    }

    /// Runs a script of one or more statements (simple protocol, no parameters), as `psql`
    /// would; returns the last statement's rows. Used for migrations.
    @discardableResult
    public func execute(_ script: String, timeout: Duration) throws(PostgresError) -> PostgresRows {
        if let begin = self.pendingBegin {  // a script cannot join a pipeline: one round trip more
            self.pendingBegin = nil
            try self.pipeline(begin, timeout: timeout)
        }
        let deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
        try self.checkSent(PQsendQuery(self.conn, script))
        return try self.collectResults(deadline: deadline)
    }

    // MARK: - Private

    var lastErrorMessage: String {
        guard let message = PQerrorMessage(self.conn) else { return "unknown error" }
        return firstLine(String(cString: message))
    }

    func checkSent(_ sent: Int32) throws(PostgresError) {
        guard sent == 1 else {
            self.broken = true
            throw PostgresError(kind: .connectionBroken, message: self.lastErrorMessage)
        }
    }

    /// Sends what libpq buffered (in non-blocking mode a flush can be partial), counting one
    /// round trip: the caller then waits for the answers.
    func flush(deadline: UInt64) throws(PostgresError) {
        self.roundTrips &+= 1
        while true {
            let flushed = PQflush(self.conn)
            if flushed == 0 { return }
            if flushed < 0 { throw PostgresError(kind: .connectionBroken, message: self.lastErrorMessage) }
            try self.wait(for: Int16(POLLOUT | POLLIN), deadline: deadline, during: .timeout)
            guard PQconsumeInput(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: self.lastErrorMessage)
            }
        }
    }

    /// Reads from the socket until `PQgetResult` would not block.
    func awaitResult(deadline: UInt64) throws(PostgresError) {
        while PQisBusy(self.conn) == 1 {
            try self.wait(for: Int16(POLLIN), deadline: deadline, during: .timeout)
            guard PQconsumeInput(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: self.lastErrorMessage)
            }
        }
    }

    /// Flushes the query, then reads every result until libpq returns NULL.
    private func collectResults(deadline: UInt64) throws(PostgresError) -> PostgresRows {
        do throws(PostgresError) {
            try self.flush(deadline: deadline)
            var rows = PostgresRows(columns: [], rows: [], affectedRows: 0)
            var firstError: PostgresError?
            while true {
                try self.awaitResult(deadline: deadline)
                guard let result = PQgetResult(self.conn) else { break }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    rows = Self.copyRows(result)
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    throw PostgresError(kind: .connectionBroken, message: "COPY is not supported")
                default:
                    if firstError == nil { firstError = Self.error(from: result) }
                }
            }
            if let firstError { throw firstError }
            return rows
        } catch {
            if error.breaksConnection { self.broken = true }
            throw error
        }
    }

    /// Waits until the socket is ready for `events` or the deadline passes.
    private func wait(for events: Int16, deadline: UInt64, during kind: PostgresError.Kind) throws(PostgresError) {
        let socket = PQsocket(self.conn)
        guard socket >= 0 else {
            throw PostgresError(kind: .connectionBroken, message: "no socket")
        }
        while true {
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else {
                throw PostgresError(kind: .timeout, message: "no answer from PostgreSQL before the deadline")
            }
            let remainingMs = Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
            var pfd = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&pfd, 1, remainingMs)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw PostgresError(kind: .connectionBroken, message: "poll failed: errno \(errno)")
            }
        }
    }

    static func error(from result: OpaquePointer) -> PostgresError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        let message = primary ?? PQresultErrorMessage(result).map { firstLine(String(cString: $0)) } ?? "error"
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        return PostgresError(
            kind: .queryFailed,
            sqlState: sqlState,
            message: message,
            constraint: field("n"),
            column: field("c"),
            table: field("t")
        )
    }

    static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        var columns: [String] = []
        columns.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
            columns.append(PQfname(result, column).map { String(cString: $0) } ?? "")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(values)
        }
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }
}

private func firstLine(_ text: String) -> String {
    let trimmed = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
    return trimmed.hasPrefix("ERROR:  ") ? String(trimmed.dropFirst(8)) : trimmed
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max : whole &+ UInt64(attoseconds / 1_000_000_000)
    }
}
