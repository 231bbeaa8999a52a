import CertpushClouds
import CertpushCore
import TOMLKit

extension Account.Kind {
    public static let alibabacloud = Self("alibabacloud", title: "CAS")
}

/// An Alibaba Cloud account (SPEC 12): its resources come from CAS, and its
/// deployments run as CAS jobs.
struct AlibabaCloudDriver: AccountDriver {
    let cloud = CloudSettings(keyNames: ("access_key_id_env", "access_key_secret_env"), defaultEndpoint: AlibabaCAS.defaultEndpoint)

    var kind: Account.Kind { .alibabacloud }
    var settings: Set<String> { cloud.settings.union(["poll_interval"]) }

    func configure(_ account: inout Account, from table: AccountTable) throws {
        try cloud.configure(&account, from: table)
        if let interval = table.fields["poll_interval"] {
            account.pollInterval = try CloudSettings.seconds(interval, "poll_interval", least: 0.01, table)
        }
    }

    func cas(_ account: Account, in context: DriverContext) throws -> AlibabaCAS {
        AlibabaCAS(account: account.name, keys: try cloud.keys(of: account, in: context), http: try cloud.http(account))
    }

    func actions(for account: Account, in context: DriverContext) -> AccountActions {
        CloudSettings.actions(offering: [.deploy, .inventory]) {
            CASProvider(account: account, cas: try cas(account, in: context), store: context.store, pollInterval: account.pollInterval ?? 2,
                        jobTimeLimit: max(600, 20 * (account.timeLimit ?? 30))).actions
        }
    }

    /// R6: one signed read.
    func check(_ account: Account, in context: DriverContext) throws -> [(line: String, failed: Bool)] {
        let count = try cas(account, in: context).check()
        return [("\(account.name): OK, CAS answered a signed call: \(Words.count(count, "cloud resource")) listed.", false)]
    }
}
