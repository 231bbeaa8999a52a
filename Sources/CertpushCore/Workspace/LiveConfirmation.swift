/// W5: in a live workspace every change that reaches a provider is confirmed
/// with one sentence naming the accounts and the counts, made here once for
/// the console (the CLI does not ask; its output names the accounts).
public enum LiveConfirmation {
    /// What the sentences need of a resource, from the inventory or a task's pair.
    public struct Target: Sendable {
        public var id: ResourceID
        public var account: String
        public var service: String
        /// A server's host; a cloud resource's region.
        public var region: String?

        public init(_ resource: CloudResource) {
            id = resource.id
            account = resource.account
            service = resource.service
            region = resource.region
        }

        public init(_ pair: TaskPair) {
            id = pair.resourceID
            account = pair.account
            service = pair.service
            region = pair.region
        }
    }

    /// "web (nginx, 3 hosts) 3, ali-prod (CAS) 11": the resources by account, in the accounts' order.
    /// Without `counts` ("web (nginx, 1 host)") when the sentence names the resources already.
    public static func byAccount(_ resources: [Target], accounts: [Account], counts: Bool = true) -> String {
        let grouped = Dictionary(grouping: resources, by: \.account)
        let order = accounts.map(\.name) + grouped.keys.filter { name in !accounts.contains { $0.name == name } }.sorted()
        return order.compactMap { name -> String? in
            guard let mine = grouped[name], !mine.isEmpty else { return nil }
            return "\(DisplayText.neutralized(name)) (\(describe(accounts.first { $0.name == name }, mine)))" + (counts ? " \(mine.count)" : "")
        }.joined(separator: ", ")
    }

    /// "Deploy c12 to 14 resources: web (nginx, 3 hosts) 3, ali-prod (CAS) 11?"
    public static func deploy(_ certificates: [CertificateID], to resources: [Target], accounts: [Account]) -> String {
        "Deploy \(certificates.map(\.description).joined(separator: ", ")) to \(Words.count(resources.count, "resource")): "
            + byAccount(resources, accounts: accounts) + "?"
    }

    /// "Push c12 to hw-prod (Huawei Cloud SCM): ELB in 3 regions, CDN?"
    public static func push(_ certificate: CertificateID, account: Account, targets: [PushTarget]) -> String {
        let services = Dictionary(grouping: targets, by: \.service)
        let parts = services.keys.sorted().map { code -> String in
            let label = CloudService.named(code)?.label ?? code.uppercased()
            let regions = services[code]!.compactMap(\.region)
            return regions.isEmpty ? label : "\(label) in \(Words.count(regions.count, "region"))"
        }
        return "Push \(certificate) to \(DisplayText.neutralized(account.name)) (\(account.kind.title)): \(parts.joined(separator: ", "))?"
    }

    /// "Roll back r5 on web (nginx, 1 host)?", "Bind c3 to r9 on ali (CAS)?"
    public static func act(_ verb: String, on resources: [Target], accounts: [Account]) -> String {
        let names = resources.prefix(3).map(\.id.description).joined(separator: ", ") + (resources.count > 3 ? " and \(resources.count - 3) more" : "")
        // The ids are named: counts only tell apart what each of several accounts holds.
        let several = Set(resources.map(\.account)).count > 1
        return "\(verb) \(names) on " + byAccount(resources, accounts: accounts, counts: several) + "?"
    }

    /// D5 in a live workspace: what smart matching would add, by account, each with its resources.
    public static func matches(_ resources: [Target]) -> String {
        let grouped = Dictionary(grouping: resources, by: \.account)
        return grouped.keys.sorted().map { name in
            let ids = grouped[name]!.map(\.id.description)
            return "\(DisplayText.neutralized(name)): " + ids.prefix(6).joined(separator: ", ") + (ids.count > 6 ? " and \(ids.count - 6) more" : "")
        }.joined(separator: "; ")
    }

    private static func describe(_ account: Account?, _ resources: [Target]) -> String {
        guard let account else { return "not in config.toml" }
        // Sites on servers are told by server and host count; a cloud's resources by its name.
        guard !resources.isEmpty, resources.allSatisfy({ CloudService.named($0.service)?.onServers == true }) else { return account.kind.title }
        let servers = Set(resources.map(\.service)).sorted().joined(separator: ", ")
        let hosts = Set(resources.compactMap(\.region)).count
        return "\(servers), \(Words.count(hosts, "host"))"
    }
}
