import CertpushCore
import Foundation
import PostgresNIO

/// T1: the store's migrations on PostgreSQL, numbered as SQLite's
/// (CertpushStore's Schema) and making the same tables and columns; the SQL
/// differs only where the databases do: identity columns for AUTOINCREMENT,
/// `DOUBLE PRECISION` for REAL, triggers as PL/pgSQL functions, `"user"`
/// quoted, and pg_trgm indexes where SQLite has an FTS5 trigram table.
/// Data moves of v12 to v14 repair databases older than they are: no
/// PostgreSQL workspace is, so there they only keep their number.
public enum PostgresSchema {
    public struct Migration: Sendable {
        public let identifier: String
        let statements: @Sendable (_ seal: (String) throws -> String) throws -> [String]
    }

    /// Applies every migration not yet applied, each in its own transaction,
    /// one migrator at a time however many processes start at once.
    /// `seal` seals the keyring's check text (v5).
    public static func migrate(_ link: PostgresLink, seal: (String) throws -> String) throws {
        // Every migration done already (each command's start, most of the time): one look, no lock taken.
        if try link.execute("SELECT to_regclass('certpush_migration') IS NOT NULL").first?.decode(Bool.self) == true {
            let applied = Set(try link.execute("SELECT identifier FROM certpush_migration").map { try $0.decode(String.self) })
            let known = Set(migrations.map(\.identifier))
            guard applied.isSubset(of: known) else {
                throw Refusal("PostgreSQL at \(link.location) holds a workspace a newer certpush wrote; upgrade certpush to open it. It was left untouched.")
            }
            if applied == known { return }
        }
        // CREATE TABLE IF NOT EXISTS is not safe from two sessions at once: it too waits for the lock.
        try link.transaction {
            try link.execute("SELECT pg_advisory_xact_lock(7411)")
            try link.execute("CREATE TABLE IF NOT EXISTS certpush_migration (identifier TEXT PRIMARY KEY)")
        }
        for migration in migrations {
            try link.transaction {
                // Two processes opening a new workspace at once: the second waits, then finds it done.
                try link.execute("SELECT pg_advisory_xact_lock(7411)")
                let done = try link.execute("SELECT 1 FROM certpush_migration WHERE identifier = \(migration.identifier)")
                guard done.isEmpty else { return }
                for statement in try migration.statements(seal) { try link.execute(PostgresQuery(unsafeSQL: statement)) }
                try link.execute("INSERT INTO certpush_migration (identifier) VALUES (\(migration.identifier))")
            }
        }
    }

    /// The migrations applied to the database, in order.
    public static func applied(_ link: PostgresLink) throws -> [String] {
        let done = Set(try link.execute("SELECT identifier FROM certpush_migration").map { try $0.decode(String.self) })
        return migrations.map(\.identifier).filter(done.contains)
    }

