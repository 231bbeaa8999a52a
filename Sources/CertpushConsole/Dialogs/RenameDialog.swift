import CertpushCore
import TerminalKit

/// A certificate's new name: Enter renames through the core (which says no
/// to a bad name in one sentence, shown here), Esc leaves it as it was.
final class RenameDialog: Screen {
    let session: Session
    let certificate: Certificate
    private var field: TextField
    private var problem: String?

    init(session: Session, certificate: Certificate) {
        self.session = session
        self.certificate = certificate
        field = TextField(certificate.name)
    }

    var title: String { "Rename \(certificate.id)" }
    var isDialog: Bool { true }
    var isTyping: Bool { true }

    var commands: [Command] {
        [Command([.enter], "rename") { [unowned self] in self.rename() },
         Command([.escape], "cancel") { .close },
         Command(typing: "the new name") { [unowned self] key in
             self.problem = nil
             _ = self.field.handle(key)
             return .handled
         }]
    }

    private func rename() -> KeyResult {
        let name = field.text
        return .perform(Effect(changes: [.certificates, .activity], failed: { [unowned self] error in
            self.problem = (error as? CertpushError)?.sentence ?? "\(error)"
            return .handled
        }) { [unowned self] services in
            let renamed = try services.certificates.rename(self.certificate.id, to: name)
            self.session.say("Renamed \(renamed.id) from \(DisplayText.neutralized(self.certificate.name)) to \(DisplayText.neutralized(renamed.name)).")
            return .close
        })
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let lines = problem.map { TextWidth.wrap(DisplayText.neutralized($0), width: 52) } ?? []
        let inner = Frame.dialog(title, width: 58, height: 6 + lines.count, in: area, theme: theme, into: &buffer)
        buffer.write("Name (what lists and the cloud's stores show):", x: inner.x + 1, y: inner.y + 1, style: theme["dialog"])
        field.render(focused: true, theme: theme, in: Rect(x: inner.x + 1, y: inner.y + 2, width: inner.width - 2, height: 1), into: &buffer)
        for (index, line) in lines.enumerated() {
            buffer.write(line, x: inner.x + 1, y: inner.y + 4 + index, style: theme["message.error"])
        }
    }
}
