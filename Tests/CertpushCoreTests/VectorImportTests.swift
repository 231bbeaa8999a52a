import CertpushCore
import CertpushTestSupport
import Foundation
import Testing

/// pyca/cryptography's test vectors (PyPI `cryptography-vectors`, copied in by
/// `scripts/pyca-vectors.py`): every key and certificate there has a stated
/// conclusion here, reached by the importer (SPEC C2, C3, C5, C8).
@Suite struct VectorImportTests {
    enum Conclusion: Sendable {
        /// Imported, with this key algorithm and first domain (certificates) or as `hosted` (keys).
        case imports(String, String)
        /// Refused with a sentence holding this text.
        case refused(String)
    }

    static let convert = "`openssl pkcs8 -topk8 -v2 aes-256-cbc"
    static let newKey = "`openssl ecparam -genkey -name prime256v1"

    /// What each key file concludes, offered with the certificate made for
    /// its public key (or rsa-www.crt.pem where none could be made).
    static let keys: [String: Conclusion] = [
        "bad-encryption-oid.pem": .refused("is not PBES2; convert it with " + convert),
        "bad-oid-dsa-key.pem": .refused("its algorithm (OID 0.37.11229.117.11229.113) is not RSA, EC or Ed25519"),
        "ec-consistent-curve.pem": .imports("EC-P256", ""),
        "ec-inconsistent-curve.pem": .refused("it names its curve twice, differently"),
        "ec-inconsistent-curve2.pem": .refused("it names its curve twice, differently"),
        "ec-invalid-private-scalar.pem": .refused("its secret is not a number of its curve"),
        "ec-invalid-version.pem": .refused("it is not an EC private key of version 1"),
        "ec_oid_not_in_reg_private_2.pkcs8.pem": .refused("its curve is given as explicit numbers that are no named curve's"),
        "ec_private_key.pem": .imports("EC-P256", ""),
        "ec_private_key_encrypted.pem": .imports("EC-P256", ""),
        "ecc_private_with_rfc5915_ext.pem": .imports("EC-P256", ""),
        "ed25519-scrypt.pem": .imports("Ed25519", ""),
        "enc-ec-sha1-128-rc4.pem": .refused("it is encrypted with PKCS#12 pbeWithSHAAnd128BitRC4, an old scheme certpush does not read; convert it with " + convert),
        "enc-rsa-3des.pem": .imports("RSA-2048", ""),
        "enc-rsa-pkcs8-pbkdf2-0iter.pem": .refused("its PBKDF2 iteration count is not one a key file uses"),
        "enc-rsa-pkcs8.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "enc-unknown-algorithm.pem": .refused("is not AES-CBC or DES-EDE3-CBC; convert it with " + convert),
        "enc-unknown-kdf.pem": .refused("is not PBKDF2 or scrypt; convert it with " + convert),
        "enc-unknown-pbkdf2-prf.pem": .refused("is not HMAC with SHA-1, -224, -256, -384 or -512; convert it with " + convert),
        "enc2-rsa-pkcs8.pem": .imports("RSA-1024", ""),
        "invalid-version.der": .imports("EC-P256", ""),
        "nodompar_private.pkcs8.pem": .refused("its curve is given as explicit numbers that are no named curve's"),
        "pkcs12_s2k_pem-X_9607.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9671.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9925.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9926.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9927.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9928.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9929.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9930.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9931.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "pkcs12_s2k_pem-X_9932.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "private.pem": .imports("EC-brainpoolP384r1", ""),
        "rsa-40bitrc2.pem": .refused("PKCS#12 pbeWithSHAAnd40BitRC2-CBC, an old scheme"),
        "rsa-aes-192-cbc.pem": .imports("RSA-2048", ""),
        "rsa-pbe-3des-long-salt.pem": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "rsa-pbewithmd5anddescbc.pem": .refused("PBES1 pbeWithMD5AndDES-CBC, an old scheme certpush does not read; convert it with " + convert),
        "rsa-rc2-cbc-effective-key-length.pem": .refused("its cipher (OID 1.2.840.113549.3.2) is not AES-CBC or DES-EDE3-CBC"),
        "rsa-rc2-cbc.pem": .refused("its cipher (OID 1.2.840.113549.3.2) is not AES-CBC or DES-EDE3-CBC"),
        "rsa_pkcs8_pbes2_pbkdf2_2048_3des_sha224.pem": .imports("RSA-2048", ""),
        "rsa_pkcs8_pbes2_pbkdf2_2048_3des_sha384.pem": .imports("RSA-2048", ""),
        "rsa_pkcs8_pbes2_pbkdf2_2048_3des_sha512.pem": .imports("RSA-2048", ""),
        "rsa_pss_2048.pem": .imports("RSA-2048", ""),
        "rsa_pss_2048_hash.pem": .imports("RSA-2048", ""),
        "rsa_pss_2048_hash_mask.pem": .imports("RSA-2048", ""),
        "rsa_pss_2048_hash_mask_diff.pem": .imports("RSA-2048", ""),
        "rsa_pss_2048_hash_mask_salt.pem": .imports("RSA-2048", ""),
        "unenc-dsa-pkcs8.pem": .refused("it is a DSA key (DSA-1024), which TLS servers and clouds no longer take; make an EC key (" + newKey),
        "unenc-rsa-pkcs8.pem": .imports("RSA-1024", ""),
        "unknown-oid.der": .refused("its algorithm (OID 1.2.840.1004321.3213.321) is not RSA, EC or Ed25519"),
        "withdompar_private.pkcs8.pem": .refused("its curve (OID 1.3.6.1.4.1.8301.3.1.2.9.0.33) is not one whose keys certpush can check"),
        "wrong-pem-delimiter-rsa.pem": .imports("RSA-2048", ""),
        "dsa_4096.pem": .refused("it is a DSA key (DSA-4096)"),
        "dsa_private_key.pem": .refused("it is encrypted the old OpenSSL way (Proc-Type: 4,ENCRYPTED), which certpush does not read; convert it with " + convert),
        "PEM_Serialization-ec_private_key.pem": .imports("EC-P256", ""),
        "PEM_Serialization-ec_private_key_encrypted.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "rsa-bad-1025-q-is-2.pem": .refused("its primes are not an RSA key's (one is far too small): the key file is forged or damaged"),
        "rsa_private_key.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "dsa-wrong-version.pem": .refused("it is a DSA key (DSA-1024)"),
        "dsa.1024.pem": .refused("it is a DSA key (DSA-1024)"),
        "dsa.2048.pem": .refused("it is a DSA key (DSA-2048)"),
        "dsa.3072.pem": .refused("it is a DSA key (DSA-3072)"),
        "key1-malformed-dek-info.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "key1-malformed-iv.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "key1-no-dek-info.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "key1-short-iv.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "key1.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "key2.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "rsa-wrong-version.pem": .refused("it is not a two-prime RSA key (version 17, not 0)"),
        "testrsa-encrypted.pem": .refused("the old OpenSSL way (Proc-Type: 4,ENCRYPTED)"),
        "testrsa.pem": .imports("RSA-2048", ""),
        "dsa.1024.der": .refused("it is a DSA key (DSA-1024)"),
        "dsa.2048.der": .refused("it is a DSA key (DSA-2048)"),
        "dsa.3072.der": .refused("it is a DSA key (DSA-3072)"),
        "ec_private_key.der": .imports("EC-P256", ""),
        "ec_private_key_encrypted.der": .imports("EC-P256", ""),
        "enc-rsa-pkcs8.der": .refused("PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC, an old scheme"),
        "enc2-rsa-pkcs8.der": .imports("RSA-1024", ""),
        "testrsa.der": .imports("RSA-2048", ""),
        "unenc-dsa-pkcs8.der": .refused("it is a DSA key (DSA-1024)"),
        "unenc-rsa-pkcs8.der": .imports("RSA-1024", ""),
        "ed25519-pkcs8-enc.der": .imports("Ed25519", ""),
        "ed25519-pkcs8-enc.pem": .imports("Ed25519", ""),
        "ed25519-pkcs8.der": .imports("Ed25519", ""),
        "ed25519-pkcs8.pem": .imports("Ed25519", ""),
        "ed448-pkcs8-enc.der": .refused("it is an Ed448 key, whose public key certpush cannot compute"),
        "ed448-pkcs8-enc.pem": .refused("it is an Ed448 key, whose public key certpush cannot compute"),
        "ed448-pkcs8.der": .refused("it is an Ed448 key, whose public key certpush cannot compute"),
        "ed448-pkcs8.pem": .refused("it is an Ed448 key, whose public key certpush cannot compute"),
        "ec-missing-curve.pem": .refused("it does not say which curve it is on"),
        "explicit_parameters_private_key.pem": .refused("its curve is given as explicit numbers that are no named curve's"),
        "explicit_parameters_wap_wsg_idm_ecid_wtls11_private_key.pem": .refused("its curve is given as explicit numbers that are no named curve's"),
        "high-bit-set.pem": .imports("EC-P256", ""),
        "secp128r1_private_key.pem": .refused("its curve (secp128r1) is not one whose keys certpush can check"),
        "secp256k1-explicit-no-seed.pem": .imports("EC-secp256k1", ""),
        "secp256r1-explicit-no-seed.pem": .imports("EC-P256", ""),
        "secp256r1-explicit-seed.pem": .imports("EC-P256", ""),
        "secp384r1-explicit-no-seed.pem": .imports("EC-P384", ""),
        "secp384r1-explicit-seed.pem": .imports("EC-P384", ""),
        "secp521r1-explicit-no-seed.pem": .imports("EC-P521", ""),
        "secp521r1-explicit-seed.pem": .imports("EC-P521", ""),
        "truncated-private-key.der": .imports("EC-P256", ""),
    ]

