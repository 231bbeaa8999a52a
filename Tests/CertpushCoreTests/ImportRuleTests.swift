import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

@Suite struct ImportRuleTests {
    func file(_ name: String) throws -> InputFile { try Fixtures.file(name) }

    /// The same certificate as DER and as PEM with CRLF line ends.
    func otherEncodings(of name: String) throws -> (der: InputFile, crlf: InputFile) {
        let text = String(decoding: try file(name).bytes, as: UTF8.self)
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = InputFile(name: "x.der", bytes: Array(Data(base64Encoded: base64)!))
        let crlf = InputFile(name: "x.pem", bytes: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        return (der, crlf)
    }

    @Test("C2 (issue 21): a SEC1 key whose written public point is the certificate's over another key's secret is refused; the honest one imports")
    func forgedECKey() throws {
        let issued = try TestCertificates.issue(["forged.example.com"])
        let other = try TestCertificates.issue(["other.example.com"])
        func request(_ key: String) -> ImportRequest {
            ImportRequest(certificate: InputFile(name: "c.pem", bytes: Array(issued.certificate.utf8)), key: InputFile(name: "k.pem", bytes: Array(key.utf8)))
        }
        let honest = try CertificateImporter.draft(request(try TestCertificates.sec1Key(secretOf: issued.key, pointOf: issued.key)), now: testNow)
        #expect(honest.certificate.hasPrivateKey)
        #expect(throws: (any Error).self) {
            _ = try CertificateImporter.draft(request(try TestCertificates.sec1Key(secretOf: other.key, pointOf: issued.key)), now: testNow)
        }
        do {
            _ = try CertificateImporter.draft(request(try TestCertificates.sec1Key(secretOf: other.key, pointOf: issued.key)), now: testNow)
        } catch let error as CertpushError {
            #expect(error.sentence.contains("forged or damaged"), "\(error.sentence)")
        }
    }

    @Test("C2 (issue 21): RSA keys whose primes do not make the modulus, whose prime is 2, or whose version is not 0 are refused")
    func forgedRSAKeys() throws {
        let honest = try CertificateImporter.draft(ImportRequest(certificate: file("rsa-www.crt.pem"), key: file("rsa-www.key.pem")), now: testNow)
        #expect(honest.certificate.hasPrivateKey)
        for (name, words) in [("rsa-forged-primes.key.pem", "do not make its modulus"), ("rsa-q-is-2.key.pem", "far too small"),
                              ("rsa-wrong-version.key.pem", "not a two-prime RSA key")] {
            do {
                _ = try CertificateImporter.draft(ImportRequest(certificate: file("rsa-www.crt.pem"), key: file(name)), now: testNow)
                Issue.record("\(name) was accepted")
            } catch let error as CertpushError {
                #expect(error.sentence.contains(words), "\(name): \(error.sentence)")
            }
        }
    }

    @Test("C1: PEM with CRLF and DER give the same certificate as LF PEM")
    func encodings() throws {
        let pem = try CertificateImporter.draft(ImportRequest(certificate: file("rsa-www.crt.pem")), now: testNow)
        let (derFile, crlfFile) = try otherEncodings(of: "rsa-www.crt.pem")
        let der = try CertificateImporter.draft(ImportRequest(certificate: derFile), now: testNow)
        let crlf = try CertificateImporter.draft(ImportRequest(certificate: crlfFile), now: testNow)
        #expect(pem.certificate.fingerprint == der.certificate.fingerprint)
        #expect(pem.certificate.fingerprint == crlf.certificate.fingerprint)
        #expect(pem.certificate.fingerprint.count == 64)
    }

    @Test("C1: the leaf is found whatever the order, and the chain is kept")
    func chainOrder() throws {
        let forward = try CertificateImporter.draft(ImportRequest(certificate: file("chain-fullchain.pem")), now: testNow)
        let reversed = try CertificateImporter.draft(ImportRequest(certificate: file("chain-reversed.pem")), now: testNow)
        let leaf = try CertificateImporter.draft(ImportRequest(certificate: file("chain-leaf.crt.pem")), now: testNow)
        #expect(forward.certificate.fingerprint == leaf.certificate.fingerprint)
        #expect(reversed.certificate.fingerprint == leaf.certificate.fingerprint)
        #expect(reversed.certificate.chainPEM == forward.certificate.chainPEM)
    }

    @Test("C1: a chain given in its own file joins the leaf")
    func separateChainFile() throws {
        let draft = try CertificateImporter.draft(
            ImportRequest(certificate: file("chain-leaf.crt.pem"), chain: file("chain-reversed.pem")), now: testNow)
        #expect(draft.certificate.domains == ["app.example.com"])
        #expect(draft.certificate.chainPEM.count == 1)
    }

