import CertpushCore
import Foundation

/// Huawei Cloud SCM's certificate API (SPEC 11), each call as the official
/// SDK (`huaweicloudsdkscm`) makes it (H5): signed with SDK-HMAC-SHA256 (H1),
/// the account's domain id in a signed `X-Domain-Id`, since SCM is a global
/// service. Answers are read by the SDK's models (H7); errors come back as
/// {"error_code", "error_msg"}.
public struct HuaweiSCM: Sendable {
    public let account: String
    public let keys: CloudKeys
    public let http: CloudHTTP
    /// IAM, where the account's domain id is looked up when the config does not name it.
    public let iam: CloudHTTP
    public let domain: HuaweiDomain
    /// How X-Sdk-Date is read; a test may fix it.
    public let now: @Sendable () -> Date

    public static let defaultEndpoint = "https://scm.cn-north-4.myhuaweicloud.com"
    /// The SDK's IAM endpoint for the "globe" region.
    public static let defaultIAMEndpoint = "https://iam.myhuaweicloud.com"
    /// The regions a push may name when the account's config does not narrow them.
    public static let defaultRegions = [
        "cn-north-4", "cn-north-1", "cn-north-9", "cn-east-3", "cn-east-2", "cn-south-1", "cn-southwest-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "af-south-1", "la-south-2", "sa-brazil-1",
        "la-north-2", "tr-west-1", "me-east-1", "eu-west-101",
    ]

    public init(account: String, keys: CloudKeys, http: CloudHTTP, iam: CloudHTTP? = nil, domain: HuaweiDomain,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.account = account
        self.keys = keys
        self.http = http
        self.iam = iam ?? http
        self.domain = domain
        self.now = now
    }

    /// A signed read (R6): the number of certificates SCM holds for the
    /// account. 10 a page: the API takes 10, 20 or 50.
    public func check() throws -> Int {
        let answer = try call("GET", "/v3/scm/certificates", query: [("limit", "10"), ("offset", "0")], isRead: true)
        return (answer["total_count"] as? Int) ?? 0
    }

    /// H2: imports the certificate with its chain and private key under
    /// `name` (H6's); SCM's id for it. An empty chain is left out.
    public func importCertificate(name: String, certificate: String, chain: String, privateKey: String) throws -> String {
        var body: [String: Any] = ["name": name, "certificate": certificate, "private_key": privateKey]
        if !chain.isEmpty { body["certificate_chain"] = chain }
        let answer = try call("POST", "/v3/scm/certificates/import", json: body, isRead: false)
        guard let id = answer["certificate_id"] as? String else { throw Self.unknownShape("the import", answer) }
        return id
    }

    /// H3: one target, a global service (CDN). Nil when it worked, else the cloud's refusal.
    public func push(_ id: String, service: String, region: String) throws -> CloudRefusal? {
        do {
            _ = try call("POST", "/v3/scm/certificates/\(id)/push", json: ["target_project": region, "target_service": service.uppercased()], isRead: false)
            return nil
        } catch let refusal as CloudRefusal {
            return refusal
        }
    }

    /// H3, H7: 1 to 10 regions of a regional service in one call; each
    /// region's outcome by the SDK's model (`project_name`, `cert_id`,
    /// `message`): nil when its message is "success", else SCM's message.
    public func batchPush(_ id: String, service: String, regions: [String]) throws -> [String: CloudRefusal?] {
        let answer = try call("POST", "/v3/scm/certificates/\(id)/batch-push",
                              json: ["target_projects": regions, "target_service": service.uppercased()], isRead: false)
        guard let results = answer["results"] as? [[String: Any]] else { throw Self.unknownShape("the batch push", answer) }
        var outcomes: [String: CloudRefusal?] = [:]
        for result in results {
            guard let region = result["project_name"] as? String, let message = result["message"] as? String else {
                throw Self.unknownShape("the batch push", answer)
            }
            outcomes[region] = message.lowercased() == "success" ? .some(nil)
                : CloudRefusal(status: 200, code: "SCM", message: DisplayText.neutralized(message))
        }
        return outcomes
    }

    /// One service's resource where a certificate is in use (H8).
    public struct Deployed: Sendable, Equatable {
        public var service: String
        /// Its region; nil for a global service.
        public var region: String?
        public var resourceID: String
        public var resourceName: String
    }

    /// H8: where each certificate is in use (`POST /v3/scm/deployed-resources`), by SCM id.
    public func deployedResources(_ ids: [String]) throws -> [String: [Deployed]] {
        let answer = try call("POST", "/v3/scm/deployed-resources", json: ["certificate_ids": ids, "service_names": ["ALL"]], isRead: true)
        guard let results = answer["results"] as? [[String: Any]] else { throw Self.unknownShape("deployed-resources", answer) }
        var found: [String: [Deployed]] = [:]
        for result in results {
            guard let id = result["certificate_id"] as? String else { throw Self.unknownShape("deployed-resources", answer) }
            var deployed: [Deployed] = []
            for service in result["deployed_resources"] as? [[String: Any]] ?? [] {
                let name = service["service"] as? String ?? ""
                let global = (service["resource_location"] as? String)?.lowercased() == "global"
                for region in service["region_resources"] as? [[String: Any]] ?? [] {
                    for resource in region["resources"] as? [[String: Any]] ?? [] {
                        deployed.append(Deployed(service: name, region: global ? nil : region["region_id"] as? String,
                                                 resourceID: resource["resource_id"] as? String ?? "",
                                                 resourceName: DisplayText.neutralized(resource["resource_name"] as? String ?? "")))
                    }
                }
            }
            found[id] = deployed
        }
        return found
    }

