import CertpushCore
import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// The CLI with a config.toml of the test's own: what every suite here runs.
struct ConfiguredCLI {
    let directory = TemporaryDirectory()
    var db: String { directory.path("cli.sqlite") }
    var environment: [String: String] = [:]

    /// Runs `certpush` on this test's database; `config` (when given) is written first.
    func callAsFunction(_ arguments: [String], config: String?) throws -> CertpushBinary.Result {
        try CertpushBinary.run(arguments + ["--db", db], environment: try prepare(config))
    }

    /// Starts `certpush` without waiting for it: a process the test may kill.
    func spawn(_ arguments: [String], config: String?) throws -> pid_t {
        let merged = ProcessInfo.processInfo.environment.merging(try prepare(config)) { $1 }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory.path("spawned.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        return try Spawn.process(CertpushBinary.url.path, arguments + ["--db", db], environment: merged, fileActions: &actions)
    }

    /// A live workspace (W2) for `config`'s accounts, holding uploaded
    /// certificates named and numbered as the sandbox's first ones are
    /// (c1 www.example.com, c2 wildcard-example, c3 api.example.org, ...), so
    /// a test reads the same whichever workspace it runs in.
    func initLive(config: String?, certificates count: Int = 3) throws {
        let made = try self(["init", "--live"], config: config)
        guard made.status == 0 else { throw Refusal("init --live failed: \(made.stderr)") }
        for (name, domains) in Self.sandboxLike.prefix(count) {
            let issued = try TestCertificates.issue(domains)
            let certificate = directory.path("\(name).pem"), key = directory.path("\(name).key")
            try issued.certificate.write(toFile: certificate, atomically: true, encoding: .utf8)
            try issued.key.write(toFile: key, atomically: true, encoding: .utf8)
            let imported = try self(["certs", "import", "--cert", certificate, "--key", key, "--name", name], config: config)
            guard imported.status == 0 else { throw Refusal("import of \(name) failed: \(imported.stderr)") }
        }
    }

    static let sandboxLike: [(String, [String])] = [
        ("www.example.com", ["www.example.com", "example.com"]), ("wildcard-example", ["*.example.com"]),
        ("api.example.org", ["api.example.org"]), ("pay.example.net", ["pay.example.net"]), ("old.example.net", ["old.example.net"]),
        ("csr.example.com", ["csr.example.com"]), ("shop.example.cn", ["shop.example.cn"]), ("static-assets", ["static.example.com"]),
    ]

    func prepare(_ config: String?) throws -> [String: String] {
        let folder = directory.path("config")
        if let config {
            try FileManager.default.createDirectory(atPath: folder + "/certpush", withIntermediateDirectories: true)
            try config.write(toFile: folder + "/certpush/config.toml", atomically: true, encoding: .utf8)
        }
        return environment.merging(["XDG_STATE_HOME": directory.path("state"), "XDG_CONFIG_HOME": folder]) { $1 }
    }
}

/// A `servers` account named web, of nginx hosts: (name, ssh, command), and a reload of their own when given.
func serversAccount(_ hosts: [(name: String, ssh: String, command: String)], reload: String? = nil) -> String {
    "[accounts.web]\nkind = \"servers\"\n" + hosts.map { host in
        "[[accounts.web.hosts]]\nname = \"\(host.name)\"\nssh = \"\(host.ssh)\"\nserver = \"nginx\"\ncommand = \"\(host.command)\"\n"
            + (reload.map { "reload = \"\($0)\"\n" } ?? "")
    }.joined()
}

/// SPEC 10: accounts in config.toml, resources that say whose they are, and
/// `accounts check` proving each host answers.
@Suite struct AccountCommandTests {
    let cli = ConfiguredCLI()
    func certpush(_ arguments: String..., config: String? = nil) throws -> CertpushBinary.Result { try cli(arguments, config: config) }

    /// The system's nginx, which `.ci/run` installs.
    static let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("with nothing configured the sandbox is the one account; every resource says it is the sandbox's")
    func sandboxOnly() throws {
        #expect(try certpush("init").status == 0)
        let list = try certpush("accounts", "--json")
        #expect(list.status == 0)
        #expect(list.stdout.contains(#""name":"sandbox""#) || list.stdout.contains(#""name" : "sandbox""#))
        #expect(list.stdout.contains("23"))
        let resources = try certpush("resources", "list", "--account", "sandbox", "--json")
        #expect(resources.status == 0)
        #expect(!resources.stdout.contains("\"account\":\"web\"") && resources.stdout.contains("sandbox"))
        #expect(try certpush("accounts", "check", "sandbox").stdout.contains("sandbox: OK, the training sandbox (23 resources)."))
        let unknown = try certpush("resources", "list", "--account", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("There is no account nope; the accounts are sandbox."))
        // A sync records when it ran.
        #expect(try certpush("resources", "sync", "--account", "sandbox").status == 0)
        #expect(try certpush("accounts").stdout.contains("never") == false)
    }

    @Test("accounts check runs the server's own tool on each host: a local nginx answers, a host that refuses ssh fails in ssh's words")
    func checkServers() throws {
        let nginx = try #require(Self.nginx, "nginx is not installed: .ci/run installs it")
        let config = """
            [accounts.web]
            kind = "servers"
            [[accounts.web.hosts]]
            name = "here"
            ssh = "local"
            server = "nginx"
            command = "\(nginx)"
            [[accounts.web.hosts]]
            name = "gone"
            ssh = "ssh://nobody@127.0.0.1:9"
            server = "nginx"
            """
        #expect(try certpush("init", "--live", config: config).status == 0)
        let accounts = try certpush("accounts")
        #expect(accounts.stdout.contains("web") && accounts.stdout.contains("servers"))
        let check = try certpush("accounts", "check", "web")
        #expect(check.status == 1)
        #expect(check.stdout.contains("here (local): OK, nginx version: nginx/"), "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("gone (ssh://nobody@127.0.0.1:9): ssh: connect to host 127.0.0.1 port 9: Connection refused"),
                "\(check.stdout)\(check.stderr)")
    }

    @Test("a bad account table is one sentence naming its line, and nothing runs")
    func badConfig() throws {
        let result = try certpush("accounts", config: "theme = \"default\"\n\n[accounts.web]\nkind = \"servers\"\n")
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 3 ([accounts.web]): a servers account needs at least one [[accounts.web.hosts]]"))
    }
}

