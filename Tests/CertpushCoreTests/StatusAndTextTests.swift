import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

@Suite struct StatusAndTextTests {
    @Test("expired is computed from the clock, never stored")
    func expiredFollowsTheClock() throws {
        let time = ManualTime(testNow)
        let service = try makeTestService(time: time)
        let certificate = try service.importCertificate(ImportRequest(certificate: Fixtures.file("rsa-www.crt.pem")))
        #expect(certificate.status(at: time.now()) == .issued)
        let afterEnd = certificate.notAfter!.addingTimeInterval(1)
        #expect(try service.certificate(certificate.id).status(at: afterEnd) == .expired)
        #expect(CertificateStatus(lifecycle: .revoked, notAfter: .distantPast, now: testNow) == .revoked)
        #expect(CertificateStatus(lifecycle: .pending, notAfter: nil, now: testNow) == .pending)
        #expect(CertificateStatus(lifecycle: .issued, notAfter: .distantPast, now: testNow) == .expired)
    }

    @Test("a roll back says what is back: a certificate, none, or a server site's previous files whatever they hold (README walk)")
    func rollbackSentences() {
        let r2 = ResourceID(2), c2 = CertificateID(2), c1 = CertificateID(1)
        #expect(RollbackOutcome(resource: r2, resourceName: "site", replaced: c2, restored: c1).sentence == "r2 site: c1 is back (was c2).")
        #expect(RollbackOutcome(resource: r2, resourceName: "cdn", replaced: c2, restored: nil).sentence == "r2 cdn: no certificate again (was c2).")
        #expect(RollbackOutcome(resource: r2, resourceName: "site", replaced: c2, restored: nil, restoresFiles: true).sentence
                == "r2 site: its previous files are back (was c2).")
    }

    @Test("expiry urgency: under 30 days warns, under 7 and expired are errors")
    func urgency() {
        let policy = ExpiryPolicy()
        let day = 86_400.0
        #expect(policy.urgency(notAfter: testNow.addingTimeInterval(31 * day), now: testNow) == .none)
        #expect(policy.urgency(notAfter: testNow.addingTimeInterval(29 * day), now: testNow) == .warning)
        #expect(policy.urgency(notAfter: testNow.addingTimeInterval(6 * day), now: testNow) == .critical)
        #expect(policy.urgency(notAfter: testNow.addingTimeInterval(-day), now: testNow) == .critical)
        #expect(policy.urgency(notAfter: nil, now: testNow) == .none)
    }

    @Test("C7: control characters and escape sequences are neutralised")
    func neutralised() {
        let hostile = "evil\u{1B}[2J\u{1B}]0;title\u{07}name\r\n\u{9B}31m\u{202E}txt"
        let shown = DisplayText.neutralized(hostile)
        #expect(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(!shown.contains("\u{202E}"))
        #expect(shown.hasPrefix("evil\u{241B}[2J"))
        #expect(DisplayText.neutralized("测试证书 www.example.com") == "测试证书 www.example.com")
    }

    @Test("ids read as c12, C12 or 12")
    func ids() {
        #expect(CertificateID("c12") == CertificateID(12))
        #expect(CertificateID("12") == CertificateID(12))
        #expect(CertificateID("C3")?.description == "c3")
        #expect(CertificateID("x1") == nil)
        #expect(CertificateID("c0") == nil)
    }
}

@Suite struct CertificateIndexTests {
    func entry(_ id: Int64, _ text: String, source: CertificateSource = .uploaded, lifecycle: CertificateLifecycle = .hosted,
               notAfter: Date? = nil) -> CertificateListEntry {
        CertificateListEntry(id: CertificateID(id), source: source, lifecycle: lifecycle, notAfter: notAfter, searchText: text)
    }

    @Test("a query matches text anywhere in id, name or domains, newest first, one hit per certificate")
    func text() {
        let index = CertificateIndex(entries: [
            entry(1, CertificateListEntry.searchText(id: CertificateID(1), name: "Shop", domains: ["shop.example.com", "www.shop.example.com"])),
            entry(2, "c2 api api.example.org"), entry(3, "c3 mail mail.example.net"),
        ])
        #expect(index.matching(CertificateQuery(text: "SHOP")) == [CertificateID(1)])
        #expect(index.matching(CertificateQuery(text: "example")) == [CertificateID(3), CertificateID(2), CertificateID(1)])
        #expect(index.matching(CertificateQuery(text: "c2")) == [CertificateID(2)])
        #expect(index.matching(CertificateQuery(text: "org mail")).isEmpty)
        #expect(index.matching(CertificateQuery(text: "t\nc3")).isEmpty)
        #expect(index.matching(CertificateQuery(text: "zzz")).isEmpty)
        #expect(CertificateIndex(entries: []).matching(CertificateQuery(text: "a")).isEmpty)
    }

