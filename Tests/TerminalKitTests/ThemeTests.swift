import Foundation
import Testing
@testable import TerminalKit

@Suite struct ThemeTests {
    static let themesFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    @Test("style specs read foreground, background and attributes")
    func styleSpecs() {
        #expect(Style(spec: "white on blue bold") == Style(foreground: .white, background: .blue, bold: true))
        #expect(Style(spec: "bright-black")?.foreground == .indexed(8))
        #expect(Style(spec: "reverse")?.reverse == true)
        #expect(Style(spec: "214 on 16") == Style(foreground: .indexed(214), background: .indexed(16)))
        #expect(Style(spec: "white on") == nil)
        #expect(Style(spec: "blinking") == nil)
    }

    @Test("every theme the spec names is a file in themes/ that parses", arguments: ["default", "dark", "light", "high-contrast", "mono"])
    func themeFiles(name: String) throws {
        let theme = try Theme.load(named: name, searching: [Self.themesFolder])
        #expect(theme.name == name)
        #expect(theme.styles["table.cursor"] != nil)
    }

    @Test("the compiled-in stock themes are the files in themes/")
    func stockMatchesFiles() throws {
        for name in ["default", "mono"] {
            let file = try String(contentsOfFile: "\(Self.themesFolder)/\(name).toml", encoding: .utf8)
            #expect(try Theme.parse(file, name: name) == Theme.parse(Theme.stock[name]!, name: name))
        }
    }

    @Test("with no themes folder the stock theme still works; an unknown name is an error that lists every theme, stock and files")
    func fallbacks() throws {
        #expect(try Theme.load(named: "default", searching: ["/nonexistent"]) == .standard)
        do {
            _ = try Theme.load(named: "neon", searching: [Self.themesFolder, "/nonexistent"])
            Issue.record("an unknown theme loaded")
        } catch let error as ThemeError {
            #expect(error.description.contains("the themes are dark, default, high-contrast, light, mono"), "\(error.description)")
        }
    }

    @Test("a broken theme file is refused with its line")
    func brokenTheme() {
        #expect(throws: ThemeError.self) { try Theme.parse("title = \"white on\"", name: "x") }
        do {
            _ = try Theme.parse("title = \"white\"\nbroken line here", name: "x")
            Issue.record("parsed")
        } catch let error as ThemeError {
            #expect(error.description.contains("line 2"))
        } catch { Issue.record("\(error)") }
    }

    @Test("roles fall back to their parent")
    func fallbackRoles() {
        let theme = Theme(name: "t", styles: ["status": Style(bold: true)])
        #expect(theme["status.warn"].bold)
        #expect(theme["nothing"] == .plain)
    }

    @Test("8-colour terminals get the basic colours, bright ones made bold")
    func eightColours() throws {
        let dark = try Theme.load(named: "dark", searching: [Self.themesFolder]).limited(toColors: 8)
        for style in dark.styles.values {
            for color in [style.foreground, style.background] {
                if case .indexed(let index) = color { #expect(index < 8) }
            }
        }
        let bright = Theme(name: "b", styles: ["x": Style(foreground: .indexed(9))]).limited(toColors: 8)
        #expect(bright["x"] == Style(foreground: .red, bold: true))
        #expect(Color.indexed(196).basic == .red)
        #expect(Color.indexed(255).basic == .white)
    }
}
