import CertpushCore
import Foundation

/// Huawei Cloud SCM (and IAM's domain lookup) as its API reference and the
/// SDK's models describe it, on a loopback port: every request's
/// SDK-HMAC-SHA256 signature is checked with the account's keys, and every
/// SCM call must carry the account's domain id in a signed X-Domain-Id (401
/// APIGW.0301 otherwise); list sizes are 10, 20 or 50; import takes names of
/// 3 to 63 letters, digits, `_`, `-`, `.` (SCM.0032) and gives a
/// 16-character id; a push is refused when the service (and region) already
/// has the certificate, when a CDN certificate has the same name, or where
/// the service is not enabled; batch-push results carry only `project_name`,
/// `cert_id` and `message`; a region named in `slow` answers after `slowDelay`.
public final class SCMDouble: @unchecked Sendable {
    public let accessKey: String
    public let secretKey: String
    /// The account's domain id, as IAM names it.
    public let domainID = "0970d7b7d400f2470fbec00316a03560"
    private let lock = NSLock()
    private var certificates: [String: String] = [:]
    /// Where each certificate is in use, as deployed-resources lists it: SCM id to (service, region, resource id).
    private var inUse: [String: [(service: String, region: String?, resource: String)]] = [:]
    /// How many times IAM was asked for the domain id.
    public private(set) var domainLookups = 0
    private var pushed: Set<String> = []
    private var cdnNames: Set<String>
    private var disabled: Set<String>
    private var slow: Set<String>
    public var slowDelay: TimeInterval = 3
    /// Every request that reached a route (signature checked), as "METHOD path".
    public private(set) var calls: [String] = []
    public private(set) var refusedSignatures = 0
    private var server: HTTPDouble!

    /// `disabled` and `slow` hold "service region" ("elb af-south-1"); `cdnNames` certificate names already in CDN.
    public init(accessKey: String = "HWTESTACCESSKEY00001", secretKey: String = "hw-secret-for-tests", disabled: Set<String> = [],
                cdnNames: Set<String> = [], slow: Set<String> = []) throws {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.disabled = disabled
        self.cdnNames = cdnNames
        self.slow = slow
        server = try HTTPDouble { [unowned self] request in self.answer(request) }
    }

    public var endpoint: String { server.endpoint }
    public func stop() { server.stop() }
    public var importedCount: Int { lock.withLock { certificates.count } }
    public var callLog: [String] { lock.withLock { calls } }

    static func error(_ status: Int, _ code: String, _ message: String) -> HTTPDouble.Response {
        HTTPDouble.Response(status: status, json: ["error_code": code, "error_msg": message])
    }

