/// SPEC C7: text taken from a certificate or a user is shown with control
/// characters and terminal escape sequences neutralised. Every front end
/// passes such text through here before drawing or printing it.
public enum DisplayText {
    public static func neutralized(_ text: String) -> String {
        // Nearly every text is plain: check its bytes before rebuilding it.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) { return text }
        if !text.unicodeScalars.contains(where: { replacement(for: $0) != [$0] }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(contentsOf: replacement(for: scalar))
        }
        return String(out)
    }

    private static func replacement(for scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        switch scalar.value {
        case 0x00...0x1F:
            // C0 controls, ESC among them, become their visible Control Pictures.
            return [Unicode.Scalar(0x2400 + scalar.value)!]
        case 0x7F:
            return ["\u{2421}"]
        case 0x80...0x9F:
            // C1 controls, CSI among them.
            return ["\u{FFFD}"]
        default:
            return isDirectionControl(scalar) ? ["\u{FFFD}"] : [scalar]
        }
    }

    /// Bidirectional embeddings, overrides, isolates and marks: they make text read other than it is stored.
    public static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// JSON for scripts: what JSONEncoder leaves raw but a terminal would act
    /// on (DEL, C1 controls such as CSI, line and paragraph separators,
    /// direction controls) becomes a \u escape. The JSON means the same.
    public static func escapingJSON(_ json: String) -> String {
        if !json.utf8.contains(where: { $0 >= 0x7F }) { return json }
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            switch scalar.value {
            case 0x7F...0x9F, 0x2028, 0x2029:
                out += unicodeEscape(scalar)
            default:
                if isDirectionControl(scalar) { out += unicodeEscape(scalar) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// `\u` and four upper-case hex digits.
    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: Swift.max(0, 4 - hex.count)) + hex
    }
}