/// S1 with a real nginx: synchronizing a servers account makes one resource
/// per TLS site, with the certificate its file holds matched to a known one.
@Suite struct ServerSyncTests {
    let cli = ConfiguredCLI()
    func certpush(_ arguments: String..., config: String) throws -> CertpushBinary.Result { try cli(arguments, config: config) }

    @Test("resources sync --account reads nginx -T: a site per TLS listen, its certificate matched by SHA-256; a host that fails leaves the others synchronized")
    func synchronize() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let nginx = NginxFixture()
        let certificate = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "www.pem")
        let key = try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "www.key")
        let other = try nginx.install(Fixtures.url("ecdsa-wildcard.crt.pem"), as: "wild.pem")
        let otherKey = try nginx.install(Fixtures.url("ecdsa-wildcard.key.pem"), as: "wild.key")
        try nginx.configure([.init(names: ["www.example.com"], port: 18443, certificate: certificate, key: key),
                             .init(names: ["api.example.com", "example.com"], port: 18444, certificate: other, key: otherKey)])
        let config = serversAccount([("here", "local", nginx.command), ("broken", "local", "\(NginxFixture.binary!) -c /nonexistent/nginx.conf")])
        #expect(try certpush("init", "--live", config: config).status == 0)
        let imported = try certpush("certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path,
                                    "--json", config: config)
        #expect(imported.status == 0, "\(imported.stderr)")
        let id = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })

        let sync = try certpush("resources", "sync", "--account", "web", config: config)
        #expect(sync.status == 1, "one host fails")
        // It names the file it read, so "0 TLS sites" tells where it looked (issue 22, 15).
        #expect(sync.stdout.contains("Synchronized web: here: 2 TLS sites in \(nginx.configPath); broken: "), "\(sync.stdout)")
        #expect(sync.stdout.contains("[emerg] open() \"/nonexistent/nginx.conf\" failed (2: No such file or directory)"), "\(sync.stdout)")
        let list = try certpush("resources", "list", "--account", "web", config: config)
        let www = try #require(list.stdout.split(separator: "\n").first { $0.contains("www.example.com@127.0.0.1:18443") }, "\(list.stdout)")
        #expect(www.contains("nginx") && www.contains("here") && www.contains(id))
        let api = try #require(list.stdout.split(separator: "\n").first { $0.contains("api.example.com@127.0.0.1:18444") }, "\(list.stdout)")
        #expect(api.contains("-"), "a certificate certpush does not hold is served there")
        // Imported after the sync, as the README's walk does it: the site that serves it says so at once.
        let wild = try certpush("certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                                "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json", config: config)
        let wildID = try #require(wild.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
        let relisted = try certpush("resources", "list", "--account", "web", config: config).stdout
        #expect(relisted.split(separator: "\n").first { $0.contains("api.example.com@127.0.0.1:18444") }?.hasSuffix(" \(wildID)") == true, "\(relisted)")

        // The second site goes: the next sync removes it and keeps the first as it was.
        try nginx.configure([.init(names: ["www.example.com"], port: 18443, certificate: certificate, key: key)])
        #expect(try certpush("resources", "sync", "--account", "web", config: config).stdout.contains("here: 1 TLS site in \(nginx.configPath);"))
        let after = try certpush("resources", "list", "--account", "web", config: config)
        #expect(!after.stdout.contains("api.example.com") && after.stdout.contains("www.example.com@127.0.0.1:18443"))
        #expect(try certpush("accounts", config: config).stdout.split(separator: "\n").first { $0.contains("web") }?.contains("never") == false)
    }
}

/// S2 and S3 with a real nginx: deploy, prove by handshake, roll back and
/// prove again; a check that fails leaves the old certificate served and the
/// files as they were.
@Suite(.serialized) struct ServerDeploymentTests {
    let cli = ConfiguredCLI()
    func certpush(_ arguments: String..., config: String) throws -> CertpushBinary.Result { try cli(arguments, config: config) }

    func fingerprint(_ path: String) throws -> String? {
        Fingerprint.ofFirstCertificate(inPEM: try String(contentsOfFile: path, encoding: .utf8))
    }

    func id(in output: String) throws -> String {
        try #require(output.firstMatch(of: /"id"\s*:\s*"([crt]\d+)"/).map { String($0.1) }, "no id in \(output)")
    }

    @Test("a task deploys to an nginx site, proves it by handshake, rolls back and proves the old one; a failing check changes nothing served")
    func deployProveRollBack() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let (nginx, port, certificate, key) = try NginxFixture.servingWWW()
        defer { nginx.stop() }
        let config = serversAccount([("here", "local", nginx.command)])
        #expect(try certpush("init", "--live", config: config).status == 0)
        let old = try id(in: try certpush("certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path,
                                          "--json", config: config).stdout)
        let new = try id(in: try certpush("certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                                          "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json", config: config).stdout)
        #expect(try certpush("resources", "sync", "--account", "web", config: config).status == 0)
        let listing = try certpush("resources", "list", "--account", "web", "--json", config: config).stdout
        let site = try id(in: listing)
        #expect(listing.contains("\"certificateId\":\"\(old)\"") || listing.contains("\"certificateId\" : \"\(old)\""), "\(listing)")
        let oldPrint = try #require(try fingerprint(Fixtures.url("rsa-www.crt.pem").path))
        let newPrint = try #require(try fingerprint(Fixtures.url("ecdsa-wildcard.crt.pem").path))

        // A server's pair takes none of the sandbox's quota: a live workspace has none.
        let preview = try certpush("tasks", "preview", "--name", "web", "--cert", new, "--resource", site, "--json", config: config)
        #expect(preview.stdout.contains("\"pairs\" : 1") && preview.stdout.contains("\"quota\" : 0"), "\(preview.stdout)\(preview.stderr)")
        // Deploy: written, checked, reloaded, proved.
        let created = try certpush("tasks", "create", "--name", "web", "--cert", new, "--resource", site, "--json", config: config)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == newPrint)
        #expect(try fingerprint(certificate) == newPrint)
        // S10: the backup is in certpush's state folder on the host, never beside the file where the server may load it.
        let backup = cli.directory.path("state") + "/certpush/backup/" + certificate.replacingOccurrences(of: "/", with: "%")
        #expect(try fingerprint(backup) == oldPrint)
        #expect(try FileManager.default.contentsOfDirectory(atPath: nginx.directory.path("")).allSatisfy { !$0.contains("certpush") })
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
        let task = try id(in: created.stdout)

        // Roll back: the old certificate is served again.
        let rolled = try certpush("tasks", "rollback", task, config: config)
        #expect(rolled.status == 0, "\(rolled.stdout)\(rolled.stderr)")
        #expect(rolled.stdout.contains("\(site) "), "\(rolled.stdout)")
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == oldPrint)

