import Testing

@testable import Shared

@Suite("Substring.firstOccurrence")
struct SubstringOccurrenceTests {
    @Test("finds the first occurrence, by character, or nothing")
    func firstOccurrence() {
        let text: Substring = "a://b://c"
        let range = text.firstOccurrence(of: "://")
        #expect(range.map { text.distance(from: text.startIndex, to: $0.lowerBound) } == 1)
        #expect(range.map { String(text[$0]) } == "://")
        #expect(text.firstOccurrence(of: "//c").map { String(text[$0.lowerBound...]) } == "//c")
        #expect(text.firstOccurrence(of: "x") == nil)
        #expect(text.firstOccurrence(of: "a://b://c!") == nil)
        #expect(Substring("").firstOccurrence(of: "--") == nil)
        let comment: Substring = "x --y"
        #expect(comment.firstOccurrence(of: "--").map { String(comment[..<$0.lowerBound]) } == "x ")
        // Overlapping candidates: "aab" in "aaab".
        let overlapping: Substring = "aaab"
        #expect(overlapping.firstOccurrence(of: "aab").map { String(overlapping[$0]) } == "aab")
    }
}
