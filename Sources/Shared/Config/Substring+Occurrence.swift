extension Substring {
    /// The range of the first occurrence of `needle` (compared by `Character`), or nil.
    ///
    /// The standard library alone: `firstRange(of:)` and `String.contains(_: String)` come from
    /// _StringProcessing, and using them made each executable link that module and the regex
    /// parser behind it (about 0.3-0.6 MB of resident memory per process) for three look-ups.
    public func firstOccurrence(of needle: String) -> Range<Index>? {
        var start = self.startIndex
        while true {
            if self[start...].hasPrefix(needle) {
                return start..<self.index(start, offsetBy: needle.count)
            }
            guard start < self.endIndex else { return nil }
            start = self.index(after: start)
        }
    }
}