    /// A statement trigger's function and the trigger, as PL/pgSQL has
    /// them: once a statement, over its rows (`old_rows`, `new_rows`).
    /// SQLite's tallies count a row at a time; here a row trigger would
    /// update one tally row 100,000 times in one transaction, each update
    /// walking every version before it.
    static func statementTrigger(_ name: String, on table: String, _ event: String, _ body: String) -> [String] {
        let tables = switch event {
        case "INSERT": "NEW TABLE AS new_rows"
        case "DELETE": "OLD TABLE AS old_rows"
        default: "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        }
        return [
            "CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \(body) RETURN NULL; END $$",
            "CREATE TRIGGER \(name) AFTER \(event) ON \(table) REFERENCING \(tables) FOR EACH STATEMENT EXECUTE FUNCTION \(name)()",
        ]
    }

    /// The tally of `table` by `keys` moved by each row's count in `changes`
    /// (a SELECT of the keys and `n`), made where it was not.
    static func tallyChange(_ tally: String, keys: [String], _ changes: String, first: String? = nil) -> String {
        let list = keys.joined(separator: ", ")
        return """
            INSERT INTO \(tally) (\(list), count\(first == nil ? "" : ", first_pair"))
                SELECT \(list), sum(n)\(first.map { ", min(\($0))" } ?? "") FROM (\(changes)) AS change GROUP BY \(list) HAVING sum(n) <> 0
                ON CONFLICT (\(list)) DO UPDATE SET count = \(tally).count + excluded.count;
            """
    }

    /// The tally of `table` by `keys` lessened by the deleted rows: as SQLite's
    /// delete triggers, it only updates, so that rows a cascade took with
    /// their task (and their tally) make no tally again.
    static func tallyDecrease(_ tally: String, keys: [String]) -> String {
        let list = keys.joined(separator: ", ")
        return """
            UPDATE \(tally) SET count = \(tally).count - change.n
                FROM (SELECT \(list), count(*) AS n FROM old_rows GROUP BY \(list)) AS change
                WHERE \(keys.map { "\(tally).\($0) = change.\($0)" }.joined(separator: " AND "));
            """
    }

    static let resourceKeys = ["service", "region"]
    static let pairKeys = ["task_id", "service", "status"]

    static let resourceTallyTriggers: [String] =
        statementTrigger("resource_tally_insert", on: "resource", "INSERT",
                         tallyChange("resource_tally", keys: resourceKeys, "SELECT service, region, 1 AS n FROM new_rows"))
        + statementTrigger("resource_tally_delete", on: "resource", "DELETE",
                           tallyDecrease("resource_tally", keys: resourceKeys))
        + statementTrigger("resource_tally_move", on: "resource", "UPDATE", tallyChange("resource_tally", keys: resourceKeys, """
            SELECT service, region, -1 AS n FROM old_rows UNION ALL SELECT service, region, 1 FROM new_rows
            """))

    static let taskPairTallyTriggers: [String] =
        statementTrigger("task_pair_tally_insert", on: "task_pair", "INSERT",
                         tallyChange("task_pair_tally", keys: pairKeys, "SELECT task_id, service, status, 1 AS n, id FROM new_rows", first: "id"))
        + statementTrigger("task_pair_tally_delete", on: "task_pair", "DELETE",
                           tallyDecrease("task_pair_tally", keys: pairKeys))
        + statementTrigger("task_pair_tally_status", on: "task_pair", "UPDATE", tallyChange("task_pair_tally", keys: pairKeys, """
            SELECT task_id, service, status, -1 AS n, id FROM old_rows UNION ALL SELECT task_id, service, status, 1, id FROM new_rows
            """, first: "id"))

    public static let migrations: [Migration] = [
        Migration(identifier: "v1-certificates") { _ in [
            """
            CREATE TABLE certificate (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                key_algorithm TEXT NOT NULL,
                family TEXT NOT NULL CHECK (family IN ('international', 'sm')),
                source TEXT NOT NULL CHECK (source IN ('official', 'uploaded')),
                lifecycle TEXT NOT NULL CHECK (lifecycle IN ('pending', 'issued', 'hosted', 'revoked')),
                not_before DOUBLE PRECISION,
                not_after DOUBLE PRECISION,
                issuer TEXT NOT NULL,
                serial TEXT NOT NULL,
                fingerprint TEXT,
                has_private_key INTEGER NOT NULL,
                manual_csr INTEGER NOT NULL,
                shared INTEGER NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                search_text TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE certificate_material (
                certificate_id BIGINT PRIMARY KEY REFERENCES certificate(id) ON DELETE CASCADE,
                certificate_pem TEXT NOT NULL,
                chain_pem TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX certificate_by_fingerprint ON certificate(fingerprint) WHERE fingerprint IS NOT NULL",
            "CREATE INDEX certificate_by_not_after ON certificate(not_after)",
            """
            CREATE TABLE certificate_domain (
                certificate_id BIGINT NOT NULL REFERENCES certificate(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                domain TEXT NOT NULL,
                PRIMARY KEY (certificate_id, position)
            )
            """,
            "CREATE INDEX certificate_domain_by_domain ON certificate_domain(domain)",
            """
            CREATE TABLE private_key (
                certificate_id BIGINT PRIMARY KEY REFERENCES certificate(id) ON DELETE CASCADE,
                pem TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE activity (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                at DOUBLE PRECISION NOT NULL,
                "user" TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL
            )
            """,
            "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ] },
        Migration(identifier: "v2-cloud-inventory") { _ in [
            "CREATE TABLE region (code TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL)",
            "CREATE TABLE service_region (service TEXT NOT NULL, region TEXT NOT NULL, PRIMARY KEY (service, region))",
            """
            CREATE TABLE service_certificate (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                service TEXT NOT NULL,
                region TEXT NOT NULL,
                name TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                certificate_id BIGINT REFERENCES certificate(id) ON DELETE SET NULL,
                origin TEXT NOT NULL CHECK (origin IN ('pushed', 'uploaded')),
                UNIQUE (service, region, fingerprint)
            )
            """,
            "CREATE INDEX service_certificate_by_certificate ON service_certificate(certificate_id)",
            """
            CREATE TABLE resource (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                service TEXT NOT NULL,
                region TEXT NOT NULL,
                name TEXT NOT NULL,
                domain TEXT NOT NULL,
                parent_domain TEXT NOT NULL,
                certificate_id BIGINT REFERENCES certificate(id) ON DELETE SET NULL,
                fault TEXT
            )
            """,
            "CREATE INDEX resource_by_service ON resource(service, region)",
            "CREATE INDEX resource_by_domain ON resource(domain)",
            "CREATE INDEX resource_by_parent_domain ON resource(parent_domain)",
            "CREATE INDEX resource_by_certificate ON resource(certificate_id)",
            """
            CREATE TABLE push_record (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                at DOUBLE PRECISION NOT NULL,
                "user" TEXT NOT NULL,
                certificate_id BIGINT NOT NULL,
                service TEXT NOT NULL,
                region TEXT NOT NULL,
                succeeded INTEGER NOT NULL,
                reason TEXT NOT NULL
            )
            """,
            "CREATE INDEX push_record_by_certificate ON push_record(certificate_id, id)",
        ] },
        Migration(identifier: "v3-deployment-tasks") { _ in [
            "CREATE TABLE contact (name TEXT PRIMARY KEY, email TEXT NOT NULL)",
            """
            CREATE TABLE task (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                status TEXT NOT NULL,
                scheduled_at DOUBLE PRECISION,
                created_at DOUBLE PRECISION NOT NULL,
                created_by TEXT NOT NULL,
                finished_at DOUBLE PRECISION,
                runner_pid INTEGER
            )
            """,
            "CREATE INDEX task_by_status ON task(status, scheduled_at)",
            """
            CREATE TABLE task_certificate (
                task_id BIGINT NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                certificate_id BIGINT NOT NULL,
                PRIMARY KEY (task_id, position)
            )
            """,
            """
            CREATE TABLE task_contact (
                task_id BIGINT NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                contact TEXT NOT NULL,
                PRIMARY KEY (task_id, position)
            )
            """,
            """
            CREATE TABLE task_pair (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                task_id BIGINT NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                resource_id BIGINT NOT NULL,
                certificate_id BIGINT NOT NULL,
                service TEXT NOT NULL,
                region TEXT NOT NULL,
                resource_name TEXT NOT NULL,
                status TEXT NOT NULL,
                cause TEXT NOT NULL,
                previous_certificate_id BIGINT,
                charged INTEGER NOT NULL
            )
            """,
            "CREATE INDEX task_pair_by_task ON task_pair(task_id)",
            """
            CREATE TABLE notification (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                task_id BIGINT NOT NULL,
                contact TEXT NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                message TEXT NOT NULL
            )
            """,
        ] },
        Migration(identifier: "v4-intents-and-leases") { _ in [
            "ALTER TABLE task ADD COLUMN lease_until DOUBLE PRECISION",
            "CREATE INDEX task_pair_in_flight ON task_pair(status) WHERE status IN ('deploying', 'rolling_back')",
            "ALTER TABLE push_record ADD COLUMN runner_pid INTEGER",
            "CREATE INDEX push_record_in_flight ON push_record(runner_pid) WHERE runner_pid IS NOT NULL",
            "ALTER TABLE notification ADD COLUMN delivery_failure TEXT NOT NULL DEFAULT ''",
        ] },
        Migration(identifier: "v5-sealed-keys") { seal in [
            // Keys are sealed from the first; the check that a bastion holds the team's keyring (T4).
            "INSERT INTO setting (key, value) VALUES ('keyring.check', '\(try seal(KeyringCheck.text).replacingOccurrences(of: "'", with: "''"))')"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ] },
        Migration(identifier: "v6-resource-tally-and-text") { _ in [
            """
            CREATE TABLE resource_tally (
                service TEXT NOT NULL,
                region TEXT NOT NULL,
                count BIGINT NOT NULL,
                PRIMARY KEY (service, region)
            )
            """,
        ] + resourceTallyTriggers
          + [
            // SQLite's FTS5 trigram table: here, trigram indexes on the columns themselves.
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX resource_name_text ON resource USING gin (name gin_trgm_ops)",
            "CREATE INDEX resource_domain_text ON resource USING gin (domain gin_trgm_ops)",
          ] },
        Migration(identifier: "v7-task-pair-tally") { _ in [
            """
            CREATE TABLE task_pair_tally (
                task_id BIGINT NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                service TEXT NOT NULL,
                status TEXT NOT NULL,
                count BIGINT NOT NULL,
                first_pair BIGINT NOT NULL,
                PRIMARY KEY (task_id, service, status)
            )
            """,
        ] + taskPairTallyTriggers + ["CREATE INDEX task_pair_by_service ON task_pair(task_id, service)"] },
        Migration(identifier: "v8-accounts") { _ in [
            "ALTER TABLE resource ADD COLUMN account TEXT NOT NULL DEFAULT 'sandbox'",
            "CREATE INDEX resource_by_account ON resource(account, service, region, id)",
        ] },
        Migration(identifier: "v9-server-sites") { _ in [
            """
            CREATE TABLE server_site (
                resource_id BIGINT PRIMARY KEY REFERENCES resource(id) ON DELETE CASCADE,
                host TEXT NOT NULL,
                address TEXT NOT NULL,
                port INTEGER NOT NULL,
                server_names TEXT NOT NULL,
                certificate_path TEXT NOT NULL,
                key_path TEXT NOT NULL,
                served_fingerprint TEXT
            )
            """,
        ] },
        Migration(identifier: "v10-cloud-accounts") { _ in [
            "ALTER TABLE push_record ADD COLUMN account TEXT NOT NULL DEFAULT 'sandbox'",
            "ALTER TABLE task_pair ADD COLUMN account TEXT",
            "CREATE TABLE cloud_resource (resource_id BIGINT PRIMARY KEY REFERENCES resource(id) ON DELETE CASCADE, remote_id TEXT NOT NULL)",
        ] },
        Migration(identifier: "v11-exercise-log") { _ in [
            """
            CREATE TABLE exercise_log (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                at DOUBLE PRECISION NOT NULL,
                event TEXT NOT NULL,
                subject TEXT NOT NULL
            )
            """,
            "CREATE INDEX exercise_log_by_event ON exercise_log(event)",
            "CREATE INDEX activity_by_action ON activity(action, id)",
        ] },
        // A repair of SQLite files made by one release: task_pair.account is NULL-able here from v10.
        Migration(identifier: "v12-task-pair-account-repair") { _ in [] },
        Migration(identifier: "v13-provider-references") { _ in [
            """
            CREATE TABLE provider_reference (
                account TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (account, kind, subject)
            )
            """,
        ] },
        // Renames references v13 moved out of SQLite's settings; a PostgreSQL workspace never had them there.
        Migration(identifier: "v14-cas-references-by-fingerprint") { _ in [] },
        Migration(identifier: "v15-pair-steps") { _ in [
            """
            CREATE TABLE pair_step (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                pair_id BIGINT NOT NULL REFERENCES task_pair(id) ON DELETE CASCADE,
                at DOUBLE PRECISION NOT NULL,
                status TEXT NOT NULL,
                cause TEXT NOT NULL DEFAULT ''
            )
            """,
            "CREATE INDEX pair_step_by_pair ON pair_step(pair_id)",
        ] },
        Migration(identifier: "v16-push-remote-name") { _ in [
            "ALTER TABLE push_record ADD COLUMN remote_name TEXT",
        ] },
        Migration(identifier: "v17-runner-hosts") { _ in [
            "ALTER TABLE task ADD COLUMN runner_host TEXT",
            "ALTER TABLE push_record ADD COLUMN runner_host TEXT",
        ] },
    ]
}
