import Foundation
import TOMLKit

/// Styles by meaning (`table.cursor`, `status.error`), read from a theme
/// file of `name = "fg on bg attributes"` lines. Stock themes are compiled
/// in, so a missing `themes/` folder still works.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [String: Style]

    public init(name: String, styles: [String: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style for a role; `table.cursor` falls back to `table`, then plain.
    public subscript(role: String) -> Style {
        var key = role
        while true {
            if let style = styles[key] { return style }
            guard let dot = key.lastIndex(of: ".") else { return .plain }
            key = String(key[..<dot])
        }
    }

    public static let roles = [
        "title", "title.sandbox", "title.live", "nav", "nav.selected", "nav.focused", "body", "border", "border.focused",
        "table.header", "table.cursor", "table.cursor.unfocused", "tab", "tab.selected",
        "status.ok", "status.warn", "status.error", "status.muted", "hint", "hint.key",
        "dialog", "dialog.title", "field", "field.focused", "button", "button.focused", "message.error", "message.info",
    ]

    // MARK: Loading

    public static func parse(_ text: String, name: String) throws -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ThemeError(name: name, problem: "line \(error.source.begin.line): \(error.description)")
        }
        var styles: [String: Style] = [:]
        for key in table.keys {
            guard let spec = table[key]?.string else { throw ThemeError(name: name, problem: "\(key) must be a string") }
            guard let style = Style(spec: spec) else { throw ThemeError(name: name, problem: "\(key) = \"\(spec)\" is not a style") }
            styles[key] = style
        }
        return Theme(name: name, styles: styles)
    }

    /// The theme called `name`: a file `name.toml` in the first folder that
    /// has one, else a stock theme; an unknown name is an error.
    public static func load(named name: String, searching folders: [String]) throws -> Theme {
        for folder in folders {
            let path = folder + "/" + name + ".toml"
            if let data = FileManager.default.contents(atPath: path) {
                return try parse(String(decoding: data, as: UTF8.self), name: name)
            }
        }
        if let stock = stock[name] { return try parse(stock, name: name) }
        throw ThemeError(name: name, problem: "there is no such theme; the themes are \(available(in: folders).joined(separator: ", "))")
    }

    /// Every theme there is: the stock ones and each `NAME.toml` in the folders, by name, each once.
    public static func available(in folders: [String]) -> [String] {
        var names = Set(stock.keys)
        for folder in folders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    /// The same theme for a terminal with only the basic eight colours.
    public func limited(toColors colors: Int) -> Theme {
        guard colors < 256 else { return self }
        var copy = self
        for (role, style) in styles {
            copy.styles[role] = style.with {
                if colors < 16, case .indexed(let i) = $0.foreground, (8..<16).contains(i) { $0.bold = true }
                $0.foreground = colors < 16 ? $0.foreground.basic : $0.foreground
                $0.background = colors < 16 ? $0.background.basic : $0.background
            }
        }
        return copy
    }

    public static let stock: [String: String] = ["default": StockThemes.default, "mono": StockThemes.mono]
    public static var mono: Theme { try! parse(StockThemes.mono, name: "mono") }
    public static var standard: Theme { try! parse(StockThemes.default, name: "default") }
}

public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let problem: String
    public var description: String { "The theme \"\(name)\" cannot be used: \(problem)." }
}

enum StockThemes {
    static let `default` = """
        title = "white on blue bold"
        "title.sandbox" = "black on yellow bold"
        "title.live" = "white on red bold"
        nav = "default"
        "nav.selected" = "bold"
        "nav.focused" = "black on cyan bold"
        border = "bright-black"
        "border.focused" = "cyan"
        "table.header" = "bold underline"
        "table.cursor" = "black on cyan"
        "table.cursor.unfocused" = "reverse"
        tab = "default"
        "tab.selected" = "black on white bold"
        "status.ok" = "green"
        "status.warn" = "yellow bold"
        "status.error" = "red bold"
        "status.muted" = "bright-black"
        hint = "black on white"
        "hint.key" = "blue on white bold"
        dialog = "default"
        "dialog.title" = "cyan bold"
        field = "underline"
        "field.focused" = "black on white"
        button = "default"
        "button.focused" = "black on cyan bold"
        "message.error" = "red bold"
        "message.info" = "green"
        """

    static let mono = """
        title = "reverse bold"
        "title.sandbox" = "reverse bold"
        "title.live" = "reverse bold underline"
        "nav.selected" = "bold"
        "nav.focused" = "reverse"
        border = "default"
        "table.header" = "bold underline"
        "table.cursor" = "reverse"
        "table.cursor.unfocused" = "underline"
        "tab.selected" = "reverse"
        "status.warn" = "bold"
        "status.error" = "bold underline"
        "status.muted" = "dim"
        hint = "reverse"
        "hint.key" = "reverse bold"
        "dialog.title" = "bold"
        field = "underline"
        "field.focused" = "reverse"
        "button.focused" = "reverse bold"
        "message.error" = "bold"
        "message.info" = "default"
        """
}
