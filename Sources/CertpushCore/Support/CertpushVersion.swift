/// certpush's release: what `certpush --version` says and what its cloud
/// calls send as their User-Agent. Raised with each release.
public enum CertpushVersion {
    public static let string = "0.9.0"
    public static var userAgent: String { "certpush/\(string)" }
}
