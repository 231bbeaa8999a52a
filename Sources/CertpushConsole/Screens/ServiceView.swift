import CertpushCore
import Foundation
import TerminalKit

/// One service (in one region): the certificates in its store and its
/// resources. `b` binds the store certificate in focus to the resource in
/// focus: the "configure it on the service" step that follows a push.
final class ServiceView: Screen {
    let session: Session
    let service: CloudService
    private(set) var region: String?
    private let regions: [String]
    private var storeWindow = ScrollWindow()
    private var resourceList: PagedList<CloudResource, ResourcePosition>!
    private var seenVersion: Int
    private(set) var resourcesFocused = false
    /// The certificate Configure Now opened this view for: kept selected in every region.
    private let selecting: CertificateID?
    private var selectedFor: String??

    init(session: Session, service: CloudService, region: String?, selecting: CertificateID?) {
        self.session = session
        self.service = service
        self.selecting = selecting
        // A server kind's "regions" are the hosts that have its sites.
        regions = service.onServers ? session.read({ db in
            try db.resourceTally().filter { $0.service == service.code }.compactMap(\.region)
        }, default: []) : service.regional ? session.read({ db in
            try db.regions().map(\.code).filter { try db.isEnabled(service: service.code, region: $0) }
        }, default: []) : []
        self.region = service.regional ? (region ?? regions.first) : nil
        if selecting != nil || service.onServers { resourcesFocused = true }
        seenVersion = session.version(of: .resources)
        resourceList = PagedList(session: session) { [unowned self] in
            ResourceFilter(service: self.service.code, region: self.region ?? "")
        }
    }

    var title: String { service.label + " · " + service.name + (region.map { " · \($0)" } ?? "") }
    var words: [String] { ["push", "bind", "region", "account", "planned failure"] }

    var commands: [Command] {
        var commands = Command.movement { [unowned self] key in
            self.refreshIfChanged()
            self.storeWindow.setCount(self.storeEntries.count)
            _ = self.resourcesFocused ? self.resourceList.handle(key) : self.storeWindow.handle(key)
        }
        // A server has no certificate store to bind from: its sites are deployed to by tasks.
        if !service.onServers {
            commands.append(Command([.tab, .backTab], "store / resources", label: "Tab") { [unowned self] in
                self.resourcesFocused.toggle()
                return .handled
            })
        }
        if service.regional {
            commands.append(Command([.left, .right], service.onServers ? "host" : "region", label: "←→") { [unowned self] key in
                self.nextRegion(forward: key == .right)
                return .handled
            })
        }
        if !service.onServers {
            commands.append(Command([.character("b")], "bind certificate to resource") { [unowned self] in self.bind() })
        }
        if session.context.training != nil {
            commands.append(Command([.character("f")], "end the resource's planned failure") { [unowned self] in self.fix() })
        }
        if service.onServers, let verify = session.context.verify {
            commands.append(Command([.character("v")], "verify what the site serves") { [unowned self] in
                guard let resource = self.resourceList.selected else { return .handled }
                // A handshake with the site, away from the keys (K1); what it found arrives on the message line.
                self.session.run("verify \(resource.id)", { try verify(resource.id) }, then: { [unowned self] result in
                    switch result {
                    case .success(let found): self.session.message = (found.sentence, found.drift)
                    case .failure(let error): self.session.complain(error)
                    }
                    return .handled
                })
                return .handled
            })
        }
        commands.append(session.synchronizeCommand())
        commands.append(Command([.escape], "back") { .close })
        return commands
    }

    var storeEntries: [ServiceStoreEntry] {
        session.read({ try $0.serviceStore(service: service.code, region: region) }, default: [])
    }

    /// How many resources the service has in this region, from the store's tally.
    var resourceCount: Int {
        session.read({ try $0.resourceCount(ResourceFilter(service: service.code, region: region ?? ""), upTo: .max) }, default: 0)
    }

