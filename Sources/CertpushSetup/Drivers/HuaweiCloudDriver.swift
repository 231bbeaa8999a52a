import CertpushClouds
import CertpushCore
import Foundation

extension Account.Kind {
    public static let huaweicloud = Self("huaweicloud", title: "Huawei Cloud SCM")
}

/// A Huawei Cloud account (SPEC 11): it takes pushes into SCM's services.
struct HuaweiCloudDriver: AccountDriver {
    let cloud = CloudSettings(keyNames: ("access_key_env", "secret_key_env"), defaultEndpoint: HuaweiSCM.defaultEndpoint)

    var kind: Account.Kind { .huaweicloud }
    var settings: Set<String> { cloud.settings.union(["domain_id", "iam_endpoint"]) }

    func configure(_ account: inout Account, from table: AccountTable) throws {
        try cloud.configure(&account, from: table)
        if let domain = table.fields["domain_id"] {
            guard let text = domain.string, !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw table.problem("domain_id must be the account's id: letters and digits, as the console's My Credentials page shows it")
            }
            account.domainID = text
        }
        if let endpoint = try CloudSettings.endpoint("iam_endpoint", in: table) { account.identityEndpoint = endpoint }
    }

    /// It pushes to the regions its config names, else to Huawei's.
    func completed(_ account: Account) -> Account {
        var account = account
        if account.regions.isEmpty { account.regions = HuaweiSCM.defaultRegions }
        return account
    }

    /// The account's SCM: its domain id from the config, else looked up once
    /// and kept in the workspace, for these keys (H5).
    func scm(_ account: Account, in context: DriverContext) throws -> HuaweiSCM {
        let keys = try cloud.keys(of: account, in: context)
        let store = context.store
        let kept = ProviderReference(.huaweiDomain, account: account.name, subject: RequestSigning.sha256(Data(keys.id.utf8)))
        let domain = HuaweiDomain(configured: account.domainID, kept: (
            read: { try store.read { try $0.reference(kept) } },
            // A command that only reads the workspace (accounts check) looks it up again next time.
            write: { id in _ = try? store.write { try $0.setReference(id, for: kept) } }))
        return HuaweiSCM(account: account.name, keys: keys, http: try cloud.http(account),
                         iam: try cloud.http(account, endpoint: account.identityEndpoint ?? HuaweiSCM.defaultIAMEndpoint), domain: domain)
    }

    func actions(for account: Account, in context: DriverContext) -> AccountActions {
        CloudSettings.actions(offering: .push) {
            SCMProvider(account: account, scm: try scm(account, in: context), store: context.store).actions
        }
    }

    /// R6: one signed read.
    func check(_ account: Account, in context: DriverContext) throws -> [(line: String, failed: Bool)] {
        let count = try scm(account, in: context).check()
        return [("\(account.name): OK, SCM answered a signed call: \(Words.count(count, "certificate")) in SCM.", false)]
    }
}
