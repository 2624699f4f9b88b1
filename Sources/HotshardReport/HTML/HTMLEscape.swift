/// Escaping for text placed in HTML and SVG, in element content and in double-quoted attributes.
public enum HTMLEscape {
    /// `&`, `<`, `>`, `"` and `'` as character references; everything else unchanged.
    /// Agrees with swift-mustache's `{{ }}` escaping, so that text is safe wherever it lands.
    public static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
