import Foundation

/// A file as the user named it, with its bytes; reading it is the front end's job.
public struct InputFile: Sendable {
    public var name: String
    public var bytes: [UInt8]
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

public struct ImportRequest: Sendable {
    public var certificate: InputFile
    public var key: InputFile?
    public var chain: InputFile?
    public var name: String?
    public var passphrase: String?
    public var shared: Bool

    public init(certificate: InputFile, key: InputFile? = nil, chain: InputFile? = nil,
                name: String? = nil, passphrase: String? = nil, shared: Bool = false) {
        self.certificate = certificate
        self.key = key
        self.chain = chain
        self.name = name
        self.passphrase = passphrase
        self.shared = shared
    }
}

/// Why an import was refused (SPEC C5): one sentence naming the file.
public struct ImportError: CertpushError, Equatable {
    public enum Reason: Equatable, Sendable {
        case empty, notACertificate, damaged, certificateAuthority, noDomain, unusableDomain(String), severalLeaves
        case keyMismatch, notAKey, needsPassphrase, wrongPassphrase, unsupportedKey(String)
        case duplicate(CertificateID), badName(String)
    }
    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var sentence: String {
        switch reason {
        case .empty: "\(file) is empty."
        case .notACertificate: "\(file) holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER."
        case .damaged: "\(file) is truncated or damaged: its certificate cannot be read."
        case .certificateAuthority: "\(file) is a CA certificate, not a server certificate: import the certificate it issued."
        case .noDomain: "\(file) names no domain: it has no DNS name and no common name."
        case .unusableDomain(let why): "\(file) names no usable domain: \(why)."
        case .severalLeaves: "\(file) holds certificates that do not form one chain: put one certificate and its issuers in a file."
        case .keyMismatch: "\(file) is not the private key of this certificate: their public keys differ."
        case .notAKey: "\(file) holds no private key that can be read."
        case .needsPassphrase: "\(file) is encrypted: give its passphrase."
        case .wrongPassphrase: "The passphrase for \(file) is wrong."
        case .unsupportedKey(let why): "\(file) cannot be used: \(why)."
        case .duplicate(let id): "\(file) is already stored as \(id)."
        case .badName(let problem): problem
        }
    }
}

/// A certificate ready to be stored: everything but the id the store gives it.
public struct CertificateDraft: Sendable {
    public var certificate: Certificate
    /// Unencrypted PEM; kept apart by the store and never shown (SPEC C6).
    public var privateKeyPEM: String?

    public init(certificate: Certificate, privateKeyPEM: String?) {
        self.certificate = certificate
        self.privateKeyPEM = privateKeyPEM
    }
}

/// SPEC C1 to C5: from files to a certificate draft, or one clear refusal.
public enum CertificateImporter {

    public static func draft(_ request: ImportRequest, now: Date) throws(ImportError) -> CertificateDraft {
        let certificateFile = request.certificate
        let (certificates, keyBlocks) = try readCertificates(certificateFile)
        var all = certificates
        if let chain = request.chain { all += try readCertificates(chain).certificates }

        let leaf = try findLeaf(in: all, file: certificateFile.name)
        guard !leaf.isCertificateAuthorityOnly else { throw ImportError(file: certificateFile.name, reason: .certificateAuthority) }
        if let problem = leaf.domainProblem { throw ImportError(file: certificateFile.name, reason: .unusableDomain(problem)) }
        guard !leaf.domains.isEmpty else { throw ImportError(file: certificateFile.name, reason: .noDomain) }

        var key: ParsedPrivateKey?
        if let keyFile = request.key {
            key = try readKey(keyFile, passphrase: request.passphrase)
        } else if let block = keyBlocks.first {
            key = try readKey(block, file: certificateFile.name, passphrase: request.passphrase)
        }
        if let key, !key.matches(leaf) {
            throw ImportError(file: request.key?.name ?? certificateFile.name, reason: .keyMismatch)
        }

        let name = try validatedName(request.name, default: leaf.domains[0])
        let certificate = Certificate(
            id: CertificateID(0), name: name, domains: leaf.domains, keyAlgorithm: leaf.keyAlgorithm,
            // SPEC 2: uploaded with its key is hosted; without it, issued.
            family: leaf.family, source: .uploaded, lifecycle: key == nil ? .issued : .hosted,
            notBefore: leaf.notBefore, notAfter: leaf.notAfter, issuer: leaf.issuer, serial: leaf.serialHex,
            fingerprint: leaf.fingerprint, certificatePEM: leaf.pem,
            chainPEM: chain(above: leaf, in: all).map(\.pem),
            hasPrivateKey: key != nil, manualCSR: false, shared: request.shared, createdAt: now)
        return CertificateDraft(certificate: certificate, privateKeyPEM: key?.pem)
    }

