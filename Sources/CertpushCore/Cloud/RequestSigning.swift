import Crypto
import Foundation

/// A request to sign: what both clouds' signatures are computed over.
public struct SignableRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    /// Query parameters, in any order; they are sorted when signed.
    public var query: [(name: String, value: String)]
    /// Headers as sent; the signer chooses which it signs.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public static func == (a: SignableRequest, b: SignableRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.headers == b.headers && a.body == b.body
            && a.query.map { "\($0.name)=\($0.value)" } == b.query.map { "\($0.name)=\($0.value)" }
    }
}

/// The two signatures of SPEC 11 and 12 (H1, A1): the canonical request, the
/// string to sign, and the signature, each step as the cloud's guide gives it.
public enum RequestSigning {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    public static func sha256(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }
    static func hmac(_ key: String, _ text: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(key.utf8))))
    }

    /// RFC 3986 percent-encoding: unreserved characters stay, everything else is %XX (upper case).
    public static func percentEncoded(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        return text.utf8.map { byte in
            let scalar = Unicode.Scalar(byte)
            return byte < 0x80 && unreserved.contains(scalar) ? String(Character(scalar)) : String(format: "%%%02X", byte)
        }.joined()
    }

    /// Each segment of the path percent-encoded, the slashes kept.
    public static func canonicalURI(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { percentEncoded(String($0)) }.joined(separator: "/")
    }

    public static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (percentEncoded($0.name), percentEncoded($0.value)) }
        let sorted = encoded.sorted { (a: (name: String, value: String), b: (name: String, value: String)) -> Bool in
            a.name == b.name ? a.value < b.value : a.name < b.name
        }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    static func canonicalHeaders(_ headers: [String: String], signing names: [String]) -> (text: String, signed: String) {
        let lowered = Dictionary(headers.map { ($0.key.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) }, uniquingKeysWith: { $1 })
        let chosen = names.map { $0.lowercased() }.sorted()
        return (chosen.map { "\($0):\(lowered[$0] ?? "")\n" }.joined(), chosen.joined(separator: ";"))
    }

    // MARK: Huawei Cloud APIG, SDK-HMAC-SHA256 (H1)

    public struct HuaweiSignature: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// Huawei's guide: the path ends with "/", every header sent is signed, the date is X-Sdk-Date.
    public static func huawei(_ request: SignableRequest, accessKey: String, secretKey: String) -> HuaweiSignature {
        let path = request.path.hasSuffix("/") ? request.path : request.path + "/"
        let uri = canonicalURI(path)
        let (headers, signed) = canonicalHeaders(request.headers, signing: Array(request.headers.keys))
        let canonical = [request.method.uppercased(), uri, canonicalQuery(request.query), headers, signed, sha256(request.body)]
            .joined(separator: "\n")
        let date = request.headers.first { $0.key.lowercased() == "x-sdk-date" }?.value ?? ""
        let toSign = "SDK-HMAC-SHA256\n\(date)\n\(sha256(Data(canonical.utf8)))"
        let signature = hmac(secretKey, toSign)
        return HuaweiSignature(canonicalRequest: canonical, stringToSign: toSign, signature: signature,
                               authorization: "SDK-HMAC-SHA256 Access=\(accessKey), SignedHeaders=\(signed), Signature=\(signature)")
    }

    // MARK: Alibaba Cloud, ACS3-HMAC-SHA256 (A1)

    public struct AlibabaSignature: Sendable, Equatable {
        public var canonicalRequest: String
        public var hashedCanonicalRequest: String
        public var signature: String
        public var authorization: String
    }

    /// Alibaba's guide, as the SDK signs: every header sent (host, the
    /// x-acs-* ones, accept, user-agent) is signed; x-acs-content-sha256
    /// carries the hashed payload.
    public static func alibaba(_ request: SignableRequest, accessKeyID: String, secret: String) -> AlibabaSignature {
        var headers = request.headers
        let payload = sha256(request.body)
        if !headers.keys.contains(where: { $0.lowercased() == "x-acs-content-sha256" }) { headers["x-acs-content-sha256"] = payload }
        let names = headers.keys.filter { $0.lowercased() != "authorization" }
        let (canonicalHeaders, signed) = canonicalHeaders(headers, signing: names)
        let uri = request.path.isEmpty ? "/" : canonicalURI(request.path)
        let canonical = [request.method.uppercased(), uri, canonicalQuery(request.query), canonicalHeaders, signed, payload].joined(separator: "\n")
        let hashed = sha256(Data(canonical.utf8))
        let signature = hmac(secret, "ACS3-HMAC-SHA256\n\(hashed)")
        return AlibabaSignature(canonicalRequest: canonical, hashedCanonicalRequest: hashed, signature: signature,
                                authorization: "ACS3-HMAC-SHA256 Credential=\(accessKeyID),SignedHeaders=\(signed),Signature=\(signature)")
    }
}
