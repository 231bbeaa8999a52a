/// DNS names as TLS sees them.
public enum DomainName {
    /// A syntactically valid host name (wildcard first label allowed), not an IP address.
    public static func isHostname(_ text: String) -> Bool {
        let labels = text.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, text.count <= 253 else { return false }
        if labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        for (index, label) in labels.enumerated() {
            if index == 0 && label == "*" { continue }
            guard (1...63).contains(label.count),
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                  label.first != "-", label.last != "-" else { return false }
        }
        return true
    }
}
