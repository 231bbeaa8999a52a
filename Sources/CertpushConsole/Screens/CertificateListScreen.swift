import CertpushCore
import Foundation
import TerminalKit

/// SSL Certificates: tabs All / Official / Uploaded, a filter as you type,
/// an "expiring soon" toggle, and a list that reads only the rows it shows.
final class CertificateListScreen: Screen {
    let session: Session
    private(set) var tab = 0
    private(set) var filter = TextField()
    private(set) var isFiltering = false
    private(set) var expiringOnly = false
    private var window = ScrollWindow()
    private let pages: CertificatePages
    /// Where the last frame put the tabs and the table, for mouse clicks.
    private var tabSpans: (y: Int, spans: [Range<Int>]) = (0, [])
    private var tableArea = Rect(x: 0, y: 0, width: 0, height: 0)

    static let tabs: [(title: String, source: CertificateSource?)] = [("All", nil), ("Official", .official), ("Uploaded", .uploaded)]

    init(session: Session) {
        self.session = session
        pages = CertificatePages(session: session)
    }

    var title: String { "SSL Certificates" }
    var words: [String] { ["official", "uploaded", "issued", "hosted", "pending", "expired", "revoked", "shared", "SM", "push"] }
    var isTyping: Bool { isFiltering }

    var commands: [Command] {
        if isFiltering {
            return Command.filtering("filter by name or domain",
                                     keep: { [unowned self] in self.isFiltering = false },
                                     clear: { [unowned self] in
                                         self.isFiltering = false
                                         self.clearFilter()
                                     },
                                     move: { [unowned self] in _ = self.window.handle($0) },
                                     edit: { [unowned self] in if self.filter.handle($0) { self.window.home() } })
        }
        var commands = Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.enter], "details") { [unowned self] in self.open(CertificateDetailsScreen.init) },
            Command([.character("p")], "push") { [unowned self] in
                guard let certificate = self.selectedCertificate else { return .handled }
                return self.push(certificate)
            },
            Command([.character("d")], "deploy") { [unowned self] in
                guard let certificate = self.selectedCertificate else { return .handled }
                return self.deploy(certificate)
            },
            Command([.character("m")], "more") { [unowned self] in
                guard let certificate = self.selectedCertificate else { return .handled }
                return .open(self.moreMenu(for: certificate))
            },
            Command([.character("/")], "filter") { [unowned self] in
                self.isFiltering = true
                return .handled
            },
            Command([.character("i")], "import") { [unowned self] in .open(ImportDialog(session: self.session)) },
            Command([.character("e")], "expiring or expired", label: "e") { [unowned self] in
                self.expiringOnly.toggle()
                self.window.home()
                return .handled
            },
            Command([.left, .right], "tab", label: "←→") { [unowned self] key in
                self.switchTab(to: (self.tab + (key == .right ? 1 : Self.tabs.count - 1)) % Self.tabs.count)
                return .handled
            },
            Command([.character("1"), .character("2"), .character("3")], "All / Official / Uploaded", label: "1-3", hinted: false) { [unowned self] key in
                if case .character(let c) = key, let n = c.wholeNumberValue { self.switchTab(to: n - 1) }
                return .handled
            },
        ]
        if !filter.text.isEmpty {
            commands.append(Command([.escape], "clear filter") { [unowned self] in
                self.clearFilter()
                return .handled
            })
        }
        return commands
    }

    func willHandleKey() { refreshCount() }

    private func clearFilter() {
        filter = TextField()
        window.home()
    }

    private func open(_ page: (Session, Certificate) -> Screen) -> KeyResult {
        guard let certificate = selectedCertificate else { return .handled }
        return .open(page(session, certificate))
    }

    var query: CertificateQuery {
        CertificateQuery(source: Self.tabs[tab].source, text: filter.text,
                         expiring: expiringOnly ? session.context.expiry.expiringSoon(now: session.now) : nil)
    }

    // MARK: Keys

    /// A click on a tab switches to it; on a row selects it, and on the
    /// selected row opens its details.
    func click(x: Int, y: Int) -> KeyResult {
        if y == tabSpans.y, let index = tabSpans.spans.firstIndex(where: { $0.contains(x) }) {
            switchTab(to: index)
            return .handled
        }
        let row = y - tableArea.y - 1
        guard tableArea.contains(x: x, y: y), row >= 0 else { return .ignored }
        refreshCount()
        let index = window.top + row
        guard index < window.count else { return .handled }
        if index == window.selected { return handle(.enter) }
        window.select(index)
        return .handled
    }

    /// More: Push, Deploy, Details, Delete, for the certificate at the cursor.
    private func moreMenu(for certificate: Certificate) -> MenuDialog {
        MenuDialog(title: "\(certificate.id) · More", items: [
            // The letters the list itself uses where it has them (p push, d deploy), x for delete as the task list.
            .init(title: "Push", key: "p") { [unowned self] in self.push(certificate, replacing: true) },
            .init(title: "Deploy", key: "d") { [unowned self] in .replace(TaskWizard(session: self.session, certificates: [certificate])) },
            .init(title: "Details", key: "v") { [unowned self] in .replace(CertificateDetailsScreen(session: self.session, certificate: certificate)) },
            .init(title: "Rename", key: "r") { [unowned self] in .replace(RenameDialog(session: self.session, certificate: certificate)) },
            .init(title: "Delete", key: "x") { [unowned self] in self.delete(certificate) },
        ], theme: session.theme)
    }

    /// Opens the push page, unless P1/P2 refuse the certificate outright or
    /// no account here takes pushes (H4).
    private func push(_ certificate: Certificate, replacing: Bool = false) -> KeyResult {
        do {
            try PushRules.checkPushable(certificate, now: session.now)
            if session.services.push.accounts.isEmpty { _ = try session.services.push.account(nil) }
        } catch {
            session.complain(error)
            return replacing ? .close : .handled
        }
        let page = PushScreen(session: session, certificate: certificate)
        return replacing ? .replace(page) : .open(page)
    }

    /// Deploy: the task wizard with this certificate chosen.
    private func deploy(_ certificate: Certificate) -> KeyResult {
        .open(TaskWizard(session: session, certificates: [certificate]))
    }

    /// Asks the core first: a certificate in use is refused before anything is confirmed.
    private func delete(_ certificate: Certificate) -> KeyResult {
        do {
            if let refusal = try session.services.certificates.whyNotDeletable(certificate.id) {
                session.message = (refusal, true)
                return .close
            }
        } catch {
            session.complain(error)
            return .close
        }
        return .replace(confirmDelete(certificate))
    }

    private func confirmDelete(_ certificate: Certificate) -> ConfirmDialog {
        ConfirmDialog(
            title: "Delete \(certificate.id)?",
            text: "Delete \(certificate.id) \(DisplayText.neutralized(certificate.name))\(certificate.hasPrivateKey ? " and its private key" : "")? It cannot be restored.",
            confirmTitle: "Delete", theme: session.theme
        ) { [unowned self] in
            KeyResult.perform(Effect { services in
                try services.certificates.delete(certificate.id)
                self.session.say("Deleted \(certificate.id) \(DisplayText.neutralized(certificate.name)).")
                return .handled
            }).then(.close)
        }
    }

    private func switchTab(to index: Int) {
        tab = index
        window.home()
    }

    var selectedCertificate: Certificate? {
        refreshCount()
        guard window.count > 0 else { return nil }
        return rows(in: window.selected..<window.selected + 1).first
    }

    // MARK: Data

    private func refreshCount() {
        let count = pages.count(query)
        if window.count != count { window.setCount(count) }
    }

    private func rows(in range: Range<Int>) -> [Certificate] { pages.rows(query, in: range) }

    // MARK: Drawing

    static let columns = [
        // Fits the 58 cells the content pane has on an 80-column terminal.
        Column("ID", .flexible(minimum: 4)), Column("NAME", .flexible(minimum: 10), preferred: 16),
        Column("DOMAIN", .flexible(minimum: 10), preferred: 18),
        Column("FAMILY", .fixed(6), drop: 2), Column("SOURCE", .fixed(8), drop: 1), Column("STATUS", .fixed(7)),
        Column("EXPIRES", .fixed(7), alignRight: true),
    ]

    /// The rows in view, as the last `load` read them.
    private var visible: [Certificate] = []

    /// The table's area: below the tabs, above the filter line when there is one.
    private func listArea(in rect: Rect) -> Rect {
        let area = rect.splitTop(2).rest
        return isFiltering || !filter.text.isEmpty ? area.splitBottom(1).0 : area
    }

    func load(in rect: Rect) {
        window.height = max(1, listArea(in: rect).height - 1)
        refreshCount()
        visible = rows(in: window.visibleRange)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let spans = TabBar.render(Self.tabs.map(\.title), selected: tab, theme: theme, at: rect.x, y: rect.y, into: &buffer)
        tabSpans = (rect.y, spans)
        // What the list shows, beside the tabs, else on the line under them: never left out
        // while `e` narrows the list (a shorter form where the full one does not fit).
        let count = Words.count(window.count, "certificate")
        let forms = expiringOnly
            ? ["expiring ≤\(session.context.expiry.warningDays) d or expired · " + count, "expiring or expired · " + count, "expiring or expired"]
            : [count]
        placing: for (y, after) in [(rect.y, spans.last?.upperBound ?? rect.x), (rect.y + 1, rect.x)] {
            for form in forms where rect.maxX - TextWidth.of(form) > after + 1 {
                buffer.write(form, x: rect.maxX - TextWidth.of(form), y: y, style: theme[expiringOnly ? "status.warn" : "status.muted"])
                break placing
            }
        }

        let listArea = listArea(in: rect)
        if isFiltering || !filter.text.isEmpty {
            let line = rect.splitTop(2).rest.splitBottom(1).1
            buffer.write("Filter: ", x: line.x, y: line.y, style: theme["body"])
            let field = Rect(x: line.x + 8, y: line.y, width: min(40, line.width - 8), height: 1)
            filter.render(focused: isFiltering, theme: theme, in: field, into: &buffer)
        }
        tableArea = listArea
        let now = session.now
        let cells = visible.map { certificate in row(for: certificate, now: now) }
        let cursor = window.count > 0 ? window.selected - window.top : nil
        Table(columns: Self.columns).render(rows: cells, cursor: cursor, focused: !isFiltering, theme: theme, in: listArea, into: &buffer)
        if window.count == 0 {
            let text = filter.text.isEmpty && !expiringOnly ? "No certificates yet. Press i to import one." : "No certificate matches."
            buffer.write(text, x: listArea.x + 1, y: listArea.y + 2, style: theme["status.muted"])
        }
    }

    private func row(for certificate: Certificate, now: Date) -> [TableCell] {
        let status = certificate.status(at: now)
        let statusRole: String = switch status {
        case .issued, .hosted: "status.ok"
        case .pending: "status.muted"
        case .expired, .revoked: "status.error"
        }
        let expiry = ExpiryText.cell(for: certificate, now: now, policy: session.context.expiry)
        return [
            TableCell(certificate.id.description),
            TableCell(DisplayText.neutralized(certificate.name)),
            TableCell(DisplayText.neutralized(certificate.primaryDomain) + (certificate.domains.count > 1 ? " +\(certificate.domains.count - 1)" : "")),
            TableCell(certificate.family == .sm ? "SM" : "Intl"),
            TableCell(certificate.source.rawValue),
            TableCell(status.rawValue, role: statusRole),
            expiry,
        ]
    }
}

enum ExpiryText {
    /// "312 d", "5 d" or "expired", coloured by how near the end is.
    static func cell(for certificate: Certificate, now: Date, policy: ExpiryPolicy) -> TableCell {
        guard let notAfter = certificate.notAfter, certificate.lifecycle != .pending else { return TableCell("-", role: "status.muted") }
        let role: String? = switch policy.urgency(notAfter: notAfter, now: now) {
        case .none: nil
        case .warning: "status.warn"
        case .critical: "status.error"
        }
        if notAfter <= now { return TableCell("expired", role: role) }
        return TableCell("\(ExpiryPolicy.daysLeft(until: notAfter, now: now)) d", role: role)
    }
}
