/// The text a workspace keeps sealed with its keyring's key: a keyring that
/// cannot open it to these words is not the workspace's (T4).
public enum KeyringCheck {
    public static let text = "certpush keyring check"
}
