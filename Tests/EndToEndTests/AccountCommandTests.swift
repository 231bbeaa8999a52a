import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// SPEC 10: accounts in config.toml, resources that say whose they are, and
/// `accounts check` proving each host answers.
@Suite struct AccountCommandTests {
    let directory = TemporaryDirectory()
    var db: String { directory.path("cli.sqlite") }

    func certpush(_ arguments: String..., config: String? = nil) throws -> CertpushBinary.Result {
        let configFolder = directory.path("config")
        if let config {
            try FileManager.default.createDirectory(atPath: configFolder + "/certpush", withIntermediateDirectories: true)
            try config.write(toFile: configFolder + "/certpush/config.toml", atomically: true, encoding: .utf8)
        }
        return try CertpushBinary.run(arguments + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state"),
                                                                               "XDG_CONFIG_HOME": configFolder])
    }

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
        #expect(try certpush("init", config: config).status == 0)
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
