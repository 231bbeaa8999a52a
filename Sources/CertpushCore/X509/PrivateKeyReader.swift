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
        case .point(let point):
            return PrimeCurve.samePoint(certificate.publicKeyBits, point)
        case .raw(let bits):
            return bits == certificate.publicKeyBits
        }
    }
}

enum PublicKeyMaterial {
    case rsa(RSAPublicKey)
    /// An EC point, uncompressed, computed from the secret.
    case point([UInt8])
    /// An Ed25519 key, as the BIT STRING holds it.
    case raw([UInt8])
}

enum PrivateKeyError: Error, Equatable {
    case notAKey
    case needsPassphrase
    case wrongPassphrase
    case unsupported(String)
}

/// Reads a private key file (SPEC C2, C3): PKCS#8, encrypted PKCS#8
/// (PBES2 with PBKDF2 or scrypt, and AES-CBC or DES-EDE3-CBC), PKCS#1 and
/// SEC1, as PEM or DER. The public key always comes from the secret numbers;
/// what else a key file writes is only checked against them.
enum PrivateKeyReader {
    static let keyLabels: Set<String> = ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"]

    /// The command that turns a key file certpush does not read into one it does.
    static let conversion = "convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW.key`"

    static func read(block: PEMBlock, passphrase: String?) throws(PrivateKeyError) -> ParsedPrivateKey {
        if block.headers.contains(where: { $0.hasPrefix("Proc-Type") && $0.contains("ENCRYPTED") }) {
            throw .unsupported("it is encrypted the old OpenSSL way (Proc-Type: 4,ENCRYPTED), which certpush does not read; \(conversion)")
        }
        guard keyLabels.contains(block.label) else { throw .notAKey }
        // The structure decides, not the label: a PKCS#8 key under "RSA
        // PRIVATE KEY" is still read, and stored under the label it needs.
        return try read(der: block.der, passphrase: passphrase)
    }

    /// A DER key file, recognised by its structure.
    static func read(der: [UInt8], passphrase: String?) throws(PrivateKeyError) -> ParsedPrivateKey {
        guard let root = try? DER.parse(der), root.identifier == .sequence, let structure = Structure(root) else { throw .notAKey }
        switch structure {
        case .pkcs8: return try pkcs8(root, der: der)
        case .encryptedPKCS8:
            let plain = try decrypt(root, passphrase: passphrase)
            guard let inner = try? DER.parse(plain), Structure(inner) == .pkcs8 else { throw .wrongPassphrase }
            return try pkcs8(inner, der: plain)
        case .pkcs1: return try rsa(root).with(pem: PEM.encode(label: "RSA PRIVATE KEY", der: der))
        case .sec1: return try ec(root, curve: nil).with(pem: PEM.encode(label: "EC PRIVATE KEY", der: der))
        case .dsa: throw dsaRefusal(primeP: root.children[1].unsignedInteger)
        }
    }

    /// The shapes a private key file takes.
    private enum Structure {
        case pkcs8, encryptedPKCS8, pkcs1, sec1, dsa

        init?(_ root: ASN1Node) {
            let fields = root.children
            guard fields.count >= 2 else { return nil }
            if fields.count == 2, fields[0].algorithm != nil, fields[1].identifier == .octetString {
                self = .encryptedPKCS8
            } else if fields[0].identifier == .integer, fields[1].identifier == .sequence, fields.count >= 3 {
                self = .pkcs8
            } else if fields[0].identifier == .integer, fields[1].identifier == .octetString {
                self = .sec1
            } else if fields.allSatisfy({ $0.identifier == .integer }) {
                self = fields.count == 6 ? .dsa : .pkcs1
            } else {
                return nil
            }
        }
    }

