/// Elliptic curves over prime fields, for one job: computing the public point
/// of an EC private key from its secret (SPEC C2), on the curves swift-crypto
/// does not do (SM2, secp256k1, brainpool, secp224r1) and on keys that spell
/// their curve out as explicit parameters.
///
/// Not constant-time: it runs once per import on a key the user already
/// holds, never on a secret an attacker can time.
struct PrimeCurve {
    let name: String
    let oid: String
    let field: MontgomeryField
    let a: [UInt64], b: [UInt64]
    let generator: (x: [UInt64], y: [UInt64])
    let order: [UInt64]
    /// The field's size in bytes: each coordinate of an encoded point.
    let byteCount: Int

    init(name: String, oid: String, p: String, a: String, b: String, g: String, n: String) {
        self.init(name: name, oid: oid, p: Self.bytes(hex: p), a: Self.bytes(hex: a), b: Self.bytes(hex: b),
                  g: Self.bytes(hex: g), n: Self.bytes(hex: n))!
    }

    /// From big-endian numbers; nil when they do not make a curve this code can use.
    init?(name: String, oid: String, p: [UInt8], a: [UInt8], b: [UInt8], g: [UInt8], n: [UInt8]) {
        let p = Self.trimmed(p)
        guard p.count >= 16, p.last.map({ $0 & 1 == 1 }) == true else { return nil }
        let limbs = (p.count + 7) / 8
        let field = MontgomeryField(modulus: Limbs.from(bytes: p, count: limbs))
        byteCount = p.count
        guard g.count == 1 + 2 * byteCount, g.first == 4 else { return nil }
        let x = Limbs.from(bytes: Array(g[1...byteCount]), count: limbs)
        let y = Limbs.from(bytes: Array(g[(1 + byteCount)...]), count: limbs)
        let aLimbs = Limbs.from(bytes: Self.trimmed(a), count: limbs), bLimbs = Limbs.from(bytes: Self.trimmed(b), count: limbs)
        guard [x, y, aLimbs, bLimbs].allSatisfy({ Limbs.less($0, field.modulus) }) else { return nil }
        self.name = name
        self.oid = oid
        self.field = field
        self.a = field.enter(aLimbs)
        self.b = field.enter(bLimbs)
        generator = (field.enter(x), field.enter(y))
        let n = Self.trimmed(n)
        order = Limbs.from(bytes: n, count: max(limbs, (n.count + 7) / 8))
    }

    /// The uncompressed point (04 ‖ x ‖ y) of `secret × G`, or nil when the
    /// secret is not a scalar of this curve (zero, or not below the order).
    func publicPoint(secret: [UInt8]) -> [UInt8]? {
        let scalar = Self.trimmed(secret)
        guard !scalar.isEmpty, (scalar.count + 7) / 8 <= order.count else { return nil }
        guard Limbs.less(Limbs.from(bytes: scalar, count: order.count), order) else { return nil }
        var result: Jacobian?
        let base = Jacobian(x: generator.x, y: generator.y, z: field.one)
        for byte in scalar {
            for shift in stride(from: 7, through: 0, by: -1) {
                result = result.flatMap(double)
                if (byte >> UInt8(shift)) & 1 == 1 {
                    result = result.map { add($0, base) } ?? base
                }
            }
        }
        guard let point = result else { return nil }
        let zInverse = field.inverse(point.z)
        let zz = field.multiply(zInverse, zInverse)
        let x = field.leave(field.multiply(point.x, zz))
        let y = field.leave(field.multiply(point.y, field.multiply(zz, zInverse)))
        return [4] + Limbs.bytes(x, count: byteCount) + Limbs.bytes(y, count: byteCount)
    }

    /// Whether the point is on this curve, in the encoding certificates use
    /// (uncompressed or compressed), and equal to `uncompressed`.
    static func samePoint(_ encoded: [UInt8], _ uncompressed: [UInt8]) -> Bool {
        if encoded == uncompressed { return true }
        guard let prefix = encoded.first, prefix == 2 || prefix == 3, uncompressed.count == 2 * (encoded.count - 1) + 1 else { return false }
        let size = encoded.count - 1
        return Array(encoded.dropFirst()) == Array(uncompressed[1...size])
            && (uncompressed.last.map { $0 & 1 } ?? 0) == prefix & 1
    }

