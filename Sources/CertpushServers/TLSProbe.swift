import CertpushCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// The proof of S2 and S3: a TLS handshake to a site, with SNI set to its
/// domain, and the SHA-256 of the certificate it serves. Nothing is verified
/// against a trust store: the question is which certificate is served, and
/// the answer is compared with the one certpush deployed.
public enum TLSProbe {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The fingerprint of the leaf certificate served at `address`:`port` for `serverName`.
    public static func servedFingerprint(address: String, port: Int, serverName: String?, timeLimit: TimeInterval = 5) throws -> String {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        // SNI takes a name, never an address (RFC 6066).
        let sni = serverName.flatMap { name -> String? in
            name.isEmpty || name.contains("*") || name.contains(":") || name.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : name
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let eventLoop = group.next()
        let served = eventLoop.makePromise(of: String.self)
        let milliseconds = Int64(timeLimit * 1_000)
        let deadline = eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
            served.fail(Failure(description: "no TLS handshake within \(Int(timeLimit)) s"))
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(milliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: sni)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(served: served))
                }
            }
        let connection = bootstrap.connect(host: address, port: port)
        connection.whenFailure { served.fail(Failure(description: "cannot connect to \(address):\(port): \(Self.words($0))")) }
        defer {
            deadline.cancel()
            connection.whenSuccess { $0.close(promise: nil) }
        }
        do {
            return try served.futureResult.wait()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "the TLS handshake with \(address):\(port) failed: \(Self.words(error))")
        }
    }

    static func words(_ error: Error) -> String {
        if let io = error as? IOError { return io.description }
        return "\(error)"
    }

    /// Takes the peer's certificate once the handshake is done.
    private final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let served: EventLoopPromise<String>

        init(served: EventLoopPromise<String>) { self.served = served }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event {
                do {
                    guard let certificate = try context.pipeline.syncOperations.nioSSL_peerCertificate() else {
                        served.fail(Failure(description: "the server sent no certificate"))
                        return
                    }
                    served.succeed(Fingerprint.of(der: try certificate.toDERBytes()))
                } catch {
                    served.fail(error)
                }
                context.close(promise: nil)
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            served.fail(Failure(description: "the TLS handshake failed: \(TLSProbe.words(error))"))
            context.close(promise: nil)
        }
    }
}
