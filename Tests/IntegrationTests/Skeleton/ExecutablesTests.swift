import Foundation
import Testing

/// Three executables: the supervisor maps none of the others' libraries, runs the
/// `saas-api-worker` and `saas-api-migrate` beside its own executable (or the ones that
/// `SAAS_API_WORKER_BINARY` / `SAAS_API_MIGRATE_BINARY` name), and hands `migrate` over.
@Suite("Executables", .timeLimit(.minutes(2)))
struct ExecutablesTests {
    @Test("the supervisor maps no libpq, hiredis or OpenSSL; its worker is saas-api-worker and does")
    func supervisorMapsNoWorkerLibraries() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let worker = try #require(try server.waitForWorkers(1).first)
        let supervisorMaps = try Self.mappings(server.pid)
        for library in ["libpq.so", "libhiredis.so", "libcrypto.so"] {
            #expect(
                !supervisorMaps.contains(library),
                "the supervisor maps \(library): build it with --disable-default-traits (see Package.swift)"
            )
        }
        let workerMaps = try Self.mappings(worker)
        #expect(workerMaps.contains("libpq.so"))
        // GnuTLS (linked only through libpq's libldap) is not initialised at load in a worker.
        let workerEnvironment = try Self.procFile(worker, "environ")
        #expect(workerEnvironment.split(separator: 0).contains(Data("GNUTLS_NO_IMPLICIT_INIT=1".utf8)))
        let workerExecutable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/exe")
        #expect(
            workerExecutable == URL(fileURLWithPath: Self.sibling("saas-api-worker")).resolvingSymlinksInPath().path
        )
    }

    @Test("without its siblings beside it, serve and migrate are one clear line and exit 2")
    func missingSiblingExitsTwo() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let supervisor = directory + "/saas-api"
        // A hard link where possible, not a copy: a file just written can still be open for
        // writing in a child that another test spawned meanwhile, and exec'ing it then fails
        // with ETXTBSY.
        if (try? FileManager.default.linkItem(atPath: TestEnvironment.binary, toPath: supervisor)) == nil {
            try FileManager.default.copyItem(atPath: TestEnvironment.binary, toPath: supervisor)
        }
        var environment = TestEnvironment.serverEnvironment([:])
        environment.removeValue(forKey: "SAAS_API_WORKER_BINARY")
        environment.removeValue(forKey: "SAAS_API_MIGRATE_BINARY")
        let cases: [([String], String)] = [
            ([], "saas-api-worker"), (["--workers", "1"], "saas-api-worker"),
            (["migrate", "status"], "saas-api-migrate"),
        ]
        for (arguments, missing) in cases {
            let (status, text) = try ChildProcess.run(
                supervisor,
                arguments,
                environment: environment,
                directory: directory
            )
            #expect(status == 2, "saas-api \(arguments)")
            #expect(text.split(separator: "\n").count == 1, "saas-api \(arguments): \(text)")
            #expect(text.contains("no \(missing) executable at \(directory)/\(missing)"), "\(text)")
        }

        // SAAS_API_MIGRATE_BINARY names one elsewhere: `migrate` runs in it.
        try FileManager.default.createDirectory(atPath: directory + "/sql", withIntermediateDirectories: false)
        environment["SAAS_API_MIGRATE_BINARY"] = Self.sibling("saas-api-migrate")
        let (status, text) = try ChildProcess.run(
            supervisor,
            ["migrate", "create", "add_refunds"],
            environment: environment,
            directory: directory
        )
        #expect(status == 0, "\(text)")
        #expect(
            text
                == "created \(directory)/sql/0001_add_refunds.up.sql\ncreated \(directory)/sql/0001_add_refunds.down.sql\n"
        )
    }

    @Test("run by hand, the worker and migrate executables say how they are run and exit 2")
    func siblingsRunByHand() throws {
        for (name, expected) in [
            ("saas-api-worker", "started by the supervisor only"), ("saas-api-migrate", "saas-api migrate"),
        ] {
            var environment = TestEnvironment.serverEnvironment([:])
            environment.removeValue(forKey: "SAAS_API_WORKER")
            let (status, text) = try ChildProcess.run(Self.sibling(name), ["serve"], environment: environment)
            #expect(status == 2, "\(name)")
            #expect(text.split(separator: "\n").count == 1 && text.contains(expected), "\(name): \(text)")
        }
    }

    /// `/proc/PID/maps`, all of it.
    static func mappings(_ pid: Int32) throws -> String {
        let text = String(decoding: try self.procFile(pid, "maps"), as: UTF8.self)
        #expect(text.contains("[stack]"), "read all of /proc/\(pid)/maps")
        return text
    }

    /// `/proc/PID/NAME`, read to the end (a single read returns one page of it).
    static func procFile(_ pid: Int32, _ name: String) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/\(name)"))
        defer { try? handle.close() }
        return try handle.readToEnd() ?? Data()
    }

    /// An executable beside the supervisor under test.
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: TestEnvironment.binary).deletingLastPathComponent().appendingPathComponent(name).path
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("saas-api-exe-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        // As the supervisor sees it in /proc/self/exe.
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
