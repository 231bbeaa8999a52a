import CertpushCore
import TerminalKit

/// Step 3: the resources, read a page at a time and filtered in the store by
/// service, region and text; counts come from the store's tally. When it
/// opens, the resources smart matching finds are offered (D5).
final class ResourcesStep: FilteringStep {
    let session: Session
    let draft: TaskDraft
    var filter = WizardFilter()
    let filterWords = "filter by name, domain or id"
    private var list: PagedList<CloudResource, ResourcePosition>!
    private(set) var serviceFilter: String?
    private(set) var regionFilter: String?
    private var tally: (version: Int, rows: [ResourceTally])?
    private var matchCount: (filter: ResourceFilter, version: Int, count: Int)?
    private var seenVersion = 0
    /// What the last `load` read.
    private var shownTally: [ResourceTally] = []
    private var shownMatchCount = 0
    static let countLimit = 10_000

    init(session: Session, draft: TaskDraft) {
        self.session = session
        self.draft = draft
        list = PagedList(session: session) { [unowned self] in self.resourceFilter }
    }

    /// While a synchronization runs, Synchronize is unavailable.
    var synchronizing: Bool { session.synchronizing }

    /// What the list shows: the service, region and text chosen.
    var resourceFilter: ResourceFilter { ResourceFilter(service: serviceFilter, region: regionFilter, text: filter.text.text) }

    func reset() {
        filter = WizardFilter()
        list.reset()
    }

    var commands: [Command] {
        if filter.isTyping { return typingCommands }
        return Command.movement { [unowned self] key in self.move(key) } + [
            Command([.character(" ")], "choose resource", label: "Space") { [unowned self] in
                self.refresh()
                if let id = self.list.selected?.id { self.draft.toggleResource(id) }
                return .handled
            },
            Command([.left, .right], "service", label: "←→") { [unowned self] key in
                self.nextService(forward: key == .right)
                return .handled
            },
            Command([.character("r")], "region") { [unowned self] in
                self.nextRegion()
                return .handled
            },
            Command([.character("/")], "filter") { [unowned self] in
                self.filter.isTyping = true
                return .handled
            },
            session.synchronizeCommand(),
        ]
    }

    func proceed() -> WizardProceed { .next }

    /// D5: the matched resources, offered once when the step opens.
    func offerSmartMatches() -> KeyResult {
        guard !draft.offeredMatch else { return .handled }
        draft.offeredMatch = true
        let matched = session.attempt({ try session.services.deployments.smartMatches(for: draft.certificates) }, default: [])
            .filter { !draft.chosenResources.contains($0.id) }
        let matches = matched.map(\.id)
        guard !matches.isEmpty else { return .handled }
        // W5: in a live workspace the offer says which resources of which account it would add.
        let which = session.context.confirmsChanges ? " (" + LiveConfirmation.matches(matched.map(LiveConfirmation.Target.init)) + ")" : ""
        let offer = DeploymentRules.smartMatchOffer(matched, which: which)
        return .open(ConfirmDialog(
            title: "Smart matching", text: offer.text,
            confirmTitle: offer.button, cancelTitle: "No", confirmByDefault: true, theme: session.theme
        ) { [unowned self] in
            self.draft.addResources(matches)
            self.session.services.deployments.smartMatchesAccepted()
            return .close
        })
    }

    func filterChanged(_ newFilter: WizardFilter) {
        filter = newFilter
        list.reset()
    }

    func move(_ key: Key) {
        refresh()
        _ = list.handle(key)
    }

    /// Reads the page again when resources changed (a sync, a task running).
    private func refresh() {
        let version = session.version(of: .resources)
        if version != seenVersion {
            seenVersion = version
            list.invalidate()
        }
    }

    /// Resources by service and region, from the store's tally, read again when resources change.
    private var resourceTally: [ResourceTally] {
        let version = session.version(of: .resources)
        if let tally, tally.version == version { return tally.rows }
        let rows = session.read({ try $0.resourceTally() }, default: [])
        tally = (version, rows)
        return rows
    }

    /// How many resources the filter finds (up to `countLimit`), counted once per filter.
    private var resourceMatchCount: Int {
        let filter = resourceFilter, version = session.version(of: .resources)
        if let matchCount, matchCount.filter == filter, matchCount.version == version { return matchCount.count }
        let count = session.read({ try $0.resourceCount(filter, upTo: Self.countLimit) }, default: 0)
        matchCount = (filter, version, count)
        return count
    }

