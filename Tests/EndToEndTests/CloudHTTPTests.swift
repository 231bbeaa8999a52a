import CertpushClouds
import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// R2 and R4 on the wire: which endpoints are accepted, the time limit, and
/// which calls are tried again.
@Suite struct CloudHTTPTests {
    /// A server that answers 503 `failures` times, then 200; it counts what it was sent.
    final class Flaky: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        let failures: Int
        let delay: TimeInterval
        init(failures: Int, delay: TimeInterval = 0) {
            self.failures = failures
            self.delay = delay
        }
        func answer() -> HTTPDouble.Response {
            lock.withLock {
                count += 1
                return count <= failures ? HTTPDouble.Response(status: 503, json: ["Code": "ServiceUnavailable"], delay: delay)
                    : HTTPDouble.Response(status: 200, json: ["ok": true], delay: delay)
            }
        }
        var requests: Int { lock.withLock { count } }
    }

    @Test("R2: http is taken only for a loopback address; every other endpoint must be https")
    func endpoints() throws {
        #expect(throws: Refusal.self) { try CloudHTTP(endpoint: "http://scm.example.com") }
        #expect(throws: Refusal.self) { try CloudHTTP(endpoint: "ftp://127.0.0.1") }
        _ = try CloudHTTP(endpoint: "http://127.0.0.1:8080")
        _ = try CloudHTTP(endpoint: "https://cas.aliyuncs.com")
    }

    @Test("R2: https is verified: a certificate the system does not trust ends the call with a sentence that says so")
    func verifiedTLS() throws {
        let issued = try TestCertificates.issue(["127.0.0.1", "localhost"])
        let asked = Flaky(failures: 0)
        let server = try HTTPDouble(tls: issued) { _ in asked.answer() }
        defer { server.stop() }
        #expect(server.endpoint.hasPrefix("https://"))
        let http = try CloudHTTP(endpoint: server.endpoint, timeLimit: 5, backoff: 0.01)
        #expect(performing: { try http.send(SignableRequest(method: "POST", path: "/"), isRead: false) }, throws: { error in
            (error as? CloudUnreachable)?.sentence.hasPrefix("127.0.0.1 could not be reached: its TLS certificate could not be verified") == true
        })
        #expect(asked.requests == 0)
    }

    @Test("R4: a read that meets 5xx is tried three times with backoff; a write is sent once")
    func retries() throws {
        let flaky = Flaky(failures: 2)
        let server = try HTTPDouble { _ in flaky.answer() }
        defer { server.stop() }
        let http = try CloudHTTP(endpoint: server.endpoint, timeLimit: 2, backoff: 0.01)
        let read = try http.send(SignableRequest(method: "GET", path: "/v3/scm/certificates"), isRead: true)
        #expect(read.status == 200)
        #expect(flaky.requests == 3)

        let again = Flaky(failures: 2)
        let writes = try HTTPDouble { _ in again.answer() }
        defer { writes.stop() }
        let write = try CloudHTTP(endpoint: writes.endpoint, timeLimit: 2, backoff: 0.01)
            .send(SignableRequest(method: "POST", path: "/v3/scm/certificates/import"), isRead: false)
        #expect(write.status == 503)
        #expect(again.requests == 1)
    }

    @Test("R4: a call past its time limit fails with a sentence that says so, and a read is tried three times")
    func timeLimit() throws {
        let slow = Flaky(failures: 0, delay: 3)
        let server = try HTTPDouble { _ in slow.answer() }
        defer { server.stop() }
        let http = try CloudHTTP(endpoint: server.endpoint, timeLimit: 1, backoff: 0.01)
        let started = Date()
        #expect(performing: { try http.send(SignableRequest(method: "GET", path: "/"), isRead: true) }, throws: { error in
            (error as? CloudUnreachable)?.sentence == "127.0.0.1 did not answer within 1 s"
        })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(slow.requests == 3)
        #expect((2.9..<8).contains(Date().timeIntervalSince(started)))
    }
}