    private func answer(_ request: HTTPDouble.Request) -> HTTPDouble.Response {
        lock.lock()
        defer { lock.unlock() }
        guard signatureHolds(request) else {
            refusedSignatures += 1
            return Self.error(401, "APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail")
        }
        if request.method == "GET", request.path == "/v3/auth/domains" {
            domainLookups += 1
            return HTTPDouble.Response(status: 200, json: ["domains": [["id": domainID, "name": "certpush-tests", "enabled": true]]])
        }
        // A global service: APIG takes the call only for the domain it names, signed.
        guard request.headers["x-domain-id"] == domainID, signedHeaders(request).contains("x-domain-id") else {
            refusedSignatures += 1
            return Self.error(401, "APIGW.0301", "Incorrect IAM authentication information: the X-Domain-Id header is missing or does not match the AK/SK")
        }
        calls.append("\(request.method) \(request.path)")
        let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        let parts = request.path.split(separator: "/").map(String.init)
        switch (request.method, parts) {
        case ("GET", ["v3", "scm", "certificates"]):
            guard ["10", "20", "50"].contains(request.query.first { $0.name == "limit" }?.value ?? "10") else {
                return Self.error(400, "SCM.0005", "Incorrect request parameter.")
            }
            return HTTPDouble.Response(status: 200, json: ["certificates": certificates.map { ["id": $0.key, "name": $0.value] }, "total_count": certificates.count])
        case ("POST", ["v3", "scm", "certificates", "import"]):
            guard let name = body["name"] as? String, (3...63).contains(name.count),
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
                return Self.error(400, "SCM.0032", "Incorrect certificate name.")
            }
            guard let pem = body["certificate"] as? String, pem.contains("BEGIN CERTIFICATE"),
                  let key = body["private_key"] as? String, key.contains("PRIVATE KEY"),
                  (body["certificate_chain"] as? String).map({ $0.contains("BEGIN CERTIFICATE") }) ?? (body["certificate_chain"] == nil) else {
                return Self.error(400, "SCM.0005", "Incorrect request parameter.")
            }
            let id = "scs" + String(format: "%013d", 1_554_192_131_150 + certificates.count)
            certificates[id] = name
            return HTTPDouble.Response(status: 200, json: ["certificate_id": id])
        case ("POST", let path) where path.count == 5 && path[4] == "push":
            guard let region = body["target_project"] as? String, let service = body["target_service"] as? String else {
                return Self.error(400, "SCM.0005", "Incorrect request parameter.")
            }
            let outcome = push(path[3], service: service, region: region)
            let delay = slow.contains("\(service.lowercased()) \(region)") ? slowDelay : 0
            guard let outcome else { return HTTPDouble.Response(status: 204, delay: delay) }
            var response = Self.error(400, outcome.code, outcome.message)
            response.delay = delay
            return response
        case ("POST", let path) where path.count == 5 && path[4] == "batch-push":
            guard let regions = body["target_projects"] as? [String], (1...10).contains(regions.count), let service = body["target_service"] as? String else {
                return Self.error(400, "SCM.0005", "Incorrect request parameter.")
            }
            let results: [[String: Any]] = regions.map { region in
                ["project_name": region, "cert_id": path[3], "message": push(path[3], service: service, region: region)?.message ?? "success"]
            }
            let delay = regions.contains { slow.contains("\(service.lowercased()) \($0)") } ? slowDelay : 0
            return HTTPDouble.Response(status: 200, json: ["results": results], delay: delay)
        case ("POST", ["v3", "scm", "deployed-resources"]):
            guard let ids = body["certificate_ids"] as? [String], !ids.isEmpty, body["service_names"] as? [String] != nil else {
                return Self.error(400, "SCM.0005", "Incorrect request parameter.")
            }
            return HTTPDouble.Response(status: 200, json: ["results": ids.map { id -> [String: Any] in
                let used = inUse[id] ?? []
                let services = Dictionary(grouping: used, by: \.service).map { service, rows -> [String: Any] in
                    let regions = Dictionary(grouping: rows, by: { $0.region ?? "global" }).map { region, rows -> [String: Any] in
                        ["region_id": region, "is_error": false, "resources": rows.map { ["resource_id": $0.resource, "resource_name": $0.resource] }]
                    }
                    return ["service": service, "resource_num": rows.count, "resource_location": service == "CDN" ? "global" : "region",
                            "region_resources": regions]
                }
                return ["certificate_id": id, "total_num": used.count, "deployed_resources": services]
            }])
        default:
            return Self.error(404, "APIGW.0101", "The API does not exist or has not been published in the environment")
        }
    }

    /// Marks a certificate (by SCM id) as in use by a resource of a service, as its console would after a binding.
    public func use(_ id: String, service: String, region: String?, resource: String) {
        lock.withLock { inUse[id, default: []].append((service, region, resource)) }
    }

    /// SCM's id of the certificate imported under `name`.
    public func id(named name: String) -> String? { lock.withLock { certificates.first { $0.value == name }?.key } }
    public var importedNames: [String] { lock.withLock { Array(certificates.values).sorted() } }

    /// P3, P4, P6 as SCM answers them; nil when the push is taken.
    private func push(_ id: String, service: String, region: String) -> (code: String, message: String)? {
        guard let name = certificates[id] else { return ("SCM.0020", "Incorrect certificate ID.") }
        let code = service.lowercased()
        guard ["cdn", "waf", "elb"].contains(code) else { return ("SCM.0030", "Certificates cannot be pushed to this service.") }
        let regional = code != "cdn"
        if regional && disabled.contains("\(code) \(region)") { return ("SCM.0305", "\(service) is not enabled in \(region)") }
        let key = "\(id) \(code) \(regional ? region : "")"
        // Huawei's error table has no code for a second push; SCM.0028 is its "Push cert error" (assumed).
        if pushed.contains(key) { return ("SCM.0028", "Push cert error: the certificate already exists in \(service)") }
        if code == "cdn" && cdnNames.contains(name) { return ("SCM.0212", "a certificate named \(name) already exists in CDN") }
        pushed.insert(key)
        if code == "cdn" { cdnNames.insert(name) }
        return nil
    }

    private func signedHeaders(_ request: HTTPDouble.Request) -> [String] {
        let fields = Self.fields(String((request.headers["authorization"] ?? "").dropFirst("SDK-HMAC-SHA256 ".count)), separator: ", ")
        return (fields["SignedHeaders"] ?? "").split(separator: ";").map(String.init)
    }

    private func signatureHolds(_ request: HTTPDouble.Request) -> Bool {
        guard let authorization = request.headers["authorization"], authorization.hasPrefix("SDK-HMAC-SHA256 ") else { return false }
        let fields = Self.fields(String(authorization.dropFirst("SDK-HMAC-SHA256 ".count)), separator: ", ")
        guard fields["Access"] == accessKey, let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return false }
        var headers: [String: String] = [:]
        for name in signed.split(separator: ";").map(String.init) { headers[name] = request.headers[name] ?? "" }
        let expected = RequestSigning.huawei(SignableRequest(method: request.method, path: request.path, query: request.query, headers: headers,
                                                             body: request.body), accessKey: accessKey, secretKey: secretKey)
        // APIG takes X-Sdk-Date only as yyyyMMddTHHmmssZ.
        let date = request.headers["x-sdk-date"] ?? ""
        let wellFormed = date.count == 16 && date.enumerated().allSatisfy { index, character in
            index == 8 ? character == "T" : index == 15 ? character == "Z" : character.isNumber
        }
        return expected.signature == signature && signed.split(separator: ";").contains("x-sdk-date") && wellFormed
    }

    static func fields(_ text: String, separator: String) -> [String: String] {
        Dictionary(text.components(separatedBy: separator).compactMap { part -> (String, String)? in
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return pieces.count == 2 ? (pieces[0], pieces[1]) : nil
        }, uniquingKeysWith: { $1 })
    }
}

