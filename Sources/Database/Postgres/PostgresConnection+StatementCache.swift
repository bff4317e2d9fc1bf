import Shared

extension PostgresConnection {
    /// How many statements a connection keeps prepared by default: far more than the service's
    /// distinct statement texts, so a steady workload never evicts.
    public static let defaultStatementCacheCapacity = 128

    /// Turns on the statement cache when this connection reaches PostgreSQL directly, and says
    /// whether it did (one round trip, `isThroughPooler`).
    ///
    /// From then on every statement runs prepared (`pipeline`): its first execution on this
    /// connection prepares it under a generated name in the same round trip, later ones only
    /// bind and execute, so the server parses and plans it once per connection instead of on
    /// every request. At most `capacity` statements stay prepared (least recently used out).
    ///
    /// Through a transaction pooler (PgBouncer in `pool_mode=transaction`) a named statement
    /// lives on one server connection while the next transaction may run on another, so the
    /// cache stays off there and statements keep going unnamed.
    @discardableResult
    public func enableStatementCache(
        capacity: Int = PostgresConnection.defaultStatementCacheCapacity,
        timeout: Duration
    ) throws(PostgresError) -> Bool {
        guard try !self.isThroughPooler(timeout: timeout) else {
            self.statementCache = nil
            return false
        }
        self.statementCache = StatementCache(capacity: capacity)
        return true
    }

    /// Whether statements run prepared (`enableStatementCache` found a direct connection).
    public var cachesStatements: Bool { self.statementCache != nil }

    /// The statements the cache holds now (0 when it is off).
    public var cachedStatementCount: Int { self.statementCache?.count ?? 0 }

    /// `true` when this connection goes through a pooler such as PgBouncer. One round trip.
    ///
    /// A pooler answers the startup itself and announces a made-up backend id, while
    /// `pg_backend_pid()` names the real server process the query ran on: the two differ only
    /// when something sits in between. Unlike comparing ports, this survives port mappings (a
    /// container's `5433:5432`) and Unix sockets.
    public func isThroughPooler(timeout: Duration) throws(PostgresError) -> Bool {
        let rows = try self.query("SELECT pg_backend_pid()", timeout: timeout)
        guard let text = rows.scalar, let backend = Int32(text) else { return false }
        return backend != self.announcedBackendPID
    }

    /// Frees on the server the statements the cache evicted or lost track of, while the
    /// connection is idle; `false` (and the connection broken) if that failed.
    func deallocateEvicted(timeout: Duration) -> Bool {
        guard let cleanup = self.statementCache?.cleanup else { return true }
        do {
            try self.execute(cleanup, timeout: timeout)
        } catch  where !error.breaksConnection {
            // A name the server no longer had (it dropped them itself): free everything.
            self.statementCache?.removeAll()
            do {
                try self.execute("DEALLOCATE ALL", timeout: timeout)
            } catch {
                self.broken = true
                return false
            }
        } catch {
            self.broken = true
            return false
        }
        self.statementCache?.deallocated()
        return true
    }
}
