import CertpushCore
import Foundation
import TerminalKit

/// What the wizard's steps fill in together: the task as it stands, and
/// the one warning a step has for the user. Each step owns its own cursor
/// and lists; this is what they share.
final class TaskDraft {
    var name = TextField()
    var time = TextField()
    var customTime = false
    var contacts: [String] = []
    var chosenContacts: [String] = []
    /// The chosen certificates, in the order chosen.
    var certificates: [CertificateID]
    var chosenCertificates: Set<CertificateID>
    /// The type of the chosen certificates (D2: one type per task).
    var chosenSource: CertificateSource?
    var resources: [ResourceID] = []
    var chosenResources = Set<ResourceID>()
    /// The smart-match offer is made once per choice of certificates (D5).
    var offeredMatch = false
    /// One sentence for the user, cleared by the next key.
    var warning: String?

    init(certificates: [Certificate]) {
        self.certificates = certificates.map(\.id)
        chosenCertificates = Set(self.certificates)
        chosenSource = certificates.first?.source
        if let first = certificates.first { name = TextField("Deploy \(first.name)") }
    }

    func request(zone: TimeZone) -> TaskRequest {
        TaskRequest(name: name.text, certificates: certificates, resources: resources,
                    at: customTime ? try? ISOTime.parse(time.text, zone: zone) : nil, contacts: chosenContacts)
    }

    func addResources(_ ids: [ResourceID]) {
        for id in ids where chosenResources.insert(id).inserted { resources.append(id) }
    }

    func toggleResource(_ id: ResourceID) {
        if chosenResources.remove(id) != nil { resources.removeAll { $0 == id } } else { addResources([id]) }
    }
}
