import CertpushClouds
import CertpushCore

extension Account.Kind {
    public static let huaweicloud = Self("huaweicloud", title: "Huawei Cloud SCM")
}

/// A Huawei Cloud account (SPEC 11): it takes pushes into SCM's services.
struct HuaweiCloudDriver: AccountDriver {
    let cloud = CloudSettings(keyNames: ("access_key_env", "secret_key_env"), defaultEndpoint: HuaweiSCM.defaultEndpoint)

    var kind: Account.Kind { .huaweicloud }
    var settings: Set<String> { cloud.settings }

    func configure(_ account: inout Account, from table: AccountTable) throws {
        try cloud.configure(&account, from: table)
    }

    /// It pushes to the regions its config names, else to Huawei's.
    func completed(_ account: Account) -> Account {
        var account = account
        if account.regions.isEmpty { account.regions = HuaweiSCM.defaultRegions }
        return account
    }

    func scm(_ account: Account, in context: DriverContext) throws -> HuaweiSCM {
        HuaweiSCM(account: account.name, keys: try cloud.keys(of: account, in: context), http: try cloud.http(account))
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
