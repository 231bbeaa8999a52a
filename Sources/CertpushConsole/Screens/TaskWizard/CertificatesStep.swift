import CertpushCore
import TerminalKit

/// Step 2: the certificates, official or uploaded (D2: one type per task),
/// those the core refuses (D3, their lifecycle) shown with why.
final class CertificatesStep: FilteringStep {
    let session: Session
    let draft: TaskDraft
    private(set) var source = CertificateSource.official
    private var cursor = ScrollWindow()
    var filter = WizardFilter()
    let filterWords = "filter by name or domain"
    private let pages: CertificatePages
    /// What the last `load` read.
    private var shown: [Certificate] = []

    init(session: Session, draft: TaskDraft, source: CertificateSource?) {
        self.session = session
        self.draft = draft
        self.source = source ?? .official
        pages = CertificatePages(session: session)
    }

    var query: CertificateQuery { CertificateQuery(source: source, text: filter.text.text) }

    func reset() {
        cursor = ScrollWindow()
        filter = WizardFilter()
    }

    var commands: [Command] {
        if filter.isTyping { return typingCommands }
        return Command.movement { [unowned self] key in self.move(key) } + [
            Command([.character(" ")], "choose certificate", label: "Space") { [unowned self] in
                self.toggle()
                return .handled
            },
            Command([.left, .right], "Official / Uploaded", label: "←→") { [unowned self] in
                self.source = self.source == .official ? .uploaded : .official
                self.cursor = ScrollWindow()
                return .handled
            },
            Command([.character("/")], "filter") { [unowned self] in
                self.filter.isTyping = true
                return .handled
            },
        ]
    }


    func filterChanged(_ newFilter: WizardFilter) {
        filter = newFilter
        cursor = ScrollWindow()
    }

    func move(_ key: Key) {
        cursor.setCount(pages.count(query))
        _ = cursor.handle(key)
    }

    private func toggle() {
        let query = query
        cursor.setCount(pages.count(query))
        guard let certificate = pages.rows(query, in: cursor.selected..<cursor.selected + 1).first else { return }
        if draft.chosenCertificates.remove(certificate.id) != nil {
            draft.certificates.removeAll { $0 == certificate.id }
        } else if let refusal = refusal(for: certificate) {
            draft.warning = refusal
            return
        } else {
            draft.certificates.append(certificate.id)
            draft.chosenCertificates.insert(certificate.id)
            draft.chosenSource = certificate.source
        }
        draft.offeredMatch = false
    }

    /// Why this certificate cannot join the task (D3, its lifecycle, D2 against
    /// what is chosen), or nil; the core decides each.
    private func refusal(for certificate: Certificate) -> String? {
        if let why = DeploymentRules.whyNotDeployable(certificate, now: session.now) { return "\(certificate.id) cannot be deployed: \(why)." }
        if let chosen = draft.chosenSource, !draft.certificates.isEmpty, chosen != certificate.source { return DeploymentRules.mixedSources }
        return nil
    }

    /// A few words in the row of a certificate that cannot be chosen.
    private func note(for certificate: Certificate) -> String {
        if let why = DeploymentRules.whyNotDeployable(certificate, now: session.now) {
            return why.replacingOccurrences(of: "its name contains Chinese characters", with: "Chinese name (D3)")
                .replacingOccurrences(of: "it is ", with: "")
                .replacingOccurrences(of: "no private key held", with: "no private key")
        }
        if let chosen = draft.chosenSource, !draft.certificates.isEmpty, chosen != certificate.source {
            return "other type (D2)"
        }
        return ""
    }

    /// D2, D3 and the lifecycle for what was chosen (the Deploy action chooses before this step).
    func proceed() -> WizardProceed {
        guard !draft.certificates.isEmpty else {
            draft.warning = "Choose at least one certificate."
            return .stay
        }
        let chosen = session.read({ try $0.certificates(self.draft.certificates) }, default: [])
        let refusal = Set(chosen.map(\.source)).count > 1 ? DeploymentRules.mixedSources : chosen.lazy.compactMap { certificate in
            DeploymentRules.whyNotDeployable(certificate, now: self.session.now).map { "\(certificate.id) cannot be deployed: \($0)." }
        }.first
        if let refusal {
            draft.warning = refusal
            return .stay
        }
        return .next
    }

    private func listArea(_ rect: Rect) -> Rect { Rect(x: rect.x, y: rect.y + 2, width: rect.width, height: rect.height - 2) }

    func load(in rect: Rect) {
        let list = filter.list(listArea(rect))
        let query = query
        cursor.setCount(pages.count(query))
        cursor.height = max(1, list.height - 1)
        shown = pages.rows(query, in: cursor.visibleRange)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        TabBar.render(["Official", "Uploaded"], selected: source == .official ? 0 : 1, theme: theme, at: rect.x, y: rect.y, into: &buffer)
        buffer.write("\(draft.certificates.count) chosen", x: rect.maxX - 12, y: rect.y, style: theme["status.muted"])
        let list = filter.render(in: listArea(rect), theme: theme, into: &buffer)
        let now = session.now
        let rows = shown.map { c in
            let note = note(for: c)
            return [TableCell(WizardRows.checkbox(draft.chosenCertificates.contains(c.id))), TableCell(c.id.description),
                    TableCell(DisplayText.neutralized(c.name), role: note.isEmpty ? nil : "status.muted"),
                    TableCell(DisplayText.neutralized(c.primaryDomain) + (c.domains.count > 1 ? " +\(c.domains.count - 1)" : "")),
                    note.isEmpty ? TableCell(c.status(at: now).rawValue) : TableCell("✗ " + note, role: "status.warn")]
        }
        Table(columns: [Column("", .fixed(3)), Column("ID", .flexible(minimum: 3)), Column("NAME", .flexible(minimum: 10), preferred: 16),
                        Column("DOMAIN", .flexible(minimum: 12), preferred: 18), Column("STATUS", .flexible(minimum: 8))])
            .render(rows: rows, cursor: cursor.count == 0 ? nil : cursor.selected - cursor.top, focused: !filter.isTyping, theme: theme,
                    in: list, into: &buffer)
        if cursor.count == 0 {
            buffer.write(filter.text.text.isEmpty ? "No \(source.rawValue) certificates." : "No certificate matches.",
                         x: list.x + 1, y: list.y + 1, style: theme["status.muted"])
        }
    }
}