        // S5: verify says the site serves what certpush recorded; a file changed behind its back is drift.
        let verified = try certpush("verify", "--json", config: config)
        #expect(verified.status == 0 && verified.stdout.contains("\"ok\" : true"), "\(verified.stdout)\(verified.stderr)")
        try FileManager.default.removeItem(atPath: certificate)
        try FileManager.default.copyItem(atPath: Fixtures.url("ecdsa-wildcard.crt.pem").path, toPath: certificate)
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: Fixtures.url("ecdsa-wildcard.key.pem").path, toPath: key)
        _ = try Shell.run(NginxFixture.binary!, nginx.command.split(separator: " ").dropFirst().map(String.init) + ["-s", "reload"])
        Thread.sleep(forTimeInterval: 0.5)
        let drift = try certpush("verify", site, config: config)
        #expect(drift.status == 1)
        #expect(drift.stdout.split(separator: "\n").first { $0.contains(site) }.map { $0.contains(new) && $0.contains("DRIFT") } == true, "\(drift.stdout)")
        try FileManager.default.removeItem(atPath: certificate)
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.crt.pem").path, toPath: certificate)
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.key.pem").path, toPath: key)
        _ = try Shell.run(NginxFixture.binary!, nginx.command.split(separator: " ").dropFirst().map(String.init) + ["-s", "reload"])
        Thread.sleep(forTimeInterval: 0.5)

        // A check that fails: nginx -t refuses, the files go back, the old certificate is still served.
        try nginx.configure([.init(names: ["www.example.com"], port: port, certificate: certificate, key: key)], extra: "this_is_not_a_directive on;")
        let refused = try certpush("tasks", "create", "--name", "broken", "--cert", new, "--resource", site, "--json", config: config)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("nginx -t refused it: nginx: [emerg] unknown directive"), "\(refused.stdout)")
        #expect(refused.stdout.contains("the previous files are back and still served"))
        #expect(try fingerprint(certificate) == oldPrint)
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == oldPrint)
    }
}

/// S4 with a real sshd on a loopback port: the same steps through the
/// system's OpenSSH client in batch mode, and a host that refuses ssh fails
/// only its own pairs, in ssh's words.
@Suite(.serialized) struct ServerOverSSHTests {
    @Test("check, synchronize and deploy over ssh; a host that refuses the key fails only its pair with \"Permission denied (publickey)\"")
    func overSSH() throws {
        try #require(NginxFixture.binary != nil && SSHFixture.sshd != nil, "nginx and OpenSSH are not installed: .ci/run installs them")
        let ssh = SSHFixture()
        try ssh.start()
        defer { ssh.stop() }
        let (nginx, port, _, _) = try NginxFixture.servingWWW()
        defer { nginx.stop() }

        func config(badSSH: String) -> String {
            serversAccount([("web1", ssh.destination, nginx.command), ("web2", badSSH, nginx.command)])
        }
        var cli = ConfiguredCLI()
        cli.environment["CERTPUSH_SSH_CONFIG"] = ssh.clientConfig
        func certpush(_ arguments: String..., config: String) throws -> CertpushBinary.Result { try cli(arguments, config: config) }
        let good = config(badSSH: "local")
        #expect(try certpush("init", "--live", config: good).status == 0)
        let check = try certpush("accounts", "check", "web", config: good)
        #expect(check.stdout.contains("web1 (\(ssh.destination)): OK, nginx version: nginx/"), "\(check.stdout)\(check.stderr)")
        // Host keys are checked as the user's ssh checks them: another key for this server is refused in ssh's words.
        var spoofed = cli
        spoofed.environment["CERTPUSH_SSH_CONFIG"] = ssh.wrongHostKeyConfig
        let refused = try spoofed(["accounts", "check", "web"], config: good)
        #expect(refused.status == 2 || refused.status == 1)
        #expect(refused.stdout.contains("web1 (\(ssh.destination)): Host key verification failed"), "\(refused.stdout)\(refused.stderr)")
        let imported = try certpush("certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                                    "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json", config: good)
        let new = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
        let sync = try certpush("resources", "sync", "--account", "web", config: good)
        #expect(sync.stdout.contains("web1: 1 TLS site in ") && sync.stdout.contains("web2: 1 TLS site in "), "\(sync.stdout)\(sync.stderr)")

        // web2 now refuses: its destination is a user whose key the server does not take.
        let bad = config(badSSH: "nobody@127.0.0.1")
        let created = try certpush("tasks", "create", "--name", "both", "--cert", new, "--match", "--json", config: bad)
        #expect(created.status == 1, "\(created.stdout)\(created.stderr)")
        #expect(created.stdout.contains("Permission denied (publickey"), "\(created.stdout)")
        #expect(created.stdout.contains("\"succeeded\""), "web1's pair succeeded: \(created.stdout)")
        let newPrint = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == newPrint)
    }
}

