/// The byte classes of HTTP/1.1's grammar (RFC 9110 §5.6, RFC 9112) that the request parser
/// and the chunked decoder share.
extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    /// `tchar` of RFC 9110 §5.6.2.
    var isTokenCharacter: Bool { self.grammarClasses & Self.token != 0 }

    /// A byte of `Host`'s `uri-host [":" port]` (RFC 3986 §3.2.2: unreserved, pct-encoded,
    /// sub-delims, and the `[` `]` `:` of IP literals and ports). No space, `/`, `@`, `?`, `#`.
    var isHostCharacter: Bool { self.grammarClasses & Self.host != 0 }

    private static let token: UInt8 = 1
    private static let host: UInt8 = 2

    /// The classes of this byte. A switch, not a table: a static table costs a `swift_once`
    /// check on every byte of every method, field name and `Host`.
    private var grammarClasses: UInt8 {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"):
            return Self.token | Self.host
        case UInt8(ascii: "#"), UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "|"):
            return Self.token
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return Self.host
        default:
            return 0
        }
    }

    /// The value of a hexadecimal digit.
    var hexDigitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension UnsafeRawBufferPointer {
    /// ASCII case-insensitive equality with a lowercase literal.
    func equalsLowercase(_ lowercase: StaticString) -> Bool {
        guard self.count == lowercase.utf8CodeUnitCount else { return false }
        let other = lowercase.utf8Start
        for index in 0..<self.count {
            let byte = self[index]
            let expected = other[index]
            guard byte == expected || (byte | 0x20 == expected && expected >= 0x61 && expected <= 0x7A) else {
                return false
            }
        }
        return true
    }
}
