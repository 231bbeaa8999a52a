import CertpushCore

/// What `certpush --version` says.
let certpushVersion = CertpushVersion.string
