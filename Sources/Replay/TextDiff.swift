/// A line diff in unified style (`-` recorded, `+` replayed, ` ` both), from a longest common subsequence.
enum TextDiff {
    static func lines(_ old: String, _ new: String) -> [String] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // lcs[i][j]: common length of a[i...] and b[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(" " + visible(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                out.append("-" + visible(a[i])); i += 1
            } else {
                out.append("+" + visible(b[j])); j += 1
            }
        }
        return out
    }

    /// Trailing whitespace and tabs made visible, so a diff of invisible characters still reads.
    private static func visible(_ line: String) -> String {
        var s = line.replacing("\t", with: "→")
        if s.last == "\r" { s = String(s.dropLast()) + "␍" }
        let trailing = s.reversed().prefix { $0 == " " }.count
        return String(s.dropLast(trailing)) + String(repeating: "·", count: trailing)
    }
}
