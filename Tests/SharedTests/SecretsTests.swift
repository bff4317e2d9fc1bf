import Testing

@testable import Shared

@Suite("Secret masking")
struct SecretsTests {
    @Test(
        "passwords in URLs are masked, everything else is kept",
        arguments: [
            ("postgres://app_rw:pw@127.0.0.1:5432/saas_api", "postgres://app_rw:***@127.0.0.1:5432/saas_api"),
            ("redis://:secret@cache:6379/0", "redis://:***@cache:6379/0"),
            ("connect to postgres://u:p%40ss@h/db failed", "connect to postgres://u:***@h/db failed"),
            ("two: a://x:1@h and b://y:2@k/z", "two: a://x:***@h and b://y:***@k/z"),
            ("no password postgres://u@h/db", "no password postgres://u@h/db"),
            ("plain text", "plain text"),
            ("user@example.com", "user@example.com"),
        ]
    )
    func masks(input: String, expected: String) {
        #expect(Secrets.mask(input) == expected)
    }
}
