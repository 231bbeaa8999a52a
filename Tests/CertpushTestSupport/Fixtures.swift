import CertpushCore
import Foundation

/// The certificate corpus in `Tests/Fixtures/certs` (made by `scripts/generate-fixtures.py`).
public enum Fixtures {
    public static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["CERTPUSH_FIXTURES"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.appendingPathComponent("Tests/Fixtures/certs")
    }()

    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    public static func file(_ name: String) throws -> InputFile {
        InputFile(name: name, bytes: Array(try Data(contentsOf: url(name))))
    }

    /// Debian 12's packaged nginx configuration (see its README).
    public static let debianNginx: URL = packageRoot.appendingPathComponent("Tests/Fixtures/debian-nginx")
    /// Debian 12's packaged haproxy configuration (see its README).
    public static let debianHAProxy: URL = packageRoot.appendingPathComponent("Tests/Fixtures/debian-haproxy")

    /// certbot's installer test data and the TLS options file it writes (see its README).
    public static let certbot: URL = packageRoot.appendingPathComponent("Tests/Fixtures/certbot")
    /// Requests the clouds' official SDKs make, recorded by scripts/golden/record.py (SPEC A7).
    public static let golden: URL = packageRoot.appendingPathComponent("Tests/Fixtures/golden")

    /// pyca/cryptography's test vectors (`scripts/pyca-vectors.py` copies them in).
    public static let pyca: URL = packageRoot.appendingPathComponent("Tests/Fixtures/pyca")

    public static func pycaFile(_ path: String) throws -> InputFile {
        let url = pyca.appendingPathComponent(path)
        return InputFile(name: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)))
    }

    /// Every file the manifest lists, with what it says of it.
    public static func manifest() throws -> [(file: String, note: String)] {
        let text = try String(contentsOf: url("MANIFEST.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }
}

/// A folder that exists for one test.
public struct TemporaryDirectory {
    public let url: URL
    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("certpush-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
