import Foundation

/// How near its end a certificate is, for colouring lists and the
/// "expiring soon" filter (SPEC 7: under 30 days warn, under 7 and expired error).
public enum ExpiryUrgency: Sendable, Equatable {
    case none, warning, critical
}

public struct ExpiryPolicy: Sendable, Equatable {
    public var warningDays: Int
    public var criticalDays: Int

    public init(warningDays: Int = 30, criticalDays: Int = 7) {
        self.warningDays = warningDays
        self.criticalDays = criticalDays
    }

    /// Whole days left, rounded down; negative once expired.
    public static func daysLeft(until notAfter: Date, now: Date) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    public func urgency(notAfter: Date?, now: Date) -> ExpiryUrgency {
        guard let notAfter else { return .none }
        if notAfter <= now { return .critical }
        let days = Self.daysLeft(until: notAfter, now: now)
        if days < criticalDays { return .critical }
        if days < warningDays { return .warning }
        return .none
    }

    /// The end of the window the "expiring soon" filter shows.
    public func warningHorizon(from now: Date) -> Date {
        now.addingTimeInterval(Double(warningDays) * 86_400)
    }
}

extension ExpiryPolicy {
    /// What the "expiring soon" filter shows: the certificates that need
    /// action, those ending within the warning window and those already expired.
    public func expiringSoon(now: Date) -> Range<Date> {
        Date.distantPast..<warningHorizon(from: now)
    }
}
