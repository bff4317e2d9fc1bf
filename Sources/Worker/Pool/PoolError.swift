/// Why a pooled operation did not run.
enum PoolError: Error, Equatable, CustomStringConvertible {
    /// Too many operations are already waiting; failing fast instead of queueing without bound.
    case overloaded(pool: String)
    /// The pool was shut down.
    case shutDown(pool: String)
    /// The operation waited in the pool's queue past its deadline and never ran.
    case timedOut(pool: String)

    /// One line for logs.
    var description: String {
        switch self {
        case .overloaded(let pool): "\(pool) pool overloaded"
        case .shutDown(let pool): "\(pool) pool shut down"
        case .timedOut(let pool): "\(pool) pool: no connection free before the queue deadline"
        }
    }
}