    @Test("C2: a key that is not the certificate's is refused, and nothing is stored")
    func keyMismatchStoresNothing() throws {
        let service = try makeTestService()
        #expect(throws: ImportError(file: "mismatch.key.pem", reason: .keyMismatch)) {
            try service.importCertificate(ImportRequest(certificate: file("rsa-www.crt.pem"), key: file("mismatch.key.pem")))
        }
        #expect(try service.count(CertificateQuery()) == 0)
        #expect(try service.activity(limit: 10).isEmpty)
    }

    @Test("C2: each key type is compared with its certificate", arguments: [
        ("ecdsa-wildcard.crt.pem", "rsa-www.key.pem"), ("rsa-www.crt.pem", "ecdsa-wildcard.key.pem"),
        ("sm2.crt.pem", "ecdsa-wildcard.key.pem"), ("ed25519.crt.pem", "ip-san.key.pem"),
    ])
    func crossedKeysAreRefused(certificate: String, key: String) throws {
        #expect(throws: ImportError(file: key, reason: .keyMismatch)) {
            try CertificateImporter.draft(ImportRequest(certificate: file(certificate), key: file(key)), now: testNow)
        }
    }

    @Test("C3: an encrypted key needs its passphrase; a wrong one is a clear error")
    func encryptedKeys() throws {
        let certificate = try file("encrypted-key.crt.pem"), key = try file("encrypted-key.key.pem")
        #expect(throws: ImportError(file: "encrypted-key.key.pem", reason: .needsPassphrase)) {
            try CertificateImporter.draft(ImportRequest(certificate: certificate, key: key), now: testNow)
        }
        #expect(throws: ImportError(file: "encrypted-key.key.pem", reason: .wrongPassphrase)) {
            try CertificateImporter.draft(ImportRequest(certificate: certificate, key: key, passphrase: "nope"), now: testNow)
        }
        let draft = try CertificateImporter.draft(
            ImportRequest(certificate: certificate, key: key, passphrase: "fixture-pass"), now: testNow)
        // Stored decrypted, so it can be pushed without asking again.
        #expect(draft.privateKeyPEM?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true)
        #expect(ImportError(file: "k.pem", reason: .wrongPassphrase).sentence == "The passphrase for k.pem is wrong.")
    }

    @Test("C4: SM2 certificates are family sm; others international")
    func families() throws {
        #expect(try CertificateImporter.draft(ImportRequest(certificate: file("sm2.crt.pem")), now: testNow).certificate.family == .sm)
        #expect(try CertificateImporter.draft(ImportRequest(certificate: file("rsa-www.crt.pem")), now: testNow).certificate.family == .international)
    }

    @Test("C5: bad input gets one sentence naming the file", arguments: [
        ("empty.crt.pem", "empty.crt.pem is empty."),
        ("garbage.crt.pem", "garbage.crt.pem holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER."),
        ("truncated.crt.pem", "truncated.crt.pem is truncated or damaged: its certificate cannot be read."),
        ("root-ca.crt.pem", "root-ca.crt.pem is a CA certificate, not a server certificate: import the certificate it issued."),
    ])
    func badInput(name: String, sentence: String) throws {
        let service = try makeTestService()
        do {
            try service.importCertificate(ImportRequest(certificate: file(name)))
            Issue.record("\(name) was imported")
        } catch let error as ImportError {
            #expect(error.sentence == sentence)
            #expect(error.outcome.exitCode == 2)
            #expect(!error.sentence.dropLast().contains("\n"))
        }
        #expect(try service.count(CertificateQuery()) == 0)
    }

    @Test("C5: a key file that holds no key is refused")
    func keyFileWithoutKey() throws {
        #expect(throws: ImportError(file: "rsa-www.crt.pem", reason: .notAKey)) {
            try CertificateImporter.draft(ImportRequest(certificate: file("rsa-www.crt.pem"), key: file("rsa-www.crt.pem")), now: testNow)
        }
    }

    @Test("The same certificate twice is refused with the id it has")
    func duplicates() throws {
        let service = try makeTestService()
        let first = try service.importCertificate(ImportRequest(certificate: file("rsa-www.crt.pem")))
        let der = try otherEncodings(of: "rsa-www.crt.pem").der
        #expect(throws: ImportError(file: "x.der", reason: .duplicate(first.id))) {
            try service.importCertificate(ImportRequest(certificate: der))
        }
        #expect(try service.count(CertificateQuery()) == 1)
    }

    @Test("The name defaults to the primary domain; a given one is checked")
    func names() throws {
        let service = try makeTestService()
        let unnamed = try service.importCertificate(ImportRequest(certificate: file("rsa-www.crt.pem")))
        #expect(unnamed.name == "www.example.com")
        let named = try service.importCertificate(ImportRequest(certificate: file("rsa-4096.crt.pem"), name: "  big one "))
        #expect(named.name == "big one")
        #expect(throws: ImportError(file: "", reason: .badName("The certificate name must be 1 to 64 characters."))) {
            try service.importCertificate(ImportRequest(certificate: file("ed25519.crt.pem"), name: String(repeating: "x", count: 65)))
        }
    }

    @Test("C6: the key is held apart, never in the certificate value")
    func keyIsHeldApart() throws {
        let service = try makeTestService()
        let stored = try service.importCertificate(ImportRequest(certificate: file("rsa-www.crt.pem"), key: file("rsa-www.key.pem")))
        #expect(stored.hasPrivateKey)
        #expect(!String(describing: stored).contains("PRIVATE KEY"))
    }

    @Test("Every import writes one activity entry naming who and what")
    func activity() throws {
        let service = try makeTestService()
        let stored = try service.importCertificate(ImportRequest(certificate: file("rsa-www.crt.pem")))
        let entries = try service.activity(limit: 10)
        #expect(entries == [ActivityEntry(at: testNow, user: "tester", action: "certificate.import",
                                          subject: stored.id.description, detail: "www.example.com")])
        try service.delete(stored.id)
        #expect(try service.activity(limit: 10).first?.action == "certificate.delete")
        #expect(throws: Refusal("There is no certificate \(stored.id).")) { try service.delete(stored.id) }
    }
}
