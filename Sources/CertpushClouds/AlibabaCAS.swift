import CertpushCore
import Foundation

/// Alibaba Cloud CAS, RPC style, version 2020-04-07 (SPEC 12), each call as
/// the official SDK (`alibabacloud-cas20200407`) makes it (A5): a POST to "/"
/// with the action in x-acs-action and every parameter in the query string,
/// no body, `Accept: application/json`, signed with ACS3-HMAC-SHA256 (A1).
/// Answers are read by the SDK's response models; errors come back as
/// {"Code", "Message", "RequestId"}.
public struct AlibabaCAS: Sendable {
    public let account: String
    public let keys: CloudKeys
    public let http: CloudHTTP
    public let now: @Sendable () -> Date
    /// x-acs-signature-nonce: 32 hex digits, new for every call; a test may fix it.
    public let nonce: @Sendable () -> String

    public static let defaultEndpoint = "https://cas.aliyuncs.com"
    public static let version = "2020-04-07"

    public init(account: String, keys: CloudKeys, http: CloudHTTP, now: @escaping @Sendable () -> Date = Date.init,
                nonce: @escaping @Sendable () -> String = { UUID().uuidString.lowercased().filter { $0 != "-" } }) {
        self.account = account
        self.keys = keys
        self.http = http
        self.now = now
        self.nonce = nonce
    }

    /// The SDK's `Name` limit for a certificate CAS keeps.
    public static let nameLimit = 63

    /// One resource as ListCloudResources gives it.
    public struct Resource: Sendable, Equatable {
        public var id: String
        public var product: String
        public var region: String?
        public var instance: String
        public var domain: String
        public var certificateID: String?
        public var port: String?
    }

    /// One worker of a deployment job: the deployment of a certificate to one resource.
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var resourceID: String
        /// The certificate CAS chose for the resource.
        public var certificateID: String?
        public var status: String