    private func nextRegion(forward: Bool) {
        guard let current = region, let index = regions.firstIndex(of: current), !regions.isEmpty else { return }
        region = regions[(index + (forward ? 1 : regions.count - 1)) % regions.count]
        storeWindow.home()
        resourceList.reset()
        selectedFor = nil
    }

    private func refreshIfChanged() {
        let version = session.version(of: .resources)
        if version != seenVersion {
            seenVersion = version
            resourceList.invalidate()
        }
    }

    /// Binds the store certificate in focus to the resource in focus; when the
    /// certificate does not cover the resource's domain, says so and asks first.
    private func bind() -> KeyResult {
        refreshIfChanged()
        let entries = storeEntries
        storeWindow.setCount(entries.count)
        guard !entries.isEmpty, let certificate = entries[storeWindow.selected].certificateID else {
            session.message = ("Choose a certificate pushed from certpush in the store list first.", true)
            return .handled
        }
        guard let resource = resourceList.selected else {
            session.message = ("\(service.label) has no resources here.", true)
            return .handled
        }
        do {
            if let warning = try session.services.push.bindWarning(certificate, to: resource.id) {
                return .open(ConfirmDialog(title: "Bind \(certificate) to \(resource.id)?", text: warning + " Bind it anyway?",
                                           confirmTitle: "Bind Anyway", theme: session.theme) { [unowned self] in
                    self.bind(certificate, to: resource, anyway: true).then(.close)
                })
            }
        } catch {
            session.complain(error)
            return .handled
        }
        if session.context.confirmsChanges {
            return .open(ConfirmDialog(title: "Bind \(certificate) to \(resource.id)?",
                                       text: LiveConfirmation.act("Bind \(certificate) to", on: [LiveConfirmation.Target(resource)], accounts: session.context.accounts),
                                       confirmTitle: "Bind", theme: session.theme) { [unowned self] in
                self.bind(certificate, to: resource).then(.close)
            })
        }
        return bind(certificate, to: resource)
    }

    /// W6: ends a training resource's planned failure (its maintenance is over), so a retry teaches something.
    private func fix() -> KeyResult {
        guard let resource = resourceList.selected else { return .handled }
        return .perform(Effect(changes: [.resources, .activity]) { [unowned self] services in
            guard let training = services.training else { throw Refusal("Only a training workspace has planned failures.") }
            let fixed = try training.fix(resource.id)
            self.resourceList.invalidate()
            self.session.say("\(fixed.id) \(DisplayText.neutralized(fixed.name)): the planned failure is over; retry its failed pair in the task's details (r).")
            return .handled
        })
    }

    /// The console binds (provider work), then this view says what the resource serves now.
    /// K1: the provider binds away from the keys; the sentence arrives when it is done.
    private func bind(_ certificate: CertificateID, to resource: CloudResource, anyway: Bool = false) -> KeyResult {
        let push = session.services.push
        session.run("bind \(certificate) to \(resource.id)") {
            try push.bind(certificate, to: resource.id, anyway: anyway)
            let was = resource.certificateID.map { " (was \($0))" } ?? " (it had no certificate)"
            return "\(resource.id) \(DisplayText.neutralized(resource.name)) now serves \(certificate)\(was)."
        }
        return .handled
    }

    // MARK: State and drawing

    /// What the last `load` read: the store's certificates, and how many resources there are.
    private var entries: [ServiceStoreEntry] = []
    private var shownResourceCount = 0

    /// The region line, the store's table and the resources' table, top to bottom.
    private func areas(in rect: Rect) -> (regionY: Int?, storeTitleY: Int, store: Rect, resourcesTitleY: Int, resources: Rect) {
        let regionY: Int? = service.regional ? rect.y : nil
        let y = rect.y + (service.regional ? 1 : 0)
        // A server kind has no store: its sites take the page.
        let storeHeight = service.onServers ? -1 : max(3, min(entries.count + 2, (rect.maxY - y) / 2))
        let store = Rect(x: rect.x + 1, y: y + 1, width: rect.width - 2, height: storeHeight - 1)
        let resourcesY = service.onServers ? y : store.maxY + 1
        return (regionY, y, store, resourcesY, Rect(x: rect.x + 1, y: resourcesY + 1, width: rect.width - 2, height: rect.maxY - resourcesY - 1))
    }

