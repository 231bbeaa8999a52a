import CertpushClouds
import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// SPEC A7: every request certpush makes to Huawei Cloud (SCM, IAM) and
/// Alibaba Cloud (CAS) compared with the request the cloud's official SDK
/// makes for the same operation, as scripts/golden/record.py recorded it:
/// method, path, query, JSON fields, signed headers and their values. And
/// certpush's signer, given the SDK's own request, computes the SDK's signature.
@Suite(.serialized) struct GoldenRequestTests {
    /// One recorded exchange: the SDK's request and what the capture server answered.
    struct Recorded {
        var method: String
        var path: String
        var query: [(name: String, value: String)]
        var headers: [String: String]
        var body: String
        var answer: Any?

        init(_ json: [String: Any]) {
            method = json["method"] as? String ?? ""
            path = json["path"] as? String ?? ""
            query = (json["query"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
            headers = json["headers"] as? [String: String] ?? [:]
            body = json["body"] as? String ?? ""
            answer = json["answer"].flatMap { $0 is NSNull ? nil : $0 }
        }

        /// The SDK's request as certpush's signer takes it: its signed headers only, its body's bytes.
        var signable: SignableRequest {
            SignableRequest(method: method, path: path, query: query,
                            headers: Dictionary(uniqueKeysWithValues: signed.map { ($0, headers[$0] ?? "") }), body: Data(body.utf8))
        }

        /// The header names its Authorization signs, in order.
        var signed: [String] {
            let authorization = headers["authorization"] ?? ""
            guard let range = authorization.range(of: "SignedHeaders=") else { return [] }
            return authorization[range.upperBound...].prefix { $0 != "," }.split(separator: ";").map(String.init)
        }
    }

    struct Golden {
        var keys: CloudKeys
        var material: (certificate: String, chain: String, key: String)
        var operations: [String: Recorded]

        init(_ cloud: String) throws {
            let data = try Data(contentsOf: Fixtures.golden.appendingPathComponent("\(cloud).json"))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let keys = json["keys"] as? [String] ?? []
            self.keys = CloudKeys(id: keys.first ?? "", secret: keys.last ?? "")
            let material = json["material"] as? [String: String] ?? [:]
            self.material = (material["certificate"] ?? "", material["chain"] ?? "", material["key"] ?? "")
            operations = (json["operations"] as? [String: [String: Any]] ?? [:]).mapValues(Recorded.init)
        }
    }

    /// A double that answers every request with `answer` (the SDK's model, as recorded) and keeps what it was sent.
    final class Replay: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [HTTPDouble.Request] = []
        private var server: HTTPDouble!
        init(answer: Any?) throws {
            let body = answer.flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            server = try HTTPDouble { [unowned self] request in
                lock.withLock { seen.append(request) }
                return body.map { HTTPDouble.Response(status: 200, json: try? JSONSerialization.jsonObject(with: $0)) } ?? HTTPDouble.Response(status: 204)
            }
        }
        var endpoint: String { server.endpoint }
        var requests: [HTTPDouble.Request] { lock.withLock { seen } }
        func stop() { server.stop() }
    }

    /// Headers whose values differ by nature (who sends, when, which connection), compared by name only.
    static let ownValues: Set = ["host", "user-agent", "x-sdk-date", "x-acs-date", "x-acs-signature-nonce", "authorization"]

    /// Makes the operation `name` with `call` against a replay of its recorded answer, and compares what certpush sent.
    func expectSame<T>(_ golden: Golden, _ name: String, _ call: (_ endpoint: String) throws -> T,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let recorded = try #require(golden.operations[name], "no recording of \(name): run scripts/golden/record.sh", sourceLocation: sourceLocation)
        let replay = try Replay(answer: recorded.answer)
        defer { replay.stop() }
        let result = try call(replay.endpoint)
        let sent = try #require(replay.requests.last, sourceLocation: sourceLocation)
        #expect(replay.requests.count == 1, "\(name): one request", sourceLocation: sourceLocation)
        #expect(sent.method == recorded.method, "\(name): method", sourceLocation: sourceLocation)
        #expect(sent.path == recorded.path, "\(name): path", sourceLocation: sourceLocation)
        let pairs = { (query: [(name: String, value: String)]) in query.map { "\($0.name)=\($0.value)" }.sorted() }
        #expect(pairs(sent.query) == pairs(recorded.query), "\(name): query", sourceLocation: sourceLocation)
        if recorded.body.isEmpty {
            #expect(sent.body.isEmpty, "\(name): no body, as the SDK sends none", sourceLocation: sourceLocation)
        } else {
            let fields = { (data: Data) in (try? JSONSerialization.jsonObject(with: data)) as? NSDictionary }
            #expect(fields(sent.body) != nil && fields(sent.body) == fields(Data(recorded.body.utf8)),
                    "\(name): JSON fields\n certpush: \(String(decoding: sent.body, as: UTF8.self))\n SDK:      \(recorded.body)",
                    sourceLocation: sourceLocation)
        }
        let signed = Recorded(["headers": sent.headers]).signed
        #expect(signed == recorded.signed, "\(name): signed headers", sourceLocation: sourceLocation)
        for header in recorded.signed where !Self.ownValues.contains(header) {
            #expect(sent.headers[header] == recorded.headers[header], "\(name): \(header)", sourceLocation: sourceLocation)
        }
        GoldenCapture.keep(name, sent)
        return result
    }

