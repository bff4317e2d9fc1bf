import Testing

@testable import Shared

@Suite("DotEnv parser")
struct DotEnvTests {
    @Test("KEY=VALUE lines, comments, blank lines, export, quotes and inline comments")
    func parsesTheUsualForms() throws {
        let text = """
            # a comment

            PLAIN=value
            export EXPORTED=yes
              SPACED = padded  
            DOUBLE="a # not a comment\\nnext"
            SINGLE='raw \\n stays'
            INLINE=value # comment
            EMPTY=
            URL=postgres://u:p@h:5432/db?sslmode=disable
            WINDOWS=crlf\r
            """
        let values = try DotEnv.parse(text)
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "padded")
        #expect(values["DOUBLE"] == "a # not a comment\nnext")
        #expect(values["SINGLE"] == "raw \\n stays")
        #expect(values["INLINE"] == "value")
        #expect(values["EMPTY"] == "")
        #expect(values["URL"] == "postgres://u:p@h:5432/db?sslmode=disable")
        #expect(values["WINDOWS"] == "crlf")
    }

    @Test("a later line wins")
    func laterLineWins() throws {
        #expect(try DotEnv.parse("A=1\nA=2")["A"] == "2")
    }

    @Test(
        "malformed lines are rejected with their line number",
        arguments: [
            ("NOEQUALS", 1, "expected KEY=VALUE"),
            ("\n1BAD=x", 2, "invalid variable name '1BAD'"),
            ("BAD-NAME=x", 1, "invalid variable name 'BAD-NAME'"),
            ("A=\"unterminated", 1, "missing closing \""),
            ("A='x' trailing", 1, "unexpected text after the closing quote"),
        ]
    )
    func rejectsMalformedLines(text: String, line: Int, reason: String) {
        #expect(throws: DotEnv.ParseError(line: line, reason: reason)) { try DotEnv.parse(text) }
    }
}
