import Testing

@testable import Worker

/// Request-target forms and dot segments.
@Suite("Request target")
struct RequestTargetTests {
    @Test(arguments: [
        ("/health", "/health"),
        ("/health?x=1", "/health"),
        ("http://example.com/health?x", "/health"),
        ("HTTPS://example.com", "/"),
        ("http://example.com?q", "/"),
    ])
    func pathOfAcceptedForms(uri: String, path: String) {
        #expect(RequestTarget.path(of: uri) == Substring(path))
    }

    @Test(arguments: ["*", "example.com:443", "health", "ftp://x/y", "http://", ""])
    func otherFormsAreRefused(uri: String) {
        #expect(!RequestTarget.isAcceptable(uri))
    }

    @Test(arguments: ["/..", "/a/../b", "/a/./b", "/.", "/a/%2e%2E/b", "/a/%2e", "/a/.%2e/", "http://h/a/../b"])
    func dotSegmentsAreRefused(uri: String) {
        #expect(!RequestTarget.isAcceptable(uri))
    }

    @Test(arguments: ["/a.b", "/...", "/a/..b/", "/.well-known/x", "/%2e%2e%2e", "/a%2fb", "/x?y=/../"])
    func dotsInsideNamesAreFine(uri: String) {
        #expect(RequestTarget.isAcceptable(uri))
    }
}