/// S6: a kill -9 in the middle of a deployment is recovered: the backup or
/// the new certificate, never half of each, and the record says which.
@Suite(.serialized) struct ServerCrashTests {
    @Test("killed while its reload hangs: the next run-due reloads what the files hold, proves it by handshake and records it (S10)")
    func killedMidDeployment() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let (nginx, port, certificate, _) = try NginxFixture.servingWWW()
        defer { nginx.stop() }
        // A reload that says it started, then hangs: certpush is killed while it waits.
        let marker = nginx.directory.path("reload.pid")
        let slowReload = nginx.directory.path("slow-reload.sh")
        // The first reload hangs; the next (recovery's) is nginx's own.
        try "#!/bin/sh\nif [ -e \(marker) ]; then exec \(nginx.command) -s reload; fi\necho $$ > \(marker)\nexec sleep 60\n"
            .write(toFile: slowReload, atomically: true, encoding: .utf8)
        chmod(slowReload, 0o755)
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)], reload: slowReload)
        #expect(try cli(["init", "--live"], config: config).status == 0)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
        let imported = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                                "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json"], config: config)
        let new = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
        #expect(try cli(["resources", "sync"], config: config).status == 0)
        let oldPrint = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("rsa-www.crt.pem"), encoding: .utf8))
        let newPrint = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))

        let runner = try cli.spawn(["tasks", "create", "--name", "killed", "--cert", new, "--resource", "r1"], config: config)
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: marker), Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the deployment never reached its reload")
        kill(runner, SIGKILL)
        var status: Int32 = 0
        waitpid(runner, &status, 0)
        if let reloadPID = Int32((try String(contentsOfFile: marker, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(reloadPID, SIGKILL)
        }
        // Half-done: the new files are in place, the old certificate is still served.
        #expect(Fingerprint.ofFirstCertificate(inPEM: try String(contentsOfFile: certificate, encoding: .utf8)) == newPrint)
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == oldPrint)

        // The files are whole and the server takes them: recovery reloads them and proves them, and the record follows.
        let recovered = try cli(["tasks", "run-due"], config: config)
        #expect(recovered.status == 0, "\(recovered.stdout)\(recovered.stderr)")
        let shown = try cli(["tasks", "show", "t1", "--json"], config: config).stdout
        #expect(shown.contains("\"status\" : \"succeeded\""), "\(shown)")
        #expect(Fingerprint.ofFirstCertificate(inPEM: try String(contentsOfFile: certificate, encoding: .utf8)) == newPrint)
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == newPrint)
    }
}

/// S7: configurations as admins write them, on a real nginx.
@Suite(.serialized) struct NginxAsWrittenTests {
    @Test("S7: a site whose files are named relative to nginx's folder, listening on IPv4 and IPv6, is one site: found, deployed, proved, rolled back")
    func relativePaths() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let nginx = NginxFixture()
        defer { nginx.stop() }
        let port = NginxFixture.freePort()
        _ = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "site.pem")
        _ = try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "site.key")
        // As Debian's snakeoil and certbot's empty_cert.pem are named: relative to the configuration's folder.
        try nginx.configure([.init(names: ["www.example.com"], port: port, certificate: "site.pem", key: "site.key")], extra: """
            server { listen 127.0.0.2:\(port) ssl; listen 127.0.0.3:\(port) ssl; server_name other.example.com;
                     ssl_certificate site.pem; ssl_certificate_key site.key; }
            """)
        try nginx.start(waitingFor: port)
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)])
        #expect(try cli(["init", "--live"], config: config).status == 0)
        let old = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("rsa-www.crt.pem"), encoding: .utf8))
        let new = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))
        _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path, "--key", Fixtures.url("ecdsa-wildcard.key.pem").path],
                    config: config)
        let sync = try cli(["resources", "sync"], config: config)
        #expect(sync.stdout.contains("here: 2 TLS sites in "), "one site per block and port: \(sync.stdout)")
        let listing = try cli(["resources", "list"], config: config).stdout
        // The file was found where nginx finds it: its certificate is known.
        #expect(listing.split(separator: "\n").first { $0.contains("www.example.com@127.0.0.1:\(port)") }?.hasSuffix(" c1") == true, "\(listing)")
        #expect(listing.split(separator: "\n").first { $0.contains("other.example.com@127.0.0.2:\(port)") }?.hasSuffix(" c1") == true, "\(listing)")
        // S8: both sites load site.pem: the file is the unit that changes.
        let preview = try cli(["tasks", "preview", "--name", "relative", "--cert", "c2", "--resource", "r1"], config: config)
        #expect(preview.stdout.contains("r1 shares its certificate file with r2: it gets c2 too, and the proof covers it."), "\(preview.stdout)")
        let created = try cli(["tasks", "create", "--name", "relative", "--cert", "c2", "--resource", "r1"], config: config)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == new)
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.2", port: port, serverName: "other.example.com") == new)
        let after = try cli(["resources", "list"], config: config).stdout
        #expect(after.split(separator: "\n").first { $0.contains("other.example.com@127.0.0.2") }?.hasSuffix(" c2") == true,
                "the other site's record follows its file: \(after)")
        #expect(try cli(["verify"], config: config).status == 0)
        #expect(Fingerprint.ofFirstCertificate(inPEM: try String(contentsOfFile: nginx.directory.path("site.pem"), encoding: .utf8)) == new)
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/site.pem.certpush-new"))
        let rolled = try cli(["tasks", "rollback", "t1"], config: config)
        #expect(rolled.status == 0, "\(rolled.stdout)\(rolled.stderr)")
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == old)
        #expect(try cli(["verify"], config: config).status == 0, "both sites serve what certpush records")
    }
}

