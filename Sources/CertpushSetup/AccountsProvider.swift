import CertpushCore
import CertpushSandbox
import CertpushServers
import Foundation

/// The provider the engine calls: each resource's account decides who acts
/// on it (SPEC 10): the sandbox, or the servers of a `servers` account. A
/// task spanning accounts sends each pair to its own.
struct AccountsProvider: CloudProvider {
    let sandbox: SandboxProvider
    let servers: [String: ServersProvider]
    let store: any Store

    var name: String { sandbox.name }

    func push(_ certificate: Certificate, service: CloudService, region: String?) throws {
        try sandbox.push(certificate, service: service, region: region)
    }

    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool {
        try sandbox.holds(certificate, service: service, region: region)
    }

    func bind(_ certificate: CertificateID?, to resource: CloudResource) throws {
        switch try owner(of: resource) {
        case .sandbox: try sandbox.bind(certificate, to: resource)
        case .servers(let provider): try provider.bind(certificate, to: resource)
        }
    }

    func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws {
        switch try owner(of: resource) {
        case .sandbox: try sandbox.rollBack(resource, to: previous)
        case .servers(let provider): try provider.rollBack(resource, to: previous)
        }
    }

    func certificate(on resource: ResourceID) throws -> CertificateID? {
        guard let found = try store.read({ try $0.resource(resource) }) else { return nil }
        switch try owner(of: found) {
        case .sandbox: return try sandbox.certificate(on: resource)
        case .servers(let provider): return try provider.certificate(on: found)
        }
    }

    func synchronize() throws -> Int { try sandbox.synchronize() }

    private enum Owner {
        case sandbox
        case servers(ServersProvider)
    }

    private func owner(of resource: CloudResource) throws -> Owner {
        if resource.account == Account.sandboxName { return .sandbox }
        if let provider = servers[resource.account] { return .servers(provider) }
        throw ProviderFailure("account \(resource.account) is not in config.toml any more, so nothing can act on \(resource.id)")
    }
}
