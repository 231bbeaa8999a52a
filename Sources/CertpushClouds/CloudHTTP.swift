import CertpushCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An account's keys, read from where R1 allows; never stored, logged or shown.
public struct CloudKeys: Sendable {
    public var id: String
    public var secret: String
    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }
}

/// What a cloud answered.
public struct CloudResponse: Sendable {
    public var status: Int
    public var body: Data
    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
}

/// A call that got no answer: the network failed or the time limit passed (R4).
public struct CloudUnreachable: CertpushError {
    public let sentence: String
    public var outcome: ErrorOutcome { .failed }
}

/// The cloud refused the call, in its own words (R5): "SCM.0211: ...".
public struct CloudRefusal: Error, Sendable {
    public let status: Int
    public let code: String
    public let message: String
    public var cause: String { "\(code): \(message)" }
}

/// The cloud did not accept the account's keys (R5): the account's part of the work stops.
public struct CloudAuthenticationFailure: CertpushError {
    public let account: String
    public let cause: String
    public var sentence: String {
        "\(account): the cloud did not accept its keys (\(cause)); check the access key and secret named in config.toml."
    }
    public var outcome: ErrorOutcome { .failed }
}

/// HTTP to one cloud endpoint (R2, R4): https verified by the system's trust
/// store, http only to loopback; every call has a time limit; reads are
/// retried with backoff on the network, a 5xx or throttling, writes never.
public struct CloudHTTP: Sendable {
    public let endpoint: URL
    public let timeLimit: TimeInterval
    /// The first wait between tries; it doubles.
    public let backoff: TimeInterval
    public static let tries = 3

    public init(endpoint: String, timeLimit: TimeInterval = 30, backoff: TimeInterval = 0.5) throws {
        if let problem = EndpointRule.problem(endpoint) { throw Refusal(problem.prefix(1).uppercased() + problem.dropFirst() + ".") }
        guard let url = URL(string: endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) else { throw Refusal("\(endpoint) is not a URL.") }
        self.endpoint = url
        // The system's HTTP client counts its limit in whole seconds: a shorter one would end every call at once.
        self.timeLimit = max(1, timeLimit.rounded(.up))
        self.backoff = backoff
    }

    /// "host" or "host:port", as the Host header and the signature carry it.
    public var host: String {
        let name = endpoint.host ?? ""
        return endpoint.port.map { "\(name):\($0)" } ?? name
    }

    /// Sends one request; `isRead` allows retries (R4). A 5xx or 429 after
    /// the last try comes back as the response it is.
    public func send(_ request: SignableRequest, isRead: Bool) throws -> CloudResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try once(request)
                if isRead, attempt < Self.tries, response.status >= 500 || response.status == 429 || Self.isThrottled(response) {
                    Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempt - 1)))
                    continue
                }
                return response
            } catch let failure as CloudUnreachable {
                guard isRead, attempt < Self.tries else { throw failure }
                Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempt - 1)))
            }
        }
    }

    static func isThrottled(_ response: CloudResponse) -> Bool {
        let code = (response.json["Code"] as? String) ?? (response.json["error_code"] as? String) ?? ""
        return code.hasPrefix("Throttling") || code == "APIGW.0308"
    }

    private func once(_ request: SignableRequest) throws -> CloudResponse {
        let query = request.query.isEmpty ? "" : "?" + RequestSigning.canonicalQuery(request.query)
        guard let url = URL(string: endpoint.absoluteString + RequestSigning.canonicalURI(request.path) + query) else {
            throw CloudUnreachable(sentence: "\(request.path) does not make a URL with \(endpoint)")
        }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeLimit)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers where name.lowercased() != "host" { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeLimit
        configuration.timeoutIntervalForResource = timeLimit
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        session.dataTask(with: urlRequest) { data, response, error in
            outcome.set(data: data, response: response as? HTTPURLResponse, error: error)
            done.signal()
        }.resume()
        // The session's own limit applies; this one only guards against a session that never calls back.
        if done.wait(timeout: .now() + timeLimit + 5) == .timedOut { throw timedOut }
        let (data, response, error) = outcome.get()
        if let error = error as? URLError {
            if error.code == .timedOut { throw timedOut }
            throw CloudUnreachable(sentence: "\(endpoint.host ?? "the endpoint") could not be reached: \(Self.describe(error))")
        }
        if let error { throw CloudUnreachable(sentence: "\(endpoint.host ?? "the endpoint") could not be reached: \(error.localizedDescription)") }
        guard let response else { throw CloudUnreachable(sentence: "\(endpoint.host ?? "the endpoint") gave no HTTP answer") }
        return CloudResponse(status: response.statusCode, body: data ?? Data())
    }

    private var timedOut: CloudUnreachable {
        CloudUnreachable(sentence: "\(endpoint.host ?? "the endpoint") did not answer within \(Int(timeLimit.rounded())) s")
    }

    static func describe(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: "the connection was refused"
        case .cannotFindHost, .dnsLookupFailed: "its name does not resolve"
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid,
             .secureConnectionFailed: "its TLS certificate could not be verified"
        case .notConnectedToInternet, .networkConnectionLost: "the network is down"
        default: curlWords(error).map(describe) ?? "error \(error.code.rawValue)"
        }
    }

    /// What the system's HTTP client (curl, on Linux) said, when its code says nothing.
    static func curlWords(_ error: URLError) -> String? {
        let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError
        return (underlying?.userInfo[NSLocalizedDescriptionKey] as? String) ?? (error.userInfo[NSLocalizedDescriptionKey] as? String)
    }

    static func describe(_ words: String) -> String {
        let lowered = words.lowercased()
        if lowered.contains("certificate") || lowered.contains("ssl") || lowered.contains("tls") {
            return "its TLS certificate could not be verified (\(DisplayText.neutralized(words)))"
        }
        return DisplayText.neutralized(words)
    }

    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Data?, HTTPURLResponse?, Error?) = (nil, nil, nil)
        func set(data: Data?, response: HTTPURLResponse?, error: Error?) { lock.withLock { value = (data, response, error) } }
        func get() -> (Data?, HTTPURLResponse?, Error?) { lock.withLock { value } }
    }
}
