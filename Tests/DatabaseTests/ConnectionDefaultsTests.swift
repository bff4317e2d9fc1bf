import Database
import Foundation
import TestSupport
import Testing

/// The libpq options the service sets when the URL says nothing, read back from libpq itself
/// (`PQconninfo`) on real connections.
@Suite("Connection defaults")
struct ConnectionDefaultsTests {
    /// A superuser connection with `option` (`name=value`, or nothing) added to the URL's.
    private func connect(_ option: String) throws -> PostgresConnection {
        var url = try TestCluster.adminURL()
        if !option.isEmpty { url.options += (url.options.isEmpty ? "?" : "&") + option }
        return try PostgresConnection.connect(url: url.description, timeout: .seconds(10))
    }

    @Test func gssEncryptionIsOffUnlessTheURLAsksForIt() throws {
        // Run with PGGSSENCMODE unset (scripts/test does): the environment would win otherwise.
        try #require(ProcessInfo.processInfo.environment["PGGSSENCMODE"] == nil)
        let plain = try self.connect("")
        #expect(plain.option("gssencmode") == "disable")
        #expect(try plain.query("SELECT 1 AS one", timeout: .seconds(10)).first?.int("one") == 1)

        let asked = try self.connect("gssencmode=prefer")
        #expect(asked.option("gssencmode") == "prefer")  // the URL overrides the default
        #expect(try asked.query("SELECT 1 AS one", timeout: .seconds(10)).first?.int("one") == 1)
    }

    @Test func otherOptionsAreTheURLs() throws {
        #expect(try self.connect("sslmode=disable").option("sslmode") == "disable")
        #expect(try self.connect("sslmode=prefer").option("sslmode") == "prefer")
        #expect(try self.connect("").option("no_such_option") == nil)
    }
}
