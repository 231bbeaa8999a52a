import CertpushCore
import CertpushServers
import Foundation

/// The provider a live workspace's engine calls (SPEC 10, 14): each
/// resource's account decides who acts on it, the servers of a `servers`
/// account or a cloud account's provider. A task spanning accounts sends
/// each pair to its own; a push goes to the account it names. The sandbox
/// is not among them: a training workspace is handed the sandbox alone (W1).
struct AccountsProvider: CloudProvider {
    let servers: [String: ServersProvider]
    let clouds: [String: any CloudProvider]
    let store: any Store

    var name: String { "accounts" }

    private static let noAccount = Refusal("A live workspace pushes through an account: name one with --account.")

    func push(_ certificate: Certificate, service: CloudService, region: String?) throws { throw Self.noAccount }

    func push(_ certificate: Certificate, service: CloudService, regions: [String?], account: String) throws -> [Error?] {
        guard let cloud = clouds[account] else { throw Refusal("\(account) takes no pushes.") }
        return try cloud.push(certificate, service: service, regions: regions, account: account)
    }

    func deploysInJobs(account: String) -> Bool { clouds[account]?.deploysInJobs(account: account) ?? false }

    func deploy(_ pairs: [(certificate: CertificateID, resource: CloudResource)], account: String) throws -> [Error?] {
        guard let cloud = clouds[account] else { throw ProviderFailure("account \(account) is not in config.toml any more") }
        return try cloud.deploy(pairs, account: account)
    }

    /// Only the sandbox's service stores are certpush's to read; a cloud's push is settled by its own answer.
    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool { throw Self.noAccount }

    func bind(_ certificate: CertificateID?, to resource: CloudResource) throws {
        switch try owner(of: resource) {
        case .servers(let provider): try provider.bind(certificate, to: resource)
        case .cloud(let provider): try provider.bind(certificate, to: resource)
        }
    }

    func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws {
        switch try owner(of: resource) {
        case .servers(let provider): try provider.rollBack(resource, to: previous)
        case .cloud(let provider): try provider.rollBack(resource, to: previous)
        }
    }

    func certificate(on resource: ResourceID) throws -> CertificateID? {
        guard let found = try store.read({ try $0.resource(resource) }) else { return nil }
        switch try owner(of: found) {
        case .servers(let provider): return try provider.certificate(on: found)
        case .cloud(let provider): return try provider.certificate(on: resource)
        }
    }

    /// Each account synchronizes on its own (`Workspace.synchronize`).
    func synchronize() throws -> Int { 0 }

    private enum Owner {
        case servers(ServersProvider)
        case cloud(any CloudProvider)
    }

    private func owner(of resource: CloudResource) throws -> Owner {
        if let provider = servers[resource.account] { return .servers(provider) }
        if let provider = clouds[resource.account] { return .cloud(provider) }
        throw ProviderFailure("account \(resource.account) is not in config.toml any more, so nothing can act on \(resource.id)")
    }
}

/// A cloud account certpush cannot act for (its keys are missing or refused
/// by R1): every action says why, in one sentence, and changes nothing.
struct UnavailableCloud: CloudProvider {
    let name: String
    let reason: Refusal

    func push(_ certificate: Certificate, service: CloudService, region: String?) throws { throw reason }
    func push(_ certificate: Certificate, service: CloudService, regions: [String?], account: String) throws -> [Error?] { throw reason }
    func holds(_ certificate: Certificate, service: CloudService, region: String?) throws -> Bool { throw reason }
    func bind(_ certificate: CertificateID?, to resource: CloudResource) throws { throw ProviderFailure(reason.sentence) }
    func deploy(_ pairs: [(certificate: CertificateID, resource: CloudResource)], account: String) throws -> [Error?] { throw reason }
    func deploysInJobs(account: String) -> Bool { true }
    func rollBack(_ resource: CloudResource, to previous: CertificateID?) throws { throw ProviderFailure(reason.sentence) }
    func certificate(on resource: ResourceID) throws -> CertificateID? { throw reason }
    func synchronize() throws -> Int { throw reason }
}