/// Alibaba Cloud CAS (2020-04-07) as its API reference and the SDK's models
/// describe it, on a loopback port: every request's ACS3-HMAC-SHA256
/// signature is checked (SignatureDoesNotMatch otherwise); parameters are
/// read from the query string, as the SDK sends them; ListCloudResources
/// pages; a job stays in `editing` until UpdateDeploymentJobStatus sets it
/// `pending`; each read of its workers moves them one step, `pending` >
/// `processing` > `success` (or `error` on a resource in `failing`); a
/// worker CreateRollbackTask names ends `rollback_success`, or
/// `rollback_error` on a resource in `failingRollback`. A worker row has
/// the model's fields only: no error text.
public final class CASDouble: @unchecked Sendable {
    public struct Resource: Sendable {
        public var id: Int
        public var product: String
        public var region: String
        public var instance: String
        public var domain: String
        public var certID: Int?
        public init(id: Int, product: String, region: String, instance: String, domain: String, certID: Int? = nil) {
            self.id = id
            self.product = product
            self.region = region
            self.instance = instance
            self.domain = domain
            self.certID = certID
        }
    }

    struct Worker {
        var id: Int
        var job: Int
        var resource: Int
        var cert: Int
        var previous: Int?
        var status: String
        var reads = 0
    }

    public let accessKeyID: String
    public let secret: String
    private let lock = NSLock()
    private var resources: [Resource]
    /// Uploaded certificates: id to name and the names they cover.
    private var certificates: [Int: (name: String, domains: [String])] = [:]
    private var jobs: [Int: String] = [:]
    private var workers: [Worker] = []
    public var failing: Set<Int> = []
    public var failingRollback: Set<Int> = []
    /// Certificates CAS holds that certpush did not upload: id to (name, PEM).
    public var held: [Int: (name: String, pem: String)] = [:]
    /// How many reads of its job a worker stays `processing` for.
    public var processingReads = 1
    /// The account's contacts; a job must name one of them.
    public var contacts: [Int] = [519_580]
    /// Actions that answer after `slowDelay`.
    public var slow: Set<String> = []
    public var slowDelay: TimeInterval = 3
    public private(set) var calls: [String] = []
    private var server: HTTPDouble!

    public init(accessKeyID: String = "LTAITESTACCESSKEY01", secret: String = "ali-secret-for-tests", resources: [Resource]) throws {
        self.accessKeyID = accessKeyID
        self.secret = secret
        self.resources = resources
        server = try HTTPDouble { [unowned self] request in self.answer(request) }
    }

