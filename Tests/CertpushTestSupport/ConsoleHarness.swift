import CertpushCore
import CertpushSetup
import Foundation

/// A seeded sandbox in a temporary folder, at a fixed time: what console and
/// end-to-end tests start from.
public struct SandboxFixture {
    public let directory = TemporaryDirectory()
    public let time = ManualTime(testNow)
    public let workspace: Workspace

    public init(empty: Bool = false) throws {
        workspace = try Workspace.open(path: directory.path("certpush.sqlite"), empty: empty, time: time, user: "trainer")
    }

    public var databasePath: String { directory.path("certpush.sqlite") }
    public var certificates: CertificateService { workspace.certificates }
}
