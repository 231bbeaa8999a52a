import CertpushCore
import Foundation
import TerminalKit

/// The region picker for a regional service: a "3/10" counter, regions where
/// the service is not enabled marked, and an 11th refused (P5).
final class RegionPicker: Screen {
    let session: Session
    let service: CloudService
    let regions: [(region: Region, enabled: Bool)]
    private(set) var selected: [String]
    private var window: ScrollWindow
    private let onDone: ([String]) -> Void
    private(set) var warning: String?

    init(session: Session, service: CloudService, regions: [(region: Region, enabled: Bool)], selected: [String],
         onDone: @escaping ([String]) -> Void) {
        self.session = session
        self.service = service
        self.selected = selected
        self.onDone = onDone
        self.regions = regions
        window = ScrollWindow(count: regions.count, height: regions.count)
    }

    var title: String { "\(service.label) regions \(selected.count)/\(PushRules.maximumRegions)" }
    var words: [String] { ["region", "push"] }
    var isDialog: Bool { true }
    var commands: [Command] {
        Command.movement { [unowned self] key in _ = self.window.handle(key) } + [
            Command([.character(" ")], "select region", label: "Space") { [unowned self] in
                self.toggle(self.window.selected)
                return .handled
            },
            Command([.enter, .escape], "done", label: "Enter") { [unowned self] in
                self.onDone(self.selected)
                return .close
            },
        ]
    }

    func willHandleKey() { warning = nil }

    private func toggle(_ index: Int) {
        let code = regions[index].region.code
        if let position = selected.firstIndex(of: code) {
            selected.remove(at: position)
        } else if selected.count >= PushRules.maximumRegions {
            warning = session.services.push.regionCapReached()
        } else {
            selected.append(code)
        }
    }

    private var rowsAt: [Int: Int] = [:]
    func click(x: Int, y: Int) -> KeyResult {
        guard let index = rowsAt[y] else { return .handled }
        window.select(index)
        toggle(index)
        return .handled
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        window.height = min(regions.count, area.height - 6)
        let inner = Frame.dialog(title, width: 56, height: window.height + 5, in: area, theme: theme, into: &buffer)
        rowsAt = [:]
        for (offset, index) in window.visibleRange.enumerated() {
            let (region, enabled) = regions[index]
            let y = inner.y + offset
            rowsAt[y] = index
            let mark = selected.contains(region.code) ? "[x]" : "[ ]"
            let text = "\(mark) \(region.code.padding(toLength: 15, withPad: " ", startingAt: 0)) \(region.name)" + (enabled ? "" : "  (not enabled)")
            let style = theme[index == window.selected ? "table.cursor" : (enabled ? "dialog" : "status.muted")]
            buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
            buffer.write(TextWidth.truncate(" " + text, to: inner.width), x: inner.x, y: y, style: style)
        }
        let footer = warning ?? "\(selected.count)/\(PushRules.maximumRegions) selected"
        buffer.write(footer, x: inner.x + 1, y: inner.maxY - 2, style: theme[warning == nil ? "status.muted" : "message.error"])
    }
}
