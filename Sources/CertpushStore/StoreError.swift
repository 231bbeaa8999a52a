import CertpushCore

/// Why a database cannot be opened or used; the file is left as it was
/// (SPEC 16: one sentence, no SQL or SQLite error number, F6).
public struct StoreError: CertpushError, Equatable {
    public enum Reason: Equatable, Sendable {
        case notADatabase, newerSchema, foreign, missing, wrongKeyring, cannotCreate(String), cannotOpen(String)
        /// F2: SQLite's words for the damage, or what certpush found that it never wrote.
        case damaged(String)
        /// F3: the disk is full.
        case full
        /// F1: the file, or its folder, cannot be written.
        case readOnly
        /// The disk failed under SQLite (an I/O error).
        case diskError
        /// Anything else SQLite refused, in its own short words.
        case refused(String)
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
        case .damaged(let why): "\(path) is damaged (\(why)); nothing was changed; `certpush db check` says where; restore it from a backup."
        case .full: "The disk holding \(path) is full: nothing was changed, nothing was half-written."
        case .readOnly: "\(path) cannot be written (it, or its folder, is read-only): nothing was changed."
        case .diskError: "\(path) could not be read or written (a disk I/O error): nothing was changed."
        case .refused(let why): "The database \(path) refused it (\(why)): nothing was changed."
        }
    }
}
