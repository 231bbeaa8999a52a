#!/usr/bin/env python3
"""Writes the certificate fixture corpus used by the project's tests.

Usage: scripts/generate-fixtures.py Tests/Fixtures/certs

Every file is real PEM (or deliberately broken input). Valid leaves are good
until 2046, so the corpus does not rot; expired ones ended in 2021.
MANIFEST.tsv lists each file with what a correct importer must conclude.
SM2 material is made with the openssl command line (python's cryptography
has no SM2); the rest with the cryptography package.
"""
import datetime as dt
import os
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

OUT = sys.argv[1] if len(sys.argv) > 1 else "certs"
os.makedirs(OUT, exist_ok=True)
UTC = dt.timezone.utc
GOOD = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2046, 1, 1, tzinfo=UTC))
EXPIRED = (dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2021, 1, 1, tzinfo=UTC))
FUTURE = (dt.datetime(2045, 1, 1, tzinfo=UTC), dt.datetime(2046, 1, 1, tzinfo=UTC))
manifest = []


def write(name, data, note):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)
    manifest.append((name, note))


def pem_key(key, password=None):
    enc = (serialization.BestAvailableEncryption(password) if password
           else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8, enc)


def pem_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def name(cn, org="Example Org"):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def make(cn, sans, key, issuer=None, issuer_key=None, window=GOOD, ca=False,
         serial=None, ips=()):
    b = (x509.CertificateBuilder()
         .subject_name(name(cn))
         .issuer_name(issuer.subject if issuer else name(cn))
         .public_key(key.public_key())
         .serial_number(serial or x509.random_serial_number())
         .not_valid_before(window[0]).not_valid_after(window[1]))
    general = [x509.DNSName(s) for s in sans]
    import ipaddress
    general += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if general:
        b = b.add_extension(x509.SubjectAlternativeName(general), critical=False)
    b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    signer = issuer_key or key
    algo = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(signer, algo)


def rsa_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def leaf(stem, cn, sans, key, note, **kw):
    cert = make(cn, sans, key, **kw)
    write(f"{stem}.crt.pem", pem_cert(cert), note)
    write(f"{stem}.key.pem", pem_key(key), f"private key of {stem}.crt.pem")
    return cert


def main():
    # A private CA chain: root -> intermediate -> leaves.
    root_key, int_key = ec_key(), ec_key()
    root = make("Example Test Root CA", [], root_key, ca=True)
    inter = make("Example Test Intermediate CA", [], int_key, issuer=root,
                 issuer_key=root_key, ca=True)
    write("root-ca.crt.pem", pem_cert(root), "self-signed CA, not a server certificate")

    leaf("rsa-www", "www.example.com", ["www.example.com"], rsa_key(),
         "RSA 2048; one domain www.example.com; valid")
    leaf("ecdsa-wildcard", "*.example.com", ["*.example.com", "example.com"], ec_key(),
         "ECDSA P-256; *.example.com + example.com; valid")
    leaf("rsa-multi-san", "shop.example.org",
         ["shop.example.org", "api.example.org", "example.org"], rsa_key(),
         "RSA 2048; three domains under example.org; valid")
    leaf("rsa-4096", "secure.example.net", ["secure.example.net"], rsa_key(4096),
         "RSA 4096; one domain; valid")
    leaf("expired", "old.example.com", ["old.example.com"], rsa_key(),
         "expired on 2021-01-01; must import flagged Expired and be refused for push",
         window=EXPIRED)
    leaf("not-yet-valid", "future.example.com", ["future.example.com"], ec_key(),
         "valid only from 2045-01-01; must be refused for push", window=FUTURE)
    leaf("ed25519", "ed.example.com", ["ed.example.com"], ed25519.Ed25519PrivateKey.generate(),
         "Ed25519 key: parses, but no cloud load balancer or CDN accepts it")
    leaf("ip-san", "10.0.0.5", [], ec_key(), "only an IP address SAN; no DNS name",
         ips=("10.0.0.5",))

    # Chain-signed leaf, shipped both as leaf alone and as fullchain.
    chain_key = ec_key()
    chain_leaf = make("app.example.com", ["app.example.com"], chain_key,
                      issuer=inter, issuer_key=int_key)
    write("chain-leaf.crt.pem", pem_cert(chain_leaf), "leaf signed by the test intermediate")
    write("chain-leaf.key.pem", pem_key(chain_key), "private key of chain-leaf")
    write("chain-fullchain.pem", pem_cert(chain_leaf) + pem_cert(inter),
          "leaf then intermediate: a normal fullchain file")
    write("chain-reversed.pem", pem_cert(inter) + pem_cert(chain_leaf),
          "intermediate first, then leaf: importer must still find the leaf")

    # Key problems.
    other = rsa_key()
    write("mismatch.key.pem", pem_key(other),
          "a valid key that does NOT belong to rsa-www.crt.pem: import must refuse the pair")
    enc_key = ec_key()
    leaf_enc = make("locked.example.com", ["locked.example.com"], enc_key)
    write("encrypted-key.crt.pem", pem_cert(leaf_enc), "cert whose key is passphrase-protected")
    write("encrypted-key.key.pem", pem_key(enc_key, b"fixture-pass"),
          "PKCS#8 encrypted with passphrase 'fixture-pass'")

    # Broken or wrong inputs.
    good = pem_cert(make("trunc.example.com", ["trunc.example.com"], ec_key())).decode()
    write("truncated.crt.pem", good[: len(good) // 2], "PEM cut in half: clear error, nothing stored")
    write("garbage.crt.pem", "this is not a certificate\n", "no PEM at all: clear error")
    write("empty.crt.pem", "", "empty file: clear error")
    write("rsa-www.crt.der", make("der.example.com", ["der.example.com"], ec_key())
          .public_bytes(serialization.Encoding.DER),
          "DER encoding: either import it or say that PEM is expected")
    crlf = pem_cert(make("crlf.example.com", ["crlf.example.com"], ec_key())).replace(b"\n", b"\r\n")
    write("crlf.crt.pem", crlf, "valid PEM with CRLF line endings: must import")

    # SM2 (Chinese national standard) material, with the openssl CLI.
    sm2key = os.path.join(OUT, "sm2.key.pem")
    sm2crt = os.path.join(OUT, "sm2.crt.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "SM2", "-out", sm2key], check=True)
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", sm2key, "-sm3", "-days", "7300",
                    "-subj", "/CN=sm.example.cn/O=Example Org",
                    "-addext", "subjectAltName=DNS:sm.example.cn",
                    "-out", sm2crt], check=True, capture_output=True)
    manifest.append(("sm2.crt.pem", "SM2 key, SM3 signature: an SM certificate (CDN, DCDN, Anti-DDoS only)"))
    manifest.append(("sm2.key.pem", "SM2 private key of sm2.crt.pem"))

    with open(os.path.join(OUT, "MANIFEST.tsv"), "w") as f:
        f.write("file\twhat a correct importer concludes\n")
        for n, note in manifest:
            f.write(f"{n}\t{note}\n")


main()