    @Test("H1, H5, A7: certpush's signer, given each request the Huawei SDK made, computes the SDK's signature")
    func huaweiSignatures() throws {
        let golden = try Golden("huawei")
        #expect(golden.operations.count == 7)
        for (name, recorded) in golden.operations {
            let signed = RequestSigning.huawei(recorded.signable, accessKey: golden.keys.id, secretKey: golden.keys.secret)
            #expect(signed.authorization == recorded.headers["authorization"], "\(name)")
        }
    }

    @Test("A1, A5, A7: certpush's signer, given each request the Alibaba SDK made, computes the SDK's signature")
    func alibabaSignatures() throws {
        let golden = try Golden("alibaba")
        #expect(golden.operations.count == 8)
        for (name, recorded) in golden.operations {
            let signed = RequestSigning.alibaba(recorded.signable, accessKeyID: golden.keys.id, secret: golden.keys.secret)
            #expect(signed.authorization == recorded.headers["authorization"], "\(name)")
        }
    }

    @Test("H5, H6, H8: each SCM request (and IAM's domain lookup) is the Huawei SDK's: X-Domain-Id signed, no empty chain, 10 a page; answers read by its models")
    func huaweiRequests() throws {
        let golden = try Golden("huawei")
        let (certificate, chain, key) = golden.material
        let domainID = try #require(((golden.operations["KeystoneListAuthDomains"]?.answer as? [String: Any])?["domains"] as? [[String: Any]])?.first?["id"] as? String)
        func scm(_ endpoint: String) throws -> HuaweiSCM {
            HuaweiSCM(account: "hw", keys: golden.keys, http: try CloudHTTP(endpoint: endpoint), domain: HuaweiDomain(configured: domainID))
        }
        let found = try expectSame(golden, "KeystoneListAuthDomains") { endpoint in
            try HuaweiSCM(account: "hw", keys: golden.keys, http: try CloudHTTP(endpoint: "http://127.0.0.1:9"), iam: try CloudHTTP(endpoint: endpoint),
                          domain: HuaweiDomain(configured: nil)).lookUpDomainID()
        }
        #expect(found == domainID)
        _ = try expectSame(golden, "ListCertificates") { try scm($0).check() }
        let id = try expectSame(golden, "ImportCertificate") {
            try scm($0).importCertificate(name: SCMProvider.scmName("*.example.com", id: CertificateID(12)), certificate: certificate, chain: "", privateKey: key)
        }
        #expect(id == "scs1554192131150")
        _ = try expectSame(golden, "ImportCertificateWithChain") {
            try scm($0).importCertificate(name: SCMProvider.scmName("www.example.com", id: CertificateID(3)), certificate: certificate, chain: chain, privateKey: key)
        }
        #expect(try expectSame(golden, "PushCertificate") { try scm($0).push(id, service: "cdn", region: "cn-north-4") } == nil)
        let outcomes = try expectSame(golden, "BatchPushCertificate") { try scm($0).batchPush(id, service: "elb", regions: ["cn-north-4", "ap-southeast-1"]) }
        #expect(outcomes.count == 2 && outcomes.values.allSatisfy { $0 == nil })
        let deployed = try expectSame(golden, "ListDeployedResources") { try scm($0).deployedResources([id]) }
        #expect(deployed[id]?.map { "\($0.service) \($0.region ?? "-") \($0.resourceID) \($0.resourceName)" } == ["ELB cn-north-4 elb-1 www listener"])
    }

    @Test("A5, A6: each CAS request is the Alibaba SDK's: parameters in the query, no body, Accept: application/json, DDOS; answers read by its models")
    func alibabaRequests() throws {
        let golden = try Golden("alibaba")
        let (certificate, chain, key) = golden.material
        func cas(_ endpoint: String) throws -> AlibabaCAS { AlibabaCAS(account: "ali", keys: golden.keys, http: try CloudHTTP(endpoint: endpoint)) }
        let product = try #require(CASProvider.products.first { $0.service == "ddos" }?.product)
        let resources = try expectSame(golden, "ListCloudResources") { try cas($0).resources(product: product) }
        #expect(resources.map(\.id) == ["1001"] && resources.first?.certificateID == "14440149" && resources.first?.port == "443")
        let detail = try expectSame(golden, "GetUserCertificateDetail") { try cas($0).certificateDetail("14440149") }
        #expect(detail.certificate == certificate)
        let uploaded = try expectSame(golden, "UploadUserCertificate") {
            try cas($0).upload(name: "www.example.com-c3-1a2b3c4d", certificate: certificate + chain, privateKey: key)
        }
        #expect(uploaded == "14440150")
        #expect(try expectSame(golden, "ListContact") { try cas($0).contacts() } == ["519580"])
        let job = try expectSame(golden, "CreateDeploymentJob") {
            try cas($0).createJob(name: "certpush t7", certificates: ["14440150"], resources: ["1001", "1002"], contacts: ["519580"])
        }
        #expect(job == "8888")
        try expectSame(golden, "UpdateDeploymentJobStatus") { try cas($0).setJobStatus("8888", "pending") }
        let workers = try expectSame(golden, "ListWorkerResource") { try cas($0).workers(job: "8888") }
        #expect(workers.map { "\($0.id) \($0.resourceID) \($0.certificateID ?? "-") \($0.status)" } == ["700 1001 14440150 success"])
        try expectSame(golden, "CreateRollbackTask") { try cas($0).createRollbackTask(job: "8888", worker: "700") }
    }
}

