/// How certificate names meet the domains resources serve, by TLS rules.
public enum DomainMatch {
    /// D5: `www.example.com` is covered by itself and by `*.example.com`; a
    /// wildcard covers exactly one label, so not `example.com` nor `a.b.example.com`.
    public static func covers(_ certificateName: String, _ domain: String) -> Bool {
        let name = certificateName.lowercased(), domain = domain.lowercased()
        if name == domain { return true }
        guard let base = wildcardBase(of: name) else { return false }
        return parent(of: domain) == base && !domain.hasPrefix("*.")
    }

    public static func covers(anyOf names: [String], _ domain: String) -> Bool {
        names.contains { covers($0, domain) }
    }

    /// How well a certificate's names cover a domain (D5a): an exact name beats a wildcard.
    public enum Rank: Int, Comparable, Sendable {
        case none, wildcard, exact
        public static func < (a: Rank, b: Rank) -> Bool { a.rawValue < b.rawValue }
    }

    /// `example.com` for `*.example.com`; nil for a name that is not a wildcard.
    public static func wildcardBase(of name: String) -> String? {
        name.hasPrefix("*.") ? String(name.dropFirst(2)) : nil
    }

    /// The domain one label up: `example.com` for `www.example.com`; "" at the top.
    public static func parent(of domain: String) -> String {
        guard let dot = domain.firstIndex(of: ".") else { return "" }
        return String(domain[domain.index(after: dot)...])
    }

    /// D7 (ELB, GA): the new certificate must have a name that is the old one's
    /// domain or lies under it. Old `example.com` may become `example.com`,
    /// `www.example.com` or `*.example.com`; not `example.org` nor `notexample.com`.
    public static func mayReplace(old: [String], with new: [String]) -> Bool {
        let olds = old.map { (wildcardBase(of: $0.lowercased()) ?? $0.lowercased()) }
        return new.map { $0.lowercased() }.contains { candidate in
            let name = wildcardBase(of: candidate).map { "*." + $0 } ?? candidate
            return olds.contains { base in
                name == base || name.hasSuffix("." + base)
            }
        }
    }

    /// Names looked up by the domains they cover, so that matching many
    /// domains against many certificates is a dictionary look-up a domain,
    /// not a scan of every name (D5 at 1,000 certificates).
    public struct Index<Value> {
        private var exact: [String: [Value]] = [:]
        private var wildcard: [String: [Value]] = [:]
        /// Every value, in the order given.
        public private(set) var items: [Value] = []

        public init<S: Sequence>(_ items: S, names: (Value) -> [String]) where S.Element == Value {
            for item in items {
                self.items.append(item)
                for name in Set(names(item).map { $0.lowercased() }) {
                    if let base = wildcardBase(of: name) {
                        wildcard[base, default: []].append(item)
                    } else {
                        exact[name, default: []].append(item)
                    }
                }
            }
        }

        /// The values that cover `domain` best (exact over wildcard), with how well; `.none` and [] when none does.
        public func best(for domain: String) -> (rank: Rank, values: [Value]) {
            let domain = domain.lowercased()
            if let found = exact[domain], !found.isEmpty { return (.exact, found) }
            guard !domain.hasPrefix("*."), let found = wildcard[parent(of: domain)], !found.isEmpty else { return (.none, []) }
            return (.wildcard, found)
        }
    }
}
