import TestSupport
import Testing

@testable import Database

/// The migrator's pure parts: checksums, file names, settings, status. No database.
@Suite("Migration files")
struct MigrationFilesTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func sha256MatchesTheFIPSVectors(input: String, digest: String) {
        #expect(SHA256.hex(input.utf8) == digest)
    }

    @Test func sha256OfAMillionAs() {
        #expect(
            SHA256.hex(repeatElement(UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test func layoutOrdersByVersionAndIgnoresOtherFiles() throws {
        let layout = try MigrationDirectory.layout(of: [
            "0002_b.down.sql", "README.md", "0001_a.up.sql", "0002_b.up.sql", "0001_a.down.sql",
        ])
        #expect(layout.map(\.version) == [1, 2])
        #expect(layout.map(\.name) == ["a", "b"])
    }

    @Test func layoutRejectsDuplicatesGapsMissingPairsAndBadNames() {
        #expect(throws: MigrationError.duplicateVersion(version: 1, files: ["0001_a.up.sql", "0001_b.up.sql"])) {
            try MigrationDirectory.layout(of: ["0001_a.up.sql", "0001_b.up.sql"])
        }
        #expect(throws: MigrationError.gap(missingVersion: 2)) {
            try MigrationDirectory.layout(of: ["0001_a.up.sql", "0001_a.down.sql", "0003_c.up.sql", "0003_c.down.sql"])
        }
        #expect(throws: MigrationError.missingPair(file: "0001_a.up.sql", missing: "0001_a.down.sql")) {
            try MigrationDirectory.layout(of: ["0001_a.up.sql"])
        }
        #expect(throws: MigrationError.invalidFileName("1_a.up.sql")) {
            try MigrationDirectory.layout(of: ["1_a.up.sql"])
        }
        #expect(throws: MigrationError.invalidFileName("0001_Bad-Name.up.sql")) {
            try MigrationDirectory.layout(of: ["0001_Bad-Name.up.sql"])
        }
        #expect(throws: MigrationError.invalidFileName("0000_zero.up.sql")) {
            try MigrationDirectory.layout(of: ["0000_zero.up.sql"])
        }
    }

    @Test func transactionControlIsFoundButBlocksAreNot() {
        #expect(Migration.transactionControlLine(in: "CREATE TABLE t ();\nBEGIN;\n") == 2)
        #expect(Migration.transactionControlLine(in: "commit;") == 1)
        #expect(Migration.transactionControlLine(in: "  START TRANSACTION ISOLATION LEVEL SERIALIZABLE;") == 1)
        let block =
            "DO $$\nBEGIN\n    PERFORM 1;\nEXCEPTION WHEN others THEN NULL;\nEND\n$$;\n-- COMMIT; in a comment\n"
        #expect(Migration.transactionControlLine(in: block) == nil)
    }

    @Test func repositoryMigrationsLoadAndHaveNoTransactionControl() throws {
        let migrations = try MigrationDirectory(path: TestCluster.sqlDirectory).load()
        #expect(migrations.map(\.id).first == "0001_roles")
        #expect(migrations.allSatisfy { $0.checksum.count == 64 })
    }

    @Test func databaseURLPrefersFlagThenEnvironmentThenDotEnvThenDefault() throws {
        let dotEnv = "DATABASE_URL=postgres://app_rw:secret@db/saas_api\nMIGRATION_DATABASE_URL=postgres://owner@db/x\n"
        #expect(
            try MigrationSettings.resolve(flag: "postgres://flag", environment: [:], dotEnv: dotEnv)
                == "postgres://flag"
        )
        #expect(
            try MigrationSettings.resolve(
                flag: nil,
                environment: ["MIGRATION_DATABASE_URL": "postgres://env"],
                dotEnv: dotEnv
            )
                == "postgres://env"
        )
        #expect(try MigrationSettings.resolve(flag: nil, environment: [:], dotEnv: dotEnv) == "postgres://owner@db/x")
        #expect(
            try MigrationSettings.resolve(flag: nil, environment: ["DATABASE_URL": "postgres://rw"], dotEnv: nil)
                == "postgres://rw"
        )
        #expect(
            try MigrationSettings.resolve(flag: nil, environment: [:], dotEnv: nil)
                == "postgres://app_rw@127.0.0.1:5432/saas_api"
        )
    }

    @Test func statusMarksChangedAndMissingMigrations() {
        let files = [
            Migration(version: 1, name: "a", upSQL: "SELECT 1;", downSQL: ""),
            Migration(version: 2, name: "b", upSQL: "SELECT 2;", downSQL: ""),
            Migration(version: 3, name: "c", upSQL: "SELECT 3;", downSQL: ""),
        ]
        let applied = [
            AppliedMigration(version: 1, name: "a", checksum: files[0].checksum, appliedAt: "t1", durationMs: 1),
            AppliedMigration(version: 2, name: "b", checksum: "0", appliedAt: "t2", durationMs: 2),
            AppliedMigration(version: 4, name: "d", checksum: "0", appliedAt: "t4", durationMs: 4),
        ]
        let states = MigrationStatus.compare(files, applied: applied).map { "\($0.id) \($0.state.rawValue)" }
        #expect(states == ["0001_a applied", "0002_b changed", "0003_c pending", "0004_d missing"])
    }
}
