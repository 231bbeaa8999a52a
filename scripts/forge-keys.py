#!/usr/bin/env python3
"""Writes the forged RSA keys the import tests refuse (issue 21), from keys in
Tests/Fixtures/certs. python's `cryptography` reads the honest keys; the
forged ones are written by hand, since no library writes a key that lies.

  rsa-forged-primes.key.pem  PKCS#1: rsa-www's modulus and exponent over rsa-multi-san's primes
  rsa-q-is-2.key.pem         PKCS#1: n = 2·p with rsa-www's p, q = 2
  rsa-wrong-version.key.pem  PKCS#1: rsa-www's key with version 5

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
print("wrote rsa-forged-primes, rsa-q-is-2 and rsa-wrong-version .key.pem in", folder)
