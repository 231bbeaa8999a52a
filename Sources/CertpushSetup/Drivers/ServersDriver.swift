import CertpushCore
import CertpushServers
import TOMLKit

extension Account.Kind {
    public static let servers = Self("servers", title: "servers")
}

/// Servers over SSH (SPEC 13): `[[accounts.NAME.hosts]]` tables, each a
/// server of `ServerHost.Server.all`.
struct ServersDriver: AccountDriver {
    var kind: Account.Kind { .servers }
    var settings: Set<String> { ["hosts", "parallel", "canary"] }

    func configure(_ account: inout Account, from table: AccountTable) throws {
        guard let hosts = table.fields["hosts"]?.array, !hosts.isEmpty else {
            throw table.problem("a servers account needs at least one [[\(table.header).hosts]] with name, ssh and server")
        }
        if let value = table.fields["parallel"] {
            guard let parallel = value.int, (1...100).contains(parallel) else {
                throw table.problem("parallel must be a whole number of hosts from 1 to 100")
            }
            account.parallel = parallel
        }
        if let value = table.fields["canary"] {
            guard let canary = value.int, canary >= 0 else { throw table.problem("canary must be a whole number of hosts, 0 for none") }
            account.canary = canary
        }
        var seen = Set<String>()
        for (index, value) in hosts.enumerated() {
            func problem(_ words: String) -> ConfigError { table.problemIn("hosts", index, words) }
            guard let host = value.table else { throw problem("each host is a table") }
            let known: Set = ["name", "ssh", "server", "command", "reload", "connect_timeout"]
            if let unknown = host.keys.sorted().first(where: { !known.contains($0) }) {
                throw problem("\(DisplayText.neutralized(unknown)) is not a setting here (known: \(known.sorted().joined(separator: ", ")))")
            }
            guard let name = host["name"]?.string, !name.isEmpty else { throw problem("name is missing") }
            guard seen.insert(name).inserted else { throw problem("host \(DisplayText.neutralized(name)) is named twice") }
            guard let ssh = host["ssh"]?.string, !ssh.isEmpty else {
                throw problem("ssh is missing: an ssh destination (deploy@web1.example.com) or \"local\"")
            }
            if ssh.hasPrefix("-") { throw problem("ssh must be a destination, not an option") }
            guard let server = host["server"]?.string.map(ServerHost.Server.init(rawValue:)), ServerHost.Server.all.contains(server) else {
                throw problem("server must be one of \(ServerHost.Server.all.map(\.rawValue).joined(separator: ", "))")
            }
            for key in ["command", "reload"] where host[key] != nil && host[key]?.string?.isEmpty != false {
                throw problem("\(key) must be a command, like \"sudo nginx\"")
            }
            var made = ServerHost(name: name, ssh: ssh, server: server, command: host["command"]?.string, reload: host["reload"]?.string)
            if let value = host["connect_timeout"] {
                guard let seconds = value.int, (1...300).contains(seconds) else { throw problem("connect_timeout must be a whole number of seconds from 1 to 300") }
                made.connectTimeout = seconds
            }
            account.hosts.append(made)
        }
    }

    func actions(for account: Account, in context: DriverContext) -> AccountActions {
        ServersProvider(account: account, store: context.store).actions
    }

    /// Each host's server tool answers (`nginx -v`), over ssh where it is remote.
    func check(_ account: Account, in context: DriverContext) -> [(line: String, failed: Bool)] {
        account.hosts.map { host in
            switch HostShell(host: host, timeLimit: 20).check() {
            case .success(let version): ("\(host.name) (\(host.ssh)): OK, \(DisplayText.neutralized(version))", false)
            case .failure(let refusal): ("\(host.name) (\(host.ssh)): \(DisplayText.neutralized(refusal.sentence))", true)
            }
        }
    }
}
