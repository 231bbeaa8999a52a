import CertpushCore
import Foundation
import X509

/// The training ground of SPEC 6: certificates that between them show every
/// rule. Each is real X.509 and goes through the same importer as a user's
/// file; only its source and lifecycle are then set as the story needs.
public enum SandboxSeed {
    public static let seededKey = "sandbox.seeded"

    /// Seeds `store` in one transaction. Dates are relative to `now`, so the
    /// "expiring soon" ones stay so on a sandbox made any day.
    public static func seed(_ store: any Store, time: any TimeSource, user: String) throws {
        let seed = try Seeder(time: time, user: user).prepare()
        try store.write { try seed.write(into: $0) }
    }

    /// Makes the sandbox's CA and certificates (the slow part); what it
    /// returns writes them with the cloud, quota and contacts into a transaction.
    public struct Seeder: SandboxSeeding {
        let time: any TimeSource
        let user: String

        public init(time: any TimeSource, user: String) {
            self.time = time
            self.user = user
        }

        public func prepare() throws -> any PreparedSeed {
            let now = time.now()
            let ca = try SandboxCA(now: now)
            return Prepared(now: now, user: user, caCertificate: try ca.certificatePEM, caKey: ca.keyPEM,
                            drafts: try demoCertificates(ca: ca, now: now))
        }
    }

    struct Prepared: PreparedSeed {
        let now: Date
        let user: String
        let caCertificate: String
        let caKey: String
        let drafts: [CertificateDraft]

        func write(into db: any StoreWriter) throws {
            try db.setValue(caCertificate, forKey: "sandbox.ca.certificate")
            try db.setSecret(caKey, forKey: "sandbox.ca.key")
            var byName: [String: CertpushCore.Certificate] = [:]
            for draft in drafts {
                var certificate = draft.certificate
                certificate.id = try db.insert(draft)
                byName[certificate.name] = certificate
            }
            try SandboxCloud.seed(db, certificates: byName)
            // A small deployment quota, so its limit is met in training.
            try db.setValue("10", forKey: DeploymentService.quotaKey)
            for contact in [Contact(name: "Ana Ops", email: "ana.ops@example.com"),
                            Contact(name: "Bo Security", email: "bo.sec@example.com"),
                            Contact(name: "Chen Web", email: "chen.web@example.com")] {
                try db.saveContact(contact, replacing: nil)
            }
            try db.setValue(ISOTime.string(now), forKey: seededKey)
            try db.append(ActivityEntry(at: now, user: user, action: "sandbox.seed", subject: "sandbox",
                                        detail: "\(drafts.count) demo certificates, \(SandboxCloud.resources.count) resources"))
        }
    }

    private struct Demo {
        var name: String
        var domains: [String]
        var key: SandboxCA.LeafKey = .p256
        var source: CertificateSource = .official
        /// Days from now; negative is the past.
        var validFrom = -30.0, validTo = 365.0
        var lifecycle: CertificateLifecycle? = nil
        var manualCSR = false
        var shared = false
    }

    private static let demos: [Demo] = [
        Demo(name: "www.example.com", domains: ["www.example.com", "example.com"], key: .rsa2048),
        Demo(name: "wildcard-example", domains: ["*.example.com"]),
        Demo(name: "api.example.org", domains: ["api.example.org"], validFrom: -340, validTo: 20),
        Demo(name: "pay.example.net", domains: ["pay.example.net"], validFrom: -360, validTo: 5),
        Demo(name: "old.example.com", domains: ["old.example.com"], validFrom: -400, validTo: -10),
        Demo(name: "csr-by-hand", domains: ["csr.example.com"], manualCSR: true),
        Demo(name: "测试证书", domains: ["shop.example.cn"]),
        Demo(name: "static-assets", domains: ["static.example.com"]),
        Demo(name: "revoked-demo", domains: ["revoked.example.com"], lifecycle: .revoked),
        Demo(name: "partner-shared", domains: ["partner.example.io", "*.partner.example.io"], source: .uploaded, shared: true),
        Demo(name: "legacy-upload", domains: ["legacy.example.net"], key: .p384, source: .uploaded),
        Demo(name: "media-upload", domains: ["media.example.com", "img.example.com"], source: .uploaded),
    ]

    private static let externalIssuer = try! DistinguishedName {
        OrganizationName("Demo Trust Services")
        CommonName("Demo Trust RSA CA 2026")
    }

