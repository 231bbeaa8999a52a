import CertpushCore
import Foundation
import TerminalKit

/// Cloud Resources: the services, with how many resources each has.
final class ServicesScreen: Screen {
    let session: Session
    private var window = ScrollWindow(count: CloudService.all.count)
    /// The cloud services, then the server kinds that have resources.
    private var services: [CloudService] = CloudService.all
    private var tableArea = Rect(x: 0, y: 0, width: 0, height: 0)
    private var tally: (version: Int, byService: [String: Int])?

    init(session: Session) { self.session = session }

    var title: String { "Cloud Resources" }
    var words: [String] { ["account", "push", "bind"] }
    var commands: [Command] {
        Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.enter], "open service") { [unowned self] in
                .open(ServiceView(session: self.session, service: self.services[self.window.selected], region: nil, selecting: nil))
            },
            session.synchronizeCommand(),
        ]
    }

    func click(x: Int, y: Int) -> KeyResult {
        let index = window.top + y - tableArea.y - 1
        guard tableArea.contains(x: x, y: y), index >= window.top, index < window.count else { return .ignored }
        if index == window.selected { return handle(.enter) }
        window.select(index)
        return .handled
    }

    private var counts: [String: Int] = [:]

    func load(in rect: Rect) {
        willHandleKey()
        window.height = max(1, rect.height - 1)
    }

    /// The services listed, read again when resources changed: a key may come before any frame.
    func willHandleKey() {
        counts = resourceCounts()
        services = CloudService.all + CloudService.servers.filter { (counts[$0.code] ?? 0) > 0 }
        window.setCount(services.count)
    }

    func render(in rect: Rect, into buffer: inout Buffer) {
        tableArea = rect
        let rows = services.map { service in
            [TableCell(service.label), TableCell(service.name), TableCell(service.regional ? "regional" : "global"),
             TableCell(service.onServers ? "deploy (SSH)" : service.pushable ? "push, deploy" : "deploy"), TableCell("\(counts[service.code] ?? 0)")]
        }
        Table(columns: [Column("CODE", .fixed(5)), Column("SERVICE", .flexible(minimum: 20)), Column("SCOPE", .fixed(8)),
                        Column("TAKES", .fixed(12)), Column("RESOURCES", .fixed(9), alignRight: true)])
            .render(rows: rows, cursor: window.selected - window.top, focused: true, theme: session.theme, in: rect, into: &buffer)
    }

    /// From the store's tally, read again only when resources changed.
    private func resourceCounts() -> [String: Int] {
        let version = session.version(of: .resources)
        if let tally, tally.version == version { return tally.byService }
        let rows = session.read({ try $0.resourceTally() }, default: [])
        let byService = Dictionary(rows.map { ($0.service, $0.count) }, uniquingKeysWith: +)
        tally = (version, byService)
        return byService
    }
}
