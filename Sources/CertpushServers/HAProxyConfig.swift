import CertpushCore
import Foundation

/// Reads haproxy's configuration (it has no dump like `nginx -T`): each
/// `bind ... ssl crt PATH` of a frontend or listen section is a TLS site,
/// its certificate, chain and key in that one PEM file (or each file of a
/// `crt` folder). Its names come from the certificate it holds.
public enum HAProxyConfig {
    /// The config files a host's haproxy reads: each `-f` of its command, else the default.
    public static func configFiles(command: String) -> [String] {
        let words = command.split(separator: " ").map(String.init)
        let files = zip(words, words.dropFirst()).filter { $0.0 == "-f" }.map(\.1)
        return files.isEmpty ? ["/etc/haproxy/haproxy.cfg"] : files
    }

    /// The TLS binds: address, port and `crt` paths, in order.
    public static func binds(in text: String) -> [(address: String, port: Int, crts: [String])] {
        var binds: [(address: String, port: Int, crts: [String])] = []
        var inProxy = false
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { continue }
            if !rawLine.hasPrefix(" ") && !rawLine.hasPrefix("\t") {
                // A section starts at the margin: frontend and listen sections bind.
                inProxy = first == "frontend" || first == "listen"
                continue
            }
            guard inProxy, first == "bind", words.contains("ssl"), words.count > 1 else { continue }
            var crts: [String] = []
            for (index, word) in words.enumerated() where word == "crt" && index + 1 < words.count { crts.append(words[index + 1]) }
            guard !crts.isEmpty else { continue }
            for spec in words[1].split(separator: ",").map(String.init) {
                guard let colon = spec.lastIndex(of: ":"), let port = Int(spec[spec.index(after: colon)...]) else { continue }
                let address = String(spec[..<colon])
                binds.append((address.isEmpty ? "*" : address, port, crts))
            }
        }
        return binds
    }
}

/// haproxy as a server certpush deploys to.
struct HAProxy: ServerSoftware {
    var server: ServerHost.Server { .haproxy }
    var tool: String { "haproxy" }
    var checkArgument: String { "-c" }
    func reload(tool: String) -> String { "systemctl reload haproxy" }

    /// haproxy: its config files read over the shell; each TLS bind's `crt`
    /// file (or each file of a `crt` folder) is a site, named by its certificate.
    func discover(_ shell: HostShell) throws -> Discovery {
        var binds: [(address: String, port: Int, crts: [String])] = []
        let configFiles = HAProxyConfig.configFiles(command: shell.tool)
        for file in configFiles {
            let text = try shell.run("cat -- \(ServerFiles.quoted(file))")
            guard text.succeeded else { throw Refusal("reading \(file) failed: \(text.failure)") }
            binds += HAProxyConfig.binds(in: text.stdout)
        }
        // A crt folder holds a PEM per certificate: list it.
        var files: [String: [String]] = [:]
        for crt in Set(binds.flatMap(\.crts)) {
            let listing = try shell.run("if [ -d \(ServerFiles.quoted(crt)) ]; then find \(ServerFiles.quoted(crt)) -maxdepth 1 -type f | sort; else printf '%s\\n' \(ServerFiles.quoted(crt)); fi")
            files[crt] = listing.stdout.split(separator: "\n").map(String.init)
        }
        let paths = Array(Set(files.values.joined())).sorted()
        let texts = try ServerFiles.certificateTexts(paths, shell: shell)
        let sites = binds.flatMap { bind in
            bind.crts.flatMap { files[$0] ?? [] }.map { path in
                let text = texts[path] ?? ""
                return ServerSite(host: shell.host.name, address: bind.address, port: bind.port,
                                  serverNames: Fingerprint.domainsOfFirstCertificate(inPEM: text), certificatePath: path, keyPath: path,
                                  servedFingerprint: Fingerprint.ofFirstCertificate(inPEM: text))
            }
        }
        return Discovery(sites: sites, files: configFiles)
    }
}
