import CertpushCore
import CertpushSetup
import Foundation

/// A workspace in a temporary folder, at a fixed time: what console and
/// end-to-end tests start from. The seeded training sandbox, or a live
/// workspace (W2) when `live` is set or accounts are named.
public struct SandboxFixture {
    public let directory = TemporaryDirectory()
    public let time = ManualTime(testNow)
    public let workspace: Workspace

    /// Where its database is: a file, or a PostgreSQL URL.
    public let databasePath: String

    /// `accounts` as config.toml would name them, their keys from `environment` (R1); on `backend`'s database (T7).
    public init(live: Bool = false, accounts: [Account] = [], environment: [String: String] = [:], backend: Backend = .sqlite) throws {
        databasePath = try backend.newLocation(in: directory)
        workspace = try Workspace.open(path: databasePath, kind: live || !accounts.isEmpty ? .live : .training,
                                       keyring: directory.path("keyring"),
                                       time: time, user: "trainer", accounts: accounts,
                                       credentials: Credentials(paths: Paths(environment: environment.merging(["HOME": directory.path("home")]) { $1 })))
    }

    public var certificates: CertificateService { workspace.certificates }

    /// A seeded certificate by its name ("wildcard-example").
    public func certificateID(named name: String) throws -> CertificateID {
        guard let certificate = try certificates.list(CertificateQuery()).first(where: { $0.name == name }) else {
            throw Refusal("The sandbox has no certificate named \(name).")
        }
        return certificate.id
    }

    /// A seeded resource by its service and name ("elb", "listener-web-443").
    public func resource(_ service: String, _ name: String) throws -> CloudResource {
        guard let resource = try workspace.store.read({ try $0.resources(ResourceFilter(service: service)) }).first(where: { $0.name == name }) else {
            throw Refusal("The sandbox has no \(service) resource named \(name).")
        }
        return resource
    }
}
