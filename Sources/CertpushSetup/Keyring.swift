import CertpushCore
import CertpushStore
import Foundation

/// The key that seals private keys in the database, kept outside it: by
/// default `$XDG_DATA_HOME/certpush/keyring`, mode 0600, made with the first
/// database. Like ssh with a private key, a keyring others may read is refused.
public enum Keyring {
    /// The vault for the keyring at `path`. One is made there only when
    /// `create` is set, for a database being made (F4): a missing keyring is
    /// never replaced, since the keys of the database it sealed would be lost.
    public static func vault(at path: String, create: Bool = false) throws -> KeyVault {
        if !FileManager.default.fileExists(atPath: path) {
            guard create else {
                throw KeyringError(path: path, problem: "there is no keyring there; the database's private keys are sealed with the one it was made with: point CERTPUSH_KEYRING at it")
            }
            try self.create(at: path)
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw KeyringError(path: path, problem: "it is not a regular file")
        }
        guard info.st_uid == geteuid() else { throw KeyringError(path: path, problem: "it belongs to another user") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw KeyringError(path: path, problem: "others may read it (mode \(String(mode, radix: 8))); make it private with chmod 600")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let vault = try? KeyVault(keyData: data) else {
            throw KeyringError(path: path, problem: "it is damaged: it does not hold a key")
        }
        return vault
    }

    /// Written whole under a temporary name, then linked into place: two
    /// processes starting at once end up with one keyring, never half of one.
    private static func create(at path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyringError(path: path, problem: "its folder cannot be made")
        }
        let temporary = path + ".\(getpid()).new"
        let descriptor = Foundation.open(temporary, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else { throw KeyringError(path: path, problem: String(cString: strerror(errno))) }
        let text = Array((KeyVault.newKeyData().base64EncodedString() + "\n").utf8)
        let written = text.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        defer { unlink(temporary) }
        guard written == text.count else { throw KeyringError(path: path, problem: "it cannot be written") }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw KeyringError(path: path, problem: String(cString: strerror(errno)))
        }
    }
}

public struct KeyringError: CertpushError, Equatable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var sentence: String { "The keyring \(path) cannot be used: \(problem)." }
}