    /// What each certificate concludes, imported alone.
    static let certificates: [String: Conclusion] = [
        "accvraiz1.pem": .refused("is a CA certificate, not a server certificate"),
        "admissions_extension_authority_not_provided.pem": .refused("names no usable domain"),
        "admissions_extension_optional_data_not_provided.pem": .refused("names no usable domain"),
        "aia_ca_issuers.pem": .imports("RSA-2048", "cryptography.io"),
        "aia_ocsp.pem": .imports("RSA-2048", "cryptography.io"),
        "aia_ocsp_ca_issuers.pem": .imports("RSA-2048", "cryptography.io"),
        "all_key_usages.pem": .imports("RSA-2048", "cryptography"),
        "all_supported_names.pem": .refused("names no usable domain"),
        "alternate-rsa-sha1-oid.der": .imports("RSA-1024", "vps1"),
        "authority_key_identifier.pem": .imports("RSA-2048", "cryptography.io"),
        "authority_key_identifier_no_keyid.pem": .imports("RSA-2048", "cryptography.io"),
        "bad_country.pem": .refused("names no domain"),
        "badasn1time.pem": .refused("is truncated or damaged"),
        "badssl-sct-anonymous-sig.der": .imports("RSA-2048", "invalid-expected-sct.badssl.com"),
        "badssl-sct-none-hash.der": .imports("RSA-2048", "invalid-expected-sct.badssl.com"),
        "badssl-sct.pem": .imports("RSA-2048", "invalid-expected-sct.badssl.com"),
        "basic_constraints_not_critical.pem": .imports("RSA-2048", "cryptography.io"),
        "bc_path_length_zero.pem": .refused("is a CA certificate, not a server certificate"),
        "belgian-eid-invalid-visiblestring.pem": .refused("names no usable domain"),
        "bigoid.pem": .refused("is a CA certificate, not a server certificate"),
        "cdp_all_reasons.pem": .imports("RSA-1024", "leaf"),
        "cdp_crl_issuer.pem": .imports("RSA-1024", "leaf"),
        "cdp_empty_hostname.pem": .refused("names no domain"),
        "cdp_fullname_reasons_crl_issuer.pem": .imports("RSA-1024", "leaf"),
        "cdp_reason_aa_compromise.pem": .imports("RSA-1024", "leaf"),
        "cp_cps_uri.pem": .refused("names no usable domain"),
        "cp_invalid.pem": .refused("names no usable domain"),
        "cp_invalid2.der": .refused("names no usable domain"),
        "cp_user_notice_no_explicit_text.pem": .refused("names no usable domain"),
        "cp_user_notice_with_explicit_text.pem": .refused("names no usable domain"),
        "cp_user_notice_with_notice_reference.pem": .refused("names no usable domain"),
        "cryptography-scts-tbs-precert.der": .refused("is truncated or damaged"),
        "cryptography-scts.pem": .imports("RSA-2048", "cryptography.io"),
        "cryptography.io.chain.pem": .imports("RSA-4096", "www.cryptography.io"),
        "cryptography.io.chain_with_garbage.pem": .refused("holds no private key that can be read"),
        "cryptography.io.old_header.pem": .imports("RSA-4096", "www.cryptography.io"),
        "cryptography.io.pem": .imports("RSA-4096", "www.cryptography.io"),
        "cryptography.io.precert.pem": .imports("RSA-2048", "cryptography.io"),
        "cryptography.io.with_garbage.pem": .refused("holds no private key that can be read"),
        "cryptography.io.with_headers.pem": .refused("cannot be used"),
        "department-of-state-root.pem": .refused("is a CA certificate, not a server certificate"),
        "dsa_null_alg_params.pem": .imports("DSA-2048", "example"),
        "dsa_selfsigned_ca.pem": .refused("is a CA certificate, not a server certificate"),
        "e-trust.ru.der": .refused("is a CA certificate, not a server certificate"),
        "ec_no_named_curve.pem": .imports("EC-P256", "xyli:zb3l:5jh6:euvx:wukj:kl6y:rhco:tesy:isxm:2yve:fnhu:zi6q"),
        "ecdsa_null_alg.pem": .imports("EC-P256", "test"),
        "ecdsa_root.pem": .refused("is a CA certificate, not a server certificate"),
        "ed25519-rfc8410.pem": .refused("names no usable domain"),
        "ee-pss-sha1-cert.pem": .imports("RSA-2048", "pss-sha1"),
        "ekucrit-testuser-cert.pem": .imports("RSA-2048", "e0dcbf51-0224-4363-b75e-b6cfb1817753"),
        "empty-eku.pem": .imports("EC-P256", "example.com"),
        "extended_key_usage.pem": .imports("RSA-2048", "cryptography.io"),
        "freshestcrl.pem": .refused("names no domain"),
        "ian_uri.pem": .refused("names no domain"),
        "inhibit_any_policy_5.pem": .imports("RSA-2048", "cryptography.io"),
        "inhibit_any_policy_negative.pem": .imports("RSA-2048", "cryptography.io"),
        "invalid-sct-length.der": .imports("RSA-2048", "cryptography.io"),
        "invalid-sct-version.der": .imports("RSA-2048", "cryptography.io"),
        "invalid_signature_cert.pem": .refused("names no usable domain"),
        "invalid_signature_crl.pem": .refused("holds no certificate"),
        "invalid_utf8_common_name.pem": .refused("names no usable domain"),
        "invalid_version.pem": .refused("is a CA certificate, not a server certificate"),
        "letsencryptx3.pem": .refused("is a CA certificate, not a server certificate"),
        "long-form-name-attribute.pem": .refused("names no domain"),
        "malformed-ian.pem": .refused("names no domain"),
        "malformed-san.pem": .refused("names no domain"),
        "mismatch_inner_outer_sig_algorithm.der": .imports("RSA-4096", "www.cryptography.io"),
        "ms-certificate-template.pem": .refused("names no domain"),
        "nc_excluded.pem": .imports("RSA-2048", "cryptography"),
        "nc_invalid_ip4_netmask.der": .imports("RSA-2048", "cryptography"),
        "nc_invalid_ip_netmask.pem": .imports("RSA-2048", "cryptography"),
        "nc_ip_invalid_length.pem": .imports("RSA-2048", "cryptography"),
        "nc_permitted.pem": .imports("RSA-2048", "cryptography"),
        "nc_permitted_2.pem": .imports("RSA-2048", "cryptography"),
        "nc_permitted_excluded.pem": .imports("RSA-2048", "cryptography"),
        "nc_permitted_excluded_2.pem": .imports("RSA-2048", "cryptography"),
        "nc_single_ip_netmask.pem": .imports("RSA-2048", "cryptography"),
        "negative_serial.pem": .imports("RSA-2048", "*.gov.us"),
        "no_sans.pem": .refused("names no usable domain"),
        "ocsp_nocheck.pem": .imports("RSA-2048", "cryptography.io"),
        "pc_inhibit.pem": .imports("RSA-2048", "cryptography"),
        "pc_inhibit_require.pem": .imports("RSA-2048", "cryptography"),
        "pc_require.pem": .imports("RSA-2048", "cryptography"),
        "policy_constraints_explicit.pem": .refused("names no usable domain"),
        "post2000utctime.pem": .refused("is a CA certificate, not a server certificate"),
        "private_key_usage_period_both_dates.pem": .imports("RSA-2048", "ats.com"),
        "private_key_usage_period_only_not_after.pem": .imports("RSA-2048", ".com"),
        "private_key_usage_period_only_not_before.pem": .imports("RSA-2048", "it.com"),
        "rapidssl_sha256_ca_g3.pem": .refused("is a CA certificate, not a server certificate"),
        "root-ed25519.pem": .refused("is a CA certificate, not a server certificate"),
        "root-ed448.pem": .refused("is a CA certificate, not a server certificate"),
        "rsa_pss.pem": .imports("RSA-PSS-2048", "rootca"),
        "rsa_pss_cert.pem": .imports("RSA-PSS-2048", "cryptogaphy.io"),
        "rsa_pss_cert_invalid_mgf.der": .imports("RSA-PSS-2048", "cryptography.io"),
        "rsa_pss_cert_no_sig_params.der": .imports("RSA-PSS-2048", "cryptography.io"),
        "rsa_pss_cert_unsupported_mgf_hash.der": .imports("RSA-PSS-2048", "cryptography.io"),
        "rsa_pss_sha256_no_null.pem": .imports("RSA-2048", "testing"),
        "san_dirname.pem": .refused("names no domain"),
        "san_edipartyname.der": .imports("DSA-1024", "yassir"),
        "san_email_dns_ip_dirname_uri.pem": .imports("RSA-2048", "cryptography.io"),
        "san_empty_hostname.pem": .refused("names no usable domain"),
        "san_idna2003_dnsname.pem": .imports("RSA-2048", "xn--k4h.ws"),
        "san_idna_names.pem": .imports("RSA-2048", "xn--80ato2c.cryptography"),
        "san_ipaddr.pem": .refused("names no domain"),
        "san_other_name.pem": .imports("RSA-2048", "cryptography"),
        "san_registered_id.pem": .imports("RSA-1024", "leaf"),
        "san_rfc822_idna.pem": .refused("names no domain"),
        "san_rfc822_names.pem": .refused("names no domain"),
        "san_uri_with_port.pem": .refused("names no domain"),
        "san_wildcard_idna.pem": .imports("RSA-2048", "*.xn--80ato2c.cryptography"),
        "san_x400address.der": .imports("DSA-1024", "yassir"),
        "scottishpower-bitstring-dn.pem": .imports("EC-P256", "scottishpower"),
        "server-ed25519-cert.pem": .imports("Ed25519", "ed25519"),
        "server-ed448-cert.pem": .imports("Ed448", "ed448"),
        "sia.pem": .refused("names no domain"),
        "tls-feature-ocsp-staple.pem": .imports("RSA-2048", "rsa2048.scotthelme.co.uk"),
        "two_basic_constraints.pem": .imports("RSA-2048", "cryptography.io"),
        "unique_identifier.pem": .imports("EC-P256", "scottishpower"),
        "unsupported_extension.pem": .imports("RSA-2048", "cryptography"),
        "unsupported_extension_2.pem": .refused("names no usable domain"),
        "unsupported_extension_critical.pem": .imports("RSA-2048", "cryptography"),
        "unsupported_subject_name.pem": .refused("names no usable domain"),
        "unsupported_subject_public_key_info.pem": .imports("OID 1.3.6.1.4.1.8432.1.1.2", "www.yassl.com"),
        "utf8-dnsname.pem": .imports("RSA-2048", "partner.biztositas.hu"),
        "utf8_common_name.pem": .refused("names no usable domain"),
        "v1_cert.pem": .refused("names no usable domain"),
        "valid_signature_cert.pem": .refused("names no usable domain"),
        "valid_signature_crl.pem": .refused("holds no certificate"),
        "verisign_md2_root.pem": .refused("names no domain"),
        "wildcard_san.pem": .imports("RSA-4096", "*.langui.sh"),
        "wosign-bc-invalid.pem": .refused("names no usable domain"),
    ]

