#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `body` with a NULL-terminated `char *const[]` of copies of `strings` (`nil` entries
/// become NULL pointers), valid for the call: `argv` and `envp` for `posix_spawn` and `execv`.
public func withMutableCStringArray<R>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> R
) rethrows -> R {
    let copies = strings.map { $0.flatMap { strdup($0) } } + [nil]
    defer { for pointer in copies { free(pointer) } }
    return try copies.withUnsafeBufferPointer { try body($0.baseAddress!) }
}

/// Calls `body` with a NULL-terminated `const char *const[]` of copies of `strings` (`nil`
/// entries become NULL pointers, e.g. SQL NULL parameters), valid for the call: libpq's
/// keyword arrays and parameters, hiredis' argv.
///
/// On the per-request path (every statement's parameters, every Redis command): the copies
/// and the pointer array live in temporary storage (the stack while small), one pass, no
/// allocation per string. Inlinable, so callers get it specialised: a generic call fetched the
/// metadata of its `Result` and closures at run time, twice per call.
@inlinable
public func withCStringArray<R>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R
) rethrows -> R {
    var byteCount = 0
    for string in strings { byteCount += string.map { $0.utf8.count + 1 } ?? 0 }
    return try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: strings.count + 1) { pointers in
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(byteCount, 1)) { storage in
            var next = storage.baseAddress!
            for (index, string) in strings.enumerated() {
                guard var string else {
                    pointers[index] = nil
                    continue
                }
                let start = next
                string.withUTF8 { utf8 in
                    if let source = utf8.baseAddress {
                        UnsafeMutableRawPointer(start).copyMemory(from: source, byteCount: utf8.count)
                    }
                    next += utf8.count
                }
                next.pointee = 0
                next += 1
                pointers[index] = UnsafePointer(start)
            }
            pointers[strings.count] = nil
            return try body(UnsafePointer(pointers.baseAddress!))
        }
    }
}