extension NginxAsWrittenTests {
    @Test("S7, S9: Debian's packaged nginx, TLS turned on as its default site's comments say: one catch-all site (IPv4 and IPv6 listens), its snakeoil file found through a relative include; deployed, proved and rolled back")
    func debianDefault() throws {
        let binary = try #require(NginxFixture.binary, "nginx is not installed: .ci/run installs it")
        let folder = TemporaryDirectory(), debian = Fixtures.debianNginx
        let root = folder.path("") + "/"
        let port = NginxFixture.freePort(), plain = NginxFixture.freePort()
        func read(_ name: String) throws -> String { try String(contentsOf: debian.appendingPathComponent(name), encoding: .utf8) }
        for sub in ["modules-enabled", "conf.d", "sites-enabled", "snippets"] {
            try FileManager.default.createDirectory(atPath: folder.path(sub), withIntermediateDirectories: true)
        }
        // Only what a temporary folder needs: its paths, and ports of its own.
        let relocated = { (text: String) in
            text.replacingOccurrences(of: "/etc/nginx/", with: root).replacingOccurrences(of: "/var/log/nginx/", with: root)
                .replacingOccurrences(of: "pid /run/nginx.pid;", with: "pid \(root)nginx.pid;")
        }
        try relocated(try read("nginx.conf")).write(toFile: folder.path("nginx.conf"), atomically: true, encoding: .utf8)
        try read("mime.types").write(toFile: folder.path("mime.types"), atomically: true, encoding: .utf8)
        try read("snippets/snakeoil.conf").replacingOccurrences(of: "/etc/ssl/certs/", with: root).replacingOccurrences(of: "/etc/ssl/private/", with: root)
            .write(toFile: folder.path("snippets/snakeoil.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.crt.pem").path, toPath: folder.path("ssl-cert-snakeoil.pem"))
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.key.pem").path, toPath: folder.path("ssl-cert-snakeoil.key"))
        // The default site with TLS on, as its comments say: uncomment the two listens and the snakeoil include.
        let site = try read("sites-available/default")
            .replacingOccurrences(of: "\t# listen 443 ssl default_server;", with: "\tlisten \(port) ssl default_server;")
            .replacingOccurrences(of: "\t# listen [::]:443 ssl default_server;", with: "\tlisten [::]:\(port) ssl default_server;")
            .replacingOccurrences(of: "\t# include snippets/snakeoil.conf;", with: "\tinclude snippets/snakeoil.conf;")
            .replacingOccurrences(of: "listen 80 default_server;", with: "listen \(plain) default_server;")
            .replacingOccurrences(of: "listen [::]:80 default_server;", with: "listen [::]:\(plain) default_server;")
        try site.write(toFile: folder.path("sites-enabled/default"), atomically: true, encoding: .utf8)
        let command = "\(binary) -e \(root)error.log -c \(root)nginx.conf -p \(root)"

        // nginx's own account of it, read by certpush: one site, any name, the file the include names.
        let dump = try Subprocess.run("/bin/sh", ["-c", command + " -T"], timeLimit: 20)
        #expect(dump.succeeded, "\(dump.failure)")
        let sites = try NginxConfig.sites(fromDump: dump.stdout, host: "debian")
        #expect(sites.count == 1 && sites.first?.answersAnyName == true && sites.first?.port == port, "\(sites)")
        #expect(sites.first?.certificatePath == root + "ssl-cert-snakeoil.pem")

        let pid = try Daemon.start(binary, ["-e", root + "error.log", "-c", root + "nginx.conf", "-p", root, "-g", "daemon off;"],
                                   log: root + "nginx.log", port: port) { (try? String(contentsOfFile: root + "error.log", encoding: .utf8)) ?? "" }
        defer { Daemon.stop(pid) }
        let cli = ConfiguredCLI()
        let config = serversAccount([("debian", "local", command)])
        #expect(try cli(["init", "--live"], config: config).status == 0)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path, "--key", Fixtures.url("ecdsa-wildcard.key.pem").path],
                    config: config)
        let sync = try cli(["resources", "sync"], config: config)
        #expect(sync.stdout.contains("debian: 1 TLS site in \(root)nginx.conf"), "\(sync.stdout)\(sync.stderr)")
        #expect(try cli(["resources", "list"], config: config).stdout.contains("*:\(port)"))
        let created = try cli(["tasks", "create", "--name", "debian", "--cert", "c2", "--resource", "r1"], config: config)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        let new = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))
        let old = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("rsa-www.crt.pem"), encoding: .utf8))
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == new)
        #expect(try cli(["tasks", "rollback", "t1"], config: config).status == 0)
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == old)
    }

    @Test("S7: a site whose certificate nginx chooses per connection ($ssl_server_name) is listed, and a task on it is refused with why")
    func variableFile() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let nginx = NginxFixture()
        defer { nginx.stop() }
        let port = NginxFixture.freePort(), other = NginxFixture.freePort()
        let certificate = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "site.pem")
        let key = try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "site.key")
        try nginx.configure([.init(names: ["www.example.com"], port: port, certificate: certificate, key: key)], extra: """
            server { listen 127.0.0.1:\(other) ssl; server_name dyn.example.com;
                     ssl_certificate \(nginx.directory.path(""))/$ssl_server_name.pem; ssl_certificate_key \(nginx.directory.path(""))/$ssl_server_name.key; }
            """)
        try nginx.start(waitingFor: port)
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)])
        #expect(try cli(["init", "--live"], config: config).status == 0)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path, "--key", Fixtures.url("ecdsa-wildcard.key.pem").path],
                    config: config)
        #expect(try cli(["resources", "sync"], config: config).stdout.contains("here: 2 TLS sites"))
        let refused = try cli(["tasks", "create", "--name", "dyn", "--cert", "c1", "--resource", "r2"], config: config)
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("r2 cannot be deployed to: its certificate is chosen per connection"), "\(refused.stderr)")
        #expect(try cli(["tasks", "list", "--json"], config: config).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]"
                || !(try cli(["tasks", "list"], config: config).stdout.contains("dyn")))
    }
}

/// S9 on a real nginx: a site with no name.
@Suite(.serialized) struct NginxCatchAllTests {
    @Test("S9: a `server_name _` site is listed as answering any name, is never smart-matched, deploys when chosen (preview warns), proves with the certificate's name, rolls back")
    func catchAll() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let nginx = NginxFixture()
        defer { nginx.stop() }
        let port = NginxFixture.freePort()
        let certificate = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "site.pem")
        let key = try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "site.key")
        try nginx.configure([.init(names: ["_"], port: port, certificate: certificate, key: key)])
        try nginx.start(waitingFor: port)
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)])
        #expect(try cli(["init", "--live"], config: config).status == 0)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
        _ = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path, "--key", Fixtures.url("ecdsa-wildcard.key.pem").path],
                    config: config)
        #expect(try cli(["resources", "sync"], config: config).stdout.contains("here: 1 TLS site"))
        let listing = try cli(["resources", "list"], config: config).stdout
        #expect(listing.contains("*@127.0.0.1:\(port)"), "\(listing)")
        let matched = try cli(["tasks", "preview", "--name", "m", "--cert", "c2", "--match"], config: config)
        #expect(!matched.stdout.contains("r1"), "never smart-matched: \(matched.stdout)\(matched.stderr)")
        let preview = try cli(["tasks", "preview", "--name", "any", "--cert", "c2", "--resource", "r1"], config: config)
        #expect(preview.stdout.contains("r1 answers any name"), "\(preview.stdout)\(preview.stderr)")
        let created = try cli(["tasks", "create", "--name", "any", "--cert", "c2", "--resource", "r1"], config: config)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        let new = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "anything.example.com") == new)
        let rolled = try cli(["tasks", "rollback", "t1"], config: config)
        #expect(rolled.status == 0 && rolled.stdout.contains("c1 is back"), "\(rolled.stdout)\(rolled.stderr)")
        let verified = try cli(["verify", "--json"], config: config)
        #expect(verified.status == 0 && verified.stdout.contains("\"ok\" : true"), "\(verified.stdout)\(verified.stderr)")
    }
}