    // MARK: - Points in Jacobian coordinates, Montgomery form

    struct Jacobian {
        var x: [UInt64], y: [UInt64], z: [UInt64]
    }

    /// dbl-2007-bl, for any a. Nil is the point at infinity.
    private func double(_ p: Jacobian) -> Jacobian? {
        let f = field
        if Limbs.isZero(p.y) { return nil }
        let xx = f.square(p.x), yy = f.square(p.y), yyyy = f.square(yy), zz = f.square(p.z)
        let s = f.twice(f.subtract(f.subtract(f.square(f.add(p.x, yy)), xx), yyyy))
        let m = f.add(f.add(f.twice(xx), xx), f.multiply(a, f.square(zz)))
        let t = f.subtract(f.square(m), f.twice(s))
        let y3 = f.subtract(f.multiply(m, f.subtract(s, t)), f.twice(f.twice(f.twice(yyyy))))
        let z3 = f.subtract(f.subtract(f.square(f.add(p.y, p.z)), yy), zz)
        return Jacobian(x: t, y: y3, z: z3)
    }

    /// add-2007-bl. Nil is the point at infinity.
    private func add(_ p: Jacobian, _ q: Jacobian) -> Jacobian? {
        let f = field
        let z1z1 = f.square(p.z), z2z2 = f.square(q.z)
        let u1 = f.multiply(p.x, z2z2), u2 = f.multiply(q.x, z1z1)
        let s1 = f.multiply(p.y, f.multiply(q.z, z2z2)), s2 = f.multiply(q.y, f.multiply(p.z, z1z1))
        let h = f.subtract(u2, u1), r = f.twice(f.subtract(s2, s1))
        if Limbs.isZero(h) { return Limbs.isZero(r) ? double(p) : nil }
        let i = f.square(f.twice(h)), j = f.multiply(h, i), v = f.multiply(u1, i)
        let x3 = f.subtract(f.subtract(f.square(r), j), f.twice(v))
        let y3 = f.subtract(f.multiply(r, f.subtract(v, x3)), f.twice(f.multiply(s1, j)))
        let z3 = f.multiply(f.subtract(f.subtract(f.square(f.add(p.z, q.z)), z1z1), z2z2), h)
        return Jacobian(x: x3, y: y3, z: z3)
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.drop(while: { $0 == 0 }))
    }

    private static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }
}

/// Arithmetic modulo an odd prime in Montgomery form (R = 2^(64·limbs)).
struct MontgomeryField {
    let modulus: [UInt64]
    /// −modulus⁻¹ mod 2^64.
    private let inverseOfLowLimb: UInt64
    /// R² mod modulus, to enter Montgomery form.
    private let rSquared: [UInt64]
    let one: [UInt64]

