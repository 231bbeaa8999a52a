import CertpushCore
import Foundation
import Logging

/// swift-log to a file, never to the terminal the console draws on.
public struct FileLogHandler: LogHandler {
    private let file: LogFile
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info

    init(file: LogFile) { self.file = file }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let stamp = ISOTime.string(Date())
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        file.append("\(stamp) \(event.level) [\(event.source)] \(event.message)\(extra)\n")
    }

    /// Points swift-log at `path`; where the file cannot be made, logs go nowhere
    /// rather than onto the screen.
    public static func bootstrap(path: String) {
        let file = LogFile(path: path)
        LoggingSystem.bootstrap { _ in
            file.map { FileLogHandler(file: $0) as LogHandler } ?? SwiftLogNoOpLogHandler()
        }
    }
}

final class LogFile: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init?(path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(_ line: String) {
        lock.withLock { handle.write(Data(line.utf8)) }
    }
}
