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
public func withCStringArray<R>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R
) rethrows -> R {
    try withMutableCStringArray(strings) { pointers in
        // `char *` and `const char *` share their layout; only the C signature differs.
        try body(UnsafeRawPointer(pointers).assumingMemoryBound(to: UnsafePointer<CChar>?.self))
    }
}
