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

extension ISOTime {
    /// A time as a user writes it: ISO 8601 with a zone (`2026-12-01T09:30:00Z`,
    /// `2026-12-01T17:30+08:00`), or `YYYY-MM-DD HH:MM` in `zone`.
    public static func parse(_ text: String, zone: TimeZone = .current) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = ISO8601DateFormatter().date(from: trimmed) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        // With its own zone, minutes only: 2026-12-01T17:30+08:00.
        local.dateFormat = "yyyy-MM-dd'T'HH:mmXXXXX"
        if let date = local.date(from: trimmed) { return date }
        local.timeZone = zone
        for format in ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            local.dateFormat = format
            if let date = local.date(from: trimmed) { return date }
        }
        throw Refusal("\"\(DisplayText.neutralized(text))\" is not a time: write 2026-12-01 09:30 (\(zoneLabel(zone))) or 2026-12-01T09:30:00Z.")
    }

    /// "2026-12-08 10:00" in `zone`: how people write a time (SPEC 5's custom time).
    public static func minute(_ date: Date, zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// "2026-12-08 10:00 UTC+08:00": a time shown to people, never without its zone.
    /// The one rule: a time written without a zone is read in the local zone
    /// (`parse`), and every time shown says the zone it is in.
    public static func shown(_ date: Date, zone: TimeZone) -> String {
        minute(date, zone: zone) + " " + offsetLabel(zone, at: date)
    }

    /// "UTC", "UTC+08:00".
    public static func offsetLabel(_ zone: TimeZone, at date: Date) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        return seconds == 0 ? "UTC" : String(format: "UTC%@%02d:%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
    }

    /// "UTC", "UTC+08:00 Asia/Shanghai": the zone a local time is read in.
    public static func zoneLabel(_ zone: TimeZone, at date: Date = Date()) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        let offset = offsetLabel(zone, at: date)
        let name = zone.identifier
        let universal = ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Universal", "Zulu", ""].contains(name)
        return universal && seconds == 0 ? offset : "\(offset) \(name)"
    }
}