    public var endpoint: String { server.endpoint }
    public func stop() { server.stop() }
    public var callLog: [String] { lock.withLock { calls } }
    public var uploadedCount: Int { lock.withLock { certificates.count } }
    public func certificate(on resource: Int) -> Int? { lock.withLock { resources.first { $0.id == resource }?.certID } }
    public func setSlow(_ actions: Set<String>) { lock.withLock { slow = actions } }
    public func setProcessingReads(_ reads: Int) { lock.withLock { processingReads = reads } }

    static func error(_ status: Int, _ code: String, _ message: String) -> HTTPDouble.Response {
        HTTPDouble.Response(status: status, json: ["RequestId": UUID().uuidString, "HostId": "cas.aliyuncs.com", "Code": code, "Message": message])
    }

    private func answer(_ request: HTTPDouble.Request) -> HTTPDouble.Response {
        lock.lock()
        defer { lock.unlock() }
        guard signatureHolds(request) else {
            return Self.error(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
        }
        guard request.headers["x-acs-version"] == "2020-04-07", let action = request.headers["x-acs-action"] else {
            return Self.error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        }
        calls.append(action)
        var response = respond(action, Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }))
        if slow.contains(action) { response.delay = slowDelay }
        return response
    }

    private func respond(_ action: String, _ parameters: [String: String]) -> HTTPDouble.Response {
        let page = Int(parameters["CurrentPage"] ?? "1") ?? 1, size = Int(parameters["ShowSize"] ?? "20") ?? 20
        func paged<T>(_ rows: [T], _ map: (T) -> [String: Any]) -> HTTPDouble.Response {
            let slice = rows.dropFirst((page - 1) * size).prefix(size)
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "Total": rows.count, "CurrentPage": page,
                                                           "ShowSize": size, "Data": slice.map(map)])
        }
        switch action {
        case "ListCloudResources":
            let chosen = resources.filter { parameters["CloudProduct"] == nil || $0.product == parameters["CloudProduct"] }
            return paged(chosen) { resource in
                var row: [String: Any] = ["Id": resource.id, "CloudName": "aliyun", "CloudProduct": resource.product, "RegionId": resource.region,
                                          "InstanceId": resource.instance, "Domain": resource.domain, "EnableHttps": resource.certID == nil ? 0 : 1]
                if let cert = resource.certID { row["CertId"] = cert }
                return row
            }
        case "ListContact":
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "TotalCount": contacts.count, "CurrentPage": 1, "ShowSize": size,
                                                           "ContactList": contacts.map { ["ContactId": $0, "Name": "ops"] }])
        case "GetUserCertificateDetail":
            guard let id = Int(parameters["CertId"] ?? ""), let found = held[id] else {
                return Self.error(400, "NotFound.Certificate", "The certificate does not exist.")
            }
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "Id": id, "Name": found.name, "Cert": found.pem,
                                                           "Key": "-----BEGIN PRIVATE KEY-----\nnot for certpush\n-----END PRIVATE KEY-----"])
        case "UploadUserCertificate":
            guard let name = parameters["Name"], name.count <= 63, let cert = parameters["Cert"], cert.contains("BEGIN CERTIFICATE"),
                  parameters["Key"]?.contains("PRIVATE KEY") == true else {
                return Self.error(400, "MissingParameter", "Name, Cert and Key are required.")
            }
            if certificates.values.contains(where: { $0.name == name }) { return Self.error(400, "NameRepeat", "A certificate with this name already exists.") }
            let id = 14_440_149 + certificates.count
            certificates[id] = (name, Fingerprint.domainsOfFirstCertificate(inPEM: cert))
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "CertId": id])
        case "CreateDeploymentJob":
            let certs = (parameters["CertIds"] ?? "").split(separator: ",").compactMap { Int($0) }
            let targets = (parameters["ResourceIds"] ?? "").split(separator: ",").compactMap { Int($0) }
            let named = (parameters["ContactIds"] ?? "").split(separator: ",").compactMap { Int($0) }
            guard !named.isEmpty, named.allSatisfy(contacts.contains) else {
                return Self.error(400, "InvalidParameter.ContactIds", "ContactIds must name the account's contacts.")
            }
            guard parameters["Name"] != nil, parameters["JobType"] == "user", !certs.isEmpty, !targets.isEmpty, certs.allSatisfy({ certificates[$0] != nil }),
                  targets.allSatisfy({ id in resources.contains { $0.id == id } }) else {
                return Self.error(400, "InvalidParameter", "CertIds and ResourceIds must name known certificates and resources.")
            }
            let job = 8_888 + jobs.count
            jobs[job] = "editing"
            for target in targets {
                // The certificate CAS deploys to a resource: the job's that covers its domain best, an exact name before a wildcard.
                let domain = resources.first { $0.id == target }?.domain ?? ""
                func rank(_ cert: Int) -> Int {
                    let names = certificates[cert]?.domains ?? []
                    return names.contains(domain) ? 2 : DomainMatch.covers(anyOf: names, domain) ? 1 : 0
                }
                let best = certs.max { rank($0) < rank($1) }.flatMap { rank($0) > 0 ? $0 : nil }
                workers.append(Worker(id: 700 + workers.count, job: job, resource: target, cert: best ?? 0,
                                      previous: resources.first { $0.id == target }?.certID, status: "editing"))
            }
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "JobId": job])
        case "UpdateDeploymentJobStatus":
            guard let job = Int(parameters["JobId"] ?? ""), jobs[job] != nil else { return Self.error(400, "JobNotFound", "The job does not exist.") }
            guard jobs[job] == "editing", parameters["Status"] == "pending" else {
                return Self.error(400, "JobStatusInvalid", "Only a job in editing can be set to pending.")
            }
            jobs[job] = "pending"
            for index in workers.indices where workers[index].job == job { workers[index].status = "pending" }
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString])
        case "ListWorkerResource":
            guard let job = Int(parameters["JobId"] ?? ""), jobs[job] != nil else { return Self.error(400, "JobNotFound", "The job does not exist.") }
            for index in workers.indices where workers[index].job == job { step(index) }
            return paged(workers.filter { $0.job == job }) { worker in
                ["Id": worker.id, "JobId": worker.job, "ResourceId": worker.resource, "CertId": worker.cert, "Status": worker.status,
                 "CloudProduct": resources.first { $0.id == worker.resource }?.product ?? ""]
            }
        case "CreateRollbackTask":
            guard let job = Int(parameters["JobId"] ?? ""), let id = Int(parameters["WorkerId"] ?? ""),
                  let index = workers.firstIndex(where: { $0.id == id && $0.job == job }) else {
                return Self.error(400, "WorkerNotFound", "The worker does not exist.")
            }
            guard workers[index].status == "success" else {
                return Self.error(400, "WorkerStatusInvalid", "Only a worker in success can be rolled back.")
            }
            workers[index].status = "rollback"
            return HTTPDouble.Response(status: 200, json: ["RequestId": UUID().uuidString, "Data": 9_000 + index])
        default:
            return Self.error(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        }
    }

    /// One read of a job's workers moves each one step toward its end.
    private func step(_ index: Int) {
        let resource = workers[index].resource
        switch workers[index].status {
        case "pending": workers[index].status = "processing"
        case "processing":
            workers[index].reads += 1
            if workers[index].reads < processingReads { return }
            if failing.contains(resource) || workers[index].cert == 0 {
                workers[index].status = "error"
            } else {
                workers[index].status = "success"
                if let at = resources.firstIndex(where: { $0.id == resource }) { resources[at].certID = workers[index].cert }
            }
        case "rollback":
            if failingRollback.contains(resource) {
                workers[index].status = "rollback_error"
            } else {
                workers[index].status = "rollback_success"
                if let at = resources.firstIndex(where: { $0.id == resource }) { resources[at].certID = workers[index].previous }
            }
        default: break
        }
    }

    private func signatureHolds(_ request: HTTPDouble.Request) -> Bool {
        guard let authorization = request.headers["authorization"], authorization.hasPrefix("ACS3-HMAC-SHA256 ") else { return false }
        let fields = SCMDouble.fields(String(authorization.dropFirst("ACS3-HMAC-SHA256 ".count)), separator: ",")
        guard fields["Credential"] == accessKeyID, let signed = fields["SignedHeaders"], let signature = fields["Signature"],
              request.headers["x-acs-content-sha256"] == RequestSigning.sha256(request.body) else { return false }
        var headers: [String: String] = [:]
        for name in signed.split(separator: ";").map(String.init) { headers[name] = request.headers[name] ?? "" }
        let expected = RequestSigning.alibaba(SignableRequest(method: request.method, path: request.path, query: request.query, headers: headers,
                                                              body: request.body), accessKeyID: accessKeyID, secret: secret)
        return expected.signature == signature && signed.split(separator: ";").contains("x-acs-date")
    }
}