    private static func pkcs8(_ root: ASN1Node, der: [UInt8]) throws(PrivateKeyError) -> ParsedPrivateKey {
        let fields = root.children
        guard let algorithm = fields[1].algorithm, let innerBytes = fields[2].octetStringBytes else { throw .notAKey }
        guard let version = fields[0].unsignedInteger, version == [0] || version == [1] else {
            throw .unsupported("its PKCS#8 version is not 0 or 1: the key file is damaged")
        }
        let pem = PEM.encode(label: "PRIVATE KEY", der: der)
        let parameters = fields[1].children.dropFirst().first
        switch algorithm.oid {
        case OID.rsaEncryption, OID.rsassaPSS:
            guard let inner = try? DER.parse(innerBytes), Structure(inner) == .pkcs1 else { throw .notAKey }
            return try rsa(inner).with(pem: pem)
        case OID.ecPublicKey:
            guard let inner = try? DER.parse(innerBytes), Structure(inner) == .sec1 else { throw .notAKey }
            return try ec(inner, curve: parameters).with(pem: pem)
        case OID.ed25519:
            guard let seed = (try? DER.parse(innerBytes))?.octetStringBytes,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { throw .notAKey }
            return ParsedPrivateKey(publicKey: .raw(Array(key.publicKey.rawRepresentation)), pem: pem)
        case OID.ed448:
            throw .unsupported("it is an Ed448 key, whose public key certpush cannot compute to check it against the certificate")
        case OID.dsa:
            throw dsaRefusal(primeP: parameters?.children.first?.unsignedInteger)
        case OID.x25519, OID.x448:
            throw .unsupported("it is an \(algorithm.oid == OID.x25519 ? "X25519" : "X448") key, made for key agreement, not for a certificate")
        default:
            throw .unsupported("its algorithm (OID \(algorithm.oid)) is not RSA, EC or Ed25519")
        }
    }

    private static func dsaRefusal(primeP: ArraySlice<UInt8>?) -> PrivateKeyError {
        .unsupported("it is a DSA key (\(CurveNames.dsa(primeP: primeP))), which TLS servers and clouds no longer take; make an EC key "
            + "(`openssl ecparam -genkey -name prime256v1 -noout -out NEW.key`) and have the certificate issued again for it")
    }

    /// PKCS#1 RSAPrivateKey. Its modulus is only trusted when its primes make
    /// it (C2): a key with the certificate's modulus over another key's primes
    /// is forged, and one with a prime too small to matter (q = 2) is no key.
    private static func rsa(_ root: ASN1Node) throws(PrivateKeyError) -> ParsedPrivateKey {
        let fields = root.children
        guard fields.count >= 3, let modulus = fields[1].unsignedInteger, let exponent = fields[2].unsignedInteger else { throw .notAKey }
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
        return ParsedPrivateKey(publicKey: .rsa(RSAPublicKey(modulus: modulus, exponent: exponent)), pem: "")
    }

    /// SEC1 ECPrivateKey: the public point computed from the secret (C2). A
    /// point the file writes beside it is never trusted: one that is not the
    /// secret's is a forged or damaged key, and is refused. `curve` is the
    /// curve PKCS#8 names outside the key, if any.
    private static func ec(_ root: ASN1Node, curve outer: ASN1Node?) throws(PrivateKeyError) -> ParsedPrivateKey {
        let fields = root.children
        guard let scalar = fields[1].octetStringBytes else { throw .notAKey }
        guard fields[0].unsignedInteger == [1] else {
            throw .unsupported("it is not an EC private key of version 1: the key file is damaged")
        }
        let inner = fields.dropFirst(2).first(where: { $0.isContextTag(0) })?.children.first
        let written = fields.dropFirst(2).first(where: { $0.isContextTag(1) })?.children.first?.bitStringBytes.map(Array.init)
        let outerCurve = outer.flatMap(PrimeCurve.oid(ofParameters:)), innerCurve = inner.flatMap(PrimeCurve.oid(ofParameters:))
        if outer != nil, inner != nil, outerCurve != innerCurve || outerCurve == nil {
            throw .unsupported("it names its curve twice, differently: the key file is damaged")
        }
        guard let oid = outerCurve ?? innerCurve else {
            throw .unsupported(outer ?? inner == nil
                ? "it does not say which curve it is on"
                : "its curve is given as explicit numbers that are no named curve's")
        }
        let computed = try publicPoint(secret: Array(scalar), curve: oid)
        if let written, !PrimeCurve.samePoint(written, computed) {
            throw .unsupported("its written public key is not the one its secret gives: the key file is forged or damaged")
        }
        return ParsedPrivateKey(publicKey: .point(computed), pem: "")
    }

