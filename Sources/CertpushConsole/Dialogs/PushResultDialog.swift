import CertpushCore
import Foundation
import TerminalKit

/// After a push: every target with its result; after at least one success,
/// Configure Now, Continue Pushing and Close (P8).
final class PushResultDialog: Screen {
    let session: Session
    let certificate: Certificate
    let results: [PushRecord]
    weak var pushPage: PushScreen?
    private var focus = 0
    private var buttonSpans: [(Range<Int>, Int, Int)] = []

    init(session: Session, certificate: Certificate, results: [PushRecord], pushPage: PushScreen) {
        self.session = session
        self.certificate = certificate
        self.results = results
        self.pushPage = pushPage
    }

    var anySucceeded: Bool { results.contains(where: \.succeeded) }
    var buttons: [String] { anySucceeded ? ["Configure Now", "Continue Pushing", "Close"] : ["Continue Pushing", "Close"] }
    var title: String {
        let pushed = results.filter(\.succeeded).count
        if pushed == results.count { return "Certificate pushed" }
        return pushed == 0 ? "Push failed" : "Pushed to \(pushed) of \(results.count) targets"
    }
    /// The first result line in view, when there are more than the screen holds.
    private var offset = 0
    private var hidden = 0
    var words: [String] { ["push", "bind"] }
    var isDialog: Bool { true }
    var commands: [Command] {
        [Command([.tab, .backTab, .left, .right], "switch button", label: "Tab") { [unowned self] key in
            let step = key == .tab || key == .right ? 1 : self.buttons.count - 1
            self.focus = (self.focus + step) % self.buttons.count
            return .handled
        },
         Command([.up, .down], "scroll results", label: "↑↓") { [unowned self] key in
            self.offset = max(0, min(self.offset + (key == .down ? 1 : -1), self.offset + self.hidden))
            return .handled
         },
         Command([.enter], "press") { [unowned self] in self.press(self.buttons[self.focus]) },
         Command([.escape], "close") { [unowned self] in self.press("Continue Pushing") }]
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let span = buttonSpans.first(where: { $0.1 == y && $0.0.contains(x) }) else { return .handled }
        return press(buttons[span.2])
    }

    private func press(_ button: String) -> KeyResult {
        switch button {
        case "Configure Now":
            // The push is done: back on the push page, it starts afresh with the services in focus.
            pushPage?.reset()
            if let account = results.first?.account, account != Account.sandboxName {
                return .open(FinishInCloudDialog(session: session, certificate: certificate, account: account,
                                                 pushed: results.filter(\.succeeded).map(\.target)))
            }
            // The first place pushed to that has resources to bind to, else the first pushed.
            let pushed = results.filter(\.succeeded).map(\.target)
            let target = pushed.first { target in
                session.read({ try $0.resourceCount(ResourceFilter(service: target.service, region: target.region ?? ""), upTo: 1) }, default: 0) > 0
            } ?? pushed[0]
            let view = ServiceView(session: session, service: CloudService.named(target.service)!, region: target.region,
                                   selecting: certificate.id)
            return .visit(.resources, view)
        case "Continue Pushing":
            pushPage?.reset()
            return .close
        default:
            return .closeAll
        }
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        var lines: [(String, String)] = results.map { record in
            (record.succeeded ? "✓ \(record.target)" + (record.remoteName.map { " as \(DisplayText.neutralized($0))" } ?? "")
                : "✗ \(record.target): \(DisplayText.neutralized(record.reason))",
             record.succeeded ? "status.ok" : "status.error")
        }
        // As wide as its longest reason needs, up to the screen; a longer one wraps.
        let width = min(area.width - 2, max(70, (lines.map { TextWidth.of($0.0) }.max() ?? 0) + 4))
        lines = lines.flatMap { line in
            TextWidth.wrap(line.0, width: width - 4).enumerated().map { ($0.offset == 0 ? $0.element : "  " + $0.element, line.1) }
                .ifEmpty([line])
        }
        // What is left to do stays in view under the results, however many there are.
        let footer = anySucceeded
            ? [""] + TextWidth.wrap("The certificate was pushed. It must still be configured on the target service: bind it to a listener or domain there.", width: width - 4)
            : []
        let inner = Frame.dialog(title, width: width, height: min(area.height, lines.count + footer.count + 5), in: area, theme: theme, into: &buffer)
        let rows = max(1, inner.height - 2 - footer.count)
        let overflows = lines.count > rows
        let shown = overflows ? rows - 1 : rows
        offset = min(offset, max(0, lines.count - shown))
        hidden = overflows ? lines.count - offset - shown : 0
        for (index, line) in lines.dropFirst(offset).prefix(shown).enumerated() {
            buffer.write(TextWidth.truncate(line.0, to: inner.width - 2), x: inner.x + 1, y: inner.y + 1 + index, style: theme[line.1])
        }
        if overflows {
            let more = hidden > 0 ? "↓ \(hidden) more of \(results.count) targets (↑↓ scroll)" : "↑ \(offset) above (↑↓ scroll)"
            buffer.write(TextWidth.truncate(more, to: inner.width - 2), x: inner.x + 1, y: inner.y + 1 + shown, style: theme["status.muted"])
        }
        for (index, line) in footer.enumerated() {
            buffer.write(TextWidth.truncate(line, to: inner.width - 2), x: inner.x + 1, y: inner.y + 1 + rows + index, style: theme["dialog"])
        }
        var x = inner.maxX
        buttonSpans = []
        let y = inner.maxY - 1
        for (index, title) in buttons.enumerated().reversed() {
            x -= TextWidth.of(title) + 5
            let span = Button.render(title, focused: index == focus, theme: theme, at: x, y: y, into: &buffer)
            buttonSpans.append((span, y, index))
        }
    }
}
