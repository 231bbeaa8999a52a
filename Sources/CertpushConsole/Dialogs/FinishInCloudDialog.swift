import CertpushCore
import Foundation
import TerminalKit

/// Configure Now after a push to a real cloud: certpush holds none of that
/// account's listeners or domains, so it shows where the certificate now
/// is and where to finish binding it in the cloud's own console.
final class FinishInCloudDialog: Screen {
    let session: Session
    let lines: [String]

    init(session: Session, certificate: Certificate, account: String, pushed: [PushTarget]) {
        self.session = session
        let places = pushed.map(\.description).joined(separator: ", ")
        let services = Set(pushed.map(\.service)).sorted().compactMap(CloudService.named).map(\.name).joined(separator: ", ")
        lines = [
            "\(certificate.id) \(DisplayText.neutralized(certificate.name)) is in SCM's store for \(places) (account \(account)).",
            "certpush holds no resources of a Huawei Cloud account, so the binding is finished in Huawei Cloud's console:",
            "open \(services) in each region above and choose the certificate named \(DisplayText.neutralized(certificate.name)) for the listener or domain.",
        ]
    }

    var title: String { "Configure in Huawei Cloud" }
    var isDialog: Bool { true }
    var commands: [Command] { [Command([.enter, .escape], "close", label: "Enter") { .close }] }

    func render(in area: Rect, into buffer: inout Buffer) {
        let width = min(area.width - 2, 90)
        let wrapped = lines.flatMap { TextWidth.wrap($0, width: width - 4) + [""] }
        let inner = Frame.dialog(title, width: width, height: min(area.height, wrapped.count + 4), in: area, theme: session.theme, into: &buffer)
        for (index, line) in wrapped.enumerated() where index < inner.height - 2 {
            buffer.write(TextWidth.truncate(line, to: inner.width - 2), x: inner.x + 1, y: inner.y + 1 + index, style: session.theme["dialog"])
        }
        _ = Button.render("Close", focused: true, theme: session.theme, at: inner.maxX - 10, y: inner.maxY - 1, into: &buffer)
    }
}
