import Foundation

/// What a kind of short id starts with: `c` for certificates, `r` for resources.
public protocol ShortIDKind: Sendable {
    static var prefix: Character { get }
}

/// The short, stable ids shown in lists and accepted by the CLI: `c12`, `r3`.
/// A number the store gives, never reused, behind a letter saying what it is.
public struct ShortID<Kind: ShortIDKind>: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// Accepts `c12`, `C12` or `12` (for certificates; likewise for the other kinds).
    public init?(_ text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        if digits.first?.lowercased() == String(Kind.prefix) { digits = digits.dropFirst() }
        guard let value = Int64(digits), value > 0 else { return nil }
        rawValue = value
    }

    public var description: String { "\(Kind.prefix)\(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public enum CertificateIDKind: ShortIDKind { public static let prefix: Character = "c" }
public enum ResourceIDKind: ShortIDKind { public static let prefix: Character = "r" }

public typealias CertificateID = ShortID<CertificateIDKind>
public typealias ResourceID = ShortID<ResourceIDKind>
