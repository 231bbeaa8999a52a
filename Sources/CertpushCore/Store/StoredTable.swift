/// One value of a table as either database keeps it: what `db copy` (T5)
/// carries from one to the other, exactly, sealed keys as they are.
public enum StoredValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// A table's rows, a batch at a time, as `db copy` moves them.
public struct StoredRows: Sendable {
    public var table: String
    public var columns: [String]
    public var rows: [[StoredValue]]
    public init(table: String, columns: [String], rows: [[StoredValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}

/// T5: the tables a workspace's data is in, in an order where each comes after
/// those its foreign keys name. The tallies are left out: the triggers of the
/// database copied into make them again from the rows.
public enum StoredTables {
    public static let ordered = [
        "setting", "certificate", "certificate_material", "certificate_domain", "private_key", "activity",
        "region", "service_region", "service_certificate", "resource", "server_site", "cloud_resource", "push_record",
        "contact", "task", "task_certificate", "task_contact", "task_pair", "pair_step", "notification",
        "exercise_log", "provider_reference",
    ]
    /// Made again by triggers as rows arrive.
    public static let derived: Set = ["resource_tally", "task_pair_tally"]
}
