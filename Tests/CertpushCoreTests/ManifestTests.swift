import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// Walks MANIFEST.tsv: every file in it must have a stated conclusion here,
/// and the importer must reach it.
@Suite struct ManifestTests {
    enum Expectation: Sendable {
        case imports(@Sendable (Certificate) -> Bool)
        case keyFor(String)
        case refused(ImportError.Reason)
    }

    static let expectations: [String: Expectation] = [
        "root-ca.crt.pem": .refused(.certificateAuthority),
        "rsa-www.crt.pem": .imports { $0.keyAlgorithm == .rsa(bits: 2048) && $0.domains == ["www.example.com"] && $0.status(at: testNow) == .issued },
        "rsa-www.key.pem": .keyFor("rsa-www.crt.pem"),
        "ecdsa-wildcard.crt.pem": .imports { $0.keyAlgorithm == .ecP256 && Set($0.domains) == ["*.example.com", "example.com"] },
        "ecdsa-wildcard.key.pem": .keyFor("ecdsa-wildcard.crt.pem"),
        "rsa-multi-san.crt.pem": .imports { $0.keyAlgorithm == .rsa(bits: 2048) && $0.domains.count == 3 && $0.domains.allSatisfy { $0.hasSuffix("example.org") } },
        "rsa-multi-san.key.pem": .keyFor("rsa-multi-san.crt.pem"),
        "rsa-4096.crt.pem": .imports { $0.keyAlgorithm == .rsa(bits: 4096) && $0.domains.count == 1 },
        "rsa-4096.key.pem": .keyFor("rsa-4096.crt.pem"),
        "expired.crt.pem": .imports { $0.status(at: testNow) == .expired && $0.notAfter == ISO8601DateFormatter().date(from: "2021-01-01T00:00:00Z") },
        "expired.key.pem": .keyFor("expired.crt.pem"),
        "not-yet-valid.crt.pem": .imports { $0.notBefore == ISO8601DateFormatter().date(from: "2045-01-01T00:00:00Z") },
        "not-yet-valid.key.pem": .keyFor("not-yet-valid.crt.pem"),
        "ed25519.crt.pem": .imports { $0.keyAlgorithm == .ed25519 && $0.family == .international },
        "ed25519.key.pem": .keyFor("ed25519.crt.pem"),
        "ip-san.crt.pem": .imports { $0.domains == ["10.0.0.5"] },
        "ip-san.key.pem": .keyFor("ip-san.crt.pem"),
        "chain-leaf.crt.pem": .imports { $0.domains == ["app.example.com"] && $0.issuer.contains("Intermediate") },
        "chain-leaf.key.pem": .keyFor("chain-leaf.crt.pem"),
        "chain-fullchain.pem": .imports { $0.domains == ["app.example.com"] && $0.chainPEM.count == 1 },
        "chain-reversed.pem": .imports { $0.domains == ["app.example.com"] && $0.chainPEM.count == 1 },
        "mismatch.key.pem": .refused(.keyMismatch),
        // Forged by scripts/forge-keys.py (issue 21): offered as rsa-www.crt.pem's key.
        "rsa-forged-primes.key.pem": .refused(.unsupportedKey("its primes do not make its modulus: the key file is forged or damaged")),
        "rsa-q-is-2.key.pem": .refused(.unsupportedKey("its primes are not an RSA key's (one is far too small): the key file is forged or damaged")),
        "rsa-wrong-version.key.pem": .refused(.unsupportedKey("it is not a two-prime RSA key (version 5, not 0)")),
        "encrypted-key.crt.pem": .imports { $0.keyAlgorithm != .unknown },
        "encrypted-key.key.pem": .keyFor("encrypted-key.crt.pem"),
        "truncated.crt.pem": .refused(.damaged),
        "garbage.crt.pem": .refused(.notACertificate),
        "empty.crt.pem": .refused(.empty),
        "rsa-www.crt.der": .imports { $0.domains == ["der.example.com"] && $0.keyAlgorithm == .ecP256 },
        "crlf.crt.pem": .imports { !$0.domains.isEmpty },
        "sm2.crt.pem": .imports { $0.family == .sm && $0.keyAlgorithm == .sm2 && $0.domains == ["sm.example.cn"] },
        "sm2.key.pem": .keyFor("sm2.crt.pem"),
        // Issue 21, C2 and C8: an SM2 key's point is computed from its secret, other curves are named.
        "sm2-forged-point.key.pem": .refused(.unsupportedKey("its written public key is not the one its secret gives: the key file is forged or damaged")),
        "ec-secp256k1.crt.pem": .imports { $0.keyAlgorithm.rawValue == "EC-secp256k1" && $0.domains == ["k1.example.com"] },
        "ec-secp256k1.key.pem": .keyFor("ec-secp256k1.crt.pem"),
        "ec-brainpool.crt.pem": .imports { $0.keyAlgorithm.rawValue == "EC-brainpoolP384r1" },
        "ec-brainpool.key.pem": .keyFor("ec-brainpool.crt.pem"),
        "bom.crt.pem": .imports { $0.domains == ["www.example.com"] },
    ]

    /// The certificate a refused key is offered with, when not rsa-www.crt.pem.
    static let offeredWith = ["sm2-forged-point.key.pem": "sm2.crt.pem"]

    static let passphrases = ["encrypted-key.key.pem": "fixture-pass"]

    @Test func everyManifestFileHasAnExpectation() throws {
        let files = try Fixtures.manifest().map(\.file)
        #expect(files.count >= 30)
        for file in files { #expect(Self.expectations[file] != nil, "no expectation for \(file)") }
    }

    @Test(arguments: try Fixtures.manifest().map(\.file))
    func importerReachesTheManifestConclusion(file: String) throws {
        let request: ImportRequest
        switch Self.expectations[file] {
        case .keyFor(let certificate):
            request = ImportRequest(certificate: try Fixtures.file(certificate), key: try Fixtures.file(file),
                                    passphrase: Self.passphrases[file])
        case .refused(.keyMismatch), .refused(.unsupportedKey):
            request = ImportRequest(certificate: try Fixtures.file(Self.offeredWith[file] ?? "rsa-www.crt.pem"), key: try Fixtures.file(file))
        default:
            request = ImportRequest(certificate: try Fixtures.file(file))
        }
        switch Self.expectations[file] {
        case .imports(let check):
            let draft = try CertificateImporter.draft(request, now: testNow)
            #expect(check(draft.certificate), "\(file) imported as \(draft.certificate)")
            #expect(draft.certificate.source == .uploaded)
        case .keyFor:
            let draft = try CertificateImporter.draft(request, now: testNow)
            #expect(draft.certificate.hasPrivateKey)
            #expect(draft.privateKeyPEM?.contains("PRIVATE KEY") == true)
        case .refused(let reason):
            #expect(throws: ImportError(file: file, reason: reason)) { try CertificateImporter.draft(request, now: testNow) }
        case nil:
            Issue.record("no expectation for \(file)")
        }
    }
}
