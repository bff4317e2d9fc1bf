import Shared
import Testing

/// `withCStringArray`: what libpq and hiredis read is what was given, NULL for `nil`, and the
/// array ends with NULL.
@Suite("C string arrays")
struct CStringArrayTests {
    @Test func copiesEachStringWithItsTerminatorAndNullForNil() {
        let long = String(repeating: "é-long value ", count: 200)  // past any small stack buffer
        let strings: [String?] = ["a", nil, "", "tenant 42", long, "naïve ✓"]
        let read: [String?] = withCStringArray(strings) { pointers in
            #expect(pointers[strings.count] == nil)
            return (0..<strings.count).map { pointers[$0].map { String(cString: $0) } }
        }
        #expect(read == strings)
    }

    @Test func anEmptyArrayIsJustTheTerminator() {
        let first = withCStringArray([]) { $0[0] }
        #expect(first == nil)
    }

    @Test func aNulInsideAStringEndsItAsCWouldSeeIt() {
        let read = withCStringArray(["ab\u{0}cd", "ef"]) { pointers in
            (String(cString: pointers[0]!), String(cString: pointers[1]!))
        }
        #expect(read == ("ab", "ef"))
    }
}
