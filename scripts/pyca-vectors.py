#!/usr/bin/env python3
"""Copies pyca/cryptography's test vectors (PyPI: cryptography-vectors) into
Tests/Fixtures/pyca, for the import tests of issue 21 (SPEC C2, C3, C8).

  x509/   certificates from the vectors, as they are (CRLs and PKITS left out)
  keys/   private keys from the vectors, as they are; beside each key that
          pyca's `cryptography` can load, `<key>.crt.pem`: a certificate for
          that key's public key (CN and SAN pyca.example.com), issued by a CA
          this script makes, so the importer has a certificate to pair it with;
          for a key pyca refuses but OpenSSL reads (explicit curves, short
          scalars), a certificate `openssl req -x509` signs with the key itself
  keys/MANIFEST.tsv  one line per key: its file, its certificate (or -), the
          passphrase pyca's tests give it (or -), and what pyca reads it as

What certpush must conclude from each file is written in the Swift tests, not
here: this script only copies others' data and states what pyca itself says.

Usage: python3 scripts/pyca-vectors.py
  (makes a virtual environment in $TMPDIR/certpush-vectors and installs
   cryptography and cryptography-vectors 48.0.0 into it)
"""
import datetime
import os
import pathlib
import shutil
import subprocess
import sys
import venv

VERSION = "48.0.0"
root = pathlib.Path(__file__).resolve().parent.parent
target = root / "Tests" / "Fixtures" / "pyca"
environment = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "certpush-vectors"

if sys.prefix != str(environment):
    if not (environment / "bin" / "python").exists():
        venv.create(environment, with_pip=True)
    python = str(environment / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", f"cryptography=={VERSION}",
                    f"cryptography-vectors=={VERSION}"], check=True)
    os.execv(python, [python, __file__])

import cryptography_vectors  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, ed448, ed25519, rsa, x448, x25519  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

vectors = pathlib.Path(cryptography_vectors.__file__).parent
# The passphrases pyca's own tests open these files with.
PASSPHRASES = [b"foobar", b"123456", b"password", b"a123456", b"baz", b"PolarSSLTest", b"hunter42", b"hunter2",
               b"Red Hat Enterprise Linux 7.4"]

KEY_FOLDERS = ["asymmetric/PKCS8", "asymmetric/PEM_Serialization", "asymmetric/Traditional_OpenSSL_Serialization",
               "asymmetric/DER_Serialization", "asymmetric/Ed25519", "asymmetric/Ed448", "asymmetric/EC"]
CERTIFICATE_FOLDERS = ["x509", "x509/custom", "x509/ed25519", "x509/ed448"]


def is_public_only(path):
    name = path.name
    return "pub" in name or "public" in name or name.endswith("-spki.pem") or name == "dsaparam.pem" \
        or path.suffix in (".txt", ".py", ".input")


def load(data, password):
    if b"-----BEGIN" in data:
        return serialization.load_pem_private_key(data, password=password)
    return serialization.load_der_private_key(data, password=password)


def read_key(data):
    """The key and the passphrase that opens it, or None and pyca's refusal."""
    first = None
    for password in [None] + PASSPHRASES:
        try:
            return load(data, password), password, None
        except Exception as error:  # pyca says ValueError, TypeError or UnsupportedAlgorithm
            if first is None and password is None and "encrypted" not in str(error):
                first = error
            first = first or error
    return None, None, first


def describe(key):
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC {key.curve.name}"
    if isinstance(key, dsa.DSAPrivateKey):
        return f"DSA {key.key_size}"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PrivateKey):
        return "Ed448"
    return type(key).__name__


def certifiable(key):
    return not isinstance(key, (dh.DHPrivateKey, x25519.X25519PrivateKey, x448.X448PrivateKey))


def issuer():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pyca vectors test CA")])
    return key, name


def certificate_for(public_key, ca):
    ca_key, ca_name = ca
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pyca.example.com")]))
            .issuer_name(ca_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("pyca.example.com")]), critical=False)
            .sign(ca_key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM))


def openssl_certificate(key_path):
    """A self-signed certificate OpenSSL makes for a key pyca refuses, if OpenSSL reads it."""
    result = subprocess.run(
        ["openssl", "req", "-new", "-x509", "-key", str(key_path), "-keyform", "DER" if key_path.suffix == ".der" else "PEM",
         "-subj", "/CN=pyca.example.com", "-addext", "subjectAltName=DNS:pyca.example.com", "-days", "3650",
         "-passin", "pass:", "-out", str(key_path) + ".crt.pem"], capture_output=True)
    if result.returncode != 0:
        pathlib.Path(str(key_path) + ".crt.pem").unlink(missing_ok=True)
    return result.returncode == 0


def main():
    if target.exists():
        shutil.rmtree(target)
    (target / "x509").mkdir(parents=True)
    (target / "keys").mkdir(parents=True)

    for folder in CERTIFICATE_FOLDERS:
        for path in sorted((vectors / folder).iterdir()):
            if path.is_file() and path.suffix in (".pem", ".der") and not path.name.startswith("crl_"):
                shutil.copy(path, target / "x509" / path.name)

    ca = issuer()
    lines = ["file\tcertificate\tpassphrase\twhat pyca reads"]
    for folder in KEY_FOLDERS:
        for path in sorted((vectors / folder).iterdir()):
            if not path.is_file() or is_public_only(path):
                continue
            name = path.name
            if (target / "keys" / name).exists():
                name = path.parent.name + "-" + name
            data = path.read_bytes()
            (target / "keys" / name).write_bytes(data)
            key, password, refusal = read_key(data)
            certificate = "-"
            if key is not None and certifiable(key):
                certificate = name + ".crt.pem"
                (target / "keys" / certificate).write_bytes(certificate_for(key.public_key(), ca))
            elif key is None and openssl_certificate(target / "keys" / name):
                certificate = name + ".crt.pem"
            if key is not None:
                said = describe(key)
            else:
                said = "refused: " + " ".join(str(refusal).split())[:120]
            lines.append("\t".join([name, certificate, password.decode() if password else "-", said]))
    (target / "keys" / "MANIFEST.tsv").write_text("\n".join(lines) + "\n")
    print(f"{len(lines) - 1} keys and {len(list((target / 'x509').iterdir()))} certificates in {target}")


main()
