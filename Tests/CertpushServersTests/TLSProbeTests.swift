import CertpushCore
import CertpushServers
import CertpushTestSupport
import Foundation
import Testing

/// The proof (S2): a handshake with SNI tells which certificate a real nginx serves.
@Suite(.serialized) struct TLSProbeTests {
    @Test("the fingerprint served for each name is that name's certificate; a closed port is one sentence")
    func served() throws {
        try #require(NginxFixture.binary != nil, "nginx is not installed: .ci/run installs it")
        let nginx = NginxFixture()
        let port = NginxFixture.freePort()
        let www = try nginx.install(Fixtures.url("rsa-www.crt.pem"), as: "www.pem")
        let wild = try nginx.install(Fixtures.url("ecdsa-wildcard.crt.pem"), as: "wild.pem")
        try nginx.configure([
            .init(names: ["www.example.com"], port: port, certificate: www, key: try nginx.install(Fixtures.url("rsa-www.key.pem"), as: "www.key")),
            .init(names: ["api.example.com"], port: port, certificate: wild, key: try nginx.install(Fixtures.url("ecdsa-wildcard.key.pem"), as: "wild.key")),
        ])
        try nginx.start(waitingFor: port)
        defer { nginx.stop() }
        let expected = { (file: String) in Fingerprint.ofFirstCertificate(inPEM: try String(contentsOfFile: file, encoding: .utf8)) }
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "www.example.com") == expected(www))
        #expect(try TLSProbe.servedFingerprint(address: "127.0.0.1", port: port, serverName: "api.example.com") == expected(wild))
        do {
            _ = try TLSProbe.servedFingerprint(address: "127.0.0.1", port: NginxFixture.freePort(), serverName: "www.example.com", timeLimit: 2)
            Issue.record("a closed port answered")
        } catch let failure as TLSProbe.Failure {
            #expect(failure.description.contains("cannot connect to 127.0.0.1"), "\(failure.description)")
        }
    }
}
