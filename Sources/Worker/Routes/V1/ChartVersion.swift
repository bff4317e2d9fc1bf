import NIOHTTP1
import Shared

/// Optimistic concurrency for charts: the `ETag` a chart is served with, and the `If-Match`
/// condition a `PATCH` or `DELETE` must meet.
///
/// The version is `updated_at` in microseconds since the epoch (`"<base 36>"`). The table's
/// `BEFORE UPDATE` trigger sets `updated_at = now()` whenever a row really changes, and `now()`
/// is the start of the changing transaction, so two versions of one chart share a value only if
/// two transactions changing it started in the same microsecond (or the clock went back):
/// the validator is strong for every practical purpose, costs no extra column, and the
/// condition is checked by the `UPDATE` / `DELETE` itself (`WHERE … AND <version matches>`),
/// which re-reads the row after any concurrent writer commits, so two writers holding the same
/// ETag cannot both succeed. An update that changes nothing keeps the version: the
/// representation did not change either.
struct ChartVersion: Equatable {
    /// The versions the client will accept; `nil` when any will do (no `If-Match`, or `*`: the
    /// chart must merely exist, which the statement checks anyway).
    let accepted: [Int64]?

    /// The `If-Match` condition of `headers` (every `If-Match` field, comma-separated lists,
    /// blanks trimmed by NIO's canonical form).
    ///
    /// Entries are compared strongly (RFC 9110 §13.1.1): a weak tag `W/"…"` never matches, and
    /// neither does one this server never issued, so an unknown tag answers `412`.
    init(ifMatch headers: HTTPHeaders) {
        let values = headers[canonicalForm: "if-match"]
        guard !values.isEmpty else {
            self.accepted = nil
            return
        }
        var accepted: [Int64] = []
        for tag in values {
            if tag == "*" {
                self.accepted = nil
                return
            }
            if let version = Self.version(fromTag: tag) { accepted.append(version) }
        }
        self.accepted = accepted
    }

    /// `"<microseconds in base 36>"`.
    static func etag(updatedAt: DateTime) -> String {
        "\"" + String(updatedAt.microsecondsSinceEpoch, radix: 36) + "\""
    }

    /// The SQL condition on `updated_at` for the parameter `$index`, or `nil` when unconditional.
    func condition(parameter index: Int) -> String? {
        guard self.accepted != nil else { return nil }
        return "(extract(epoch FROM updated_at) * 1000000)::bigint = ANY($\(index)::bigint[])"
    }

    /// The parameter for `condition`: a PostgreSQL array literal, `{}` when no tag can match.
    var parameter: String {
        "{" + (self.accepted ?? []).map(String.init).joined(separator: ",") + "}"
    }

    private static func version(fromTag tag: Substring) -> Int64? {
        guard tag.utf8.count >= 3, tag.utf8.first == UInt8(ascii: "\""), tag.utf8.last == UInt8(ascii: "\"") else {
            return nil
        }
        let text = tag.dropFirst().dropLast()
        // Strong comparison is octet by octet: only the exact text this server issues matches.
        guard let version = Int64(text, radix: 36), String(version, radix: 36) == text else { return nil }
        return version
    }
}