/// Failure sentences say what really happened (issue 19).
@Suite struct ServerFailureWordsTests {
    @Test("a reload that fails: the cause says the previous files are back and their reload failed too, and they are back byte for byte")
    func failedReload() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let (nginx, _, certificate, _) = try NginxFixture.servingWWW()
        defer { nginx.stop() }
        let before = try String(contentsOfFile: certificate, encoding: .utf8)
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)], reload: "/bin/false")
        #expect(try cli(["init", "--live"], config: config).status == 0)
        let imported = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                                "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json"], config: config)
        let new = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
        #expect(try cli(["resources", "sync"], config: config).status == 0)
        let created = try cli(["tasks", "create", "--name", "no reload", "--cert", new, "--resource", "r1"], config: config)
        #expect(created.status == 1)
        #expect(created.stdout.contains("the reload failed: ") && created.stdout.contains("the previous files are back, but reloading them failed too"),
                "\(created.stdout)")
        #expect(!created.stdout.contains("putting the previous files back failed"), "\(created.stdout)")
        #expect(try String(contentsOfFile: certificate, encoding: .utf8) == before)
    }
}

/// S10: a kill after each command certpush runs on a host, in a deployment
/// and in a roll back, then `tasks run-due`: what the site serves (by
/// handshake) is what certpush records, and no staged file is left.
@Suite(.serialized) struct ServerKillWalkTests {
    /// The commands of one deployment: write the certificate, write the key, move them in, check, reload; one more for a margin.
    static let steps = 1...6

    @Test("S10: killed after any remote step of a deployment or a roll back, run-due leaves the site serving what certpush records, no staged file")
    func killWalk() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let (nginx, port, _, _) = try NginxFixture.servingWWW()
        defer { nginx.stop() }
        let cli = ConfiguredCLI()
        let config = serversAccount([("here", "local", nginx.command)])
        #expect(try cli(["init", "--live"], config: config).status == 0)
        var prints: [String: String] = [:]
        for name in ["rsa-www", "ecdsa-wildcard"] {
            let imported = try cli(["certs", "import", "--cert", Fixtures.url("\(name).crt.pem").path, "--key", Fixtures.url("\(name).key.pem").path,
                                    "--json"], config: config)
            let id = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
            prints[id] = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("\(name).crt.pem"), encoding: .utf8))
        }
        #expect(try cli(["resources", "sync"], config: config).status == 0)

        /// What certpush records on r1, after run-due settled what the kill left.
        func settle(_ what: String) throws -> String? {
            let due = try cli(["tasks", "run-due"], config: config)
            #expect(due.status == 0 || due.status == 1, "\(what): \(due.stdout)\(due.stderr)")
            let listed = try cli(["resources", "list", "--json"], config: config).stdout
            let record = listed.firstMatch(of: /"certificateId"\s*:\s*"(c\d+)"/).map { String($0.1) }
            // nginx's workers may still be changing over from a reload run-due made: a handshake refused then is asked again.
            var served = ""
            for attempt in 1...4 {
                do {
                    served = try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com")
                    break
                } catch where attempt < 4 {
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            #expect(record.flatMap { prints[$0] } == served, "\(what): certpush records \(record ?? "none"), the site serves \(served.prefix(16))")
            let staged = try FileManager.default.subpathsOfDirectory(atPath: nginx.directory.path(""))
                + ((try? FileManager.default.subpathsOfDirectory(atPath: cli.directory.path("state"))) ?? [])
            #expect(!staged.contains { $0.hasSuffix(".certpush-new") || $0.contains("/staged/") && !$0.hasSuffix("/staged") },
                    "\(what): staged files left: \(staged)")
            return record
        }

        // Each step twice: killed while its command runs (the command goes on without certpush), and after it returned.
        let kills = Self.steps.flatMap { [("CERTPUSH_KILL_DURING_STEP", $0), ("CERTPUSH_KILL_AFTER_STEPS", $0)] }
        var current = try settle("before the walk")
        for (hook, step) in kills {
            var killer = cli
            killer.environment[hook] = "\(step)"
            let target = current == "c1" ? "c2" : "c1"
            _ = try killer(["tasks", "create", "--name", "deploy \(step)", "--cert", target, "--resource", "r1"], config: config)
            current = try settle("deployment, \(hook)=\(step)")
        }
        for (hook, step) in kills {
            // A task that succeeded on r1, to roll back with a kill in it.
            let target = current == "c1" ? "c2" : "c1"
            let made = try cli(["tasks", "create", "--name", "to roll back \(step)", "--cert", target, "--resource", "r1", "--json"], config: config)
            let task = try #require(made.stdout.firstMatch(of: /"id"\s*:\s*"(t\d+)"/).map { String($0.1) }, "\(made.stdout)\(made.stderr)")
            current = try settle("deployment before roll back, \(hook)=\(step)")
            var killer = cli
            killer.environment[hook] = "\(step)"
            _ = try killer(["tasks", "rollback", task], config: config)
            current = try settle("roll back, \(hook)=\(step)")
        }
    }
}

/// What the haproxy and apache tests share: the fixture rsa-www is served at
/// `port`; certpush finds the site (named `siteName`: "*" for a catch-all),
/// deploys ecdsa-wildcard and proves it, then `checkFiles` looks at the
/// files, then it rolls back and proves rsa-www.
func provesDeployAndRollBack(_ cli: ConfiguredCLI, config: String, account: String, host: String, server: String, port: Int,
                             siteName: String = "www.example.com", checkFiles: () throws -> Void) throws {
    #expect(try cli(["init", "--live"], config: config).status == 0)
    _ = try cli(["certs", "import", "--cert", Fixtures.url("rsa-www.crt.pem").path, "--key", Fixtures.url("rsa-www.key.pem").path], config: config)
    let imported = try cli(["certs", "import", "--cert", Fixtures.url("ecdsa-wildcard.crt.pem").path,
                            "--key", Fixtures.url("ecdsa-wildcard.key.pem").path, "--json"], config: config)
    let new = try #require(imported.stdout.firstMatch(of: /"id"\s*:\s*"(c\d+)"/).map { String($0.1) })
    let sync = try cli(["resources", "sync", "--account", account], config: config)
    #expect(sync.stdout.contains("\(host): 1 TLS site"), "\(sync.stdout)\(sync.stderr)")
    let listing = try cli(["resources", "list", "--account", account], config: config).stdout
    #expect(listing.contains("\(siteName)@127.0.0.1:\(port)") && listing.contains(server) && listing.contains("c1"), "\(listing)")

    let oldPrint = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("rsa-www.crt.pem"), encoding: .utf8))
    let newPrint = Fingerprint.ofFirstCertificate(inPEM: try String(contentsOf: Fixtures.url("ecdsa-wildcard.crt.pem"), encoding: .utf8))
    let created = try cli(["tasks", "create", "--name", server, "--cert", new, "--resource", "r1"], config: config)
    #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
    #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == newPrint)
    try checkFiles()
    let rolled = try cli(["tasks", "rollback", "t1"], config: config)
    #expect(rolled.status == 0, "\(rolled.stdout)\(rolled.stderr)")
    #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == oldPrint)
}

