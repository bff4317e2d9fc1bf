/// The statements one connection has prepared on its server (named statements), by SQL text,
/// least recently used first out.
///
/// A statement sent unnamed is parsed, analysed and planned on every execution; a prepared one
/// only binds and runs (and PostgreSQL keeps its plan while it fits). The connection prepares a
/// text on its first execution and runs the prepared statement from then on (see
/// `PostgresConnection.enableStatementCache`).
///
/// Names are never reused: a statement prepared again (after the server dropped it) gets a new
/// name, so a name the server might still hold cannot clash. At most `capacity` entries; the
/// least recently used one is evicted, and its name waits in `evicted` until the connection is
/// idle, when `DEALLOCATE` frees it on the server (`PostgresConnection.resetForReuse`).
struct StatementCache {
    private struct Entry {
        let name: String
        var lastUse: UInt64
    }

    /// The most statements kept prepared.
    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var uses: UInt64 = 0
    private var serial = 0
    /// Names evicted from the cache and still prepared on the server.
    private(set) var evicted: [String] = []
    /// Set when the server's statements are no longer known (it dropped some, or an error left
    /// them uncertain): `DEALLOCATE ALL` at the next idle moment frees whatever remains.
    private(set) var needsDeallocateAll = false

    init(capacity: Int) {
        precondition(capacity > 0, "a statement cache needs room for one statement")
        self.capacity = capacity
    }

    /// The statements cached.
    var count: Int { self.entries.count }

    /// The name `sql` is prepared under, marking it used; `nil` if it is not prepared.
    mutating func name(for sql: String) -> String? {
        self.uses &+= 1
        // One hash of the text (it is as long as the statement), not one to read and one to mark.
        guard let index = self.entries.index(forKey: sql) else { return nil }
        self.entries.values[index].lastUse = self.uses
        return self.entries.values[index].name
    }

    /// A name no statement of this connection has had.
    mutating func makeName() -> String {
        self.serial += 1
        return "saas_\(self.serial)"
    }

    /// Records that the server prepared `sql` as `name`, evicting the least recently used
    /// statement when the cache is full.
    mutating func insert(_ sql: String, name: String) {
        if self.entries[sql] == nil && self.entries.count >= self.capacity,
            let oldest = self.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
        {
            self.entries[oldest.key] = nil
            self.evicted.append(oldest.value.name)
        }
        self.uses &+= 1
        if let previous = self.entries.updateValue(Entry(name: name, lastUse: self.uses), forKey: sql) {
            self.evicted.append(previous.name)
        }
    }

    /// Forgets every statement: the server dropped them (`DISCARD ALL`, `DEALLOCATE ALL`) or may
    /// have. Whatever is left on the server goes with `DEALLOCATE ALL` at the next idle moment.
    mutating func removeAll() {
        self.entries.removeAll()
        self.evicted.removeAll()
        self.needsDeallocateAll = true
    }

    /// The statement that frees what the server holds and this cache no longer knows (`nil`:
    /// nothing); `deallocated()` once it ran.
    var cleanup: String? {
        if self.needsDeallocateAll { return "DEALLOCATE ALL" }
        if self.evicted.isEmpty { return nil }
        return self.evicted.map { "DEALLOCATE \($0)" }.joined(separator: "; ")
    }

    /// `cleanup` ran.
    mutating func deallocated() {
        if self.needsDeallocateAll {
            self.entries.removeAll()  // `DEALLOCATE ALL` took the ones prepared since, too
        }
        self.evicted.removeAll()
        self.needsDeallocateAll = false
    }
}
