/// What a full-screen program is to the runtime: it draws a frame for a
/// size and answers keys. Everything else (the database, the clock) it
/// holds itself.
public protocol TerminalProgram: AnyObject {
    func render(size: Size) -> Buffer
    /// Returns false when the program is done.
    func handle(_ key: Key, size: Size) -> Bool
    /// Called when no key came for `tickMilliseconds`; a chance to refresh.
    func tick()
    /// How long to wait for a key before ticking: short while work runs in the background.
    var tickMilliseconds: Int { get }
}

extension TerminalProgram {
    public func tick() {}
    public var tickMilliseconds: Int { 1_000 }
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
    public static func run(_ program: TerminalProgram, on backend: TerminalBackend) {
        backend.draw(program.render(size: backend.size))
        while true {
            if let key = backend.readKey(timeoutMilliseconds: program.tickMilliseconds) {
                guard program.handle(key, size: backend.size) else { return }
            } else {
                program.tick()
            }
            backend.draw(program.render(size: backend.size))
        }
    }
}