/// haproxy (SPEC 13): its config read over the shell, one PEM with chain and
/// key per site, `haproxy -c`, a reload, and the same proof.
@Suite(.serialized) struct HAProxyDeploymentTests {
    static let binary = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("a haproxy site is found from its bind's crt, deployed as one PEM (0600) and proved, then rolled back and proved")
    func deployToHAProxy() throws {
        let folder = TemporaryDirectory()
        let pem = folder.path("site.pem")
        try Self.writeSite(to: pem)
        try Self.provesHAProxy(folder: folder, bind: "ssl crt \(pem)") { () throws in
            #expect(try FileManager.default.attributesOfItem(atPath: pem)[.posixPermissions] as? Int == 0o600)
            #expect(try String(contentsOfFile: pem, encoding: .utf8).contains("PRIVATE KEY"))
        }
    }

    /// rsa-www's certificate and key in one PEM, as haproxy takes them.
    static func writeSite(to pem: String) throws {
        try (try String(contentsOf: Fixtures.url("rsa-www.crt.pem"), encoding: .utf8) + (try String(contentsOf: Fixtures.url("rsa-www.key.pem"), encoding: .utf8)))
            .write(toFile: pem, atomically: true, encoding: .utf8)
    }

    /// A haproxy in `folder` with `global` lines and a frontend bound on loopback with `bind`'s TLS words:
    /// `haproxy -c` takes it from another working folder, then certpush finds the site, deploys and rolls back.
    static func provesHAProxy(folder: TemporaryDirectory, global: String = "", bind: String, checkFiles: () throws -> Void) throws {
        let port = NginxFixture.freePort()
        let configFile = folder.path("haproxy.cfg")
        try """
            global
                log stderr local0 err
            \(global)
            defaults
                mode tcp
                timeout connect 5s
                timeout client 5s
                timeout server 5s
            frontend web
                bind 127.0.0.1:\(port) \(bind)
                default_backend nowhere
            backend nowhere
                mode tcp

            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        try provesHAProxy(folder: folder, configFile: configFile, port: port, checkFiles: checkFiles)
    }

    /// The haproxy `configFile` serving rsa-www at `port`: `haproxy -c` takes it from another working
    /// folder, then certpush finds the site, deploys and rolls back.
    static func provesHAProxy(folder: TemporaryDirectory, configFile: String, port: Int, checkFiles: () throws -> Void) throws {
        let haproxy = try #require(binary, "haproxy is not installed: .ci/run installs it")
        // haproxy itself resolves the files this way: it takes the config from another working folder.
        let checked = try Subprocess.run("/bin/sh", ["-c", "cd / && \(haproxy) -c -f \(configFile)"], timeLimit: 20)
        #expect(checked.succeeded, "\(checked.failure)")
        let pid = try Daemon.start(haproxy, ["-W", "-f", configFile, "-p", folder.path("haproxy.pid")], log: folder.path("haproxy.log"), port: port)
        defer { Daemon.stop(pid) }
        let config = """
            [accounts.lb]
            kind = "servers"
            [[accounts.lb.hosts]]
            name = "lb1"
            ssh = "local"
            server = "haproxy"
            command = "\(haproxy) -f \(configFile)"
            reload = "kill -USR2 \(pid)"
            """
        try provesDeployAndRollBack(ConfiguredCLI(), config: config, account: "lb", host: "lb1", server: "haproxy", port: port,
                                    siteName: "*", checkFiles: checkFiles)
    }
}

/// S7 on a real haproxy: files named as its own examples name them.
@Suite(.serialized) struct HAProxyAsWrittenTests {
    @Test("S7: default-path config, crt-base and a crt-list with a relative entry: haproxy -c takes it, certpush finds the file haproxy loads, deploys and rolls back")
    func relativeFiles() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("certs"), withIntermediateDirectories: true)
        let pem = folder.path("certs/site.pem")
        try HAProxyDeploymentTests.writeSite(to: pem)
        try "# the sites\nsite.pem www.example.com\n".write(toFile: folder.path("sites.list"), atomically: true, encoding: .utf8)
        try HAProxyDeploymentTests.provesHAProxy(folder: folder, global: "    default-path config\n    crt-base certs", bind: "ssl crt-list sites.list") { () throws in
            #expect(try String(contentsOfFile: pem, encoding: .utf8).contains("PRIVATE KEY"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("certs")) == ["site.pem"], "nothing staged or backed up in the crt folder")
        }
    }

    @Test("S7: Debian's packaged haproxy.cfg (crt-base, ca-base, Mozilla's settings, its error files) with a frontend whose crt is relative to the packaged crt-base: haproxy -c takes it, certpush finds the file, deploys and rolls back")
    func debianPackaged() throws {
        let folder = TemporaryDirectory(), root = folder.path("") + "/"
        let debian = Fixtures.debianHAProxy
        for sub in ["private", "certs", "errors"] {
            try FileManager.default.createDirectory(atPath: folder.path(sub), withIntermediateDirectories: true)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: debian.path + "/errors") {
            try FileManager.default.copyItem(atPath: debian.path + "/errors/" + file, toPath: folder.path("errors/" + file))
        }
        // Only what a temporary folder and a user without root need: its paths; no chroot, socket, user, daemon or syslog.
        let needsRoot = ["chroot", "stats socket", "user ", "group ", "daemon", "log /dev/log"]
        let packaged = try String(contentsOf: debian.appendingPathComponent("haproxy.cfg"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !needsRoot.contains { line.trimmingCharacters(in: .whitespaces).hasPrefix($0) } }
            .joined(separator: "\n")
            .replacingOccurrences(of: "/etc/ssl/private", with: root + "private").replacingOccurrences(of: "/etc/ssl/certs", with: root + "certs")
            .replacingOccurrences(of: "/etc/haproxy/errors/", with: root + "errors/")
        try HAProxyDeploymentTests.writeSite(to: folder.path("private/site.pem"))
        let port = NginxFixture.freePort()
        let configFile = folder.path("haproxy.cfg")
        try (packaged + "\nfrontend https\n\tbind 127.0.0.1:\(port) ssl crt site.pem\n\tdefault_backend nowhere\n\nbackend nowhere\n")
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        try HAProxyDeploymentTests.provesHAProxy(folder: folder, configFile: configFile, port: port) { () throws in
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("private")) == ["site.pem"], "nothing staged or backed up beside it")
            #expect(try FileManager.default.attributesOfItem(atPath: folder.path("private/site.pem"))[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test("S9: a bind's only certificate answers any name (a catch-all); a crt folder of two is two sites named by their certificates, as haproxy -c takes it")
    func defaultCertificate() throws {
        let haproxy = try #require(HAProxyDeploymentTests.binary, "haproxy is not installed: .ci/run installs it")
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.path("certs"), withIntermediateDirectories: true)
        try HAProxyDeploymentTests.writeSite(to: folder.path("certs/www.pem"))
        try (try String(contentsOf: Fixtures.url("rsa-multi-san.crt.pem"), encoding: .utf8) + (try String(contentsOf: Fixtures.url("rsa-multi-san.key.pem"), encoding: .utf8)))
            .write(toFile: folder.path("certs/shop.pem"), atomically: true, encoding: .utf8)
        let configFile = folder.path("haproxy.cfg")
        try """
            frontend one
                mode tcp
                bind 127.0.0.1:8443 ssl crt \(folder.path("certs/www.pem"))
            frontend two
                mode tcp
                bind 127.0.0.1:9443 ssl crt \(folder.path("certs"))

            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let checked = try Subprocess.run("/bin/sh", ["-c", "\(haproxy) -c -f \(configFile)"], timeLimit: 20)
        #expect(checked.succeeded, "\(checked.failure)")
        let cli = ConfiguredCLI()
        let config = "[accounts.lb]\nkind = \"servers\"\n[[accounts.lb.hosts]]\nname = \"lb1\"\nssh = \"local\"\nserver = \"haproxy\"\ncommand = \"\(haproxy) -f \(configFile)\"\n"
        #expect(try cli(["init", "--live"], config: config).status == 0)
        let sync = try cli(["resources", "sync"], config: config)
        #expect(sync.stdout.contains("lb1: 3 TLS sites"), "\(sync.stdout)\(sync.stderr)")
        let listing = try cli(["resources", "list"], config: config).stdout
        #expect(listing.contains("*@127.0.0.1:8443"), "\(listing)")
        #expect(listing.contains("www.example.com@127.0.0.1:9443") && listing.contains("shop.example.org@127.0.0.1:9443"), "\(listing)")
        #expect(!listing.contains("*@127.0.0.1:9443"), "\(listing)")
    }
}

