import CertpushCore
import Testing

@Suite struct DomainMatchTests {
    @Test("D5: exact names, and a wildcard for exactly one label")
    func tlsRules() {
        #expect(DomainMatch.covers("www.example.com", "www.example.com"))
        #expect(DomainMatch.covers("WWW.example.com", "www.EXAMPLE.com"))
        #expect(DomainMatch.covers("*.example.com", "www.example.com"))
        #expect(!DomainMatch.covers("*.example.com", "example.com"))
        #expect(!DomainMatch.covers("*.example.com", "a.b.example.com"))
        #expect(!DomainMatch.covers("www.example.com", "example.com"))
        #expect(!DomainMatch.covers("*.example.com", "www.example.org"))
        #expect(DomainMatch.covers("*.example.com", "*.example.com"))
    }

    @Test("D7: old example.com may be replaced by example.com, www.example.com, *.example.com only",
          arguments: [("example.com", true), ("www.example.com", true), ("*.example.com", true),
                      ("example.org", false), ("notexample.com", false)])
    func replacement(new: String, allowed: Bool) {
        #expect(DomainMatch.mayReplace(old: ["example.com"], with: [new]) == allowed)
    }

    @Test("D7 with wildcards and several names on either side")
    func replacementWithSeveralNames() {
        #expect(DomainMatch.mayReplace(old: ["*.example.com"], with: ["shop.example.com"]))
        #expect(DomainMatch.mayReplace(old: ["api.example.org", "example.com"], with: ["example.org", "www.example.com"]))
        #expect(!DomainMatch.mayReplace(old: ["www.example.com"], with: ["example.com"]))
    }
}
