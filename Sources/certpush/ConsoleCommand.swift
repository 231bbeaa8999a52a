import CertpushSetup
import Foundation

struct ConsoleCommand {
    var global: GlobalOptions
    var theme: String?

    func run() throws {
        print("console not built yet")
    }
}
