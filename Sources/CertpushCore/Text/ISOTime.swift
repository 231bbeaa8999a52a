import Foundation

/// `2026-12-01T09:30:00Z`: UTC, to the second. Built by hand because a new
/// `ISO8601DateFormatter` per date cost 120 µs, most of `certs list` at
/// 100,000 certificates; this is thread-safe and allocates one string.
public enum ISOTime {
    public static func string(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func digits(_ value: Int32, _ count: Int) {
            var divisor: Int32 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(48 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); bytes.append(0x2D)
        digits(parts.tm_mon + 1, 2); bytes.append(0x2D)
        digits(parts.tm_mday, 2); bytes.append(0x54)
        digits(parts.tm_hour, 2); bytes.append(0x3A)
        digits(parts.tm_min, 2); bytes.append(0x3A)
        digits(parts.tm_sec, 2); bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }
}
