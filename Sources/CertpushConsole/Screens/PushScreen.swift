import CertpushCore
import Foundation
import TerminalKit

/// Certificate list > More > Push (SPEC 4, 7): the certificate, the services
/// as checkboxes with a region picker for regional ones, Push Certificate at
/// the lower right, and the latest 10 push records.
final class PushScreen: Screen {
    let session: Session
    let certificate: Certificate
    let services = CloudService.pushTargets
    private(set) var checked: Set<String> = []
    private(set) var regions: [String: [String]] = [:]
    /// 0..<services.count: a service row; services.count: the Push Certificate button.
    private(set) var focus = 0
    private var records: (version: Int, rows: [PushRecord])?
    private var targets: [(y: Int, x: Range<Int>, focus: Int)] = []
    /// The account the push goes to (H4): the sandbox, or a Huawei Cloud account; `a` switches.
    private(set) var account: Account

    init(session: Session, certificate: Certificate) {
        self.session = session
        self.certificate = certificate
        accounts = session.services.push.accounts
        account = accounts.first ?? .sandbox
    }

    var title: String { "Push Certificate · \(certificate.id) \(DisplayText.neutralized(certificate.name))" }
    var words: [String] { ["push", "region", "account", "bind"] }
    /// The accounts that take pushes, read once.
    private let accounts: [Account]
    var buttonFocused: Bool { focus == services.count }

    var commands: [Command] {
        [Command([.up, .down, .character("j"), .character("k")], "move", label: "↑↓") { [unowned self] key in
            // ↓ from the Push button goes round to the first service.
            self.focus = key == .up || key == .character("k") ? max(0, self.focus - 1) : (self.buttonFocused ? 0 : self.focus + 1)
            return .handled
        },
         Command([.character(" ")], "check service", label: "Space") { [unowned self] in
             if !self.buttonFocused { self.toggle(self.services[self.focus]) }
             return .handled
         },
         Command([.character("r"), .right], "pick regions", label: "r") { [unowned self] in
             guard !self.buttonFocused, self.services[self.focus].regional else { return .handled }
             return .open(self.pickerFor(self.services[self.focus]))
         },
         Command([.tab, .backTab], buttonFocused ? "to the services" : "to the Push button", label: "Tab", essential: true) { [unowned self] key in
             if key == .tab { self.focus = self.buttonFocused ? 0 : self.services.count } else {
                 self.focus = self.buttonFocused ? self.services.count - 1 : self.services.count
             }
             return .handled
         },
         Command([.enter], buttonFocused ? "push" : "check / regions") { [unowned self] in
             if self.buttonFocused { return self.confirmSubmit() }
             let service = self.services[self.focus]
             if service.regional { return .open(self.pickerFor(service)) }
             self.toggle(service)
             return .handled
         },
         Command([.character("a")], "switch account", label: "a") { [unowned self] in
             let all = self.accounts
             guard all.count > 1, let index = all.firstIndex(of: self.account) else { return .handled }
             self.account = all[(index + 1) % all.count]
             self.reset()
             return .handled
         },
         Command([.escape], "back") { .close }]
    }

    /// Clears the selection (Continue Pushing).
    func reset() {
        checked = []
        regions = [:]
        focus = 0
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let target = targets.first(where: { $0.y == y && $0.x.contains(x) }) else { return .handled }
        focus = target.focus
        return handle(buttonFocused ? .enter : .character(" "))
    }

    private func toggle(_ service: CloudService) {
        if checked.contains(service.code) { checked.remove(service.code) } else { checked.insert(service.code) }
    }

    private func pickerFor(_ service: CloudService) -> RegionPicker {
        // The account's driver says its regions, and where the service is enabled (P6).
        let account = account, push = session.services.push
        let choices: [(region: Region, enabled: Bool)] = session.attempt({
            try push.regions(of: account).map { ($0.region, $0.services.contains(service.code)) }
        }, default: [])
        return RegionPicker(session: session, service: service, regions: choices, selected: regions[service.code] ?? []) { [weak self] chosen in
            self?.regions[service.code] = chosen
            if chosen.isEmpty { self?.checked.remove(service.code) } else { self?.checked.insert(service.code) }
        }
    }

    var request: PushRequest {
        PushRequest(certificate: certificate.id, selections: services.filter { checked.contains($0.code) }.map {
            PushRequest.Selection(service: $0.code, regions: $0.regional ? regions[$0.code] ?? [] : [])
        }, account: account.name)
    }

    /// The console pushes (provider work); the results open over this page.
    /// W5: a live workspace asks first, naming the account and the targets.
    private func confirmSubmit() -> KeyResult {
        guard session.context.confirmsChanges else { return submit() }
        let targets = request.selections.flatMap { selection in
            selection.regions.isEmpty ? [PushTarget(service: selection.service, region: nil)]
                : selection.regions.map { PushTarget(service: selection.service, region: $0) }
        }
        guard !targets.isEmpty else { return submit() }
        return .open(ConfirmDialog(title: "Push to a live account?",
                                   text: LiveConfirmation.push(certificate.id, account: account, targets: targets),
                                   confirmTitle: "Push", theme: session.theme) { [unowned self] in
            self.submit(replacingDialog: true)
        })
    }

