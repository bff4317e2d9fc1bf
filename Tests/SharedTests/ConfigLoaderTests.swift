import Foundation
import Logging
import Testing

@testable import Shared

@Suite("Config loader")
struct ConfigLoaderTests {
    @Test("defaults: port 3000 on 0.0.0.0, one worker per CPU, info logs")
    func defaults() throws {
        let config = try ConfigLoader.load(environment: [:], cpuCount: 6)
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 3000)
        #expect(config.workers == 6)
        #expect(config.databaseURL == "postgres://app_rw@127.0.0.1:5432/saas_api")
        #expect(config.migrationDatabaseURL == config.databaseURL)
        #expect(config.redis == RedisEndpoint(host: "127.0.0.1", port: 6379, password: nil, database: 0))
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .auto)
        #expect(config.appEnv == .development)
        #expect(config.shutdownTimeoutSeconds == 30)
        #expect(config.workerTimeoutSeconds == 30)
    }

    @Test("each source is read: .env, environment, flags")
    func eachSourceIsRead() throws {
        #expect(try ConfigLoader.load(environment: [:], dotEnv: "PORT=4001", cpuCount: 1).port == 4001)
        #expect(try ConfigLoader.load(environment: ["PORT": "4002"], cpuCount: 1).port == 4002)
        #expect(try ConfigLoader.load(environment: [:], overrides: ["PORT": "4003"], cpuCount: 1).port == 4003)
    }

    @Test("precedence: flags over environment over .env over defaults")
    func precedence() throws {
        let dotEnv = "PORT=1111\nWORKERS=3\nHOST=10.0.0.1\nLOG_LEVEL=debug"
        let config = try ConfigLoader.load(
            environment: ["PORT": "2222", "WORKERS": "5"],
            dotEnv: dotEnv,
            overrides: ["PORT": "3333"],
            cpuCount: 8
        )
        #expect(config.port == 3333)  // flag beats environment and .env
        #expect(config.workers == 5)  // environment beats .env
        #expect(config.host == "10.0.0.1")  // .env beats default
        #expect(config.logLevel == .debug)
    }

    @Test("an empty value counts as unset")
    func emptyIsUnset() throws {
        #expect(try ConfigLoader.load(environment: ["PORT": ""], cpuCount: 1).port == 3000)
    }

    @Test("MIGRATION_DATABASE_URL falls back to DATABASE_URL")
    func migrationURLFallsBack() throws {
        let url = "postgres://app_rw:pw@db:5432/app"
        let config = try ConfigLoader.load(environment: ["DATABASE_URL": url], cpuCount: 1)
        #expect(config.migrationDatabaseURL == url)
        let owner = "postgresql://owner:pw@db/app"
        let both = try ConfigLoader.load(
            environment: ["DATABASE_URL": url, "MIGRATION_DATABASE_URL": owner],
            cpuCount: 1
        )
        #expect(both.migrationDatabaseURL == owner)
    }

    @Test(
        "every rejected value names its variable",
        arguments: [
            ("PORT", "abc"), ("PORT", "0"), ("PORT", "65536"), ("PORT", "80.5"),
            ("WORKERS", "0"), ("WORKERS", "-2"), ("WORKERS", "many"), ("WORKERS", "257"),
            ("HOST", "local host"), ("HOST", "a/b"),
            ("DATABASE_URL", "mysql://x@y/z"), ("DATABASE_URL", "127.0.0.1:5432"),
            ("MIGRATION_DATABASE_URL", "http://x"),
            ("REDIS_URL", "http://localhost"), ("REDIS_URL", "redis://host:0"), ("REDIS_URL", "redis://host:6379/x"),
            ("REDIS_URL", "redis://host/16"), ("REDIS_URL", "redis://:pw@"),
            ("LOG_LEVEL", "verbose"), ("LOG_FORMAT", "xml"), ("APP_ENV", "prod"),
            ("SHUTDOWN_TIMEOUT", "0"), ("SHUTDOWN_TIMEOUT", "1h"), ("WORKER_TIMEOUT", "1"),
            ("STARTUP_TIMEOUT", "0"), ("PG_POOL_SIZE", "0"), ("REDIS_POOL_SIZE", "101"),
            ("HEALTH_TIMEOUT_MS", "5"), ("DB_CONNECT_TIMEOUT_MS", "x"), ("DB_QUERY_TIMEOUT_MS", "0"),
            ("MAX_BODY_SIZE", "-1"),
        ]
    )
    func rejectsInvalidValue(variable: String, value: String) {
        #expect {
            _ = try ConfigLoader.load(environment: [variable: value], cpuCount: 1)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.variable == variable && error.description.hasPrefix("invalid \(variable): ")
        }
    }

    @Test("error messages never contain a password")
    func errorsMaskPasswords() {
        #expect {
            _ = try ConfigLoader.load(environment: ["DATABASE_URL": "mysql://root:hunter2@db/x"], cpuCount: 1)
        } throws: { error in
            "\(error)".contains("root:***@") && !"\(error)".contains("hunter2")
        }
    }

    @Test("a malformed .env line is reported with its line number")
    func malformedDotEnv() {
        #expect {
            _ = try ConfigLoader.load(environment: [:], dotEnv: "PORT=1\nthis is not valid\n", cpuCount: 1)
        } throws: { error in
            (error as? ConfigError)?.description == "invalid .env: line 2: expected KEY=VALUE"
        }
    }

    @Test("level and enum values are case-insensitive")
    func caseInsensitiveChoices() throws {
        let config = try ConfigLoader.load(
            environment: ["LOG_LEVEL": "WARNING", "LOG_FORMAT": "Json", "APP_ENV": "PRODUCTION"],
            cpuCount: 1
        )
        #expect(config.logLevel == .warning)
        #expect(config.logFormat == .json)
        #expect(config.appEnv == .production)
    }

    @Test("the environment handed to workers round-trips to the same configuration")
    func workerEnvironmentRoundTrips() throws {
        let original = try ConfigLoader.load(
            environment: [
                "PORT": "8080", "WORKERS": "3", "REDIS_URL": "redis://:s3cret@cache:6380/2", "LOG_LEVEL": "debug",
            ],
            cpuCount: 2
        )
        let environment = Dictionary(uniqueKeysWithValues: original.environment(masked: false))
        #expect(try ConfigLoader.load(environment: environment, cpuCount: 1) == original)
        let masked = Dictionary(uniqueKeysWithValues: original.environment(masked: true))
        #expect(masked["REDIS_URL"] == "redis://:***@cache:6380/2")
    }

    @Test(".env.example documents exactly the declared variables")
    func envExampleMatchesTheDeclarations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        var documented: [String] = []
        for line in text.split(separator: "\n") {
            // `NAME=value` or a commented-out `# NAME=value`.
            let entry = line.hasPrefix("# ") ? line.dropFirst(2) : line[...]
            guard let equals = entry.firstIndex(of: "="),
                entry[..<equals].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }), equals > entry.startIndex
            else { continue }
            documented.append(String(entry[..<equals]))
        }
        // Read by scripts/services only (it creates the app_ro role), not by the service.
        let scriptOnly: Set = ["APP_RO_DATABASE_URL"]
        #expect(documented.filter { !scriptOnly.contains($0) } == Config.variables.map(\.name))
    }

    @Test("every variable is read once and written back once")
    func variablesAreDeclaredOnce() throws {
        let names = Config.variables.map(\.name)
        #expect(Set(names).count == names.count)
        let defaults = try ConfigLoader.load(environment: [:], cpuCount: 2)
        #expect(defaults.environment(masked: false).map(\.0) == names)
    }
}
