/// The one rule for every name a person gives (a task, a certificate, a
/// contact): 1 to 64 characters, at most 256 bytes, and nothing that moves
/// the cursor, breaks the line or turns text around on a terminal.
public enum NameRule {
    public static let maximumCharacters = 64
    public static let maximumBytes = 256

    /// Why `name` (already trimmed) cannot be a name, in one sentence; nil when it can.
    /// `subject` begins the sentence: "The task name", "A contact's name".
    public static func problem(with name: String, subject: String) -> String? {
        if name.unicodeScalars.contains(where: isForbidden) {
            return "\(subject) cannot contain control characters, line breaks or direction overrides."
        }
        if name.isEmpty || name.count > maximumCharacters {
            return "\(subject) must be 1 to \(maximumCharacters) characters."
        }
        if name.utf8.count > maximumBytes {
            return "\(subject) is too long: at most \(maximumCharacters) characters and \(maximumBytes) bytes."
        }
        return nil
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return DisplayText.isDirectionControl(scalar)
        }
    }
}

/// A contact's email: one `@`, something before it, a host with a dot after
/// it, no spaces; what a mail system could deliver to.
public enum EmailRule {
    public static func problem(with email: String) -> String? {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        let valid = email.count <= 254 && parts.count == 2 && !parts[0].isEmpty
            && !email.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "," || $0 == "<" || $0 == ">" })
            && parts[1].split(separator: ".", omittingEmptySubsequences: false).count >= 2
            && !parts[1].split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
        return valid ? nil : "\"\(DisplayText.neutralized(email))\" is not an email address: write it as name@example.com."
    }
}

/// Counts in words: "1 resource", "3 resources".
public enum Words {
    /// A list's number, right-aligned in `width` cells: " 3", "12".
    public static func numbered(_ number: Int, width: Int = 2) -> String {
        let text = String(number)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }
}
