import CertpushCore

/// Why a database cannot be opened; the file is left as it was.
public struct StoreError: CertpushError, Equatable {
    public enum Reason: Equatable, Sendable {
        case notADatabase, newerSchema, foreign, missing, wrongKeyring, cannotCreate(String), cannotOpen(String)
    }
    public let path: String
    public let reason: Reason

    public var sentence: String {
        switch reason {
        case .notADatabase: "\(path) is not a certpush database (it is not an SQLite file); it was left untouched."
        case .foreign: "\(path) is another application's SQLite database, not certpush's; it was left untouched."
        case .wrongKeyring: "\(path) sealed its private keys with another keyring: point CERTPUSH_KEYRING at that keyring. It was left untouched."
        case .missing: "There is no workspace at \(path); `certpush init --db \(path)` makes a training workspace there, `certpush init --live --db \(path)` a live one."
        case .newerSchema: "\(path) was written by a newer certpush; upgrade certpush to open it. It was left untouched."
        case .cannotCreate(let why): "Cannot create the database \(path): \(why)."
        case .cannotOpen(let why): "Cannot open the database \(path): \(why)."
        }
    }
}
