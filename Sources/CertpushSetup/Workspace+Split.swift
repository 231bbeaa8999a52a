import CertpushCore
import CertpushStore
import Foundation

extension Workspace {
    /// W7: splits the pre-workspace database at `path`, which holds both the
    /// sandbox and real accounts' work, into a training and a live workspace
    /// in `folder` (the default paths when nil). Anything else is refused.
    public static func split(path: String, into folder: String?, paths: Paths = Paths(), keyring: String) throws -> WorkspaceSplit.Outcome {
        guard FileManager.default.fileExists(atPath: path) else { throw Refusal("There is no database at \(path) to split.") }
        let training = folder.map { $0 + "/training.sqlite" } ?? paths.trainingDatabase
        let live = folder.map { $0 + "/certpush.sqlite" } ?? paths.liveDatabase
        if let folder { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let outcome = try WorkspaceSplit.split(source: path, training: training, live: live) { copy in
            try open(path: copy, create: false, keyring: keyring).kind
        }
        logger.info("split workspace", metadata: ["from": "\(path)", "training": "\(training)", "live": "\(live)"])
        return outcome
    }
}
