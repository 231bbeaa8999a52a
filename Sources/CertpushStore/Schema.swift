import CertpushCore
import GRDB

/// Migrations, registered in order and never edited once released: a change
/// to the schema is a new migration.
enum Schema {
    /// `vault` seals what v5 finds in plaintext; without one (a read-only
    /// look at a file) migrations are listed, never run.
    static func migrator(vault: KeyVault?) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-certificates") { db in
            try db.execute(sql: """
                CREATE TABLE certificate (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    key_algorithm TEXT NOT NULL,
                    family TEXT NOT NULL CHECK (family IN ('international', 'sm')),
                    source TEXT NOT NULL CHECK (source IN ('official', 'uploaded')),
                    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('pending', 'issued', 'hosted', 'revoked')),
                    not_before REAL,
                    not_after REAL,
                    issuer TEXT NOT NULL,
                    serial TEXT NOT NULL,
                    fingerprint TEXT,
                    has_private_key INTEGER NOT NULL,
                    manual_csr INTEGER NOT NULL,
                    shared INTEGER NOT NULL,
                    created_at REAL NOT NULL,
                    -- CertificateListEntry.searchText: what the list filter looks in
                    search_text TEXT NOT NULL
                );
                -- The PEM lives apart so that the list's reads stay narrow.
                CREATE TABLE certificate_material (
                    certificate_id INTEGER PRIMARY KEY REFERENCES certificate(id) ON DELETE CASCADE,
                    certificate_pem TEXT NOT NULL,
                    chain_pem TEXT NOT NULL
                );
                CREATE UNIQUE INDEX certificate_by_fingerprint ON certificate(fingerprint) WHERE fingerprint IS NOT NULL;
                CREATE INDEX certificate_by_not_after ON certificate(not_after);

                CREATE TABLE certificate_domain (
                    certificate_id INTEGER NOT NULL REFERENCES certificate(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    domain TEXT NOT NULL,
                    PRIMARY KEY (certificate_id, position)
                ) WITHOUT ROWID;
                CREATE INDEX certificate_domain_by_domain ON certificate_domain(domain);

                -- Kept apart so that no query for certificates can carry a key along.
                CREATE TABLE private_key (
                    certificate_id INTEGER PRIMARY KEY REFERENCES certificate(id) ON DELETE CASCADE,
                    pem TEXT NOT NULL
                );

                CREATE TABLE activity (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                );

                CREATE TABLE setting (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-cloud-inventory") { db in
            // Global services use the region '' so keys stay simple.
            try db.execute(sql: """
                CREATE TABLE region (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE service_region (
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    PRIMARY KEY (service, region)
                ) WITHOUT ROWID;

                CREATE TABLE service_certificate (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    name TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    certificate_id INTEGER REFERENCES certificate(id) ON DELETE SET NULL,
                    origin TEXT NOT NULL CHECK (origin IN ('pushed', 'uploaded')),
                    UNIQUE (service, region, fingerprint)
                );
                CREATE INDEX service_certificate_by_certificate ON service_certificate(certificate_id);

                CREATE TABLE resource (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    name TEXT NOT NULL,
                    domain TEXT NOT NULL,
                    -- the domain one label up, so wildcard matching is an index lookup too
                    parent_domain TEXT NOT NULL,
                    certificate_id INTEGER REFERENCES certificate(id) ON DELETE SET NULL,
                    fault TEXT
                );
                CREATE INDEX resource_by_service ON resource(service, region);
                CREATE INDEX resource_by_domain ON resource(domain);
                CREATE INDEX resource_by_parent_domain ON resource(parent_domain);
                CREATE INDEX resource_by_certificate ON resource(certificate_id);

                CREATE TABLE push_record (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    user TEXT NOT NULL,
                    certificate_id INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    succeeded INTEGER NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX push_record_by_certificate ON push_record(certificate_id, id);
                """)
        }
        migrator.registerMigration("v3-deployment-tasks") { db in
            try db.execute(sql: """
                CREATE TABLE contact (
                    name TEXT PRIMARY KEY,
                    email TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE task (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    scheduled_at REAL,
                    created_at REAL NOT NULL,
                    created_by TEXT NOT NULL,
                    finished_at REAL,
                    -- the process running it, so a crashed run can be told from a live one
                    runner_pid INTEGER
                );
                CREATE INDEX task_by_status ON task(status, scheduled_at);

                CREATE TABLE task_certificate (
                    task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    certificate_id INTEGER NOT NULL,
                    PRIMARY KEY (task_id, position)
                ) WITHOUT ROWID;

                CREATE TABLE task_contact (
                    task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    contact TEXT NOT NULL,
                    PRIMARY KEY (task_id, position)
                ) WITHOUT ROWID;

                CREATE TABLE task_pair (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    resource_id INTEGER NOT NULL,
                    certificate_id INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    resource_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    cause TEXT NOT NULL,
                    previous_certificate_id INTEGER,
                    charged INTEGER NOT NULL
                );
                CREATE INDEX task_pair_by_task ON task_pair(task_id);

                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_id INTEGER NOT NULL,
                    contact TEXT NOT NULL,
                    at REAL NOT NULL,
                    message TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4-intents-and-leases") { db in
            // SPEC R3 and D14: a claim on a task expires unless renewed, and
            // a push target is recorded in flight before the provider is called.
            try db.execute(sql: """
                ALTER TABLE task ADD COLUMN lease_until REAL;
                CREATE INDEX task_pair_in_flight ON task_pair(status) WHERE status IN ('deploying', 'rolling_back');
                ALTER TABLE push_record ADD COLUMN runner_pid INTEGER;
                CREATE INDEX push_record_in_flight ON push_record(runner_pid) WHERE runner_pid IS NOT NULL;
                -- D15: why notify_command did not take a message, shown with it in the outbox
                ALTER TABLE notification ADD COLUMN delivery_failure TEXT NOT NULL DEFAULT '';
                -- SPEC 2: an upload without its private key is issued, not hosted.
                UPDATE certificate SET lifecycle = 'issued' WHERE source = 'uploaded' AND has_private_key = 0 AND lifecycle = 'hosted';
                """)
        }
        migrator.registerMigration("v5-sealed-keys") { db in
            // Private keys and the sandbox CA's key, sealed with the keyring's key.
            guard let vault else { throw KeyVault.VaultError.badKey }
            for row in try Row.fetchAll(db, sql: "SELECT certificate_id, pem FROM private_key") {
                let pem: String = try row.value("pem")
                guard !KeyVault.isSealed(pem) else { continue }
                try db.execute(sql: "UPDATE private_key SET pem = ? WHERE certificate_id = ?",
                               arguments: [try vault.seal(pem), try row.value("certificate_id") as Int64])
            }
            if let caKey = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'sandbox.ca.key'"), !KeyVault.isSealed(caKey) {
                try db.execute(sql: "UPDATE setting SET value = ? WHERE key = 'sandbox.ca.key'", arguments: [try vault.seal(caKey)])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('keyring.check', ?)",
                           arguments: [try vault.seal(KeyVault.checkText)])
        }
        migrator.registerMigration("v6-resource-tally-and-text") { db in
            // SPEC 9: screens count resources by service and region, and find
            // them by text, without reading the inventory. Triggers keep both.
            try db.execute(sql: """
                CREATE TABLE resource_tally (
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (service, region)
                ) WITHOUT ROWID;
                INSERT INTO resource_tally SELECT service, region, count(*) FROM resource GROUP BY service, region;
                CREATE TRIGGER resource_tally_insert AFTER INSERT ON resource BEGIN
                    INSERT INTO resource_tally (service, region, count) VALUES (new.service, new.region, 1)
                        ON CONFLICT (service, region) DO UPDATE SET count = count + 1;
                END;
                CREATE TRIGGER resource_tally_delete AFTER DELETE ON resource BEGIN
                    UPDATE resource_tally SET count = count - 1 WHERE service = old.service AND region = old.region;
                END;
                CREATE TRIGGER resource_tally_move AFTER UPDATE OF service, region ON resource BEGIN
                    UPDATE resource_tally SET count = count - 1 WHERE service = old.service AND region = old.region;
                    INSERT INTO resource_tally (service, region, count) VALUES (new.service, new.region, 1)
                        ON CONFLICT (service, region) DO UPDATE SET count = count + 1;
                END;

                -- Substrings of names and domains, by trigram: finds rare text without a scan.
                CREATE VIRTUAL TABLE resource_text USING fts5(name, domain, content = 'resource', content_rowid = 'id', tokenize = 'trigram');
                INSERT INTO resource_text (resource_text) VALUES ('rebuild');
                CREATE TRIGGER resource_text_insert AFTER INSERT ON resource BEGIN
                    INSERT INTO resource_text (rowid, name, domain) VALUES (new.id, new.name, new.domain);
                END;
                CREATE TRIGGER resource_text_delete AFTER DELETE ON resource BEGIN
                    INSERT INTO resource_text (resource_text, rowid, name, domain) VALUES ('delete', old.id, old.name, old.domain);
                END;
                CREATE TRIGGER resource_text_update AFTER UPDATE OF name, domain ON resource BEGIN
                    INSERT INTO resource_text (resource_text, rowid, name, domain) VALUES ('delete', old.id, old.name, old.domain);
                    INSERT INTO resource_text (rowid, name, domain) VALUES (new.id, new.name, new.domain);
                END;
                """)
        }
        migrator.registerMigration("v7-task-pair-tally") { db in
            // SPEC 9: task lists and details count pairs by service and status
            // without reading a task's 100,000 pairs; details page them by service.
            try db.execute(sql: """
                CREATE TABLE task_pair_tally (
                    task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    service TEXT NOT NULL,
                    status TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    -- the first pair of this service and status: services show in the order the task named them
                    first_pair INTEGER NOT NULL,
                    PRIMARY KEY (task_id, service, status)
                ) WITHOUT ROWID;
                INSERT INTO task_pair_tally SELECT task_id, service, status, count(*), min(id) FROM task_pair GROUP BY task_id, service, status;
                CREATE TRIGGER task_pair_tally_insert AFTER INSERT ON task_pair BEGIN
                    INSERT INTO task_pair_tally (task_id, service, status, count, first_pair) VALUES (new.task_id, new.service, new.status, 1, new.id)
                        ON CONFLICT (task_id, service, status) DO UPDATE SET count = count + 1;
                END;
                CREATE TRIGGER task_pair_tally_delete AFTER DELETE ON task_pair BEGIN
                    UPDATE task_pair_tally SET count = count - 1 WHERE task_id = old.task_id AND service = old.service AND status = old.status;
                END;
                CREATE TRIGGER task_pair_tally_status AFTER UPDATE OF status ON task_pair WHEN old.status <> new.status BEGIN
                    UPDATE task_pair_tally SET count = count - 1 WHERE task_id = old.task_id AND service = old.service AND status = old.status;
                    INSERT INTO task_pair_tally (task_id, service, status, count, first_pair) VALUES (new.task_id, new.service, new.status, 1, new.id)
                        ON CONFLICT (task_id, service, status) DO UPDATE SET count = count + 1;
                END;
                CREATE INDEX task_pair_by_service ON task_pair(task_id, service);
                """)
        }
        migrator.registerMigration("v8-accounts") { db in
            // SPEC 10: every resource belongs to one account; what was there is the sandbox's.
            try db.execute(sql: """
                ALTER TABLE resource ADD COLUMN account TEXT NOT NULL DEFAULT 'sandbox';
                CREATE INDEX resource_by_account ON resource(account, service, region, id);
                """)
        }
        migrator.registerMigration("v9-server-sites") { db in
            // SPEC 13: a server resource's site on its host, as the last synchronization found it.
            try db.execute(sql: """
                CREATE TABLE server_site (
                    resource_id INTEGER PRIMARY KEY REFERENCES resource(id) ON DELETE CASCADE,
                    host TEXT NOT NULL,
                    address TEXT NOT NULL,
                    port INTEGER NOT NULL,
                    server_names TEXT NOT NULL,
                    certificate_path TEXT NOT NULL,
                    key_path TEXT NOT NULL,
                    served_fingerprint TEXT
                );
                """)
        }
        migrator.registerMigration("v10-cloud-accounts") { db in
            // SPEC 10 to 12: which account a push went to; a cloud resource's own id.
            try db.execute(sql: """
                ALTER TABLE push_record ADD COLUMN account TEXT NOT NULL DEFAULT 'sandbox';
                -- NULL for the sandbox's: a task of 100,000 sandbox pairs writes no text for it.
                ALTER TABLE task_pair ADD COLUMN account TEXT;
                CREATE TABLE cloud_resource (
                    resource_id INTEGER PRIMARY KEY REFERENCES resource(id) ON DELETE CASCADE,
                    remote_id TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v11-exercise-log") { db in
            // SPEC 15, E3: what a trainee reached that leaves no other trace (a screen read, a refusal met).
            try db.execute(sql: """
                CREATE TABLE exercise_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    event TEXT NOT NULL,
                    subject TEXT NOT NULL
                );
                CREATE INDEX exercise_log_by_event ON exercise_log(event);
                -- The exercises ask whether an action happened since the last reset: a seek, not a scan of the log.
                CREATE INDEX activity_by_action ON activity(action, id);
                """)
        }
        migrator.registerMigration("v12-task-pair-account-repair") { db in
            // v10 was once released with task_pair.account NOT NULL before it became NULL for the
            // sandbox's pairs: a database made in between refuses every sandbox pair. Rebuilt as v10 is now.
            let notNull = try Row.fetchAll(db, sql: "PRAGMA table_info(task_pair)")
                .contains { row in
                    let name: String? = try row.value("name"), notNull: Int? = try row.value("notnull")
                    return name == "account" && notNull == 1
                }
            guard notNull else { return }
            try db.execute(sql: """
                CREATE TABLE task_pair_repaired (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
                    resource_id INTEGER NOT NULL,
                    certificate_id INTEGER NOT NULL,
                    service TEXT NOT NULL,
                    region TEXT NOT NULL,
                    resource_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    cause TEXT NOT NULL,
                    previous_certificate_id INTEGER,
                    charged INTEGER NOT NULL,
                    account TEXT
                );
                INSERT INTO task_pair_repaired
                    SELECT id, task_id, resource_id, certificate_id, service, region, resource_name, status, cause,
                           previous_certificate_id, charged, NULLIF(account, 'sandbox') FROM task_pair;
                DROP TABLE task_pair;
                ALTER TABLE task_pair_repaired RENAME TO task_pair;
                CREATE INDEX task_pair_by_task ON task_pair(task_id);
                CREATE INDEX task_pair_in_flight ON task_pair(status) WHERE status IN ('deploying', 'rolling_back');
                CREATE INDEX task_pair_by_service ON task_pair(task_id, service);
                CREATE TRIGGER task_pair_tally_insert AFTER INSERT ON task_pair BEGIN
                    INSERT INTO task_pair_tally (task_id, service, status, count, first_pair) VALUES (new.task_id, new.service, new.status, 1, new.id)
                        ON CONFLICT (task_id, service, status) DO UPDATE SET count = count + 1;
                END;
                CREATE TRIGGER task_pair_tally_delete AFTER DELETE ON task_pair BEGIN
                    UPDATE task_pair_tally SET count = count - 1 WHERE task_id = old.task_id AND service = old.service AND status = old.status;
                END;
                CREATE TRIGGER task_pair_tally_status AFTER UPDATE OF status ON task_pair WHEN old.status <> new.status BEGIN
                    UPDATE task_pair_tally SET count = count - 1 WHERE task_id = old.task_id AND service = old.service AND status = old.status;
                    INSERT INTO task_pair_tally (task_id, service, status, count, first_pair) VALUES (new.task_id, new.service, new.status, 1, new.id)
                        ON CONFLICT (task_id, service, status) DO UPDATE SET count = count + 1;
                END;
                """)
        }
        migrator.registerMigration("v13-provider-references") { db in
            // Issue 18: providers' own references leave the settings ("cas.ACCOUNT.worker.r5" = "JOB WORKER")
            // for a table of their own; what v10's providers kept there is moved, nothing is lost.
            try db.execute(sql: """
                CREATE TABLE provider_reference (
                    account TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (account, kind, subject)
                ) WITHOUT ROWID;
                """)
            let cas = /^cas\.(.+)\.(certpush-id|cas-id|job|worker)\.([^.]+)$/
            let scm = /^scm\.(.+)\.certificate\.([^.]+)$/
            // The kinds as they were named then: a migration never changes with the code.
            func keep(_ account: Substring, _ kind: String, _ subject: Substring, _ value: String) throws {
                try db.execute(sql: "INSERT OR REPLACE INTO provider_reference (account, kind, subject, value) VALUES (?, ?, ?, ?)",
                               arguments: [String(account), kind, String(subject), value])
            }
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM setting WHERE key LIKE 'cas.%' OR key LIKE 'scm.%'") {
                let key: String = try row.value("key"), value: String = try row.value("value")
                if let match = key.wholeMatch(of: scm) {
                    try keep(match.1, "scm.certificate", match.2, value)
                } else if let match = key.wholeMatch(of: cas) {
                    switch match.2 {
                    case "certpush-id": try keep(match.1, "cas.certpush-id", match.3, value)
                    case "cas-id": try keep(match.1, "cas.certificate", match.3, value)
                    case "job": try keep(match.1, "cas.job", match.3, value)
                    default:
                        let parts = value.split(separator: " ")
                        guard parts.count == 2 else { continue }
                        try keep(match.1, "cas.worker-job", match.3, String(parts[0]))
                        try keep(match.1, "cas.worker", match.3, String(parts[1]))
                    }
                } else {
                    continue
                }
                try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
            }
        }
        migrator.registerMigration("v14-cas-references-by-fingerprint") { db in
            // Issue 18: a driver is handed certificates, not certpush's ids; CAS's references name them by
            // fingerprint, as SCM's always did. "cas.certificate" c12 -> CAS id becomes FINGERPRINT -> CAS id;
            // "cas.certpush-id" CAS id -> 12 becomes "cas.fingerprint" CAS id -> FINGERPRINT.
            try db.execute(sql: """
                INSERT OR REPLACE INTO provider_reference (account, kind, subject, value)
                SELECT r.account, 'cas.certificate', c.fingerprint, r.value FROM provider_reference r
                JOIN certificate c ON 'c' || c.id = r.subject WHERE r.kind = 'cas.certificate' AND c.fingerprint IS NOT NULL;
                DELETE FROM provider_reference WHERE kind = 'cas.certificate' AND subject GLOB 'c[0-9]*' AND length(subject) < 21;
                INSERT OR REPLACE INTO provider_reference (account, kind, subject, value)
                SELECT r.account, 'cas.fingerprint', r.subject, c.fingerprint FROM provider_reference r
                JOIN certificate c ON CAST(c.id AS TEXT) = r.value WHERE r.kind = 'cas.certpush-id' AND c.fingerprint IS NOT NULL;
                DELETE FROM provider_reference WHERE kind = 'cas.certpush-id';
                """)
        }
        migrator.registerMigration("v15-pair-steps") { db in
            // Issue 22: a pair's details show each change of its status, when, and why.
            try db.execute(sql: """
                CREATE TABLE pair_step (
                    id INTEGER PRIMARY KEY,
                    pair_id INTEGER NOT NULL REFERENCES task_pair(id) ON DELETE CASCADE,
                    at REAL NOT NULL,
                    status TEXT NOT NULL,
                    cause TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX pair_step_by_pair ON pair_step(pair_id);
                """)
        }
        migrator.registerMigration("v16-push-remote-name") { db in
            // H6: the name the cloud keeps a pushed certificate under, shown in its record.
            try db.execute(sql: "ALTER TABLE push_record ADD COLUMN remote_name TEXT")
        }
        migrator.registerMigration("v17-runner-hosts") { db in
            // T2: a claim names its runner's host beside its process id, which means something only there.
            try db.execute(sql: """
                ALTER TABLE task ADD COLUMN runner_host TEXT;
                ALTER TABLE push_record ADD COLUMN runner_host TEXT;
                """)
        }
        return migrator
    }
}