    /// H5: the account's domain id from IAM (`GET /v3/auth/domains`, the
    /// first domain), as the SDK's GlobalCredentials finds it.
    public func lookUpDomainID() throws -> String {
        let answer = try send("GET", "/v3/auth/domains", query: [], body: Data(), json: false, domainID: nil, to: iam, isRead: true)
        guard let id = (answer["domains"] as? [[String: Any]])?.first?["id"] as? String, !id.isEmpty else {
            throw CloudUnreachable(sentence: "IAM named no domain for \(account)'s keys; set domain_id in config.toml")
        }
        return id
    }

    /// Signs and sends to SCM with the account's domain id.
    func call(_ method: String, _ path: String, query: [(name: String, value: String)] = [], json: [String: Any]? = nil,
              isRead: Bool) throws -> [String: Any] {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
        let domainID = try domain.id(lookUp: lookUpDomainID)
        return try send(method, path, query: query, body: body, json: true, domainID: domainID, to: http, isRead: isRead)
    }

    /// Signs and sends; the JSON answer, or the cloud's refusal, or an
    /// authentication failure. The headers the SDK signs: Content-Type (not
    /// on IAM's read), Host, User-Agent, X-Domain-Id, X-Sdk-Date.
    func send(_ method: String, _ path: String, query: [(name: String, value: String)], body: Data, json: Bool, domainID: String?,
              to http: CloudHTTP, isRead: Bool) throws -> [String: Any] {
        var headers = ["host": http.host, "user-agent": CertpushVersion.userAgent, "x-sdk-date": Self.sdkDate(now())]
        if json { headers["content-type"] = "application/json" }
        if let domainID { headers["x-domain-id"] = domainID }
        var request = SignableRequest(method: method, path: path, query: query, headers: headers, body: body)
        request.headers["Authorization"] = RequestSigning.huawei(request, accessKey: keys.id, secretKey: keys.secret).authorization
        let response = try http.send(request, isRead: isRead)
        guard (200..<300).contains(response.status) else { throw Self.refusal(response, account: account) }
        return response.json
    }

    /// An error answer read by the SDK's model (`error_code`, `error_msg`);
    /// a body without them is the HTTP status and the cloud's raw body, never a guess.
    static func refusal(_ response: CloudResponse, account: String) -> Error {
        let answer = response.json
        guard let code = answer["error_code"] as? String else {
            return CloudRefusal(status: response.status, code: "HTTP \(response.status)", message: CloudResponse.raw(response.body))
        }
        let refusal = CloudRefusal(status: response.status, code: code, message: DisplayText.neutralized(answer["error_msg"] as? String ?? ""))
        if response.status == 401 || response.status == 403 && code.hasPrefix("APIGW") {
            return CloudAuthenticationFailure(account: account, cause: refusal.cause)
        }
        return refusal
    }

    /// An answer the SDK's model does not read: an error naming what was asked and the answer's own words.
    static func unknownShape(_ what: String, _ answer: [String: Any]) -> CloudUnreachable {
        let text = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return CloudUnreachable(sentence: "SCM's answer to \(what) is not one its API describes: \(CloudResponse.raw(Data(text.utf8)))")
    }

    /// X-Sdk-Date, `20191115T033655Z`: the core's UTC time without its separators.
    static func sdkDate(_ date: Date) -> String {
        ISOTime.string(date).filter { $0 != "-" && $0 != ":" }
    }
}

/// H5: an account's domain id: the config's `domain_id`, else the one kept
/// from an earlier lookup, else looked up through IAM once and kept.
public final class HuaweiDomain: @unchecked Sendable {
    let configured: String?
    let kept: (read: @Sendable () throws -> String?, write: @Sendable (String) throws -> Void)?
    private let lock = NSLock()
    private var known: String?

    /// `kept` reads and writes where a looked-up id is kept between runs (the workspace).
    public init(configured: String?, kept: (read: @Sendable () throws -> String?, write: @Sendable (String) throws -> Void)? = nil) {
        self.configured = configured
        self.kept = kept
    }

    public func id(lookUp: () throws -> String) throws -> String {
        try lock.withLock {
            if let id = configured ?? known { return id }
            if let id = try kept?.read() {
                known = id
                return id
            }
            let id = try lookUp()
            try kept?.write(id)
            known = id
            return id
        }
    }
}
