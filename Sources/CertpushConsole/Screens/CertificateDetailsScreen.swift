import CertpushCore
import Foundation
import TerminalKit

/// Every field of SPEC 2, never the key, and where the certificate is in use.
final class CertificateDetailsScreen: Screen {
    let session: Session
    let certificate: Certificate
    private var scroll = ScrollWindow()

    init(session: Session, certificate: Certificate) {
        self.session = session
        // Read through the core's details: a training workspace marks the exercise (E3).
        self.certificate = session.attempt({ try session.services.certificates.details(certificate.id) }, default: certificate)
    }

    var title: String { "Certificate \(certificate.id) · \(DisplayText.neutralized(certificate.name))" }
    var words: [String] { ["official", "uploaded", "issued", "hosted", "shared", "SM", "private key", "push", "bind"] }

    var commands: [Command] {
        [Command([.up, .down, .character("j"), .character("k"), .pageUp, .pageDown, .home, .end], "scroll", label: "↑↓") { [unowned self] key in
            self.scroll.setCount(self.shown.count)
            switch key {
            case .up, .character("k"): self.scroll.select(self.scroll.top - 1)
            case .down, .character("j"): self.scroll.select(self.scroll.top + self.scroll.height)
            default: _ = self.scroll.handle(key)
            }
            return .handled
        },
         Command([.escape], "back") { .close }]
    }

    var lines: [(label: String, value: String, role: String?)] {
        let c = certificate
        let now = session.now
        let status = c.status(at: now)
        let expiry = ExpiryText.cell(for: c, now: now, policy: session.context.expiry)
        var lines: [(String, String, String?)] = [
            ("ID", c.id.description, nil),
            ("Name", c.name, nil),
            ("Primary domain", c.primaryDomain, nil),
            ("Domains", c.domains.joined(separator: ", "), nil),
            ("Status", status.rawValue, status == .expired || status == .revoked ? "status.error" : nil),
            ("Source", c.source.rawValue, nil),
            ("Family", c.family == .sm ? "sm (SM2, national standard)" : "international", nil),
            ("Key algorithm", c.keyAlgorithm.rawValue, nil),
            ("Not before", c.notBefore.map(Self.format) ?? "-", nil),
            ("Not after", (c.notAfter.map(Self.format) ?? "-") + (expiry.text == "-" ? "" : "  (\(expiry.text))"), expiry.role),
            ("Issuer", c.issuer.isEmpty ? "-" : c.issuer, nil),
            ("Serial", c.serial.isEmpty ? "-" : c.serial, nil),
            ("SHA-256", c.fingerprint.isEmpty ? "-" : c.fingerprint, nil),
            ("Chain", c.chainPEM.isEmpty ? "none" : "\(c.chainPEM.count) intermediate certificate(s)", nil),
            ("Private key", c.hasPrivateKey ? "held here" : "no private key held", nil),
            ("CSR", Self.csr(of: c), nil),
            ("Shared", c.shared ? "yes (deploys free)" : "no", nil),
            ("", "", nil),
        ]
        let usage = session.attempt({ try session.services.push.usage(of: c.id) }, default: (stores: [], resources: []))
        if usage.stores.isEmpty {
            lines.append(("In stores", "not pushed to any service store", "status.muted"))
        }
        for (index, entry) in usage.stores.enumerated() {
            let place = entry.service.uppercased() + (entry.region.map { " in \($0)" } ?? "")
            lines.append((index == 0 ? "In stores" : "", "\(place) (\(entry.origin.rawValue))", nil))
        }
        if usage.resources.isEmpty {
            lines.append(("Bound to", "no cloud resource", "status.muted"))
        }
        for (index, resource) in usage.resources.enumerated() {
            let place = resource.service.uppercased() + (resource.region.map { " \($0)" } ?? "")
            lines.append((index == 0 ? "Bound to" : "", "\(resource.id) \(resource.name) · \(resource.domain) · \(place)", nil))
        }
        lines = lines.map { ($0.0, DisplayText.neutralized($0.1), $0.2) }
        return lines
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// The lines as the last `load` made them (the usage is read from the store).
    private var shown: [(label: String, value: String, role: String?)] = []
    private var shownVersion: Int?

    private var shownWidth = 0

    func load(in rect: Rect) {
        let version = session.version(of: .all)
        if shownVersion != version || shownWidth != rect.width {
            // A value wider than the pane goes on under its label, never cut: a SHA-256 at 80 columns.
            let room = max(8, rect.width - 19)
            shown = lines.flatMap { line -> [(label: String, value: String, role: String?)] in
                guard TextWidth.of(line.value) > room else { return [line] }
                return TextWidth.wrap(line.value, width: room).enumerated().map { ($0.offset == 0 ? line.label : "", $0.element, line.role) }
            }
            shownVersion = version
            shownWidth = rect.width
        }
        scroll.height = rect.height
        scroll.setCount(shown.count)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let all = shown
        for (offset, line) in all[scroll.top...].prefix(rect.height).enumerated() {
            let y = rect.y + offset
            buffer.write(TextWidth.fit(line.label, to: 16), x: rect.x + 1, y: y, style: theme["table.header"].with { $0.underline = false })
            let value = TextWidth.truncate(line.value, to: rect.width - 19)
            buffer.write(value, x: rect.x + 18, y: y, style: line.role.map { theme[$0] } ?? theme["body"])
        }
    }

    /// SPEC 2: an upload without its key never says "generated here" or "manually".
    static func csr(of certificate: Certificate) -> String {
        if certificate.source == .uploaded {
            return certificate.hasPrivateKey ? "made elsewhere; uploaded with its private key" : "no private key held"
        }
        return certificate.manualCSR ? "generated manually" : "generated here"
    }
}
