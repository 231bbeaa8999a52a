import CertpushCore
import Foundation

/// A store read through a read-only connection and opened for writing only
/// when something writes: what a training workspace's reading commands get
/// (F1), since their only writes are exercise marks (E3), made once each.
/// Until then the file keeps its bytes, and a full disk does not stop them.
final class OpenedOnWrite: Store, @unchecked Sendable {
    private let reader: any Store
    private let open: () throws -> any Store
    private let lock = NSLock()
    private var writer: (any Store)?

    init(reader: any Store, open: @escaping () throws -> any Store) {
        self.reader = reader
        self.open = open
    }

    var location: String { reader.location }

    func read<T>(_ body: (any StoreReader) throws -> T) throws -> T { try reader.read(body) }

    func write<T>(_ body: (any StoreWriter) throws -> T) throws -> T {
        let store = try lock.withLock {
            if let writer { return writer }
            let opened = try open()
            writer = opened
            return opened
        }
        return try store.write(body)
    }
}