/// apache (SPEC 13): its config and what it includes, read over the shell;
/// a TLS virtual host is a site; `-t`, a graceful restart, and the same proof.
@Suite(.serialized) struct ApacheDeploymentTests {
    static let binary = ["/usr/sbin/apache2", "/usr/sbin/httpd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let modules = ["/usr/lib/apache2/modules", "/usr/lib64/httpd/modules"].first { FileManager.default.fileExists(atPath: $0 + "/mod_ssl.so") }

    @Test("S7: a certbot-made virtual host, whose SSLEngine comes from certbot's own options file by Include, is found, deployed, proved and rolled back")
    func certbotVirtualHost() throws {
        try apacheSite(sslLines: "Include options-ssl-apache.conf") { folder in
            try FileManager.default.copyItem(at: Fixtures.certbot.appendingPathComponent("options-ssl-apache.conf"),
                                             to: URL(fileURLWithPath: folder.path("options-ssl-apache.conf")))
        }
    }

    @Test("an apache virtual host is found through IncludeOptional, deployed and proved, then rolled back and proved")
    func deployToApache() throws {
        try apacheSite(sslLines: "SSLEngine on") { _ in }
    }

    /// An apache on loopback serving www.example.com with `sslLines` in its virtual host, proved through deploy and roll back.
    func apacheSite(sslLines: String, prepare: (TemporaryDirectory) throws -> Void) throws {
        let apache = try #require(Self.binary, "apache is not installed: .ci/run installs it")
        let modules = try #require(Self.modules, "mod_ssl is not installed: .ci/run installs apache2")
        let folder = TemporaryDirectory()
        let port = NginxFixture.freePort()
        try FileManager.default.createDirectory(atPath: folder.path("sites"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.crt.pem").path, toPath: folder.path("site.pem"))
        try FileManager.default.copyItem(atPath: Fixtures.url("rsa-www.key.pem").path, toPath: folder.path("site.key"))
        let configFile = folder.path("httpd.conf")
        try """
            ServerRoot \(folder.path(""))
            ServerName localhost
            PidFile \(folder.path("httpd.pid"))
            ErrorLog \(folder.path("error.log"))
            LoadModule mpm_event_module \(modules)/mod_mpm_event.so
            LoadModule authz_core_module \(modules)/mod_authz_core.so
            LoadModule socache_shmcb_module \(modules)/mod_socache_shmcb.so
            LoadModule ssl_module \(modules)/mod_ssl.so
            Listen 127.0.0.1:\(port)
            IncludeOptional sites/*.conf

            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        try """
            <VirtualHost 127.0.0.1:\(port)>
                ServerName www.example.com
                ServerAlias example.com
                \(sslLines)
                SSLCertificateFile site.pem
                SSLCertificateKeyFile \(folder.path("site.key"))
            </VirtualHost>

            """.write(toFile: folder.path("sites/www.conf"), atomically: true, encoding: .utf8)
        try prepare(folder)
        let pid = try Daemon.start(apache, ["-f", configFile, "-DFOREGROUND"], log: folder.path("apache.log"), port: port) {
            (try? String(contentsOfFile: folder.path("error.log"), encoding: .utf8)) ?? ""
        }
        defer { Daemon.stop(pid) }
        let config = """
            [accounts.web]
            kind = "servers"
            [[accounts.web.hosts]]
            name = "www1"
            ssh = "local"
            server = "apache"
            command = "\(apache) -f \(configFile)"
            """
        try provesDeployAndRollBack(ConfiguredCLI(), config: config, account: "web", host: "www1", server: "apache", port: port) { () throws in
            #expect(try FileManager.default.attributesOfItem(atPath: folder.path("site.key"))[.posixPermissions] as? Int == 0o600)
        }
    }
}