/// H6, H7, A5: names the clouds take, and answers their models do not read.
@Suite struct CloudModelTests {
    @Test("H6: the name sent to SCM is 3 to 63 letters, digits, _, -, . made from the certificate's, certpush's id last")
    func scmNames() {
        #expect(SCMProvider.scmName("*.example.com", id: CertificateID(12)) == "star.example.com-c12")
        #expect(SCMProvider.scmName("www prod (2026)", id: CertificateID(3)) == "www-prod-2026-c3")
        #expect(SCMProvider.scmName("证书", id: CertificateID(5)) == "certificate-c5")
        let long = SCMProvider.scmName(String(repeating: "a", count: 100) + ".example.com", id: CertificateID(123_456))
        #expect(long.count == 63 && long.hasSuffix("-c123456"))
        for name in ["*.example.com", "www prod (2026)", "证书", "-.x.-", String(repeating: "é", count: 70)] {
            let made = SCMProvider.scmName(name, id: CertificateID(7))
            #expect((3...63).contains(made.count) && made.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }, "\(made)")
        }
    }

    @Test("A5: a certificate's name goes to CAS cut to the 63 characters its SDK allows")
    func casNameLimit() throws {
        let replay = try GoldenRequestTests.Replay(answer: ["RequestId": "r", "CertId": 1])
        defer { replay.stop() }
        let cas = AlibabaCAS(account: "ali", keys: CloudKeys(id: "AK", secret: "SK"), http: try CloudHTTP(endpoint: replay.endpoint))
        _ = try cas.upload(name: String(repeating: "n", count: 100), certificate: "-----BEGIN CERTIFICATE-----", privateKey: "k")
        #expect(replay.requests.first?.query.first { $0.name == "Name" }?.value.count == 63)
    }

    @Test("H7, A5: an answer the SDK's model does not read is an error with the cloud's raw words, never a guess")
    func unknownShapes() throws {
        let keys = CloudKeys(id: "AK", secret: "SK")
        let odd = try GoldenRequestTests.Replay(answer: ["outcome": [["region": "cn-north-4", "status": "ok"]]])
        defer { odd.stop() }
        let scm = HuaweiSCM(account: "hw", keys: keys, http: try CloudHTTP(endpoint: odd.endpoint), domain: HuaweiDomain(configured: "d1"))
        #expect(performing: { try scm.batchPush("scs1554192131150", service: "elb", regions: ["cn-north-4"]) }, throws: { error in
            let sentence = (error as? CloudUnreachable)?.sentence ?? ""
            return sentence.hasPrefix("SCM's answer to the batch push is not one its API describes: ") && sentence.contains("\"status\":\"ok\"")
        })

        let failing = try HTTPDouble { _ in HTTPDouble.Response(status: 502, json: ["message": "bad gateway"]) }
        defer { failing.stop() }
        let cas = AlibabaCAS(account: "ali", keys: keys, http: try CloudHTTP(endpoint: failing.endpoint, timeLimit: 2, backoff: 0.01))
        #expect(performing: { try cas.createRollbackTask(job: "1", worker: "2") }, throws: { error in
            (error as? CloudRefusal)?.cause == "HTTP 502: {\"message\":\"bad gateway\"}"
        })
    }
}

/// What certpush sent in the golden tests, kept for scripts/golden/record.sh
/// --check (the SDKs' own signers) when CERTPUSH_GOLDEN_CAPTURE names a file.
enum GoldenCapture {
    nonisolated(unsafe) static var kept: [[String: Any]] = []
    static let lock = NSLock()

    static func keep(_ name: String, _ request: HTTPDouble.Request) {
        guard let path = ProcessInfo.processInfo.environment["CERTPUSH_GOLDEN_CAPTURE"] else { return }
        lock.withLock {
            kept.append(["name": name, "method": request.method, "path": request.path, "query": request.query.map { [$0.name, $0.value] },
                         "headers": request.headers, "body": String(decoding: request.body, as: UTF8.self)])
            if let data = try? JSONSerialization.data(withJSONObject: kept, options: [.prettyPrinted, .sortedKeys]) {
                try? data.write(to: URL(fileURLWithPath: path))
            }
        }
    }
}