    /// All services, then each service that has resources.
    private func nextService(forward: Bool) {
        let services = [nil] + CloudService.catalog.map(\.code).filter { code in resourceTally.contains { $0.service == code } }
        let index = services.firstIndex(of: serviceFilter) ?? 0
        serviceFilter = services[(index + (forward ? 1 : services.count - 1)) % services.count]
        regionFilter = nil
        list.reset()
    }

    /// Every region of the service in view that has resources.
    private func nextRegion() {
        guard let serviceFilter else {
            draft.warning = "Choose a service with ← → first, then its region with r."
            return
        }
        let regions = [nil] + resourceTally.filter { $0.service == serviceFilter }.map { $0.region ?? "" }
        let index = regions.firstIndex(of: regionFilter) ?? 0
        regionFilter = regions[(index + 1) % regions.count]
        list.reset()
    }

    /// D16: in the background; the action shows unavailable until it is done.
    private func listArea(_ rect: Rect) -> Rect { Rect(x: rect.x, y: rect.y + 3, width: rect.width, height: rect.height - 3) }

    func load(in rect: Rect) {
        refresh()
        shownTally = resourceTally
        shownMatchCount = serviceFilter != nil || !filter.text.text.isEmpty ? resourceMatchCount : 0
        _ = list.visibleRows(height: filter.list(listArea(rect)).height - 1)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let total = shownTally.reduce(0) { $0 + $1.count }
        let totals = "Total resources \(total) · Selected resources \(draft.resources.count)"
        buffer.write(totals, x: rect.x, y: rect.y, style: theme["dialog"])
        let roomy = TextWidth.of(totals) + 32 <= rect.width
        let action = synchronizing ? "Synchronizing…" : roomy ? "s Synchronize Cloud Resources" : "s Sync"
        buffer.write(action, x: rect.maxX - TextWidth.of(action), y: rect.y, style: theme[synchronizing ? "status.muted" : "hint.key"])
        // Total resources by service, from the tally.
        let counts = Dictionary(shownTally.map { ($0.service, $0.count) }, uniquingKeysWith: +)
        let byService = CloudService.catalog.compactMap { service in counts[service.code].map { "\(service.label) \($0)" } }
        buffer.write(TextWidth.truncate(byService.joined(separator: " · "), to: rect.width), x: rect.x, y: rect.y + 1, style: theme["status.muted"])
        // What the list shows: service ← →, region r, text /.
        let serviceLabel = serviceFilter.map { code in CloudService.catalog.first { $0.code == code }?.label ?? code } ?? "all services"
        let regionLabel = regionFilter.map { $0.isEmpty ? "global" : $0 } ?? "all regions"
        let filtered = serviceFilter != nil || !filter.text.text.isEmpty
        let shown = filtered ? " · \(shownMatchCount >= Self.countLimit ? "\(Self.countLimit)+" : "\(shownMatchCount)") shown" : ""
        buffer.write(TextWidth.truncate("← \(serviceLabel) →  r \(regionLabel)\(shown)", to: rect.width), x: rect.x, y: rect.y + 2,
                     style: theme["dialog"])
        let area = filter.render(in: listArea(rect), theme: theme, into: &buffer)
        let rows = list.rows
        let cells = rows.map { r in
            [TableCell(WizardRows.checkbox(draft.chosenResources.contains(r.id))), TableCell(r.id.description),
             TableCell(CloudService.named(r.service)?.label ?? r.service.uppercased()), TableCell(r.region ?? "global"),
             TableCell(DisplayText.neutralized(r.name)), TableCell(DisplayText.neutralized(r.domain)),
             TableCell(r.certificateID?.description ?? "no HTTPS", role: r.certificateID == nil ? "status.muted" : nil),
             TableCell(DisplayText.neutralized(r.account))]
        }
        Table(columns: [Column("", .fixed(3)), Column("ID", .flexible(minimum: 3)), Column("SVC", .fixed(5)), Column("REGION", .flexible(minimum: 9), preferred: 14),
                        Column("NAME", .flexible(minimum: 8), preferred: 14), Column("DOMAIN", .flexible(minimum: 8), preferred: 16),
                        Column("CERT", .fixed(8)), Column("ACCOUNT", .flexible(minimum: 7), drop: 1)])
            .render(rows: cells, cursor: rows.isEmpty ? nil : list.cursor, focused: !filter.isTyping, theme: theme, in: area, into: &buffer)
        if rows.isEmpty {
            buffer.write(filtered ? "No resource matches." : "No resources: press s to synchronize them.", x: area.x + 1, y: area.y + 1,
                         style: theme["status.muted"])
        }
    }
}