    private static func demoCertificates(ca: SandboxCA, now: Date) throws -> [CertificateDraft] {
        var drafts: [CertificateDraft] = []
        for demo in demos {
            let day = 86_400.0
            let issued = try ca.issue(
                domains: demo.domains, key: demo.key,
                from: now.addingTimeInterval(demo.validFrom * day), to: now.addingTimeInterval(demo.validTo * day),
                issuer: demo.source == .uploaded ? externalIssuer : nil)
            var draft = try CertificateImporter.draft(
                ImportRequest(certificate: InputFile(name: demo.name, bytes: Array(issued.certificate.utf8)),
                              key: InputFile(name: "\(demo.name).key", bytes: Array(issued.key.utf8)),
                              name: demo.name, shared: demo.shared),
                now: now)
            draft.certificate.source = demo.source
            draft.certificate.lifecycle = demo.lifecycle ?? (demo.source == .official ? .issued : .hosted)
            if demo.manualCSR {
                // The CSR was made elsewhere: the key never came here.
                draft.certificate.manualCSR = true
                draft.certificate.hasPrivateKey = false
                draft.privateKeyPEM = nil
            }
            drafts.append(draft)
        }
        drafts.append(try smDemo(now: now))
        drafts.append(pendingDemo(now: now))
        return drafts
    }

    /// swift-crypto cannot make SM2 keys, so the SM demo is a fixed pair made with
    /// `openssl genpkey -algorithm SM2` and self-signed with `openssl ca -selfsign -md sm3`,
    /// valid 2025-01-01 to 2046-01-01.
    private static func smDemo(now: Date) throws -> CertificateDraft {
        var draft = try CertificateImporter.draft(
            ImportRequest(certificate: InputFile(name: "sm-demo", bytes: Array(SMDemo.certificate.utf8)),
                          key: InputFile(name: "sm-demo.key", bytes: Array(SMDemo.key.utf8)),
                          name: "gov-sm2"),
            now: now)
        draft.certificate.source = .uploaded
        return draft
    }

    /// Applied for, not issued yet: no X.509 exists.
    private static func pendingDemo(now: Date) -> CertificateDraft {
        CertificateDraft(
            certificate: Certificate(
                id: CertificateID(0), name: "new.example.com", domains: ["new.example.com"], keyAlgorithm: .rsa(bits: 2048),
                family: .international, source: .official, lifecycle: .pending, notBefore: nil, notAfter: nil,
                issuer: "certpush Sandbox CA", serial: "", fingerprint: "", certificatePEM: nil, chainPEM: [],
                hasPrivateKey: false, manualCSR: false, shared: false, createdAt: now),
            privateKeyPEM: nil)
    }
}

enum SMDemo {
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBtTCCAVugAwIBAgIBATAKBggqgRzPVQGDdTA0MRcwFQYDVQQDDA5nb3YuZXhh
        bXBsZS5jbjEZMBcGA1UECgwQY2VydHB1c2ggU2FuZGJveDAeFw0yNTAxMDEwMDAw
        MDBaFw00NjAxMDEwMDAwMDBaMDQxFzAVBgNVBAMMDmdvdi5leGFtcGxlLmNuMRkw
        FwYDVQQKDBBjZXJ0cHVzaCBTYW5kYm94MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0D
        QgAEZcOpakvBxBm90d8wh4JKu0yXl7S+WrrwhMwuhUXSttPtqsOz4dJTNnZbR4Jn
        WneWMwRIVWU4Qb0Lt5Fr5ZgRIaNeMFwwLQYDVR0RBCYwJIIOZ292LmV4YW1wbGUu
        Y26CEnd3dy5nb3YuZXhhbXBsZS5jbjAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBTh
        tzol+N+kIlc/a7AbVk4O3M6FXDAKBggqgRzPVQGDdQNIADBFAiAIzaZ1kWdyCMES
        B9BQft8FQp/hqpHWnn/6SzKH0CxE6wIhAMLdsq784kh4z5ibfnzZeAbUeT3q/tTw
        rJoF6Xxhpca0
        -----END CERTIFICATE-----
        """

    static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQg2P6mUx/NaC6zsNqi
        mM8ZAEQScpTJVkZQ57ZOyh73wIihRANCAARlw6lqS8HEGb3R3zCHgkq7TJeXtL5a
        uvCEzC6FRdK20+2qw7Ph0lM2dltHgmdad5YzBEhVZThBvQu3kWvlmBEh
        -----END PRIVATE KEY-----
        """
}