        /// Why it is not done, in a sentence: the SDK's model of a worker
        /// carries no error text, so it names the job and worker to look up.
        public func failure(job: String, _ what: String) -> String {
            "CAS ended \(what) in \(status) (job \(job), worker \(id)); CAS's console says why under that job"
        }
    }

    /// A signed read (R6): the first page of the account's resources.
    public func check() throws -> Int {
        let answer = try call("ListCloudResources", ["CurrentPage": "1", "ShowSize": "1"], isRead: true)
        return Self.int(answer["Total"]) ?? 0
    }

    /// A2: one product's resources, every page.
    public func resources(product: String, pageSize: Int = 50) throws -> [Resource] {
        try everyPage("ListCloudResources", ["CloudName": "aliyun", "CloudProduct": product], pageSize: pageSize) { row in
            guard let id = Self.string(row["Id"]) else { return nil }
            return Resource(id: id, product: Self.string(row["CloudProduct"]) ?? product, region: Self.string(row["RegionId"]),
                            instance: Self.string(row["InstanceId"]) ?? id, domain: Self.string(row["Domain"]) ?? "",
                            certificateID: Self.string(row["CertId"]).flatMap { $0 == "0" ? nil : $0 }, port: Self.string(row["ListenerPort"]))
        }
    }

    /// A list action's rows, page by page (CurrentPage, ShowSize) until `Total` are read.
    func everyPage<Row>(_ action: String, _ parameters: [String: String], pageSize: Int, _ row: ([String: Any]) -> Row?) throws -> [Row] {
        var found: [Row] = [], read = 0, page = 1
        while true {
            let answer = try call(action, parameters.merging(["CurrentPage": "\(page)", "ShowSize": "\(pageSize)"]) { $1 }, isRead: true)
            let rows = answer["Data"] as? [[String: Any]] ?? []
            found += rows.compactMap(row)
            read += rows.count
            if rows.isEmpty || read >= Self.int(answer["Total"]) ?? read { return found }
            page += 1
        }
    }

    /// A certificate CAS holds: its name and PEM. The key CAS may send with it is not read.
    public func certificateDetail(_ id: String) throws -> (name: String, certificate: String) {
        let answer = try call("GetUserCertificateDetail", ["CertId": id], isRead: true)
        guard let pem = Self.string(answer["Cert"]) else { throw CloudUnreachable(sentence: "CAS's answer for certificate \(id) had no Cert") }
        return (Self.string(answer["Name"]) ?? "cas-\(id)", pem)
    }

    /// A3: uploads the certificate and its key; CAS's id for it. A name is
    /// cut to the 63 characters CAS takes.
    public func upload(name: String, certificate: String, privateKey: String) throws -> String {
        let answer = try call("UploadUserCertificate", ["Name": String(name.prefix(Self.nameLimit)), "Cert": certificate, "Key": privateKey],
                              isRead: false)
        guard let id = Self.string(answer["CertId"]) else { throw CloudUnreachable(sentence: "CAS's answer to the upload had no CertId") }
        return id
    }

    /// The account's CAS contacts: a deployment job must name at least one.
    public func contacts() throws -> [String] {
        let answer = try call("ListContact", ["CurrentPage": "1", "ShowSize": "20"], isRead: true)
        return (answer["ContactList"] as? [[String: Any]] ?? []).compactMap { Self.string($0["ContactId"]) }
    }

    /// A4: a job in `editing`, for these certificates and resources.
    public func createJob(name: String, certificates: [String], resources: [String], contacts: [String]) throws -> String {
        let answer = try call("CreateDeploymentJob", [
            "Name": name, "JobType": "user", "CertIds": certificates.joined(separator: ","), "ResourceIds": resources.joined(separator: ","),
            "ContactIds": contacts.joined(separator: ","),
        ], isRead: false)
        guard let id = Self.string(answer["JobId"]) else { throw CloudUnreachable(sentence: "CAS's answer to CreateDeploymentJob had no JobId") }
        return id
    }

    public func setJobStatus(_ job: String, _ status: String) throws {
        _ = try call("UpdateDeploymentJobStatus", ["JobId": job, "Status": status], isRead: false)
    }

    /// The job's workers, every page.
    public func workers(job: String, pageSize: Int = 50) throws -> [Worker] {
        try everyPage("ListWorkerResource", ["JobId": job], pageSize: pageSize) { row in
            guard let id = Self.string(row["Id"]), let resource = Self.string(row["ResourceId"]) else { return nil }
            // The SDK's model of a worker has no error text: CAS's console is where a failed worker says why.
            return Worker(id: id, resourceID: resource, certificateID: Self.string(row["CertId"]), status: Self.string(row["Status"]) ?? "")
        }
    }

    /// A6: the API's current way to roll one worker back; its worker then
    /// ends `rollback_success` or `rollback_error`.
    public func createRollbackTask(job: String, worker: String) throws {
        _ = try call("CreateRollbackTask", ["JobId": job, "WorkerId": worker], isRead: false)
    }

    func call(_ action: String, _ parameters: [String: String], isRead: Bool) throws -> [String: Any] {
        let body = Data()
        var request = SignableRequest(method: "POST", path: "/", query: parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, headers: [
            "host": http.host, "accept": "application/json", "user-agent": CertpushVersion.userAgent,
            "x-acs-action": action, "x-acs-version": Self.version, "x-acs-date": ISOTime.string(now()),
            "x-acs-signature-nonce": nonce(), "x-acs-content-sha256": RequestSigning.sha256(body),
            // What the SDK signs about the keys it was given: an access key and its secret, no session.
            "x-acs-credentials-provider": "static_ak",
        ], body: body)
        request.headers["Authorization"] = RequestSigning.alibaba(request, accessKeyID: keys.id, secret: keys.secret).authorization
        let response = try http.send(request, isRead: isRead)
        let answer = response.json
        guard (200..<300).contains(response.status) else {
            // Read by the SDK's error model; a body without a Code is the status and the cloud's raw words.
            guard let code = answer["Code"] as? String else {
                throw CloudRefusal(status: response.status, code: "HTTP \(response.status)", message: CloudResponse.raw(response.body))
            }
            let refusal = CloudRefusal(status: response.status, code: code,
                                       message: DisplayText.neutralized(answer["Message"] as? String ?? ""))
            if Self.authenticationCodes.contains(where: code.hasPrefix) || response.status == 401 {
                throw CloudAuthenticationFailure(account: account, cause: refusal.cause)
            }
            throw refusal
        }
        return answer
    }

    static let authenticationCodes = ["SignatureDoesNotMatch", "InvalidAccessKeyId", "IncompleteSignature", "Forbidden.AccessKey"]

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func int(_ value: Any?) -> Int? { string(value).flatMap { Int($0) } }
}