    func load(in rect: Rect) {
        refreshIfChanged()
        entries = storeEntries
        if selectedFor != .some(region), let selecting, let index = entries.firstIndex(where: { $0.certificateID == selecting }) {
            storeWindow.setCount(entries.count)
            storeWindow.select(index)
            selectedFor = .some(region)
        }
        let areas = areas(in: rect)
        storeWindow.height = max(1, areas.store.height - 1)
        storeWindow.setCount(entries.count)
        shownResourceCount = resourceCount
        _ = resourceList.visibleRows(height: areas.resources.height - 1)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let areas = areas(in: rect)
        if let regionY = areas.regionY {
            let regionLine = service.onServers ? "host ← \(region ?? "-") →   (\(Words.count(regions.count, "host")))"
                : regions.isEmpty ? "not enabled in any region" : "region ← \(region ?? "-") →   (\(Words.count(regions.count, "region")) enabled)"
            buffer.write(regionLine, x: rect.x + 1, y: regionY, style: theme["status.muted"])
        }
        if !service.onServers {
            buffer.write("Certificates in the \(service.label) store", x: rect.x + 1, y: areas.storeTitleY,
                         style: theme[resourcesFocused ? "body" : "nav.selected"])
            let storeArea = areas.store
            let storeRows = entries[storeWindow.visibleRange].map { entry in
                [TableCell(DisplayText.neutralized(entry.name)), TableCell(entry.certificateID?.description ?? "-"),
                 TableCell(entry.origin.rawValue), TableCell(String(entry.fingerprint.prefix(16)))]
            }
            Table(columns: [Column("NAME", .flexible(minimum: 16), preferred: 24), Column("ID", .flexible(minimum: 4)), Column("ORIGIN", .fixed(8)),
                            Column("SHA-256", .fixed(16), drop: 1)])
                .render(rows: storeRows, cursor: entries.isEmpty ? nil : storeWindow.selected - storeWindow.top,
                        focused: !resourcesFocused, theme: theme, in: storeArea, into: &buffer)
            if entries.isEmpty { buffer.write("No certificates in this store.", x: storeArea.x, y: storeArea.y + 1, style: theme["status.muted"]) }
        }

        buffer.write("Resources (\(shownResourceCount))", x: rect.x + 1, y: areas.resourcesTitleY,
                     style: theme[resourcesFocused ? "nav.selected" : "body"])
        let resourceArea = areas.resources
        let resources = resourceList.rows
        let resourceRows = resources.map { resource in
            [TableCell(resource.id.description), TableCell(DisplayText.neutralized(resource.name)),
             TableCell(DisplayText.neutralized(resource.domain)), TableCell(resource.certificateID?.description ?? "none"),
             TableCell(resource.fault ?? "", role: "status.warn"), TableCell(DisplayText.neutralized(resource.account))]
        }
        Table(columns: [Column("ID", .flexible(minimum: 4)), Column("NAME", .flexible(minimum: 12), preferred: 18),
                        Column("DOMAIN", .flexible(minimum: 12), preferred: 18), Column("CERT", .flexible(minimum: 4)),
                        Column("FAULT", .flexible(minimum: 8)), Column("ACCOUNT", .flexible(minimum: 7), drop: 1)])
            .render(rows: resourceRows, cursor: resources.isEmpty ? nil : resourceList.cursor,
                    focused: resourcesFocused, theme: theme, in: resourceArea, into: &buffer)
        if resources.isEmpty { buffer.write("No resources here.", x: resourceArea.x, y: resourceArea.y + 1, style: theme["status.muted"]) }
    }
}
