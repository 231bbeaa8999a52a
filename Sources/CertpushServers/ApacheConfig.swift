import CertpushCore
import Foundation

/// Reads apache's configuration as apache does: directives one a line
/// (case does not matter), `Include` and `IncludeOptional` relative to the
/// ServerRoot, and `<VirtualHost>` blocks with `SSLEngine on` as TLS sites.
public enum ApacheConfig {
    /// The config file a host's apache reads: the `-f` of its command, else Debian's.
    public static func mainFile(command: String) -> String {
        let words = command.split(separator: " ").map(String.init)
        return zip(words, words.dropFirst()).first { $0.0 == "-f" }?.1 ?? "/etc/apache2/apache2.conf"
    }

    /// The lines of a file without comments, continuation lines joined.
    static func lines(_ text: String) -> [[String]] {
        var result: [[String]] = [], pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = pending + raw.trimmingCharacters(in: .whitespaces)
            pending = ""
            if line.hasSuffix("\\") {
                pending = String(line.dropLast()) + " "
                continue
            }
            if line.hasPrefix("#") { line = "" }
            let words = line.split(whereSeparator: \.isWhitespace).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if !words.isEmpty { result.append(words) }
        }
        return result
    }

    /// The patterns a file includes, made absolute against `serverRoot`, in order.
    public static func includes(in text: String, serverRoot: String) -> [String] {
        lines(text).compactMap { words in
            guard ["include", "includeoptional"].contains(words[0].lowercased()), words.count > 1 else { return nil }
            var pattern = words[1].hasPrefix("/") ? words[1] : serverRoot + "/" + words[1]
            if pattern.hasSuffix("/") { pattern += "*" }
            return pattern
        }
    }

    /// The ServerRoot a file sets, if it does.
    public static func serverRoot(in text: String) -> String? {
        lines(text).first { $0[0].lowercased() == "serverroot" && $0.count > 1 }?[1]
    }

    /// The main file's lines with every `Include` and `IncludeOptional`
    /// replaced, where it stands (inside a `<VirtualHost>` too), by the lines
    /// of the files it names, in the order apache reads them (S7).
    static func flattened(_ path: String, files: [String: String], serverRoot: String, depth: Int = 0) -> [[String]] {
        guard depth < 16, let text = files[path] else { return [] }
        return lines(text).flatMap { words -> [[String]] in
            guard ["include", "includeoptional"].contains(words[0].lowercased()), words.count > 1,
                  let pattern = includes(in: words.joined(separator: " "), serverRoot: serverRoot).first else { return [words] }
            return files.keys.filter { fnmatch(pattern, $0, 0) == 0 }.sorted()
                .flatMap { flattened($0, files: files, serverRoot: serverRoot, depth: depth + 1) }
        }
    }

    /// One `<VirtualHost>` block as apache reads it.
    public struct VirtualHost: Sendable, Equatable {
        /// As written: `*:443`, `_default_:443`, `10.2.3.4:443`.
        public var addresses: [String]
        /// ServerName first, then every ServerAlias.
        public var names: [String] = []
        public var ssl = false
        public var certificate: String?
        public var key: String?
    }

    /// Every virtual host of the configuration that starts at `main`
    /// (`files`: every file read, by path), in the order apache reads them,
    /// with the certificate and key set at the server level.
    public static func virtualHosts(main: String, files: [String: String], serverRoot: String)
        -> (hosts: [VirtualHost], certificate: String?, key: String?) {
        var hosts: [VirtualHost] = [], block: VirtualHost?
        var serverCertificate: String?, serverKey: String?
        for words in expandingMacros(flattened(main, files: files, serverRoot: serverRoot)) {
            let name = words[0].lowercased()
            if name.hasPrefix("<virtualhost") {
                let addresses = ([String(words[0].dropFirst("<virtualhost".count))] + words.dropFirst())
                    .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ">")) }.filter { !$0.isEmpty }
                block = VirtualHost(addresses: addresses)
            } else if name == "</virtualhost>", let current = block {
                hosts.append(current)
                block = nil
            } else if words.count > 1 {
                switch (name, block != nil) {
                case ("servername", true): block!.names.insert(words[1], at: 0)
                case ("serveralias", true): block!.names += words.dropFirst()
                case ("sslengine", true): block!.ssl = words[1].lowercased() == "on"
                case ("sslcertificatefile", true): block!.certificate = block!.certificate ?? words[1]
                case ("sslcertificatekeyfile", true): block!.key = block!.key ?? words[1]
                case ("sslcertificatefile", false): serverCertificate = serverCertificate ?? words[1]
                case ("sslcertificatekeyfile", false): serverKey = serverKey ?? words[1]
                default: break
                }
            }
        }
        return (hosts, serverCertificate, serverKey)
    }

    /// The TLS virtual hosts of the configuration: one site per virtual host
    /// and port, with the certificate and key set in it or, failing that, at
    /// the server level.
    public static func sites(main: String, files: [String: String], host: String, serverRoot: String) -> [ServerSite] {
        let read = virtualHosts(main: main, files: files, serverRoot: serverRoot)
        return read.hosts.filter(\.ssl).flatMap { vhost -> [ServerSite] in
            guard let certificate = vhost.certificate ?? read.certificate else { return [] }
            let key = vhost.key ?? (vhost.certificate == nil ? read.key : nil) ?? certificate
            var ports = Set<Int>()
            return vhost.addresses.compactMap { address in
                guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                      ports.insert(port).inserted else { return nil }
                let listen = String(address[..<colon])
                return ServerSite(host: host, address: listen == "_default_" ? "*" : listen, port: port, serverNames: vhost.names,
                                  certificatePath: absolute(certificate, serverRoot), keyPath: absolute(key, serverRoot),
                                  servedFingerprint: nil)
            }
        }
    }

    struct Macro {
        var parameters: [String]
        var body: [[String]]
    }

    /// mod_macro: each `Use name values…` replaced by the lines of the
    /// `<Macro name $parameters…>` defined before it, parameters put in.
    static func expandingMacros(_ lines: [[String]], known: [String: Macro] = [:], depth: Int = 0) -> [[String]] {
        var macros = known
        var defining: (name: String, parameters: [String], body: [[String]])?
        var result: [[String]] = []
        for words in lines {
            let name = words[0].lowercased()
            if var macro = defining {
                if name == "</macro>" {
                    macros[macro.name] = Macro(parameters: macro.parameters, body: macro.body)
                    defining = nil
                } else {
                    macro.body.append(words)
                    defining = macro
                }
            } else if name.hasPrefix("<macro") {
                let heading = (words.joined(separator: " ").dropFirst("<macro".count))
                    .trimmingCharacters(in: CharacterSet(charactersIn: "> ")).split(separator: " ").map(String.init)
                guard let macroName = heading.first else { continue }
                defining = (macroName.lowercased(), Array(heading.dropFirst()), [])
            } else if name == "use", words.count > 1, let macro = macros[words[1].lowercased()], depth < 8 {
                // Longest parameter first, so `$name` is not put into `$names`.
                let values = Array(words.dropFirst(2))
                let substitutions = zip(macro.parameters, values).sorted { $0.0.count > $1.0.count }
                let body = macro.body.map { line in
                    line.map { word in substitutions.reduce(word) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
                }
                result += expandingMacros(body, known: macros, depth: depth + 1)
            } else {
                result.append(words)
            }
        }
        return result
    }

    static func absolute(_ path: String, _ root: String) -> String { path.hasPrefix("/") ? path : root + "/" + path }
}

