import CertpushCore
import Foundation

/// Huawei Cloud SCM's certificate API (SPEC 11), each call signed with
/// SDK-HMAC-SHA256 (H1). Errors come back as {"error_code", "error_msg"}.
public struct HuaweiSCM: Sendable {
    public let account: String
    public let keys: CloudKeys
    public let http: CloudHTTP
    /// How X-Sdk-Date is read; a test may fix it.
    public let now: @Sendable () -> Date

    public static let defaultEndpoint = "https://scm.cn-north-4.myhuaweicloud.com"
    /// The regions a push may name when the account's config does not narrow them.
    public static let defaultRegions = [
        "cn-north-4", "cn-north-1", "cn-north-9", "cn-east-3", "cn-east-2", "cn-south-1", "cn-southwest-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "af-south-1", "la-south-2", "sa-brazil-1",
        "la-north-2", "tr-west-1", "me-east-1", "eu-west-101",
    ]

    public init(account: String, keys: CloudKeys, http: CloudHTTP, now: @escaping @Sendable () -> Date = Date.init) {
        self.account = account
        self.keys = keys
        self.http = http
        self.now = now
    }

    /// A signed read (R6): the number of certificates SCM holds for the account.
    public func check() throws -> Int {
        let answer = try call("GET", "/v3/scm/certificates", query: [("limit", "1"), ("offset", "0")], isRead: true)
        return (answer["total_count"] as? Int) ?? 0
    }

    /// H2: imports the certificate with its chain and private key; SCM's id for it.
    public func importCertificate(name: String, certificate: String, chain: String, privateKey: String) throws -> String {
        let answer = try call("POST", "/v3/scm/certificates/import", json: [
            "name": name, "certificate": certificate, "certificate_chain": chain, "private_key": privateKey,
        ], isRead: false)
        guard let id = answer["certificate_id"] as? String else { throw CloudUnreachable(sentence: "SCM's answer to the import had no certificate_id") }
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

    /// H3: 1 to 10 regions of a regional service in one call; each region's outcome, nil when it worked.
    public func batchPush(_ id: String, service: String, regions: [String]) throws -> [String: CloudRefusal?] {
        let answer = try call("POST", "/v3/scm/certificates/\(id)/batch-push",
                              json: ["target_projects": regions, "target_service": service.uppercased()], isRead: false)
        var outcomes: [String: CloudRefusal?] = [:]
        for result in answer["results"] as? [[String: Any]] ?? [] {
            guard let region = result["project_name"] as? String else { continue }
            let message = result["message"] as? String ?? ""
            if message.lowercased() == "success" {
                outcomes[region] = .some(nil)
            } else {
                let code = result["error_code"] as? String ?? "SCM"
                outcomes[region] = CloudRefusal(status: 200, code: code, message: message)
            }
        }
        return outcomes
    }

    /// Signs and sends; the JSON answer, or the cloud's refusal, or an authentication failure.
    func call(_ method: String, _ path: String, query: [(name: String, value: String)] = [], json: [String: Any]? = nil,
              isRead: Bool) throws -> [String: Any] {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
        var request = SignableRequest(method: method, path: path, query: query, headers: [
            "content-type": "application/json", "host": http.host, "x-sdk-date": Self.sdkDate(now()),
        ], body: body)
        request.headers["Authorization"] = RequestSigning.huawei(request, accessKey: keys.id, secretKey: keys.secret).authorization
        let response = try http.send(request, isRead: isRead)
        let answer = response.json
        guard (200..<300).contains(response.status) else {
            let refusal = CloudRefusal(status: response.status, code: answer["error_code"] as? String ?? "HTTP \(response.status)",
                                       message: DisplayText.neutralized(answer["error_msg"] as? String ?? "no message"))
            if response.status == 401 || response.status == 403 && refusal.code.hasPrefix("APIGW") {
                throw CloudAuthenticationFailure(account: account, cause: refusal.cause)
            }
            throw refusal
        }
        return answer
    }

    /// X-Sdk-Date, `20191115T033655Z`: the core's UTC time without its separators.
    static func sdkDate(_ date: Date) -> String {
        ISOTime.string(date).filter { $0 != "-" && $0 != ":" }
    }
}
