import CSupport

#if canImport(Glibc)
import Glibc
#endif

/// One worker's metrics in shared memory (`MetricsLayout`): created by the supervisor as a
/// `memfd` before the spawn, mapped `MAP_SHARED` by both sides. The worker writes with relaxed
/// atomic adds (no lock, no system call); the supervisor reads whenever it scrapes, and reads
/// a dead worker's last counts before folding them into its totals.
///
/// Any thread may write: series entries are claimed with a compare-and-swap.
public final class MetricsRegion: @unchecked Sendable {
    /// The region could not be created or mapped.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, for the log.
        public let description: String
    }

    /// The memfd, until `closeDescriptor()` (`-1` for an anonymous region).
    public private(set) var fd: Int32
    @usableFromInline let words: UnsafeMutablePointer<UInt64>
    /// `routes()` once decoded. The reader's own state: only the supervisor's loop reads.
    private var cachedRoutes: [String]?

    private init(fd: Int32, words: UnsafeMutablePointer<UInt64>) {
        self.fd = fd
        self.words = words
    }

    deinit {
        munmap(self.words, MetricsLayout.byteCount)
        self.closeDescriptor()
    }

    /// A new, zeroed region backed by a `memfd` (close-on-exec) that a worker can inherit,
    /// its fd numbered at least `minimumFD` (clear of the numbers a spawn assigns).
    public static func create(movingAbove minimumFD: Int32 = 0) throws(Failure) -> MetricsRegion {
        var fd = saas_memfd_create("saas-api-metrics")
        guard fd >= 0 else { throw Failure(description: "memfd_create: \(errorText())") }
        if minimumFD > 0 {
            let high = fcntl(fd, F_DUPFD_CLOEXEC, minimumFD)
            close(fd)
            guard high >= 0 else { throw Failure(description: "moving the metrics region's fd: \(errorText())") }
            fd = high
        }
        guard ftruncate(fd, off_t(MetricsLayout.byteCount)) == 0 else {
            let text = errorText()
            close(fd)
            throw Failure(description: "ftruncate of the metrics region: \(text)")
        }
        do {
            let region = try self.map(fd: fd)
            saas_counter_store_release(region.words, MetricsLayout.magic)
            return region
        } catch {
            close(fd)
            throw error
        }
    }

    /// Maps the region the supervisor passed at `fd` (the worker's side); `nil` when it is not
    /// a region of this layout.
    public static func adopt(fd: Int32) -> MetricsRegion? {
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) == MetricsLayout.byteCount,
            let region = try? self.map(fd: fd),
            saas_counter_load_acquire(region.words) == MetricsLayout.magic
        else { return nil }
        region.closeDescriptor()  // the mapping stays; the fd is not needed any more
        return region
    }

    /// A private region (not shared with any process): for tests and a worker run without one.
    public static func anonymous() -> MetricsRegion {
        let flags = MAP_SHARED | MAP_ANONYMOUS
        let raw = mmap(nil, MetricsLayout.byteCount, PROT_READ | PROT_WRITE, flags, -1, 0)
        guard let raw, raw != MAP_FAILED else { fatalError("mmap of \(MetricsLayout.byteCount) bytes failed") }
        let region = MetricsRegion(
            fd: -1,
            words: raw.bindMemory(to: UInt64.self, capacity: MetricsLayout.byteCount / 8)
        )
        saas_counter_store_release(region.words, MetricsLayout.magic)
        return region
    }

    private static func map(fd: Int32) throws(Failure) -> MetricsRegion {
        let raw = mmap(nil, MetricsLayout.byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let raw, raw != MAP_FAILED else {
            throw Failure(description: "mmap of the metrics region: \(errorText())")
        }
        return MetricsRegion(fd: fd, words: raw.bindMemory(to: UInt64.self, capacity: MetricsLayout.byteCount / 8))
    }

    /// Closes the memfd (the mapping stays valid): once the worker has its copy.
    public func closeDescriptor() {
        guard self.fd >= 0 else { return }
        close(self.fd)
        self.fd = -1
    }

    // MARK: - Writing (the worker)

    /// A request started.
    @inlinable
    public func requestStarted() {
        saas_counter_add(self.words + MetricsLayout.Word.active.rawValue, 1)
    }

    /// A request ended without a response (the client went away): not a finished request.
    @inlinable
    public func requestAbandoned() {
        saas_counter_subtract(self.words + MetricsLayout.Word.active.rawValue, 1)
    }

    /// A request was answered: one bucket add and one sum add on its series.
    @inlinable
    public func requestFinished(key: UInt64, nanoseconds: UInt64) {
        saas_counter_subtract(self.words + MetricsLayout.Word.active.rawValue, 1)
        guard let entry = self.entry(for: key) else {
            saas_counter_add(self.words + MetricsLayout.Word.dropped.rawValue, 1)
            return
        }
        saas_counter_add(entry + MetricsLayout.bucketsOffset + DurationBuckets.index(nanoseconds: nanoseconds), 1)
        saas_counter_add(entry + MetricsLayout.sumOffset, nanoseconds)
    }

    /// The series entry of `key`, claimed if new; `nil` when the table is full.
    @usableFromInline
    func entry(for key: UInt64) -> UnsafeMutablePointer<UInt64>? {
        let mask = MetricsLayout.seriesCapacity - 1
        var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 56) & mask
        for _ in 0..<MetricsLayout.seriesCapacity {
            let entry = self.words + MetricsLayout.seriesOffset + index * MetricsLayout.seriesWords
            let current = saas_counter_load_acquire(entry)
            if current == key { return entry }
            if current == 0 && saas_counter_claim(entry, 0, key) != 0 { return entry }
            if saas_counter_load_acquire(entry) == key { return entry }  // another thread claimed it
            index = (index + 1) & mask
        }
        return nil
    }

    /// Sets a gauge word of the header.
    public func set(_ word: MetricsLayout.Word, _ value: UInt64) {
        saas_counter_store(self.words + word.rawValue, value)
    }

    /// Adds to a counter or gauge word of the header.
    public func add(_ word: MetricsLayout.Word, _ value: UInt64) {
        saas_counter_add(self.words + word.rawValue, value)
    }

    /// Subtracts from a gauge word of the header.
    public func subtract(_ word: MetricsLayout.Word, _ value: UInt64) {
        saas_counter_subtract(self.words + word.rawValue, value)
    }

    /// Publishes the route templates (ids are indices): once, before the first request.
    /// Templates beyond `maxRoutes` or longer than `maxRouteBytes` are published empty.
    public func publishRoutes(_ templates: [String]) {
        let count = min(templates.count, MetricsLayout.maxRoutes)
        for index in 0..<count {
            var bytes = Array(templates[index].utf8)
            if bytes.count > MetricsLayout.maxRouteBytes { bytes = [] }
            let entry = UnsafeMutableRawPointer(
                self.words + MetricsLayout.routesOffset + index * MetricsLayout.routeWords
            )
            entry.storeBytes(of: UInt8(bytes.count), as: UInt8.self)
            bytes.withUnsafeBytes { (entry + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        saas_counter_store_release(self.words + MetricsLayout.Word.routeCount.rawValue, UInt64(count))
    }

    // MARK: - Reading (the supervisor)

    /// Reads a header word.
    public func value(_ word: MetricsLayout.Word) -> UInt64 {
        saas_counter_load(self.words + word.rawValue)
    }

    /// Requests in flight now.
    public var active: Int { Int(truncatingIfNeeded: Int64(bitPattern: self.value(.active))) }

    /// Requests recorded in the histogram so far (every bucket of every series, plus dropped).
    public func requestCount() -> UInt64 {
        var total = self.value(.dropped)
        for index in 0..<MetricsLayout.seriesCapacity {
            let entry = self.words + MetricsLayout.seriesOffset + index * MetricsLayout.seriesWords
            guard saas_counter_load_acquire(entry) != 0 else { continue }
            for bucket in 0..<DurationBuckets.count {
                total &+= saas_counter_load(entry + MetricsLayout.bucketsOffset + bucket)
            }
        }
        return total
    }

    /// The route templates published so far (decoded once: a worker publishes them once,
    /// before its first request).
    public func routes() -> [String] {
        let count = min(
            Int(saas_counter_load_acquire(self.words + MetricsLayout.Word.routeCount.rawValue)),
            MetricsLayout.maxRoutes
        )
        if let cached = self.cachedRoutes, cached.count == count { return cached }
        let routes = (0..<count).map { index in
            let entry = UnsafeRawPointer(self.words + MetricsLayout.routesOffset + index * MetricsLayout.routeWords)
            let length = Int(entry.load(as: UInt8.self))
            return String(decoding: UnsafeRawBufferPointer(start: entry + 1, count: length), as: UTF8.self)
        }
        self.cachedRoutes = routes
        return routes
    }

    /// Adds every series of this region to `sums`, by raw key.
    public func accumulate(into sums: inout SeriesSums) {
        let width = DurationBuckets.count + 1
        for index in 0..<MetricsLayout.seriesCapacity {
            let entry = self.words + MetricsLayout.seriesOffset + index * MetricsLayout.seriesWords
            let key = saas_counter_load_acquire(entry)
            guard key != 0 else { continue }
            let offset: Int
            if let known = sums.offsets[key] {
                offset = known
            } else {
                offset = sums.words.count
                sums.offsets[key] = offset
                sums.words.append(contentsOf: repeatElement(0, count: width))
            }
            sums.words.withUnsafeMutableBufferPointer { words in
                for word in 0..<width {  // buckets, then the sum right after them
                    words[offset + word] &+= saas_counter_load(entry + MetricsLayout.bucketsOffset + word)
                }
            }
        }
    }

    /// Every series recorded so far, with route ids resolved to their templates.
    public func requestSeries() -> [RequestSeriesKey: HistogramCounts] {
        let routes = self.routes()
        var result: [RequestSeriesKey: HistogramCounts] = [:]
        for index in 0..<MetricsLayout.seriesCapacity {
            let entry = self.words + MetricsLayout.seriesOffset + index * MetricsLayout.seriesWords
            let key = saas_counter_load_acquire(entry)
            guard key != 0 else { continue }
            let parts = MetricsLayout.decode(key: key)
            let route = parts.route.flatMap { $0 < routes.count && !routes[$0].isEmpty ? routes[$0] : nil }
            var counts = HistogramCounts()
            for bucket in 0..<DurationBuckets.count {
                counts.buckets[bucket] = saas_counter_load(entry + MetricsLayout.bucketsOffset + bucket)
            }
            counts.sumNanoseconds = saas_counter_load(entry + MetricsLayout.sumOffset)
            let method =
                parts.method >= 0 && parts.method < HTTPMethodLabel.names.count ? parts.method : HTTPMethodLabel.other
            result[RequestSeriesKey(method: method, status: parts.status, route: route), default: HistogramCounts()]
                .add(counts)
        }
        return result
    }
}

/// `strerror(errno)`.
private func errorText() -> String {
    String(cString: strerror(errno))
}
