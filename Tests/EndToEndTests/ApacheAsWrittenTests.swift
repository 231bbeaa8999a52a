import CertpushCore
import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// S7 on a tree written by others: certbot's Debian apache layout, read by
/// certpush and by apache itself (`apache2 -S`), which must agree.
@Suite(.serialized) struct ApacheAsWrittenTests {
    /// The modules certbot's tree uses, as Debian's `mods-enabled` would load them.
    static let modules = ["mpm_event", "authz_core", "socache_shmcb", "ssl", "macro", "access_compat", "rewrite", "alias", "headers", "setenvif"]

    /// One virtual host as `apache2 -S` lists it: where it listens, its names.
    struct Listed: Hashable, CustomStringConvertible {
        var address: String
        var names: [String]
        var description: String { "\(address) \(names.joined(separator: ","))" }
    }

    @Test("S7: certbot's Debian apache tree (macros, IfModule, _default_, two vhosts on one address): certpush reads the virtual hosts `apache2 -S` lists; synchronize finds its one TLS site with its certificate matched")
    func certbotTreeAgreesWithApache() throws {
        let apache = try #require(ApacheDeploymentTests.binary, "apache is not installed: .ci/run installs it")
        let modules = try #require(ApacheDeploymentTests.modules, "mod_ssl is not installed: .ci/run installs apache2")
        let folder = TemporaryDirectory(), root = folder.path("") + "/"
        let tree = Fixtures.certbot.appendingPathComponent("multiple_vhosts")
        // The tree as it is, moved from /etc/apache2 to a temporary folder; its two certificate files put where it names them.
        let names = ["apache2.conf", "ports.conf"] + (try FileManager.default.contentsOfDirectory(atPath: tree.path + "/sites-enabled")).map { "sites-enabled/" + $0 }
        for sub in ["sites-enabled", "mods-enabled", "certs", "ssl", "logs"] {
            try FileManager.default.createDirectory(atPath: folder.path(sub), withIntermediateDirectories: true)
        }
        for name in names {
            try String(contentsOf: tree.appendingPathComponent(name), encoding: .utf8).replacingOccurrences(of: "/etc/apache2/", with: root)
                .write(toFile: folder.path(name), atomically: true, encoding: .utf8)
        }
        for module in Self.modules {
            try "LoadModule \(module)_module \(modules)/mod_\(module).so\n".write(toFile: folder.path("mods-enabled/\(module).load"), atomically: true, encoding: .utf8)
        }
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.crt.pem").path, toPath: folder.path("certs/certbot-cert_5.pem"))
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.key.pem").path, toPath: folder.path("ssl/key-certbot_15.pem"))
        let command = "\(apache) -d \(root) -f \(root)apache2.conf"

        // apache's own account of it: Debian's envvars, as apache2ctl sets them.
        let environment = ["APACHE_RUN_USER": "nobody", "APACHE_RUN_GROUP": "nogroup", "APACHE_PID_FILE": root + "apache.pid",
                           "APACHE_RUN_DIR": root, "APACHE_LOCK_DIR": root, "APACHE_LOG_DIR": root + "logs"]
        // A global name of our own, so the name apache gives a virtual host without one does not depend on this machine's.
        let fallbackName = "global.invalid"
        let told = try Shell.run(apache, ["-C", "ServerName \(fallbackName)", "-d", root, "-f", root + "apache2.conf", "-S"], environment: environment)
        #expect(told.status == 0, "\(told.stderr)")
        let listed = Self.listed(byDashS: told.stdout)
        #expect(listed.count == 14, "\(listed)")

        var files: [String: String] = [:]
        for name in names { files[root + name] = try String(contentsOfFile: folder.path(name), encoding: .utf8) }
        let read = ApacheConfig.virtualHosts(main: root + "apache2.conf", files: files, serverRoot: String(root.dropLast()))
        // A virtual host once per port, as apache lists it and as certpush makes sites (`*:80 [::]:80` is one).
        let certpush = read.hosts.flatMap { host in
            var ports = Set<Substring>()
            return host.addresses.filter { ports.insert($0.split(separator: ":").last ?? "").inserted }.map { address in
                Listed(address: address.replacingOccurrences(of: "_default_", with: "*"), names: host.names.isEmpty ? [fallbackName] : host.names)
            }
        }
        #expect(certpush.sorted { $0.description < $1.description } == listed.sorted { $0.description < $1.description })
        #expect(read.hosts.filter(\.ssl).count == 1, "only default-ssl.conf turns SSLEngine on")

        // And through an account, over the shell: the one TLS site, its certificate file matched by fingerprint.
        let cli = ConfiguredCLI()
        let config = "[accounts.web]\nkind = \"servers\"\n[[accounts.web.hosts]]\nname = \"web\"\nssh = \"local\"\nserver = \"apache\"\ncommand = \"\(command)\"\n"
        #expect(try cli(["init", "--live"], config: config).status == 0)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
        let sync = try cli(["resources", "sync"], config: config)
        #expect(sync.stdout.contains("web: 1 TLS site in \(root)apache2.conf"), "\(sync.stdout)\(sync.stderr)")
        let list = try cli(["resources", "list", "--json"], config: config)
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(rows.count == 1, "\(list.stdout)")
        #expect(rows.first?["certificateId"] as? String == "c1", "\(list.stdout)")
    }

    /// The virtual hosts `apache2 -S` lists, each once, its names: ServerName, then aliases.
    static func listed(byDashS text: String) -> [Listed] {
        var listed: [Listed] = [], address = ""
        for line in text.split(separator: "\n").map(String.init) {
            let words = line.split(separator: " ").map(String.init)
            if !line.hasPrefix(" "), words.count >= 2, words[0].contains(":"), Int(words[0].split(separator: ":").last ?? "") != nil {
                address = words[0]
                if words[1] != "is" { listed.append(Listed(address: address, names: [words[1]])) }
            } else if words.count >= 4, words[0] == "port", words[2] == "namevhost" {
                listed.append(Listed(address: address, names: [words[3]]))
            } else if let last = words.last, words.first == "alias" || words.starts(with: ["wild", "alias"]), !listed.isEmpty {
                listed[listed.count - 1].names.append(last)
            }
        }
        return listed
    }
}
