/// What a full-screen program is to the runtime: it draws a frame for a
/// size and answers keys. Everything else (the database, the clock) it
/// holds itself.
public protocol TerminalProgram: AnyObject {
    func render(size: Size) -> Buffer
    /// Returns false when the program is done.
    func handle(_ key: Key, size: Size) -> Bool
    /// Called when no key came for a while; a chance to refresh.
    func tick()
}

extension TerminalProgram {
    public func tick() {}
}

/// A terminal: ncurses in the product, a buffer in tests.
public protocol TerminalBackend: AnyObject {
    var size: Size { get }
    func draw(_ buffer: Buffer)
    /// The next key, or nil when `timeoutMilliseconds` passed without one.
    func readKey(timeoutMilliseconds: Int) -> Key?
}

public enum Runtime {
    /// Draws, waits for a key, hands it over; until the program is done.
    public static func run(_ program: TerminalProgram, on backend: TerminalBackend, tickMilliseconds: Int = 1_000) {
        backend.draw(program.render(size: backend.size))
        while true {
            if let key = backend.readKey(timeoutMilliseconds: tickMilliseconds) {
                guard program.handle(key, size: backend.size) else { return }
            } else {
                program.tick()
            }
            backend.draw(program.render(size: backend.size))
        }
    }
}
