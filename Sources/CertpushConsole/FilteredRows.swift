import TerminalKit

/// A list of rows that all fit in memory (Activity, the outbox), with a
/// cursor and a `/` filter over each row's text: the keys both share.
struct FilteredRows<Row> {
    private(set) var window = ScrollWindow()
    private(set) var filter = TextField()
    private(set) var isFiltering = false
    /// The rows that match the filter, as last given to `update`.
    private(set) var shown: [Row] = []

    /// Takes the rows again and keeps those whose text has the filter in it (any case).
    mutating func update(_ rows: [Row], text: (Row) -> String) {
        let needle = filter.text.lowercased()
        shown = needle.isEmpty ? rows : rows.filter { text($0).lowercased().contains(needle) }
        window.setCount(shown.count)
    }

    var selected: Row? { shown.indices.contains(window.selected) ? shown[window.selected] : nil }

    mutating func setHeight(_ height: Int) { window.height = height }

    /// The filter's keys while typing it; else movement, `/`, and Esc to clear a kept filter.
    /// `refresh` reads the rows again after the filter changed.
    static func commands(_ rows: @escaping () -> FilteredRows, _ set: @escaping (FilteredRows) -> Void, filterName: String) -> [Command] {
        let current = rows()
        func change(_ edit: @escaping (inout FilteredRows, Key) -> Void) -> (Key) -> KeyResult {
            { key in
                var value = rows()
                edit(&value, key)
                set(value)
                return .handled
            }
        }
        if current.isFiltering {
            let apply = { (edit: @escaping (inout FilteredRows, Key) -> Void) in { (key: Key) in _ = change(edit)(key) } }
            return Command.filtering(filterName,
                                     keep: { _ = change { rows, _ in rows.isFiltering = false }(.enter) },
                                     clear: { _ = change { rows, _ in
                                         rows.isFiltering = false
                                         rows.filter = TextField()
                                         rows.window.home()
                                     }(.escape) },
                                     move: apply { rows, key in _ = rows.window.handle(key) },
                                     edit: apply { rows, key in if rows.filter.handle(key) { rows.window.home() } })
        }
        var commands = Command.movement { key in _ = change { rows, key in _ = rows.window.handle(key) }(key) }
        commands.append(Command([.character("/")], "filter", change { rows, _ in rows.isFiltering = true }))
        if !current.filter.text.isEmpty {
            commands.append(Command([.escape], "clear filter", change { rows, _ in
                rows.filter = TextField()
                rows.window.home()
            }))
        }
        return commands
    }

    /// The filter line under a list while typing it or once kept; the list's area without it.
    func renderFilter(in list: Rect, theme: Theme, into buffer: inout Buffer) -> Rect {
        guard isFiltering || !filter.text.isEmpty else { return list }
        let (rest, line) = list.splitBottom(1)
        buffer.write("Filter: ", x: line.x, y: line.y, style: theme["body"])
        filter.render(focused: isFiltering, theme: theme, in: Rect(x: line.x + 8, y: line.y, width: min(40, line.width - 8), height: 1),
                      into: &buffer)
        return rest
    }
}