    init(modulus: [UInt64]) {
        self.modulus = modulus
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- modulus[0] &* inverse) }
        inverseOfLowLimb = 0 &- inverse
        // R mod p by doubling 1, then R² mod p by doubling on.
        var value = [UInt64](repeating: 0, count: modulus.count)
        value[0] = 1
        var r: [UInt64] = []
        for step in 1...(128 * modulus.count) {
            value = Self.add(value, value, modulo: modulus)
            if step == 64 * modulus.count { r = value }
        }
        rSquared = value
        one = r
    }

    func enter(_ value: [UInt64]) -> [UInt64] { multiply(value, rSquared) }

    func leave(_ value: [UInt64]) -> [UInt64] {
        var unit = [UInt64](repeating: 0, count: modulus.count)
        unit[0] = 1
        return multiply(value, unit)
    }

    func square(_ a: [UInt64]) -> [UInt64] { multiply(a, a) }

    /// CIOS Montgomery multiplication: a·b·R⁻¹ mod p.
    func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let n = modulus.count
        var t = [UInt64](repeating: 0, count: n + 2)
        for i in 0..<n {
            var carry: UInt64 = 0
            for j in 0..<n {
                (carry, t[j]) = Self.multiplyAdd(a[j], b[i], t[j], carry)
            }
            let (sum, overflow) = t[n].addingReportingOverflow(carry)
            t[n] = sum
            t[n + 1] = overflow ? 1 : 0
            let m = t[0] &* inverseOfLowLimb
            (carry, _) = Self.multiplyAdd(m, modulus[0], t[0], 0)
            for j in 1..<n {
                (carry, t[j - 1]) = Self.multiplyAdd(m, modulus[j], t[j], carry)
            }
            let (top, topOverflow) = t[n].addingReportingOverflow(carry)
            t[n - 1] = top
            t[n] = t[n + 1] &+ (topOverflow ? 1 : 0)
        }
        return Self.reduced(Array(t[0..<n]), overflow: t[n] != 0, modulo: modulus)
    }

    func add(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] { Self.add(a, b, modulo: modulus) }

    func twice(_ a: [UInt64]) -> [UInt64] { add(a, a) }

    func subtract(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let (difference, borrow) = Limbs.subtract(a, b)
        return borrow ? Limbs.add(difference, modulus).sum : difference
    }

    /// a^(p−2): the inverse, p being prime.
    func inverse(_ a: [UInt64]) -> [UInt64] {
        var exponent = modulus
        exponent = Limbs.subtract(exponent, [2] + [UInt64](repeating: 0, count: modulus.count - 1)).difference
        var result = one
        for limb in exponent.reversed() {
            for shift in stride(from: 63, through: 0, by: -1) {
                result = square(result)
                if (limb >> UInt64(shift)) & 1 == 1 { result = multiply(result, a) }
            }
        }
        return result
    }

    /// (high, low) of a·b + c + d, which always fits in 128 bits.
    private static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        var (high, low) = a.multipliedFullWidth(by: b)
        var overflow: Bool
        (low, overflow) = low.addingReportingOverflow(c)
        if overflow { high &+= 1 }
        (low, overflow) = low.addingReportingOverflow(d)
        if overflow { high &+= 1 }
        return (high, low)
    }

    /// a + b mod p, for a and b below p.
    private static func add(_ a: [UInt64], _ b: [UInt64], modulo modulus: [UInt64]) -> [UInt64] {
        let (sum, carry) = Limbs.add(a, b)
        return reduced(sum, overflow: carry, modulo: modulus)
    }

    /// A value below 2p (with the bit above its limbs in `overflow`) brought below p.
    private static func reduced(_ value: [UInt64], overflow: Bool, modulo modulus: [UInt64]) -> [UInt64] {
        overflow || !Limbs.less(value, modulus) ? Limbs.subtract(value, modulus).difference : value
    }
}

/// Little-endian arrays of 64-bit limbs, all of one length.
enum Limbs {
    static func from(bytes: [UInt8], count: Int) -> [UInt64] {
        var limbs = [UInt64](repeating: 0, count: count)
        for (index, byte) in bytes.reversed().enumerated() where index / 8 < count {
            limbs[index / 8] |= UInt64(byte) << UInt64(8 * (index % 8))
        }
        return limbs
    }

    static func bytes(_ limbs: [UInt64], count: Int) -> [UInt8] {
        (0..<count).reversed().map { index in
            index / 8 < limbs.count ? UInt8(truncatingIfNeeded: limbs[index / 8] >> UInt64(8 * (index % 8))) : 0
        }
    }

    static func isZero(_ a: [UInt64]) -> Bool { a.allSatisfy { $0 == 0 } }

    static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for index in stride(from: a.count - 1, through: 0, by: -1) where a[index] != b[index] {
            return a[index] < b[index]
        }
        return false
    }

    static func add(_ a: [UInt64], _ b: [UInt64]) -> (sum: [UInt64], carry: Bool) {
        var result = a, carry = false
        for index in a.indices {
            let (first, o1) = a[index].addingReportingOverflow(b[index])
            let (second, o2) = first.addingReportingOverflow(carry ? 1 : 0)
            result[index] = second
            carry = o1 || o2
        }
        return (result, carry)
    }

    static func subtract(_ a: [UInt64], _ b: [UInt64]) -> (difference: [UInt64], borrow: Bool) {
        var result = a, borrow = false
        for index in a.indices {
            let (first, o1) = a[index].subtractingReportingOverflow(b[index])
            let (second, o2) = first.subtractingReportingOverflow(borrow ? 1 : 0)
            result[index] = second
            borrow = o1 || o2
        }
        return (result, borrow)
    }
}
