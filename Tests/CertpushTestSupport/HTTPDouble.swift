import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP server on a loopback port for a test: each request goes to
/// `handler`, whose answer is written back, after `delay` when it sets one
/// (a cloud that does not answer in time).
public final class HTTPDouble: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// The query's pairs, percent-decoded, in the order sent.
        public var query: [(name: String, value: String)]
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: Data

        /// A form body's pairs (application/x-www-form-urlencoded), percent-decoded.
        public var form: [String: String] {
            Dictionary(Self.pairs(String(decoding: body, as: UTF8.self)).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        }

        static func pairs(_ text: String) -> [(name: String, value: String)] {
            text.split(separator: "&").map { part in
                let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
                func decoded(_ text: String) -> String { text.removingPercentEncoding ?? text }
                return (decoded(pieces[0]), decoded(pieces.count > 1 ? pieces[1] : ""))
            }
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var delay: TimeInterval
        public init(status: Int, json: Any? = nil, delay: TimeInterval = 0) {
            self.status = status
            self.body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
            self.delay = delay
        }
    }

    public let port: Int
    public let isTLS: Bool
    public var endpoint: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel

    /// With `tls` (a certificate and key, PEM), it speaks HTTPS with that certificate.
    public init(tls: (certificate: String, key: String)? = nil, _ handler: @escaping @Sendable (Request) -> Response) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        isTLS = tls != nil
        let context = try tls.map { tls in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificate.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.key.utf8), format: .pem))))
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let secured = context.map { channel.pipeline.addHandler(NIOSSLServerHandler(context: $0)) } ?? channel.eventLoop.makeSucceededVoidFuture()
                return secured.flatMap { channel.pipeline.configureHTTPServerPipeline() }.flatMap {
                    channel.pipeline.addHandler(Handler(handler))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let handler: @Sendable (Request) -> Response
        var head: HTTPRequestHead?
        var body = Data()

        init(_ handler: @escaping @Sendable (Request) -> Response) { self.handler = handler }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = Data()
            case .body(var buffer):
                body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .end:
                guard let head else { return }
                let parts = head.uri.split(separator: "?", maxSplits: 1).map(String.init)
                let request = Request(method: head.method.rawValue, path: parts[0].removingPercentEncoding ?? parts[0],
                                      query: parts.count > 1 ? Request.pairs(parts[1]) : [],
                                      headers: Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first }),
                                      body: body)
                let response = handler(request)
                let write = { [self] in
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: "\(response.body.count)")
                    let status = HTTPResponseStatus(statusCode: response.status)
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
                    var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                    buffer.writeBytes(response.body)
                    context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                if response.delay > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) { write() }
                } else {
                    write()
                }
            }
        }
    }
}