    /// K1: the push runs away from the keys (a cloud may take its time with
    /// 21 targets); its results open when it is done. From the confirmation,
    /// the confirmation closes at once.
    private func submit(replacingDialog: Bool = false) -> KeyResult {
        let request = request, push = session.services.push
        session.run("push \(certificate.id)", { try push.push(request) }, then: { [unowned self] result in
            switch result {
            case .success(let results):
                return .open(PushResultDialog(session: self.session, certificate: self.certificate, results: results, pushPage: self))
            case .failure(let error):
                self.session.complain(error)
                return .handled
            }
        })
        return replacingDialog ? .close : .handled
    }

    private var latestRecords: [PushRecord] {
        if let records, records.version == session.version(of: .pushes) { return records.rows }
        let rows = session.attempt({ try session.services.push.records(for: certificate.id, limit: 10) }, default: [])
        records = (session.version(of: .pushes), rows)
        return rows
    }

    /// What the last `load` read: the latest records, and which global services are enabled.
    private var shownRecords: [PushRecord] = []
    private var globalEnabled: [String: Bool] = [:]

    func load(in rect: Rect) {
        shownRecords = latestRecords
        if globalEnabled.isEmpty || records?.version != session.version(of: .pushes) {
            globalEnabled = Dictionary(uniqueKeysWithValues: services.filter { !$0.regional }.map { service in
                (service.code, session.services.push.enabled(service, in: account))
            })
        }
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let now = session.now
        var y = rect.y
        // Its status says "expired" when it is; otherwise how long it has left.
        let left = certificate.notAfter.flatMap { $0 > now ? "\(ExpiryPolicy.daysLeft(until: $0, now: now)) d left" : nil }
        let summary = [certificate.id.description, DisplayText.neutralized(certificate.domains.joined(separator: ", ")),
                       certificate.keyAlgorithm.rawValue, certificate.status(at: now).rawValue] + (left.map { [$0] } ?? [])
        for line in TextWidth.pack(summary, width: rect.width - 2, maxLines: 2) {
            buffer.write(line, x: rect.x + 1, y: y, style: theme["body"])
            y += 1
        }
        // What matters first: whose store it goes to, and how to change that; the regions as far as they fit.
        var into = "Account \(account.name) · " + account.kind.title
        if accounts.count > 1 { into += " · a: switch" }
        if !account.regions.isEmpty { into += " · regions " + account.regions.joined(separator: ", ") }
        buffer.write(TextWidth.truncate(into, to: rect.width - 2), x: rect.x + 1, y: y, style: theme["status.muted"])
        y += 2
        buffer.write("Push to", x: rect.x + 1, y: y, style: theme["table.header"])
        y += 1
        targets = []
        for (index, service) in services.enumerated() {
            let mark = checked.contains(service.code) ? "[x]" : "[ ]"
            var line = "\(mark) \(service.label.padding(toLength: 4, withPad: " ", startingAt: 0)) \(service.name.padding(toLength: 26, withPad: " ", startingAt: 0))"
            // The regions chosen, each whole: on the service's line when they fit, else on lines below it.
            var more: [String] = []
            if service.regional {
                let chosen = regions[service.code] ?? []
                line += "   regions \(chosen.count)/\(PushRules.maximumRegions)"
                let list = ": " + chosen.joined(separator: ", ")
                if chosen.isEmpty {
                    // The hint only where it fits whole: the hint bar says "r pick regions" too.
                    if TextWidth.of(line) + 13 <= rect.width - 3 { line += "  (r to pick)" }
                } else if TextWidth.of(line + list) <= rect.width - 3 {
                    line += list
                } else {
                    line += ":"
                    more = TextWidth.wrap(chosen.joined(separator: ", "), width: rect.width - 11).map { "      " + $0 }
                }
            } else {
                line += globalEnabled[service.code] == true ? "   global" : "   global (not enabled)"
            }
            let style = theme[focus == index ? "table.cursor" : "body"]
            for text in [line] + more {
                buffer.fill(Rect(x: rect.x + 1, y: y, width: rect.width - 2, height: 1), style: style)
                buffer.write(TextWidth.truncate(text, to: rect.width - 3), x: rect.x + 2, y: y, style: style)
                targets.append((y, rect.x..<rect.maxX, index))
                y += 1
            }
        }
        y += 1
        let label = "Push Certificate"
        let buttonX = rect.maxX - TextWidth.of(label) - 6
        let button = Button.render(label, focused: buttonFocused, theme: theme, at: buttonX, y: y, into: &buffer)
        targets.append((y, button, services.count))
        y += 2

        buffer.write("Latest push records", x: rect.x + 1, y: y, style: theme["table.header"])
        let table = Table(columns: [session.timeColumn("TIME"), Column("USER", .fixed(8), drop: 1), Column("TARGET", .flexible(minimum: 18), preferred: 21),
                                    Column("RESULT", .fixed(6)), Column("REASON", .flexible(minimum: 12), preferred: 20)])
        let rows = shownRecords.map { record in
            [TableCell(session.shortTime(record.at)), TableCell(DisplayText.neutralized(record.user)),
             TableCell((record.account == Account.sandboxName ? "" : "\(record.account) · ") + record.target.compact), TableCell(record.succeeded ? "pushed" : "failed", role: record.succeeded ? "status.ok" : "status.error"),
             TableCell(DisplayText.neutralized(record.reason))]
        }
        let area = Rect(x: rect.x + 1, y: y + 1, width: rect.width - 2, height: rect.maxY - y - 1)
        table.render(rows: rows, cursor: nil, focused: false, theme: theme, in: area, into: &buffer)
        if rows.isEmpty { buffer.write("No pushes yet.", x: rect.x + 1, y: y + 2, style: theme["status.muted"]) }
    }
}
