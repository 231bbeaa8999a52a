/// What `certpush --version` says: raised with each release.
let certpushVersion = "0.9.0"
