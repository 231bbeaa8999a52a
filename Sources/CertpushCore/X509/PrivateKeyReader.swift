import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1

/// A private key reduced to what certpush needs: the public half to compare
/// with a certificate's, and the key itself as unencrypted PEM for the store.
struct ParsedPrivateKey {
    /// Comparable with `ParsedCertificate.publicKeyBits` through `matches`.
    var publicKey: PublicKeyMaterial
    var pem: String

    func matches(_ certificate: ParsedCertificate) -> Bool {
        switch publicKey {
        case .rsa(let key):
            return RSAPublicKey(bits: certificate.publicKeyBits) == key
        case .raw(let bits):
            return bits == certificate.publicKeyBits
        }
    }
}

enum PublicKeyMaterial {
    case rsa(RSAPublicKey)
    /// An EC point or an Ed25519 key, as the BIT STRING holds it.
    case raw([UInt8])
}

enum PrivateKeyError: Error, Equatable {
    case notAKey
    case needsPassphrase
    case wrongPassphrase
    case unsupported(String)
}

enum PrivateKeyReader {
    static let keyLabels: Set<String> = ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]

    static func read(block: PEMBlock, passphrase: String?) throws(PrivateKeyError) -> ParsedPrivateKey {
        if block.headers.contains(where: { $0.hasPrefix("Proc-Type") && $0.contains("ENCRYPTED") }) {
            throw .unsupported("it uses the legacy OpenSSL encryption; convert it with `openssl pkcs8 -topk8`")
        }
        switch block.label {
        case "PRIVATE KEY": return try pkcs8(block.der)
        case "ENCRYPTED PRIVATE KEY": return try pkcs8(decrypt(block.der, passphrase: passphrase))
        case "RSA PRIVATE KEY": return try rsa(pkcs1: block.der[...], wrappedAs: block.der)
        case "EC PRIVATE KEY": return try ec(sec1: block.der[...], curveOID: nil, wrappedAs: block)
        default: throw .notAKey
        }
    }

    /// A DER key file: PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1, tried in that order.
    static func read(der: [UInt8], passphrase: String?) throws(PrivateKeyError) -> ParsedPrivateKey {
        for label in ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] {
            do {
                return try read(block: PEMBlock(label: label, headers: [], der: der), passphrase: passphrase)
            } catch .notAKey {
                continue
            }
        }
        throw .notAKey
    }

    private static func pkcs8(_ der: [UInt8]) throws(PrivateKeyError) -> ParsedPrivateKey {
        guard let root = try? DER.parse(der), root.children.count >= 3,
              let algorithm = root.children[1].algorithm,
              let inner = root.children[2].octetStringBytes else { throw .notAKey }
        let pem = PEM.encode(label: "PRIVATE KEY", der: der)
        switch algorithm.oid {
        case OID.rsaEncryption:
            return try rsa(pkcs1: inner, wrappedAs: nil).with(pem: pem)
        case OID.ecPublicKey:
            return try ec(sec1: inner, curveOID: algorithm.parameterOID, wrappedAs: nil).with(pem: pem)
        case OID.ed25519:
            guard let seed = (try? DER.parse(inner))?.octetStringBytes,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { throw .notAKey }
            return ParsedPrivateKey(publicKey: .raw(Array(key.publicKey.rawRepresentation)), pem: pem)
        default:
            throw .unsupported("its algorithm \(algorithm.oid) is not supported")
        }
    }

    /// PKCS#1 RSAPrivateKey. Its modulus is only trusted when its primes make
    /// it (C2): a key with the certificate's modulus over another key's primes
    /// is forged, and one with a prime too small to matter (q = 2) is no key.
    private static func rsa(pkcs1 der: ArraySlice<UInt8>, wrappedAs original: [UInt8]?) throws(PrivateKeyError) -> ParsedPrivateKey {
        guard let root = try? DER.parse(der), root.children.count >= 3,
              let modulus = root.children[1].unsignedInteger,
              let exponent = root.children[2].unsignedInteger else { throw .notAKey }
        let fields = root.children
        guard fields[0].unsignedInteger == [0] else {
            let version = fields[0].unsignedInteger.map { $0.reduce(0) { $0 << 8 | Int($1) } }.map(String.init) ?? "unreadable"
            throw .unsupported("it is not a two-prime RSA key (version \(version), not 0)")
        }
        guard fields.count >= 6, let p = fields[4].unsignedInteger, let q = fields[5].unsignedInteger else { throw .notAKey }
        guard p.count * 4 >= modulus.count, q.count * 4 >= modulus.count else {
            throw .unsupported("its primes are not an RSA key's (one is far too small): the key file is forged or damaged")
        }
        guard BigBytes.product(p, q) == Array(modulus) else {
            throw .unsupported("its primes do not make its modulus: the key file is forged or damaged")
        }
        let pem = original.map { PEM.encode(label: "RSA PRIVATE KEY", der: $0) } ?? ""
        return ParsedPrivateKey(publicKey: .rsa(RSAPublicKey(modulus: modulus, exponent: exponent)), pem: pem)
    }

    /// SEC1 ECPrivateKey: the public point computed from the secret (C2). A
    /// point the file writes beside it is never trusted alone: one that is
    /// not the secret's is a forged or damaged key, and is refused.
    private static func ec(sec1 der: ArraySlice<UInt8>, curveOID: String?, wrappedAs block: PEMBlock?) throws(PrivateKeyError) -> ParsedPrivateKey {
        guard let root = try? DER.parse(der), root.children.count >= 2,
              let scalar = root.children[1].octetStringBytes else { throw .notAKey }
        let pem = block.map { PEM.encode(label: $0.label, der: $0.der) } ?? ""
        let fields = root.children.dropFirst(2)
        let written = fields.first(where: { $0.isContextTag(1) })?.children.first?.bitStringBytes.map(Array.init)
        let curve = curveOID ?? fields.first(where: { $0.isContextTag(0) })?.children.first?.objectIdentifier
        let computed: Data?
        do {
            switch curve {
            case OID.p256: computed = try P256.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation
            case OID.p384: computed = try P384.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation
            case OID.p521: computed = try P521.Signing.PrivateKey(rawRepresentation: scalar).publicKey.x963Representation
            default: computed = nil
            }
        } catch {
            throw .notAKey
        }
        switch (computed, written) {
        case (let computed?, let written?) where Array(computed) != written:
            throw .unsupported("its written public key is not the one its secret gives: the key file is forged or damaged")
        case (let computed?, _):
            return ParsedPrivateKey(publicKey: .raw(Array(computed)), pem: pem)
        case (nil, let written?):
            return ParsedPrivateKey(publicKey: .raw(written), pem: pem)
        case (nil, nil):
            throw .unsupported("it does not carry its public key and its curve is not supported")
        }
    }

    /// PKCS#8 EncryptedPrivateKeyInfo with PBES2 (PBKDF2 + AES-CBC), as OpenSSL
    /// and python's cryptography write it.
    private static func decrypt(_ der: [UInt8], passphrase: String?) throws(PrivateKeyError) -> [UInt8] {
        guard let root = try? DER.parse(der), root.children.count == 2,
              let ciphertext = root.children[1].octetStringBytes,
              let scheme = root.children[0].algorithm, scheme.oid == OID.pbes2,
              let parameters = root.children[0].children.last, parameters.children.count == 2 else { throw .notAKey }
        guard let passphrase, !passphrase.isEmpty else { throw .needsPassphrase }

        let kdf = parameters.children[0], cipher = parameters.children[1]
        guard kdf.algorithm?.oid == OID.pbkdf2, let kdfParameters = kdf.children.last?.children,
              let salt = kdfParameters.first?.octetStringBytes,
              let iterationBytes = kdfParameters.count > 1 ? kdfParameters[1].unsignedInteger : nil,
              iterationBytes.count <= 4 else {
            throw .unsupported("its key derivation is not PBKDF2")
        }
        let iterations = iterationBytes.reduce(0) { $0 << 8 | Int($1) }
        let prf = kdfParameters.dropFirst(2).first(where: { $0.identifier == .sequence })?.algorithm?.oid ?? OID.hmacWithSHA1
        let hash: KDF.Insecure.PBKDF2.HashFunction
        switch prf {
        case OID.hmacWithSHA1: hash = .insecureSHA1
        case OID.hmacWithSHA256: hash = .sha256
        case OID.hmacWithSHA384: hash = .sha384
        case OID.hmacWithSHA512: hash = .sha512
        default: throw .unsupported("its PBKDF2 hash \(prf) is not supported")
        }
        let keyLength: Int
        switch cipher.algorithm?.oid {
        case OID.aes128CBC: keyLength = 16
        case OID.aes192CBC: keyLength = 24
        case OID.aes256CBC: keyLength = 32
        default: throw .unsupported("its cipher is not AES-CBC")
        }
        guard let iv = cipher.children.last?.octetStringBytes, (1...10_000_000).contains(iterations) else { throw .notAKey }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(passphrase.utf8), salt: salt, using: hash,
                outputByteCount: keyLength, unsafeUncheckedRounds: iterations)
            let plain = try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv))
            guard (try? DER.parse(Array(plain))) != nil else { throw PrivateKeyError.wrongPassphrase }
            return Array(plain)
        } catch {
            throw .wrongPassphrase
        }
    }
}

private extension ParsedPrivateKey {
    func with(pem: String) -> ParsedPrivateKey {
        ParsedPrivateKey(publicKey: publicKey, pem: pem)
    }
}

/// Unsigned big-endian integers as bytes: just what checking an RSA key's primes needs.
enum BigBytes {
    /// a × b, big-endian, without leading zeros.
    static func product(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> [UInt8] {
        let x = Array(a.reversed()), y = Array(b.reversed())
        var result = [UInt32](repeating: 0, count: x.count + y.count + 1)
        for (i, digit) in x.enumerated() where digit != 0 {
            var carry: UInt32 = 0
            for (j, other) in y.enumerated() {
                let sum = result[i + j] + UInt32(digit) * UInt32(other) + carry
                result[i + j] = sum & 0xFF
                carry = sum >> 8
            }
            var k = i + y.count
            while carry > 0 {
                let sum = result[k] + carry
                result[k] = sum & 0xFF
                carry = sum >> 8
                k += 1
            }
        }
        var bytes = result.reversed().map { UInt8($0) }
        while bytes.count > 1, bytes.first == 0 { bytes.removeFirst() }
        return bytes
    }
}