    /// A name a person gave, or the default; the one rule for every front end.
    public static func validatedName(_ given: String?, default fallback: String) throws(ImportError) -> String {
        let name = given?.trimmingCharacters(in: .whitespaces) ?? ""
        if name.isEmpty { return fallback }
        if let problem = NameRule.problem(with: name, subject: "The certificate name") {
            throw ImportError(file: "", reason: .badName(problem))
        }
        return name
    }

    // MARK: - Reading

    private static func readCertificates(_ file: InputFile) throws(ImportError) -> (certificates: [ParsedCertificate], keys: [PEMBlock]) {
        let fail = { (reason: ImportError.Reason) in ImportError(file: file.name, reason: reason) }
        if file.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw fail(.empty) }
        guard PEM.containsMarker(file.bytes) else {
            // Not PEM: DER if it starts as a DER SEQUENCE, else not a certificate at all.
            guard file.bytes.first == 0x30 else { throw fail(.notACertificate) }
            guard let certificate = try? ParsedCertificate(der: file.bytes) else { throw fail(.damaged) }
            return ([certificate], [])
        }
        let blocks: [PEMBlock]
        do { blocks = try PEM.blocks(in: file.bytes) } catch { throw fail(.damaged) }
        var certificates: [ParsedCertificate] = []
        for block in blocks where block.label == "CERTIFICATE" || block.label == "X509 CERTIFICATE" {
            guard let certificate = try? ParsedCertificate(der: block.der) else { throw fail(.damaged) }
            certificates.append(certificate)
        }
        guard !certificates.isEmpty else { throw fail(.notACertificate) }
        return (certificates, blocks.filter { PrivateKeyReader.keyLabels.contains($0.label) })
    }

    private static func readKey(_ file: InputFile, passphrase: String?) throws(ImportError) -> ParsedPrivateKey {
        if file.bytes.isEmpty { throw ImportError(file: file.name, reason: .empty) }
        if PEM.containsMarker(file.bytes) {
            let blocks: [PEMBlock]
            do { blocks = try PEM.blocks(in: file.bytes) } catch { throw ImportError(file: file.name, reason: .notAKey) }
            guard let block = blocks.first(where: { PrivateKeyReader.keyLabels.contains($0.label) }) else {
                throw ImportError(file: file.name, reason: .notAKey)
            }
            return try readKey(block, file: file.name, passphrase: passphrase)
        }
        do { return try PrivateKeyReader.read(der: file.bytes, passphrase: passphrase) } catch {
            throw ImportError(file: file.name, reason: reason(for: error))
        }
    }

    private static func readKey(_ block: PEMBlock, file: String, passphrase: String?) throws(ImportError) -> ParsedPrivateKey {
        do { return try PrivateKeyReader.read(block: block, passphrase: passphrase) } catch {
            throw ImportError(file: file, reason: reason(for: error))
        }
    }

    private static func reason(for error: PrivateKeyError) -> ImportError.Reason {
        switch error {
        case .notAKey: .notAKey
        case .needsPassphrase: .needsPassphrase
        case .wrongPassphrase: .wrongPassphrase
        case .unsupported(let why): .unsupportedKey(why)
        }
    }

    // MARK: - Chains

    /// SPEC C1: the leaf is the certificate that certifies none of the others.
    private static func findLeaf(in certificates: [ParsedCertificate], file: String) throws(ImportError) -> ParsedCertificate {
        let leaves = certificates.filter { candidate in !certificates.contains(where: { candidate.issued($0) }) }
        var unique: [ParsedCertificate] = []
        for leaf in leaves where !unique.contains(where: { $0.der == leaf.der }) { unique.append(leaf) }
        guard unique.count == 1 else {
            // Only CAs, each certifying another (a loop), or several unrelated leaves.
            if certificates.allSatisfy(\.isCertificateAuthorityOnly) {
                throw ImportError(file: file, reason: .certificateAuthority)
            }
            throw ImportError(file: file, reason: .severalLeaves)
        }
        return unique[0]
    }

    /// The issuers above the leaf, nearest first, then whatever else came along.
    private static func chain(above leaf: ParsedCertificate, in all: [ParsedCertificate]) -> [ParsedCertificate] {
        var ordered: [ParsedCertificate] = []
        var current = leaf
        while let issuer = all.first(where: { candidate in
            candidate.issued(current) && candidate.der != leaf.der && !ordered.contains(where: { $0.der == candidate.der })
        }) {
            ordered.append(issuer)
            current = issuer
        }
        for other in all where other.der != leaf.der && !ordered.contains(where: { $0.der == other.der }) {
            ordered.append(other)
        }
        return ordered
    }
}
