import CertpushTestSupport
import Foundation
import Testing

/// The CLI as scripts use it: real binary, real files, exit codes of SPEC 8.
@Suite struct CommandLineTests {
    let directory = TemporaryDirectory()
    var db: String { directory.path("cli.sqlite") }
    func certpush(_ arguments: String...) throws -> CertpushBinary.Result {
        try CertpushBinary.run(arguments + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state")])
    }
    func fixture(_ name: String) -> String { Fixtures.url(name).path }

    @Test("init seeds the sandbox, mode 0600; a second init is refused")
    func initialise() throws {
        let first = try certpush("init")
        #expect(first.status == 0)
        #expect(first.stdout.contains("Created the training workspace at \(db): the sandbox, with 14 certificates."))
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? Int == 0o600)
        let second = try certpush("init")
        #expect(second.status == 2)
        #expect(second.stderr.contains("already exists"))
        // Logs go to the state folder, not to the terminal.
        #expect(FileManager.default.fileExists(atPath: directory.path("state/certpush/certpush.log")))
    }

    @Test("only init and the console create a database: other commands on a missing one say so, exit 2, and create nothing")
    func missingDatabase() throws {
        let missing = directory.path("new/folder/db.sqlite")
        let show = try CertpushBinary.run(["certs", "show", "c999", "--db", missing], environment: ["XDG_STATE_HOME": directory.path("state")])
        #expect(show.status == 2)
        #expect(show.stderr == "certpush: There is no workspace at \(missing); `certpush init --db \(missing)` makes a training workspace there, `certpush init --live --db \(missing)` a live one.\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path("new")))
        let empty = try CertpushBinary.run(["certs", "list", "--db", ""], environment: ["XDG_STATE_HOME": directory.path("state")])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("--db was given an empty path"))
    }

    @Test("SPEC 8: every bracketed field is in every object, null when it has no value")
    func jsonNulls() throws {
        #expect(try certpush("init").status == 0)
        func objects(_ arguments: String...) throws -> [[String: Any]] {
            let result = try CertpushBinary.run(arguments + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state")])
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        }
        let certificates = try objects("certs", "list", "--json")
        for field in ["id", "name", "domains", "status", "source", "family", "notAfter", "hasPrivateKey"] {
            #expect(certificates.allSatisfy { $0.keys.contains(field) }, "certs list: \(field) missing somewhere")
        }
        #expect(certificates.contains { $0["status"] as? String == "pending" && $0["notAfter"] is NSNull })
        let resources = try objects("resources", "list", "--json")
        for field in ["id", "account", "service", "region", "name", "domain", "certificateId"] {
            #expect(resources.allSatisfy { $0.keys.contains(field) }, "resources list: \(field) missing somewhere")
        }
        #expect(resources.contains { $0["certificateId"] is NSNull })
        #expect(resources.contains { $0["region"] is NSNull })
        let preview = try CertpushBinary.run(["tasks", "preview", "--name", "p", "--cert", "c10", "--match", "--json", "--db", db],
                                             environment: ["XDG_STATE_HOME": directory.path("state")])
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(preview.stdout.utf8)) as? [String: Any])
        for field in ["id", "status", "pairs", "quota", "resources"] { #expect(plan.keys.contains(field), "preview: \(field) missing") }
    }

    @Test("SPEC 8: the streamed list writes each certificate exactly as certs show --json does, awkward text included")
    func streamedListMatchesShow() throws {
        #expect(try certpush("init").status == 0)
        let name = "quote \" back \\ slash 证书"
        #expect(try certpush("certs", "import", "--cert", fixture("rsa-www.crt.pem"), "--key", fixture("rsa-www.key.pem"), "--name", name).status == 0)
        let listed = try certpush("certs", "list", "--json").stdout
        let list = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [NSDictionary])
        for id in ["c15", "c14", "c13", "c1"] {
            let text = try certpush("certs", "show", id, "--json").stdout
            let shown = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
            #expect(list.first { $0["id"] as? String == id } == shown, "\(id) differs")
            // To the letter, as JSONEncoder writes it, one level in.
            let indented = text.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            #expect(listed.contains(indented), "\(id) is not written as certs show --json writes it")
        }
        #expect(list.first?["name"] as? String == name)
        let empty = TemporaryDirectory()
        let none = try CertpushBinary.run(["certs", "list", "--json", "--db", empty.path("e.sqlite")], environment: ["XDG_STATE_HOME": directory.path("state")])
        #expect(none.status == 2)
    }

    @Test("regions: every region with its name and the regional services enabled there")
    func regions() throws {
        #expect(try certpush("init").status == 0)
        let result = try certpush("regions", "--json")
        let regions = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(regions.count == 15)
        let johannesburg = try #require(regions.first { $0["code"] as? String == "af-south-1" })
        #expect(johannesburg["name"] as? String == "AF-Johannesburg")
        #expect((johannesburg["services"] as? [String])?.contains("waf") == false)
        #expect((johannesburg["services"] as? [String])?.contains("elb") == true)
        #expect(try certpush("regions", "--account", "nope").status == 2)
    }

    @Test("the log folder is private (0700) whatever the umask")
    func privateLogFolder() throws {
        let state = directory.path("umask-state")
        let result = try Shell.run("/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", CertpushBinary.url.path, "init", "--db", db],
                                   environment: ["XDG_STATE_HOME": state])
        #expect(result.status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: state + "/certpush")[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: state + "/certpush/certpush.log")[.posixPermissions] as? Int == 0o600)
    }

    @Test("init --empty, then import, list and show, with JSON that never holds a key")
    func importListShow() throws {
        #expect(try certpush("init", "--empty").status == 0)
        #expect(try certpush("certs", "list").stdout.split(separator: "\n").count == 1)
        let imported = try certpush("certs", "import", "--cert", fixture("rsa-www.crt.pem"), "--key", fixture("rsa-www.key.pem"), "--json")
        #expect(imported.status == 0)
        #expect(imported.stdout.contains("\"id\" : \"c1\""))
        #expect(!imported.stdout.contains("PRIVATE KEY"))
        let list = try certpush("certs", "list", "--json")
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 1)
        for field in ["id", "name", "domains", "status", "source", "family", "notAfter", "hasPrivateKey"] {
            #expect(rows?.first?[field] != nil, "missing \(field)")
        }
        #expect(rows?.first?["hasPrivateKey"] as? Bool == true)
        let show = try certpush("certs", "show", "c1")
        #expect(show.status == 0)
        #expect(show.stdout.contains("SHA-256"))
        #expect(!show.stdout.contains("PRIVATE KEY"))
    }

    @Test("bad input: one sentence naming the file, exit 2, database unchanged", arguments: [
        ["--cert", "garbage.crt.pem"], ["--cert", "empty.crt.pem"], ["--cert", "truncated.crt.pem"],
        ["--cert", "root-ca.crt.pem"], ["--cert", "rsa-www.crt.pem", "--key", "mismatch.key.pem"],
        ["--cert", "no-such-file.pem"],
    ])
    func badInput(arguments: [String]) throws {
        #expect(try certpush("init", "--empty").status == 0)
        let resolved = arguments.map { $0.hasSuffix(".pem") ? fixture($0) : $0 }
        let result = try CertpushBinary.run(["certs", "import"] + resolved + ["--db", db])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        let named = (arguments.last { $0.hasSuffix(".pem") })!
        #expect(result.stderr.contains(named))
        #expect(try certpush("certs", "list", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" ||
                certpush("certs", "list", "--json").stdout.contains("[]"))
    }

    @Test("an encrypted key with --passphrase-file; a wrong one is a clear error")
    func passphraseFile() throws {
        #expect(try certpush("init", "--empty").status == 0)
        let wrong = directory.path("wrong.txt"), right = directory.path("right.txt")
        try "not-it\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        try "fixture-pass\n".write(toFile: right, atomically: true, encoding: .utf8)
        let refused = try certpush("certs", "import", "--cert", fixture("encrypted-key.crt.pem"), "--key", fixture("encrypted-key.key.pem"), "--passphrase-file", wrong)
        #expect(refused.status == 2)
        #expect(refused.stderr == "certpush: The passphrase for encrypted-key.key.pem is wrong.\n")
        let accepted = try certpush("certs", "import", "--cert", fixture("encrypted-key.crt.pem"), "--key", fixture("encrypted-key.key.pem"), "--passphrase-file", right)
        #expect(accepted.status == 0)
    }

    @Test("delete, activity, unknown ids and usage mistakes")
    func deleteAndActivity() throws {
        #expect(try certpush("init").status == 0)
        let deleted = try certpush("certs", "delete", "c9")
        #expect(deleted.status == 0)
        #expect(try certpush("certs", "show", "c9").status == 2)
        #expect(try certpush("certs", "delete", "c1").stderr.contains("is in use on"))
        #expect(try certpush("certs", "show", "nonsense").stderr.contains("is not a certificate id"))
        let activity = try certpush("activity", "--json", "--limit", "1")
        #expect(activity.stdout.contains("certificate.delete"))
        #expect(try certpush("certs", "list", "--bogus").status == 2)
        #expect(try certpush("activity", "--limit", "0").status == 2)
    }

    @Test("a database path that is not a database is refused untouched")
    func notADatabase() throws {
        try "hello".write(toFile: db, atomically: true, encoding: .utf8)
        let result = try certpush("certs", "list")
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a certpush database"))
        #expect(try String(contentsOfFile: db, encoding: .utf8) == "hello")
    }

    @Test("CERTPUSH_DB chooses the database when --db is not given")
    func environmentDatabase() throws {
        let path = directory.path("env.sqlite")
        let result = try CertpushBinary.run(["init", "--empty"], environment: ["CERTPUSH_DB": path, "XDG_STATE_HOME": directory.path("state")])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("the console refuses to start without a terminal")
    func consoleNeedsTerminal() throws {
        let result = try certpush()
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs a terminal"))
    }

    @Test("words: --version answers; a negative --limit is one sentence, not 'Missing value' (issue 22, words)")
    func versionAndLimits() throws {
        let version = try CertpushBinary.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("certpush "), "\(version.stdout)")
        let directory = TemporaryDirectory()
        let db = directory.path("w.sqlite")
        #expect(try CertpushBinary.run(["init", "--db", db], environment: ["XDG_STATE_HOME": directory.path("state")]).status == 0)
        for command in [["push-records", "c12", "--limit", "-1"], ["activity", "--limit", "-1"], ["activity", "--limit", "0"]] {
            let refused = try CertpushBinary.run(command + ["--db", db], environment: ["XDG_STATE_HOME": directory.path("state")])
            #expect(refused.status == 2 && refused.stderr == "certpush: --limit must be 1 or more.\n", "\(command): \(refused.stderr)")
        }
        // One pair is "1 certificate-resource pair", not "pairs".
        let preview = try CertpushBinary.run(["tasks", "preview", "--name", "p", "--cert", "c10", "--match", "--db", db],
                                             environment: ["XDG_STATE_HOME": directory.path("state")])
        #expect(preview.stdout.contains("1 certificate-resource pair; quota"), "\(preview.stdout)")
    }
}
