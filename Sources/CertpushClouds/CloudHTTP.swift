import CertpushCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

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

    /// A body as it came, for a sentence: made safe to show, at most 200 characters.
    static func raw(_ body: Data) -> String {
        let text = DisplayText.neutralized(String(decoding: body.prefix(400), as: UTF8.self))
        return text.isEmpty ? "an empty body" : String(text.prefix(200))
    }
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
        self.timeLimit = timeLimit
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

    /// One exchange over its own connection (HTTP/1.1, `Connection: close`),
    /// on swift-nio, which certpush already links for the TLS proof: the
    /// system's HTTP stack (FoundationNetworking and libcurl) would add 30
    /// libraries and 16 ms to every launch.
    private func once(_ request: SignableRequest) throws -> CloudResponse {
        let https = endpoint.scheme?.lowercased() == "https"
        let host = endpoint.host ?? ""
        let port = endpoint.port ?? (https ? 443 : 80)
        let query = request.query.isEmpty ? "" : "?" + RequestSigning.canonicalQuery(request.query)
        let target = endpoint.path + RequestSigning.canonicalURI(request.path) + query
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: self.host)
        for (name, value) in request.headers where name.lowercased() != "host" { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: "\(request.body.count)")
        headers.add(name: "Connection", value: "close")
        let context: NIOSSLContext?
        do {
            // Verified against the system's trust store, the name checked (R2).
            context = https ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        } catch {
            throw CloudUnreachable(sentence: "TLS could not be set up: \(error)")
        }
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let answered = eventLoop.makePromise(of: CloudResponse.self)
        let limit = TimeAmount.milliseconds(Int64(timeLimit * 1_000))
        let deadline = eventLoop.scheduleTask(in: limit) { answered.fail(TimedOut()) }
        let connection = ClientBootstrap(group: eventLoop)
            .connectTimeout(limit)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        let name = host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Collector(answered: answered))
                }
            }
            .connect(host: host, port: port)
        connection.whenFailure { answered.fail($0) }
        connection.whenSuccess { channel in
            var body = channel.allocator.buffer(capacity: request.body.count)
            body.writeBytes(request.body)
            let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: target, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        defer {
            deadline.cancel()
            connection.whenSuccess { $0.close(promise: nil) }
        }
        do {
            return try answered.futureResult.wait()
        } catch is TimedOut {
            throw CloudUnreachable(sentence: "\(host) did not answer within \(Int(timeLimit.rounded())) s")
        } catch {
            throw CloudUnreachable(sentence: "\(host) could not be reached: \(Self.describe(error))")
        }
    }

    private struct TimedOut: Error {}

    /// The cause of a failed exchange, in a few words.
    static func describe(_ error: Error) -> String {
        if let connect = error as? NIOConnectionError {
            if connect.dnsAAAAError != nil || connect.dnsAError != nil, connect.connectionErrors.isEmpty { return "its name does not resolve" }
            if let first = connect.connectionErrors.first { return describe(first.error) }
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "the connection was refused" }
        if error is ChannelError, case .connectTimeout = error as! ChannelError { return "the connection timed out" }
        if let tls = error as? NIOSSLError {
            if case .handshakeFailed = tls { return "its TLS certificate could not be verified (\(tls))" }
            return "TLS failed (\(tls))"
        }
        if error is BoringSSLError { return "its TLS certificate could not be verified (\(error))" }
        return DisplayText.neutralized("\(error)")
    }

    /// Gathers one response; the connection's end before it is complete is a failure.
    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let answered: EventLoopPromise<CloudResponse>
        var status = 0
        var body = Data()

        init(answered: EventLoopPromise<CloudResponse>) { self.answered = answered }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): status = Int(head.status.code)
            case .body(var buffer): body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .end:
                answered.succeed(CloudResponse(status: status, body: body))
                context.close(promise: nil)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            answered.fail(ChannelError.eof)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            answered.fail(error)
            context.close(promise: nil)
        }
    }
}
