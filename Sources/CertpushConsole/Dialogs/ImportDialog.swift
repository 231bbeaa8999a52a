import CertpushCore
import Foundation
import TerminalKit

/// Import a certificate: files, name, passphrase, shared. The core decides;
/// a refusal shows its sentence here and nothing is stored.
final class ImportDialog: Screen {
    enum Field: Int, CaseIterable {
        case certificate, key, chain, name, passphrase, shared, importButton, cancelButton
        var label: String {
            switch self {
            case .certificate: "Certificate file"
            case .key: "Private key file"
            case .chain: "Chain file"
            case .name: "Name"
            case .passphrase: "Key passphrase"
            case .shared: "Shared"
            case .importButton: "Import"
            case .cancelButton: "Cancel"
            }
        }
    }

    let session: Session
    private(set) var focus = Field.certificate
    private(set) var fields: [Field: TextField] = [
        .certificate: TextField(), .key: TextField(), .chain: TextField(), .name: TextField(),
        .passphrase: TextField(masked: true),
    ]
    private(set) var shared = false
    private(set) var error: String?
    /// Where the last frame put each field and button, for mouse clicks.
    private var targets: [(field: Field, y: Int, x: Range<Int>)] = []

    init(session: Session) { self.session = session }

    var title: String { "Import Certificate" }
    var isDialog: Bool { true }
    var isTyping: Bool { fields[focus] != nil }

    var commands: [Command] {
        var commands = [
            Command([.tab, .down], "next field", label: "Tab") { [unowned self] in
                self.move(1)
                return .handled
            },
            Command([.backTab, .up], "previous field", label: "Shift-Tab", hinted: false) { [unowned self] in
                self.move(-1)
                return .handled
            },
            Command([.enter], focus == .cancelButton ? "cancel" : "import") { [unowned self] in
                self.focus == .cancelButton ? .close : self.submit()
            },
            Command([.escape], "cancel") { .close },
        ]
        if focus == .shared {
            commands.append(Command([.character(" ")], "toggle shared", label: "Space") { [unowned self] in
                self.shared.toggle()
                return .handled
            })
        }
        if fields[focus] != nil {
            commands.append(Command(typing: focus.label.lowercased()) { [unowned self] key in
                if var field = self.fields[self.focus], field.handle(key) { self.fields[self.focus] = field }
                return .handled
            })
        }
        return commands
    }

    func click(x: Int, y: Int) -> KeyResult {
        guard let target = targets.first(where: { $0.y == y && $0.x.contains(x) }) else { return .handled }
        focus = target.field
        switch target.field {
        case .importButton: return submit()
        case .cancelButton: return .close
        case .shared: shared.toggle()
        default: break
        }
        return .handled
    }

    private func move(_ delta: Int) {
        let count = Field.allCases.count
        focus = Field(rawValue: (focus.rawValue + delta + count) % count)!
    }

    func text(_ field: Field) -> String { fields[field]?.text.trimmingCharacters(in: .whitespaces) ?? "" }

    private func submit() -> KeyResult {
        guard !text(.certificate).isEmpty else {
            error = "Give the certificate file's path."
            focus = .certificate
            return .handled
        }
        let read = session.context.readFile
        let paths = (certificate: text(.certificate), key: text(.key), chain: text(.chain))
        let name = text(.name), passphrase = fields[.passphrase]?.text ?? "", shared = shared
        // The console imports; a refusal comes back here, to the field it concerns.
        return .perform(Effect(changes: .all, failed: { [unowned self] in self.refused($0) }) { services in
            let request = ImportRequest(
                certificate: try read(paths.certificate),
                key: paths.key.isEmpty ? nil : try read(paths.key),
                chain: paths.chain.isEmpty ? nil : try read(paths.chain),
                name: name.isEmpty ? nil : name,
                passphrase: passphrase.isEmpty ? nil : passphrase,
                shared: shared)
            let stored = try services.certificates.importCertificate(request)
            self.session.say("Imported \(stored.id) \(DisplayText.neutralized(stored.name)) (\(stored.status(at: self.session.now).rawValue)).")
            return .close
        })
    }

    private func refused(_ failure: Error) -> KeyResult {
        do { throw failure } catch let refusal as ImportError {
            error = DisplayText.neutralized(refusal.sentence)
            switch refusal.reason {
            case .needsPassphrase, .wrongPassphrase: focus = .passphrase
            case .badName: focus = .name
            case .keyMismatch, .notAKey, .unsupportedKey: focus = .key
            default: focus = .certificate
            }
        } catch {
            self.error = DisplayText.neutralized((error as? CertpushError)?.sentence ?? "\(error)")
        }
        return .handled
    }

    func render(in area: Rect, into buffer: inout Buffer) {
        let theme = session.theme
        let inner = Frame.dialog(title, width: 72, height: 16, in: area, theme: theme, into: &buffer)
        var y = inner.y + 1
        targets = []
        for field in [Field.certificate, .key, .chain, .name, .passphrase, .shared] {
            targets.append((field, y + field.rawValue, inner.x..<inner.maxX))
        }
        for field in [Field.certificate, .key, .chain, .name, .passphrase] {
            let focused = focus == field
            buffer.write(TextWidth.fit(field.label, to: 18), x: inner.x + 1, y: y, style: theme[focused ? "nav.selected" : "body"])
            fields[field]!.render(focused: focused, theme: theme, in: Rect(x: inner.x + 20, y: y, width: inner.width - 22, height: 1), into: &buffer)
            y += 1
        }
        buffer.write(TextWidth.fit(Field.shared.label, to: 18), x: inner.x + 1, y: y, style: theme[focus == .shared ? "nav.selected" : "body"])
        buffer.write(shared ? "[x] free to deploy" : "[ ] free to deploy", x: inner.x + 20, y: y,
                     style: theme[focus == .shared ? "field.focused" : "body"])
        y += 2
        buffer.write("Key and chain are optional; a file may hold its chain.", x: inner.x + 1, y: y, style: theme["status.muted"])
        if let error {
            let lines = TextWidth.wrap(error, width: inner.width - 2)
            for (index, line) in lines.prefix(2).enumerated() {
                buffer.write(line, x: inner.x + 1, y: y + 1 + index, style: theme["message.error"])
            }
        }
        let buttonY = inner.maxY - 1
        let cancelX = inner.maxX - 12
        let cancel = Button.render("Cancel", focused: focus == .cancelButton, theme: theme, at: cancelX, y: buttonY, into: &buffer)
        let ok = Button.render("Import", focused: focus == .importButton, theme: theme, at: cancelX - 12, y: buttonY, into: &buffer)
        targets += [(.cancelButton, buttonY, cancel), (.importButton, buttonY, ok)]
    }
}
