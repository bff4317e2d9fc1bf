import Testing

@testable import Shared

@Suite("METRICS_ADDRESS")
struct MetricsAddressTests {
    @Test func defaultIsLoopback9464AndEmptyTurnsItOff() throws {
        #expect(
            try ConfigLoader.load(environment: [:], cpuCount: 1).metricsAddress
                == MetricsAddress(host: "127.0.0.1", port: 9464)
        )
        #expect(try ConfigLoader.load(environment: ["METRICS_ADDRESS": ""], cpuCount: 1).metricsAddress == nil)
        #expect(
            try ConfigLoader.load(environment: [:], dotEnv: "METRICS_ADDRESS=\n", cpuCount: 1).metricsAddress == nil
        )
        let config = try ConfigLoader.load(environment: ["METRICS_ADDRESS": "[::1]:0"], cpuCount: 1)
        #expect(config.metricsAddress == MetricsAddress(host: "::1", port: 0))
        #expect(config.environment(masked: true).contains { $0 == ("METRICS_ADDRESS", "[::1]:0") })
    }

    @Test(arguments: [
        "9464", "0.0.0.0", "example.com:9464", "1.2.3:80", "127.0.0.1:65536", "[::1]9464", "[]:1", "1.2.3.4:-1",
    ])
    func rejects(value: String) {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(environment: ["METRICS_ADDRESS": value], cpuCount: 1)
        }
    }

    @Test func acceptsLocalhostAndAnyInterface() {
        #expect(MetricsAddress("localhost:9000") == MetricsAddress(host: "127.0.0.1", port: 9000))
        #expect(MetricsAddress("0.0.0.0:9464")?.description == "0.0.0.0:9464")
        #expect(MetricsAddress("[::]:9464")?.description == "[::]:9464")
    }
}
