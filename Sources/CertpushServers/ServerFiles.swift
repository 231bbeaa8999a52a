import CertpushCore
import Foundation

/// Files read on a server over its shell, in as few commands as can be.
enum ServerFiles {
    /// The sites, each with the SHA-256 of the certificate its file holds now.
    static func withServedFingerprints(_ sites: [ServerSite], shell: HostShell) throws -> [ServerSite] {
        let texts = try certificateTexts(Array(Set(sites.map(\.certificatePath))).sorted(), shell: shell)
        return sites.map { site in
            var site = site
            guard site.problem == nil else { return site }
            site.servedFingerprint = texts[site.certificatePath].flatMap(Fingerprint.ofFirstCertificate(inPEM:))
            if site.servedFingerprint == nil {
                // S7: a file that cannot be read, or holds no certificate, is listed with why and never deployed to.
                let said = (texts[site.certificatePath] ?? "").split(separator: "\n").first.map(String.init) ?? ""
                site.problem = "its certificate file \(site.certificatePath) holds no certificate certpush can read"
                    + (said.isEmpty || said.hasPrefix("-----") ? "" : " (\(said.trimmingCharacters(in: .whitespaces)))")
            }
            return site
        }
    }

    /// The line that comes before each file a command prints: "==certpush-file== PATH".
    static let fileMarker = "==certpush-file=="

    /// Shell that prints the file `word` names (a quoted path, or `"$f"`)
    /// after its marker line, as `files(in:)` reads it back; `&&` between
    /// them, so that the command's status is the read's.
    static func printing(_ word: String, reader: String = "cat") -> String {
        "printf '%s %s\\n' \(fileMarker) \(word) && \(reader) -- \(word)"
    }

    /// The files a command printed, each after its marker line, in order.
    static func files(in output: String) -> [(path: String, text: String)] {
        var found: [(path: String, text: String)] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(fileMarker + " ") {
                found.append((String(line.dropFirst(fileMarker.count + 1)), ""))
            } else if !found.isEmpty {
                found[found.count - 1].text += line + "\n"
            }
        }
        return found
    }

    /// Every file's text read in one command, each after a line naming it.
    static func certificateTexts(_ paths: [String], shell: HostShell) throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        let reader = shell.host.command?.hasPrefix("sudo ") == true ? "sudo -n cat" : "cat"
        // A file that cannot be read prints why in its place (2>&1), and the next is read all the same.
        let script = paths.map { "{ \(printing(quoted($0), reader: reader)); } 2>&1" }.joined(separator: "; ")
        return Dictionary(files(in: try shell.run(script).stdout), uniquingKeysWith: { _, last in last })
    }

    /// A word for /bin/sh, whatever it holds.
    public static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
