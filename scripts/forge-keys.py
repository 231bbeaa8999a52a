#!/usr/bin/env python3
"""Writes the keys the import tests of issue 21 need beyond the corpus, into
Tests/Fixtures/certs. python's `cryptography` reads the honest keys; the
forged ones are written by hand, since no library writes a key that lies.

  rsa-forged-primes.key.pem  PKCS#1: rsa-www's modulus and exponent over rsa-multi-san's primes
  rsa-q-is-2.key.pem         PKCS#1: n = 2·p with rsa-www's p, q = 2
  rsa-wrong-version.key.pem  PKCS#1: rsa-www's key with version 5
  sm2-forged-point.key.pem   PKCS#8: sm2.key.pem's written public point over another secret
  secp256k1 / brainpool .crt.pem and .key.pem: honest pairs on curves swift-crypto does not do
  bom.crt.pem                rsa-www.crt.pem behind a UTF-8 byte-order mark

Usage: python3 scripts/forge-keys.py   (needs `pip install cryptography`)
"""
import base64
import pathlib
from cryptography.hazmat.primitives.serialization import load_pem_private_key

folder = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "certs"


def length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def integer(value):
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return b"\x02" + length(len(body)) + body


def sequence(*parts):
    body = b"".join(parts)
    return b"\x30" + length(len(body)) + body


def pem(der):
    text = base64.b64encode(der).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"


def numbers(name):
    key = load_pem_private_key((folder / name).read_bytes(), password=None)
    return key.private_numbers()


www, other = numbers("rsa-www.key.pem"), numbers("rsa-multi-san.key.pem")
n, e = www.public_numbers.n, www.public_numbers.e


def pkcs1(version, n, e, d, p, q):
    return sequence(integer(version), integer(n), integer(e), integer(d), integer(p), integer(q),
                    integer(d % (p - 1)), integer(d % (q - 1)), integer(pow(q, -1, p) if p > 2 else 1))


(folder / "rsa-forged-primes.key.pem").write_text(pem(pkcs1(0, n, e, other.d, other.p, other.q)))
(folder / "rsa-q-is-2.key.pem").write_text(pem(pkcs1(0, 2 * www.p, e, www.d, www.p, 2)))
(folder / "rsa-wrong-version.key.pem").write_text(pem(pkcs1(5, n, e, www.d, www.p, www.q)))
# SM2: the secret is the 32 bytes after 04 20 in the SEC1 key inside the PKCS#8.
sm2 = base64.b64decode("".join(l for l in (folder / "sm2.key.pem").read_text().splitlines() if "-----" not in l))
at = sm2.index(bytes([0x02, 0x01, 0x01, 0x04, 0x20])) + 5
secret = int.from_bytes(sm2[at:at + 32], "big")
forged = sm2[:at] + (secret + 1).to_bytes(32, "big") + sm2[at + 32:]
text = base64.b64encode(forged).decode()
(folder / "sm2-forged-point.key.pem").write_text(
    "-----BEGIN PRIVATE KEY-----\n" + "\n".join(text[i:i + 64] for i in range(0, len(text), 64)) + "\n-----END PRIVATE KEY-----\n")

import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

for name, curve, domain in [("ec-secp256k1", ec.SECP256K1(), "k1.example.com"),
                            ("ec-brainpool", ec.BrainpoolP384R1(), "brainpool.example.com")]:
    key = ec.generate_private_key(curve)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + datetime.timedelta(days=3650))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
                   .sign(key, hashes.SHA256()))
    (folder / f"{name}.crt.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}.key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))

(folder / "bom.crt.pem").write_bytes(b"\xef\xbb\xbf" + (folder / "rsa-www.crt.pem").read_bytes())
print("wrote rsa-forged-primes, rsa-q-is-2, rsa-wrong-version, sm2-forged-point .key.pem, ec-secp256k1, ec-brainpool and bom in", folder)
