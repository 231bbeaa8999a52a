import CertpushConsole
import CertpushCore
import CertpushSetup
import CertpushTestSupport
import TerminalKit

/// Drives the console as a user does: keys in, screen text out, through the
/// same render the terminal gets. Synchronous: nothing moves unless a key does.
final class ConsoleDriver {
    let fixture: SandboxFixture
    let console: Console
    var size: Size
    private(set) var running = true

    init(fixture: SandboxFixture? = nil, size: Size = Size(width: 100, height: 30), theme: Theme = .standard) throws {
        self.fixture = try fixture ?? SandboxFixture()
        self.size = size
        console = Console(context: ConsoleContext(
            certificates: self.fixture.certificates, push: self.fixture.workspace.push, deployments: self.fixture.workspace.deployments, databaseLabel: self.fixture.databasePath, isSandbox: true,
            theme: theme, readFile: InputFile.load(path:)))
    }

    /// Presses keys by name ("j", "Enter", "Esc", "Tab", "Ctrl-C"); `type` for text.
    @discardableResult
    func press(_ names: String...) -> ConsoleDriver {
        for name in names {
            guard let key = Key(name: name) else { fatalError("no key named \(name)") }
            send(key)
        }
        return self
    }

    @discardableResult
    func type(_ text: String) -> ConsoleDriver {
        for character in text { send(.character(character)) }
        return self
    }

    func send(_ key: Key) {
        precondition(running, "the console has quit")
        running = console.handle(key, size: size)
    }

    func resize(to newSize: Size) {
        size = newSize
        send(.resize)
    }

    var buffer: Buffer { console.render(size: size) }
    var screen: String { buffer.text }

    func line(containing text: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { $0.contains(text) }
    }
}
