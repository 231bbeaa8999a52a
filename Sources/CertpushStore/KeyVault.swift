import CertpushCore
import Crypto
import Foundation

/// Seals private keys (and the sandbox CA's key) before they are stored, with
/// ChaChaPoly under a key kept outside the database, in the keyring: a copy
/// of the database alone exposes no key.
public struct KeyVault: Sendable {
    private let key: SymmetricKey
    static let prefix = "sealed:v1:"

    /// `keyData` is the keyring's 32 bytes.
    public init(keyData: Data) throws {
        guard keyData.count == 32 else { throw VaultError.badKey }
        key = SymmetricKey(data: keyData)
    }

    /// A new random key for a new keyring.
    public static func newKeyData() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    public func seal(_ plaintext: String) throws -> String {
        Self.prefix + (try ChaChaPoly.seal(Data(plaintext.utf8), using: key)).combined.base64EncodedString()
    }

    /// The plaintext of what `seal` made; throws when this is not the key it was sealed with.
    public func open(_ stored: String) throws -> String {
        guard Self.isSealed(stored), let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else {
            throw VaultError.notSealed
        }
        do {
            return String(decoding: try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: combined), using: key), as: UTF8.self)
        } catch {
            throw VaultError.wrongKey
        }
    }

    static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// What a database stores to tell, on opening, whether this is its keyring.
    static let checkText = KeyringCheck.text

    enum VaultError: Error { case badKey, notSealed, wrongKey }
}
