import Crypto
import Foundation
import Testing
@testable import CertpushCore

/// The two pieces of arithmetic certpush does itself because swift-crypto
/// does not: DES (for DES-EDE3-CBC keys, SPEC C3) and points on the curves
/// it lacks (SPEC C2). Each is checked against published values and
/// against swift-crypto where both can compute.
@Suite struct KeyArithmeticTests {
    @Test func desMatchesTheTextbookExample() {
        // The worked example of FIPS 46 as taught (Grabbe): key 133457799BBCDFF1.
        let keys = TripleDES.subkeys(0x1334_5779_9BBC_DFF1)
        #expect(TripleDES.crypt(0x0123_4567_89AB_CDEF, keys) == 0x85E8_1354_0F0A_B405)
        #expect(TripleDES.crypt(0x85E8_1354_0F0A_B405, keys.reversed()) == 0x0123_4567_89AB_CDEF)
    }

    @Test func tripleDESWithOneKeyThriceIsDES() {
        let key: [UInt8] = [0x13, 0x34, 0x57, 0x79, 0x9B, 0xBC, 0xDF, 0xF1]
        let iv = [UInt8](repeating: 0, count: 8)
        // One block of 0123456789ABCDEF, then a whole block of padding, CBC from a zero IV.
        let first: UInt64 = 0x85E8_1354_0F0A_B405
        let keys = TripleDES.subkeys(0x1334_5779_9BBC_DFF1)
        let second = TripleDES.crypt(first ^ 0x0808_0808_0808_0808, keys)
        let ciphertext = [first, second].flatMap { block in (0..<8).map { UInt8(truncatingIfNeeded: block >> UInt64(56 - 8 * $0)) } }
        #expect(TripleDES.decryptCBC(ciphertext, key: key + key + key, iv: iv) == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF])
        // Wrong padding, as a wrong passphrase gives, is nil rather than garbage.
        #expect(TripleDES.decryptCBC(Array(ciphertext.prefix(8)), key: key + key + key, iv: iv) == nil)
    }

    @Test func secp256k1DoublesItsGenerator() throws {
        let curve = try #require(PrimeCurve.named(oid: "1.3.132.0.10"))
        let one = try #require(curve.publicPoint(secret: [1]))
        #expect(one.count == 65 && one.first == 4)
        // 2G on secp256k1, as published with the curve's test vectors.
        let two = try #require(curve.publicPoint(secret: [2]))
        #expect(hex(two) == "04c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
            + "1ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a")
        #expect(curve.publicPoint(secret: []) == nil)
        #expect(curve.publicPoint(secret: Array(repeating: 0xFF, count: 32)) == nil, "a secret above the order is no key")
    }

    @Test func primeCurvesAgreeWithSwiftCrypto() throws {
        for _ in 0..<4 {
            let p256 = P256.Signing.PrivateKey(), p384 = P384.Signing.PrivateKey(), p521 = P521.Signing.PrivateKey()
            #expect(PrimeCurve.named(oid: "1.2.840.10045.3.1.7")?.publicPoint(secret: Array(p256.rawRepresentation))
                == Array(p256.publicKey.x963Representation))
            #expect(PrimeCurve.named(oid: "1.3.132.0.34")?.publicPoint(secret: Array(p384.rawRepresentation))
                == Array(p384.publicKey.x963Representation))
            #expect(PrimeCurve.named(oid: "1.3.132.0.35")?.publicPoint(secret: Array(p521.rawRepresentation))
                == Array(p521.publicKey.x963Representation))
        }
    }

    @Test func compressedPointsCompareByXAndParity() throws {
        let key = P256.Signing.PrivateKey()
        let full = Array(key.publicKey.x963Representation)
        let compressed = Array(key.publicKey.compressedRepresentation)
        #expect(PrimeCurve.samePoint(compressed, full))
        var flipped = compressed
        flipped[0] ^= 1
        #expect(!PrimeCurve.samePoint(flipped, full))
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