/// apache as a server certpush deploys to.
struct Apache: ServerSoftware {
    var server: ServerHost.Server { .apache }
    var tool: String { "apachectl" }
    func reload(tool: String) -> String { tool + " -k graceful" }

    /// apache: its main config and every file it includes, read over the
    /// shell (globs expanded there); each TLS virtual host is a site.
    func discover(_ shell: HostShell) throws -> Discovery {
        let main = ApacheConfig.mainFile(command: shell.tool)
        let first = try shell.run("cat -- \(ServerFiles.quoted(main))")
        guard first.succeeded else { throw Refusal("reading \(main) failed: \(first.failure)") }
        let root = ApacheConfig.serverRoot(in: first.stdout) ?? (main as NSString).deletingLastPathComponent
        var texts = [first.stdout], read = Set([main]), files = [main], pending = ApacheConfig.includes(in: first.stdout, serverRoot: root)
        var rounds = 0
        while !pending.isEmpty, rounds < 16 {
            rounds += 1
            let patterns = pending
            pending = []
            for pattern in patterns {
                // The shell expands the glob, as apache would; each file after a line naming it.
                let script = "for f in \(pattern.replacingOccurrences(of: " ", with: "\\ ")); do if [ -f \"$f\" ]; then \(ServerFiles.printing("\"$f\"")); fi; done"
                for file in ServerFiles.files(in: try shell.run(script).stdout) where read.insert(file.path).inserted {
                    texts.append(file.text)
                    files.append(file.path)
                    pending += ApacheConfig.includes(in: file.text, serverRoot: root)
                }
            }
        }
        let sites = ApacheConfig.sites(main: main, files: Dictionary(zip(files, texts), uniquingKeysWith: { first, _ in first }),
                                       host: shell.host.name, serverRoot: root)
        return Discovery(sites: try ServerFiles.withServedFingerprints(sites, shell: shell), files: files)
    }
}
