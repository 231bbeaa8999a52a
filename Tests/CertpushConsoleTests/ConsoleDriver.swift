import CertpushConsole
import CertpushCore
import CertpushSetup
import CertpushTestSupport
import Foundation
import TerminalKit

/// Drives the console as a user does: keys in, screen text out, through the
/// same render the terminal gets. Synchronous: nothing moves unless a key does.
final class ConsoleDriver {
    let fixture: SandboxFixture
    let console: Console
    var size: Size
    private(set) var running = true

    init(fixture: SandboxFixture? = nil, size: Size = Size(width: 100, height: 30), theme: Theme = .standard,
         background: BackgroundRunner = InlineRunner(), configure: (inout ConsoleContext) -> Void = { _ in }) throws {
        self.fixture = try fixture ?? SandboxFixture()
        self.size = size
        var context = ConsoleContext(
            certificates: self.fixture.certificates, push: self.fixture.workspace.push, deployments: self.fixture.workspace.deployments, databaseLabel: self.fixture.databasePath, workspace: self.fixture.workspace.kind,
            theme: theme, readFile: InputFile.load(path:), background: background)
        context.timeZone = TimeZone(identifier: "UTC")!
        context.accounts = self.fixture.workspace.kind == .live ? self.fixture.workspace.accounts : []
        context.training = self.fixture.workspace.training
        configure(&context)
        console = Console(context: context)
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

    /// Moves the certificate list's cursor onto the row showing `name`.
    @discardableResult
    func select(_ name: String) -> ConsoleDriver {
        press("g")
        for _ in 0..<20 where buffer.find(name).map({ buffer[$0.x, $0.y].style != Theme.standard["table.cursor"] }) ?? true {
            press("j")
        }
        return self
    }

    func line(containing text: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { $0.contains(text) }
    }
}

/// A runner that holds the work it is given until the test releases it:
/// running meanwhile, as threads doing long work would be. `release` finishes
/// all of it, or only the work whose label is given.
final class HeldRunner: BackgroundRunner, @unchecked Sendable {
    private var held: [(work: BackgroundWork, body: @Sendable () throws -> any Sendable)] = []
    private var done: [(BackgroundWork, Result<any Sendable, Error>)] = []
    var running: [BackgroundWork] { held.map(\.work) }

    func start(_ work: BackgroundWork, _ body: @escaping @Sendable () throws -> any Sendable) {
        held.append((work, body))
    }

    /// Runs what is held (or the work labelled so), as its thread would finish it.
    func release(_ label: String? = nil) {
        let chosen = held.filter { label == nil || $0.work.label == label }
        held.removeAll { item in chosen.contains { $0.work.id == item.work.id } }
        for item in chosen { done.append((item.work, Result { try item.body() })) }
    }

    func drain() -> [(work: BackgroundWork, result: Result<any Sendable, Error>)] {
        defer { done = [] }
        return done.map { ($0.0, $0.1) }
    }
}
