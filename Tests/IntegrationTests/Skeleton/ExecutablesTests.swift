import Foundation
import Testing

/// Two executables: the supervisor maps none of the worker's libraries, runs the
/// `saas-api-worker` beside its own executable (or `SAAS_API_WORKER_BINARY`), and hands
/// `migrate` over to it.
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
        let workerExecutable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/exe")
        #expect(workerExecutable == URL(fileURLWithPath: Self.workerBinary).resolvingSymlinksInPath().path)
    }

    @Test("without saas-api-worker beside it, serve and migrate are one clear line and exit 2")
    func missingWorkerExecutableExitsTwo() throws {
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
        for arguments in [[], ["--workers", "1"], ["migrate", "status"]] {
            let (status, text) = try ChildProcess.run(
                supervisor,
                arguments,
                environment: environment,
                directory: directory
            )
            #expect(status == 2, "saas-api \(arguments)")
            #expect(text.split(separator: "\n").count == 1, "saas-api \(arguments): \(text)")
            #expect(text.contains("no worker executable at \(directory)/saas-api-worker"), "\(text)")
        }

        // SAAS_API_WORKER_BINARY names one elsewhere: `migrate` runs in it.
        try FileManager.default.createDirectory(atPath: directory + "/sql", withIntermediateDirectories: false)
        environment["SAAS_API_WORKER_BINARY"] = Self.workerBinary
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

    /// `/proc/PID/maps`, read to the end (a single read returns one page of it).
    static func mappings(_ pid: Int32) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/\(pid)/maps"))
        defer { try? handle.close() }
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        #expect(text.contains("[stack]"), "read all of /proc/\(pid)/maps")
        return text
    }

    /// The worker executable beside the supervisor under test.
    static var workerBinary: String {
        URL(fileURLWithPath: TestEnvironment.binary).deletingLastPathComponent()
            .appendingPathComponent("saas-api-worker").path
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("saas-api-exe-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        // As the supervisor sees it in /proc/self/exe.
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