    struct KeyRow: Sendable, CustomTestStringConvertible {
        var file: String, certificate: String?, passphrase: String?
        var testDescription: String { file }
    }

    static func keyRows() throws -> [KeyRow] {
        let text = try String(contentsOf: Fixtures.pyca.appendingPathComponent("keys/MANIFEST.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return KeyRow(file: fields[0], certificate: fields[1] == "-" ? nil : fields[1], passphrase: fields[2] == "-" ? nil : fields[2])
        }
    }

    static func certificateFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Fixtures.pyca.appendingPathComponent("x509").path).sorted()
    }

    @Test func everyVectorHasAConclusion() throws {
        let keyFiles = try Self.keyRows().map(\.file), certificateFiles = try Self.certificateFiles()
        #expect(keyFiles.count >= 100 && certificateFiles.count >= 130)
        #expect(Set(keyFiles) == Set(Self.keys.keys))
        #expect(Set(certificateFiles) == Set(Self.certificates.keys))
    }

    @Test(arguments: try keyRows())
    func keyReachesItsConclusion(row: KeyRow) throws {
        let certificate = try row.certificate.map { try Fixtures.pycaFile("keys/" + $0) } ?? Fixtures.file("rsa-www.crt.pem")
        let request = ImportRequest(certificate: certificate, key: try Fixtures.pycaFile("keys/" + row.file), passphrase: row.passphrase)
        try expect(Self.keys[row.file], for: request, file: row.file, hosted: true)
    }

    @Test(arguments: try certificateFiles())
    func certificateReachesItsConclusion(file: String) throws {
        try expect(Self.certificates[file], for: ImportRequest(certificate: try Fixtures.pycaFile("x509/" + file)), file: file, hosted: false)
    }

    @Test("a DER encrypted key asks for its passphrase, and a wrong one is said to be wrong (issue 21)")
    func encryptedDERKey() throws {
        let certificate = try Fixtures.pycaFile("keys/ec_private_key_encrypted.der.crt.pem")
        let key = try Fixtures.pycaFile("keys/ec_private_key_encrypted.der")
        #expect(throws: ImportError(file: key.name, reason: .needsPassphrase)) {
            try CertificateImporter.draft(ImportRequest(certificate: certificate, key: key), now: testNow)
        }
        #expect(throws: ImportError(file: key.name, reason: .wrongPassphrase)) {
            try CertificateImporter.draft(ImportRequest(certificate: certificate, key: key, passphrase: "654321"), now: testNow)
        }
        let draft = try CertificateImporter.draft(ImportRequest(certificate: certificate, key: key, passphrase: "123456"), now: testNow)
        #expect(draft.privateKeyPEM?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true, "stored decrypted, as PKCS#8")
    }

    @Test("key and certificate files with bytes changed at random never stop the importer (F2: no input ends certpush with a signal)")
    func mutatedFilesAreRefusedNotFatal() throws {
        var seed: UInt64 = 0x5EED_2026
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        let pairs = [("keys/enc-rsa-3des.pem.crt.pem", "keys/testrsa.der"), ("keys/ec_private_key.der.crt.pem", "keys/ec_private_key.der"),
                     ("keys/secp256k1-explicit-no-seed.pem.crt.pem", "keys/ed25519-pkcs8-enc.der"),
                     ("keys/rsa_pss_2048.pem.crt.pem", "keys/ec_private_key_encrypted.der")]
        var outcomes = (imported: 0, refused: 0)
        for (certificateFile, keyFile) in pairs {
            let certificate = try Fixtures.pycaFile(certificateFile), key = try Fixtures.pycaFile(keyFile)
            for round in 0..<150 {
                var mutatedKey = key.bytes, mutatedCertificate = certificate.bytes
                for _ in 0...(round % 3) { mutatedKey[next() % mutatedKey.count] = UInt8(truncatingIfNeeded: next()) }
                if round % 5 == 0 { mutatedCertificate[next() % mutatedCertificate.count] = UInt8(truncatingIfNeeded: next()) }
                let request = ImportRequest(certificate: InputFile(name: certificate.name, bytes: mutatedCertificate),
                                            key: InputFile(name: key.name, bytes: mutatedKey), passphrase: "123456")
                do {
                    _ = try CertificateImporter.draft(request, now: testNow)
                    outcomes.imported += 1
                } catch {
                    #expect(!error.sentence.isEmpty)
                    outcomes.refused += 1
                }
            }
        }
        #expect(outcomes.refused > 400, "\(outcomes)")
    }

    private func expect(_ conclusion: Conclusion?, for request: ImportRequest, file: String, hosted: Bool) throws {
        switch conclusion {
        case .imports(let algorithm, let domain):
            do {
                let draft = try CertificateImporter.draft(request, now: testNow)
                #expect(draft.certificate.keyAlgorithm.rawValue == algorithm, "\(file)")
                if !domain.isEmpty { #expect(draft.certificate.domains.first == domain, "\(file)") }
                #expect(draft.certificate.hasPrivateKey == hosted, "\(file)")
                if hosted { #expect(draft.privateKeyPEM?.contains("PRIVATE KEY") == true, "\(file)") }
            } catch {
                Issue.record("\(file) was refused: \(error.sentence)")
            }
        case .refused(let words):
            do {
                let draft = try CertificateImporter.draft(request, now: testNow)
                Issue.record("\(file) imported as \(draft.certificate.keyAlgorithm) \(draft.certificate.domains)")
            } catch {
                #expect(error.sentence.contains(words), "\(file): \(error.sentence)")
                #expect(error.sentence.hasPrefix(file) || error.sentence.contains(" \(file) "), "the sentence names the file: \(error.sentence)")
            }
        case nil:
            Issue.record("no conclusion stated for \(file)")
        }
    }
}