    @Test("source and the expiring window narrow the matches; expired ones need action too; pending and revoked never expire soon")
    func filters() {
        let soon = testNow.addingTimeInterval(5 * 86_400)
        let index = CertificateIndex(entries: [
            entry(1, "a", source: .official, lifecycle: .issued, notAfter: soon),
            entry(2, "b", source: .uploaded, lifecycle: .hosted, notAfter: soon),
            entry(3, "c", source: .official, lifecycle: .revoked, notAfter: soon),
            entry(4, "d", source: .official, lifecycle: .issued, notAfter: testNow.addingTimeInterval(-86_400)),
            entry(5, "e", source: .official, lifecycle: .pending),
        ])
        #expect(index.matching(CertificateQuery(source: .official)).map(\.rawValue) == [5, 4, 3, 1])
        let window = ExpiryPolicy().expiringSoon(now: testNow)
        #expect(index.matching(CertificateQuery(expiring: window)).map(\.rawValue) == [4, 2, 1])
        #expect(index.matching(CertificateQuery(source: .uploaded, expiring: window)).map(\.rawValue) == [2])
    }
}

/// One name rule for tasks, certificates and contacts; JSON that a terminal cannot be tricked by.
@Suite struct NameAndJSONTests {
    @Test("a name: no control characters, line breaks or direction overrides; at most 64 characters and 256 bytes")
    func names() {
        #expect(NameRule.problem(with: "Renew www", subject: "The task name") == nil)
        #expect(NameRule.problem(with: "证书续期", subject: "The task name") == nil)
        for bad in ["a\u{1B}[31mred", "osc\u{1B}]0;title\u{07}", "two\nlines", "csi\u{9B}2J", "rtl\u{202E}gnp.exe", "sep\u{2028}x"] {
            #expect(NameRule.problem(with: bad, subject: "The task name")
                    == "The task name cannot contain control characters, line breaks or direction overrides.", "\(bad.debugDescription)")
        }
        #expect(NameRule.problem(with: String(repeating: "x", count: 65), subject: "A contact's name") == "A contact's name must be 1 to 64 characters.")
        let combining = "e" + String(repeating: "\u{301}", count: 5_000)
        #expect(combining.count == 1)
        #expect(NameRule.problem(with: combining, subject: "The task name") == "The task name is too long: at most 64 characters and 256 bytes.")
    }

    @Test("JSON escapes C1 controls, DEL, line separators and direction overrides, and still means the same")
    func json() throws {
        let value = "a\u{9B}b\u{202E}c\u{7F}d\u{2028}e"
        let encoded = String(decoding: try JSONEncoder().encode([value]), as: UTF8.self)
        let escaped = DisplayText.escapingJSON(encoded)
        #expect(escaped == #"["a\u009Bb\u202Ec\u007Fd\u2028e"]"#)
        #expect(try JSONDecoder().decode([String].self, from: Data(escaped.utf8)) == [value])
    }
}

/// Times as users write them, in the CLI and the wizard alike.
@Suite struct TimeTextTests {
    @Test("ISO 8601 with a zone, or YYYY-MM-DD HH:MM in the given zone; anything else is one sentence naming the zone")
    func parse() throws {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        #expect(try ISOTime.parse("2026-12-01T09:30:00Z") == ISO8601DateFormatter().date(from: "2026-12-01T09:30:00Z"))
        #expect(try ISOTime.parse("2026-12-01T17:30+08:00") == ISO8601DateFormatter().date(from: "2026-12-01T09:30:00Z"))
        #expect(try ISOTime.parse("2026-12-01 17:30", zone: shanghai) == ISO8601DateFormatter().date(from: "2026-12-01T09:30:00Z"))
        #expect(ISOTime.zoneLabel(shanghai) == "UTC+08:00 Asia/Shanghai")
        #expect(ISOTime.zoneLabel(TimeZone(identifier: "UTC")!) == "UTC")
        do {
            _ = try ISOTime.parse("next tuesday", zone: shanghai)
            Issue.record("parsed")
        } catch let refusal as Refusal {
            #expect(refusal.sentence == "\"next tuesday\" is not a time: write 2026-12-01 09:30 (UTC+08:00 Asia/Shanghai) or 2026-12-01T09:30:00Z.")
        }
    }

    @Test("a time shown to people always says its zone, the zone it was read in (issue 22, 4)")
    func shown() throws {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!, utc = TimeZone(identifier: "UTC")!
        let date = try ISOTime.parse("2026-12-08 10:00", zone: shanghai)
        #expect(ISOTime.string(date) == "2026-12-08T02:00:00Z")
        #expect(ISOTime.shown(date, zone: shanghai) == "2026-12-08 10:00 UTC+08:00")
        #expect(ISOTime.shown(date, zone: utc) == "2026-12-08 02:00 UTC")
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(ISOTime.shown(date, zone: newYork) == "2026-12-07 21:00 UTC-05:00")
    }
}
