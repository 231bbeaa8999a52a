import CertpushCore
import CertpushServers
import Foundation

/// SPEC 9 and S11: a task over a fleet of real nginx hosts on loopback
/// (`hosts` processes of `sites` TLS sites each, all `ssh = "local"`), its
/// deployment and its roll back timed through the real binary.
func fleet(hosts: Int, sites: Int, binary: String) throws {
    guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        print("nginx is not installed (apt-get install nginx-light)")
        exit(2)
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("certpush-fleet-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    // Two certificates for every site's name: the one served first, and the one the task deploys.
    for name in ["old", "new"] {
        let made = try Subprocess.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
            "-subj", "/CN=\(name).fleet.test", "-addext", "subjectAltName=DNS:*.fleet.test",
            "-keyout", path("\(name).key"), "-out", path("\(name).pem"),
        ], timeLimit: 30)
        guard made.succeeded else { throw Refusal("openssl failed: \(made.failure)") }
    }

    var started: [pid_t] = []
    defer { for pid in started { kill(pid, SIGTERM) } }
    let base = 21_000 + Int(getpid() % 2_000) * 10 % 20_000
    var accounts = "[accounts.fleet]\nkind = \"servers\"\n"
    for host in 0..<hosts {
        let home = path("h\(host)")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var servers = ""
        for site in 0..<sites {
            let certificate = "\(home)/s\(site).pem", key = "\(home)/s\(site).key"
            try FileManager.default.copyItem(atPath: path("old.pem"), toPath: certificate)
            try FileManager.default.copyItem(atPath: path("old.key"), toPath: key)
            servers += """
                  server { listen 127.0.0.1:\(base + host * sites + site) ssl; server_name s\(site)-h\(host).fleet.test;
                           ssl_certificate \(certificate); ssl_certificate_key \(key); }

                """
        }
        try """
            pid \(home)/nginx.pid;
            error_log \(home)/error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path \(home)/body; proxy_temp_path \(home)/proxy; fastcgi_temp_path \(home)/fastcgi;
              uwsgi_temp_path \(home)/uwsgi; scgi_temp_path \(home)/scgi;
            \(servers)}
            """.write(toFile: "\(home)/nginx.conf", atomically: true, encoding: .utf8)
        let command = "\(nginx) -e \(home)/error.log -c \(home)/nginx.conf -p \(home)/"
        let run = try Subprocess.run("/bin/sh", ["-c", command], timeLimit: 30)
        guard run.succeeded else { throw Refusal("nginx h\(host) did not start: \(run.failure)") }
        if let pid = (try? String(contentsOfFile: "\(home)/nginx.pid", encoding: .utf8)).flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            started.append(pid)
        }
        accounts += "[[accounts.fleet.hosts]]\nname = \"h\(host)\"\nssh = \"local\"\nserver = \"nginx\"\ncommand = \"\(command)\"\n"
    }
    try FileManager.default.createDirectory(atPath: path("config/certpush"), withIntermediateDirectories: true)
    try accounts.write(toFile: path("config/certpush/config.toml"), atomically: true, encoding: .utf8)

    var environment = ProcessInfo.processInfo.environment
    environment["XDG_CONFIG_HOME"] = path("config")
    environment["XDG_STATE_HOME"] = path("state")
    environment["CERTPUSH_KEYRING"] = path("keyring")
    let database = path("fleet.sqlite")
    func certpush(_ arguments: [String]) throws -> (output: String, seconds: Double) {
        let clock = ContinuousClock(), start = clock.now
        let run = try Subprocess.run(binary, arguments + ["--db", database], timeLimit: 600, environment: environment)
        let seconds = Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) / 1e18
        return (run.stdout + run.stderr, seconds)
    }
    _ = try certpush(["init", "--live"])
    _ = try certpush(["certs", "import", "--cert", path("old.pem"), "--key", path("old.key")])
    _ = try certpush(["certs", "import", "--cert", path("new.pem"), "--key", path("new.key")])
    let sync = try certpush(["resources", "sync"])
    print("sync of \(hosts) hosts: \(String(format: "%.2f", sync.seconds)) s  (\(sync.output.prefix(120))…)")
    let deploy = try certpush(["tasks", "create", "--name", "fleet", "--cert", "c2", "--match"])
    print("deploy of \(hosts * sites) sites: \(String(format: "%.2f", deploy.seconds)) s  (\(deploy.output.split(separator: "\n").first ?? ""))")
    let rollBack = try certpush(["tasks", "rollback", "t1"])
    let back = rollBack.output.split(separator: "\n").filter { $0.contains("is back") }.count
    print("roll back of \(hosts * sites) sites: \(String(format: "%.2f", rollBack.seconds)) s  (\(back) sites say their certificate is back)")
}