    private static func publicPoint(secret: [UInt8], curve: String) throws(PrivateKeyError) -> [UInt8] {
        let damaged = PrivateKeyError.unsupported("its secret is not a number of its curve: the key file is damaged")
        func padded(_ size: Int) throws(PrivateKeyError) -> [UInt8] {
            let trimmed = secret.drop(while: { $0 == 0 })
            guard trimmed.count <= size else { throw damaged }
            return [UInt8](repeating: 0, count: size - trimmed.count) + trimmed
        }
        do {
            switch curve {
            case OID.p256: return Array(try P256.Signing.PrivateKey(rawRepresentation: try padded(32)).publicKey.x963Representation)
            case OID.p384: return Array(try P384.Signing.PrivateKey(rawRepresentation: try padded(48)).publicKey.x963Representation)
            case OID.p521: return Array(try P521.Signing.PrivateKey(rawRepresentation: try padded(66)).publicKey.x963Representation)
            default: break
            }
        } catch {
            throw damaged
        }
        guard let named = PrimeCurve.named(oid: curve) else {
            throw .unsupported("its curve (\(CurveNames.name(of: curve))) is not one whose keys certpush can check")
        }
        guard let point = named.publicPoint(secret: secret) else { throw damaged }
        return point
    }

    /// PKCS#8 EncryptedPrivateKeyInfo with PBES2: PBKDF2 (HMAC-SHA1 to
    /// -SHA512) or scrypt, then AES-CBC or DES-EDE3-CBC.
    private static func decrypt(_ root: ASN1Node, passphrase: String?) throws(PrivateKeyError) -> [UInt8] {
        let scheme = root.children[0]
        guard let ciphertext = root.children[1].octetStringBytes, let oid = scheme.algorithm?.oid else { throw .notAKey }
        if let name = OID.passwordBasedEncryptions[oid] {
            throw .unsupported("it is encrypted with \(name), an old scheme certpush does not read; \(conversion)")
        }
        guard oid == OID.pbes2 else { throw .unsupported("its encryption (OID \(oid)) is not PBES2; \(conversion)") }
        guard let parameters = scheme.children.last, parameters.children.count == 2 else { throw .notAKey }
        let kdf = parameters.children[0], cipher = parameters.children[1]

        let keyLength: Int
        switch cipher.algorithm?.oid {
        case OID.aes128CBC: keyLength = 16
        case OID.aes192CBC: keyLength = 24
        case OID.aes256CBC: keyLength = 32
        case OID.desEDE3CBC: keyLength = 24
        default: throw .unsupported("its cipher (OID \(cipher.algorithm?.oid ?? "missing")) is not AES-CBC or DES-EDE3-CBC; \(conversion)")
        }
        let isTripleDES = cipher.algorithm?.oid == OID.desEDE3CBC
        guard let iv = cipher.children.last?.octetStringBytes, iv.count == (isTripleDES ? 8 : 16) else {
            throw .unsupported("its cipher's IV is missing or of the wrong size: the key file is damaged")
        }
        let derivation = try KeyDerivation(kdf)
        guard let passphrase, !passphrase.isEmpty else { throw .needsPassphrase }
        guard let key = derivation.key(from: Array(passphrase.utf8), length: keyLength) else { throw .notAKey }
        let plain: [UInt8]?
        if isTripleDES {
            plain = TripleDES.decryptCBC(Array(ciphertext), key: key.withUnsafeBytes { Array($0) }, iv: Array(iv))
        } else {
            plain = (try? AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv))).map(Array.init)
        }
        guard let plain, (try? DER.parse(plain)) != nil else { throw .wrongPassphrase }
        return plain
    }
}

