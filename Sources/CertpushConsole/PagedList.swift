import CertpushCore
import TerminalKit

/// A cursor over rows too many to hold (a million resources): it keeps only
/// the rows in view and asks the store for their neighbours, by position,
/// when the cursor leaves them. A key costs a page read, wherever the list is.
final class PagedList<Row, Position: Sendable & Hashable> {
    typealias Fetch = (PageAnchor<Position>, Int) -> [Row]
    private let fetch: Fetch
    private let position: (Row) -> Position
    private(set) var rows: [Row] = []
    /// The selected row's index in `rows`.
    private(set) var cursor = 0
    private(set) var height = 1
    private var stale = true

    init(position: @escaping (Row) -> Position, fetch: @escaping Fetch) {
        self.position = position
        self.fetch = fetch
    }

    /// The row at the cursor, read first when stale (a key can come before any frame).
    var selected: Row? {
        load()
        return current
    }

    private var current: Row? { rows.indices.contains(cursor) ? rows[cursor] : nil }

    /// Reads the page again on next use, kept where it was (the data or the filter changed).
    func invalidate() { stale = true }

    /// Starts again at the first row (a new filter).
    func reset() {
        rows = []
        cursor = 0
        stale = true
    }

    /// The rows to draw in `height` lines, read when stale.
    func visibleRows(height newHeight: Int) -> [Row] {
        if max(1, newHeight) != height {
            height = max(1, newHeight)
            stale = true
        }
        load()
        return rows
    }

    /// The movement keys every list shares; false for any other key.
    func handle(_ key: Key) -> Bool {
        load()
        switch key {
        case .up, .character("k"): moveUp()
        case .down, .character("j"): moveDown()
        case .pageUp: pageUp()
        case .pageDown: pageDown()
        case .home, .character("g"):
            rows = fetch(.first, height)
            cursor = 0
        case .end, .character("G"):
            rows = fetch(.last, height)
            cursor = max(0, rows.count - 1)
        default: return false
        }
        return true
    }

    private func load() {
        guard stale else { return }
        stale = false
        let kept = current.map(position)
        var page = rows.first.map { fetch(.from(position($0)), height) } ?? fetch(.first, height)
        if page.count < height {
            // Near the end: fill the window from before, as a list scrolled to its end shows.
            let before = page.first.map { fetch(.before(position($0)), height - page.count) } ?? fetch(.last, height)
            page = before + page
        }
        rows = page
        cursor = kept.flatMap { kept in rows.firstIndex { position($0) == kept } } ?? min(cursor, max(0, rows.count - 1))
    }

    private func moveDown() {
        if cursor + 1 < rows.count {
            cursor += 1
        } else if let last = rows.last, let next = fetch(.after(position(last)), 1).first {
            rows.append(next)
            if rows.count > height { rows.removeFirst(rows.count - height) }
            cursor = rows.count - 1
        }
    }

    private func moveUp() {
        if cursor > 0 {
            cursor -= 1
        } else if let first = rows.first, let previous = fetch(.before(position(first)), 1).first {
            rows.insert(previous, at: 0)
            if rows.count > height { rows.removeLast(rows.count - height) }
            cursor = 0
        }
    }

    private func pageDown() {
        guard let last = rows.last else { return }
        let next = fetch(.after(position(last)), max(1, height - 1))
        if next.isEmpty { cursor = rows.count - 1; return }
        rows = Array((rows + next).suffix(height))
        cursor = min(cursor, rows.count - 1)
    }

    private func pageUp() {
        guard let first = rows.first else { return }
        let previous = fetch(.before(position(first)), max(1, height - 1))
        if previous.isEmpty { cursor = 0; return }
        rows = Array((previous + rows).prefix(height))
        cursor = min(cursor, rows.count - 1)
    }
}

extension PagedList where Row == CloudResource, Position == ResourcePosition {
    /// The filter's resources, in list order, read a page at a time.
    convenience init(session: Session, filter: @escaping () -> ResourceFilter) {
        self.init(position: ResourcePosition.init(of:)) { anchor, limit in
            session.read({ try $0.resourcePage(filter(), anchor, limit: limit) }, default: [])
        }
    }
}
