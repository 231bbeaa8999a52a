import CertpushCore
import Foundation

/// Reads `nginx -T`: every configuration file nginx loaded, each after a
/// "# configuration file PATH:" line. Includes are followed through the
/// files of the dump; each server block's TLS listens become sites.
public enum NginxConfig {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The sites of `host`, without the fingerprints its files hold (the caller reads those).
    public static func sites(fromDump dump: String, host: String = "") throws -> [ServerSite] {
        let files = split(dump)
        guard let main = files.first else { throw ParseError(description: "nginx -T printed no configuration file") }
        var sites: [ServerSite] = []
        let directives = try parse(main.text, file: main.path)
        var context = Context(files: files, mainFolder: (main.path as NSString).deletingLastPathComponent, host: host)
        try context.walk(directives, inherited: Inherited(), into: &sites, depth: 0)
        return sites
    }

    /// The dump's files, in order.
    static func split(_ dump: String) -> [(path: String, text: String)] {
        var files: [(path: String, text: String)] = []
        for line in dump.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# configuration file "), line.hasSuffix(":") {
                files.append((String(line.dropFirst("# configuration file ".count).dropLast()), ""))
            } else if !files.isEmpty {
                files[files.count - 1].text += line + "\n"
            }
        }
        return files
    }

    struct Directive: Equatable {
        var name: String
        var arguments: [String]
        var block: [Directive]?
    }

    /// nginx's grammar: words and quoted strings, `;` ends a directive, `{ }` a block, `#` a comment.
    static func parse(_ text: String, file: String) throws -> [Directive] {
        var tokens: [(String, quoted: Bool)] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
            } else if character == "#" {
                index = text[index...].firstIndex(of: "\n") ?? text.endIndex
            } else if character == "{" || character == "}" || character == ";" {
                tokens.append((String(character), false))
                index = text.index(after: index)
            } else if character == "\"" || character == "'" {
                var value = "", cursor = text.index(after: index)
                while cursor < text.endIndex, text[cursor] != character {
                    if text[cursor] == "\\", text.index(after: cursor) < text.endIndex { cursor = text.index(after: cursor) }
                    value.append(text[cursor])
                    cursor = text.index(after: cursor)
                }
                guard cursor < text.endIndex else { throw ParseError(description: "\(file): a quoted string is not closed") }
                tokens.append((value, true))
                index = text.index(after: cursor)
            } else {
                var value = ""
                while index < text.endIndex, !text[index].isWhitespace, !"{};".contains(text[index]) {
                    value.append(text[index])
                    index = text.index(after: index)
                }
                tokens.append((value, false))
            }
        }
        var position = 0
        func block(_ closing: Bool) throws -> [Directive] {
            var directives: [Directive] = []
            var words: [String] = []
            while position < tokens.count {
                let (token, quoted) = tokens[position]
                position += 1
                if !quoted && token == ";" {
                    if let name = words.first { directives.append(Directive(name: name, arguments: Array(words.dropFirst()), block: nil)) }
                    words = []
                } else if !quoted && token == "{" {
                    let inner = try block(true)
                    directives.append(Directive(name: words.first ?? "", arguments: Array(words.dropFirst()), block: inner))
                    words = []
                } else if !quoted && token == "}" {
                    guard closing else { throw ParseError(description: "\(file): a } closes nothing") }
                    return directives
                } else {
                    words.append(token)
                }
            }
            if closing { throw ParseError(description: "\(file): a { is not closed") }
            return directives
        }
        return try block(false)
    }

    struct Inherited {
        var certificate: String?
        var key: String?
    }

    struct Context {
        let files: [(path: String, text: String)]
        let mainFolder: String
        let host: String

        /// The directives of the files an `include` names, in the dump's order.
        func included(_ pattern: String) throws -> [Directive] {
            let absolute = pattern.hasPrefix("/") ? pattern : mainFolder + "/" + pattern
            return try files.filter { fnmatch(absolute, $0.path, 0) == 0 }.flatMap { try parse($0.text, file: $0.path) }
        }

        mutating func walk(_ directives: [Directive], inherited: Inherited, into sites: inout [ServerSite], depth: Int) throws {
            guard depth < 16 else { throw ParseError(description: "includes nest deeper than 16") }
            // The certificate and key set at this level apply to the server blocks in it.
            let flat = try flatten(directives, depth: depth)
            let here = Self.own(flat, inherited: inherited)
            for directive in flat {
                guard let block = directive.block else { continue }
                switch directive.name {
                case "http":
                    try walk(block, inherited: here, into: &sites, depth: depth + 1)
                case "server":
                    sites += try server(block, inherited: here, depth: depth + 1)
                default:
                    break
                }
            }
        }

        /// Directives with every `include` replaced by what it includes.
        func flatten(_ directives: [Directive], depth: Int) throws -> [Directive] {
            guard depth < 16 else { throw ParseError(description: "includes nest deeper than 16") }
            return try directives.flatMap { directive -> [Directive] in
                guard directive.name == "include", directive.block == nil, let pattern = directive.arguments.first else { return [directive] }
                return try flatten(try included(pattern), depth: depth + 1)
            }
        }

        func server(_ block: [Directive], inherited: Inherited, depth: Int) throws -> [ServerSite] {
            let flat = try flatten(block, depth: depth)
            var names: [String] = []
            var listens: [(address: String, port: Int)] = []
            let sslOn = flat.contains { $0.name == "ssl" && $0.arguments.first == "on" }
            for directive in flat {
                switch directive.name {
                case "server_name": names += directive.arguments
                case "listen":
                    guard let spec = directive.arguments.first, !spec.hasPrefix("unix:") else { continue }
                    let tls = directive.arguments.dropFirst().contains("ssl") || sslOn
                    if tls, let listen = Self.listen(spec) { listens.append(listen) }
                default: break
                }
            }
            let own = Self.own(flat, inherited: inherited)
            guard let certificate = own.certificate, let key = own.key else { return [] }
            // S7: a file named by a variable is chosen per connection: listed with why, never deployed to.
            let variable = [certificate, key].first { $0.contains("$") }
            let problem = variable.map { "its certificate is chosen per connection (\($0)): certpush cannot tell which file to replace" }
            // S7: one site per port of a block (`listen 443 ssl; listen [::]:443 ssl;` is one site, first address kept).
            var ports = Set<Int>()
            return listens.filter { ports.insert($0.port).inserted }.map {
                ServerSite(host: host, address: $0.address, port: $0.port, serverNames: names,
                           certificatePath: resolved(certificate), keyPath: resolved(key), servedFingerprint: nil, problem: problem)
            }
        }

        /// S7: a relative file, as nginx resolves it: against its configuration folder.
        func resolved(_ path: String) -> String { path.hasPrefix("/") ? path : mainFolder + "/" + path }

        /// The certificate and key a level sets, else those it inherits. The
        /// first of a level is taken: a second (RSA beside ECDSA) is left as it is.
        static func own(_ directives: [Directive], inherited: Inherited) -> Inherited {
            Inherited(certificate: directives.first { $0.name == "ssl_certificate" }?.arguments.first ?? inherited.certificate,
                      key: directives.first { $0.name == "ssl_certificate_key" }?.arguments.first ?? inherited.key)
        }

        /// "443", "127.0.0.1:443", "[::]:443", "*:443", "localhost:8443".
        static func listen(_ spec: String) -> (address: String, port: Int)? {
            if let port = Int(spec) { return ("*", port) }
            guard let colon = spec.lastIndex(of: ":"), let port = Int(spec[spec.index(after: colon)...]) else {
                return spec.isEmpty ? nil : (spec, 80)
            }
            return (String(spec[..<colon]), port)
        }
    }
}

/// nginx as a server certpush deploys to: `nginx -T` says every site.
struct Nginx: ServerSoftware {
    var server: ServerHost.Server { .nginx }
    var tool: String { "nginx" }
    func reload(tool: String) -> String { tool + " -s reload" }

    func discover(_ shell: HostShell) throws -> Discovery {
        let dump = try shell.run(shell.tool + " -T")
        guard dump.succeeded else { throw Refusal("\(shell.tool) -T failed: \(dump.failure)") }
        let sites: [ServerSite]
        do { sites = try NginxConfig.sites(fromDump: dump.stdout, host: shell.host.name) } catch let error as NginxConfig.ParseError {
            throw Refusal("its configuration could not be read: \(error.description)")
        }
        return Discovery(sites: try ServerFiles.withServedFingerprints(sites, shell: shell), files: NginxConfig.split(dump.stdout).map(\.path))
    }
}