/// PBES2's key derivation, its parameters checked before a passphrase is asked for.
private enum KeyDerivation {
    case pbkdf2(salt: ArraySlice<UInt8>, iterations: Int, hash: KDF.Insecure.PBKDF2.HashFunction)
    case scrypt(salt: ArraySlice<UInt8>, n: Int, r: Int, p: Int)

    init(_ kdf: ASN1Node) throws(PrivateKeyError) {
        let fields = kdf.children.last?.children ?? []
        let conversion = PrivateKeyReader.conversion
        guard let salt = fields.first?.octetStringBytes else {
            throw .unsupported("its key derivation (OID \(kdf.algorithm?.oid ?? "missing")) is not PBKDF2 or scrypt; \(conversion)")
        }
        let numbers = fields.dropFirst().prefix(while: { $0.identifier == .integer }).map { field in
            field.unsignedInteger.flatMap { $0.count <= 4 ? $0.reduce(0) { $0 << 8 | Int($1) } : nil } ?? -1
        }
        switch kdf.algorithm?.oid {
        case OID.pbkdf2:
            guard let iterations = numbers.first, (1...10_000_000).contains(iterations) else {
                throw .unsupported("its PBKDF2 iteration count is not one a key file uses: the key file is damaged")
            }
            let prf = fields.dropFirst().first(where: { $0.identifier == .sequence })?.algorithm?.oid ?? OID.hmacWithSHA1
            let hash: KDF.Insecure.PBKDF2.HashFunction
            switch prf {
            case OID.hmacWithSHA1: hash = .insecureSHA1
            case OID.hmacWithSHA224: hash = .insecureSHA224
            case OID.hmacWithSHA256: hash = .sha256
            case OID.hmacWithSHA384: hash = .sha384
            case OID.hmacWithSHA512: hash = .sha512
            default: throw .unsupported("its PBKDF2 hash (OID \(prf)) is not HMAC with SHA-1, -224, -256, -384 or -512; \(conversion)")
            }
            self = .pbkdf2(salt: salt, iterations: iterations, hash: hash)
        case OID.scrypt:
            // N, r, p as RFC 7914 writes them; at most 256 MiB of memory.
            guard numbers.count >= 3, numbers[0] > 1, numbers[0] & (numbers[0] - 1) == 0, (1...32).contains(numbers[1]),
                  (1...16).contains(numbers[2]), 128 * numbers[0] * numbers[1] <= 256 << 20 else {
                throw .unsupported("its scrypt parameters are beyond what a key file uses: the key file is damaged")
            }
            self = .scrypt(salt: salt, n: numbers[0], r: numbers[1], p: numbers[2])
        default:
            throw .unsupported("its key derivation (OID \(kdf.algorithm?.oid ?? "missing")) is not PBKDF2 or scrypt; \(conversion)")
        }
    }

    func key(from passphrase: [UInt8], length: Int) -> SymmetricKey? {
        switch self {
        case .pbkdf2(let salt, let iterations, let hash):
            try? KDF.Insecure.PBKDF2.deriveKey(from: passphrase, salt: salt, using: hash,
                                               outputByteCount: length, unsafeUncheckedRounds: iterations)
        case .scrypt(let salt, let n, let r, let p):
            try? KDF.Scrypt.deriveKey(from: passphrase, salt: salt, outputByteCount: length, rounds: n, blockSize: r, parallelism: p)
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
    /// How many bits the number takes, leading zeros left out.
    static func bitCount(_ number: ArraySlice<UInt8>) -> Int {
        let digits = number.drop(while: { $0 == 0 })
        guard let first = digits.first else { return 0 }
        return (digits.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

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
