/// SPEC C7: text taken from a certificate or a user is shown with control
/// characters and terminal escape sequences neutralised. Every front end
/// passes such text through here before drawing or printing it.
public enum DisplayText {
    public static func neutralized(_ text: String) -> String {
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
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
            // C1 controls (CSI among them) and bidirectional overrides.
            return ["\u{FFFD}"]
        default:
            return [scalar]
        }
    }
}
