-- Every record people write syncs through one table, `records` (customers, visits, events,
-- complaints, open issues, reviews, user cards, and removals from a technician's scope), each
-- row versioned from its organisation's own counter. The rows of `customers` and `visits` are
-- moved into it by the server's Rust repair step (crates/server/src/repair.rs), which also
-- splits complaints out of customers and sets aside any row that no longer decodes.
-- Users get a team, an active flag, one-time passwords and scope resets here; their role's
-- CHECK (three roles then, six now) is widened by the server's repair step, which rebuilds the
-- table with foreign keys off, outside this migration's transaction (SQLite cannot alter a
-- CHECK, and cannot turn foreign keys off inside a transaction).

ALTER TABLE organisations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organisations ADD COLUMN tombstone_floor INTEGER NOT NULL DEFAULT 0;
UPDATE organisations SET version = (SELECT value FROM server_version WHERE id = 1);

ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reset_version INTEGER NOT NULL DEFAULT 0;

-- A device belongs to whoever logged in last (shared tablets); each user on a device has
-- their own sequence of mutations, so one user's unsynced work waits on the device, apart,
-- while another works, and is pushed when its user returns.
ALTER TABLE devices ADD COLUMN last_seen TEXT;
ALTER TABLE devices ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
CREATE TABLE device_streams (
    device_id TEXT NOT NULL REFERENCES devices (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    last_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, user_id)
);
INSERT INTO device_streams (device_id, user_id, org_id, last_seq)
    SELECT id, user_id, org_id, last_seq FROM devices;

CREATE TABLE records (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'visit', 'event', 'complaint', 'issue', 'review', 'user', 'removed')),
    id TEXT NOT NULL,
    -- The customer the record belongs to (itself for a customer).
    customer_id TEXT,
    -- Who sees it besides the whole-organisation roles: the customer's technician (for a
    -- removal: the technician who lost the customer); NULL for user cards (everyone).
    technician_id TEXT,
    -- Who wrote it, from which device.
    author_id TEXT,
    device_id TEXT,
    -- The record's own instant (a visit's time, a complaint's receipt), for reports.
    at TEXT,
    -- Create-only records: their content hash.
    sha256 TEXT,
    data TEXT NOT NULL,
    size INTEGER NOT NULL,
    -- Mutable records: who last set each field, in which version.
    field_stamps TEXT,
    received_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, id)
);
CREATE UNIQUE INDEX records_org_version ON records (org_id, version);
CREATE INDEX records_org_technician_version ON records (org_id, technician_id, version);
CREATE INDEX records_org_kind_version ON records (org_id, kind, version);
CREATE INDEX records_org_customer ON records (org_id, customer_id);
CREATE INDEX records_org_kind_at ON records (org_id, kind, at);

-- What each device applied under each seq, so the same seq with other content is caught.
CREATE TABLE device_mutations (
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (device_id, user_id, seq)
);

-- Refused mutations, now per user of a device, with their size; `op` is the mutation as
-- sent, or `null` past the organisation's quota (the device keeps its own copy).
CREATE TABLE rejected_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    op TEXT NOT NULL,
    bytes INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    UNIQUE (device_id, user_id, seq)
);
INSERT INTO rejected_new (id, org_id, device_id, user_id, seq, code, message, op, bytes, received_at)
    SELECT id, org_id, device_id, user_id, seq, code, message, op, length(CAST(op AS BLOB)), received_at
    FROM rejected_mutations;
DROP TABLE rejected_mutations;
ALTER TABLE rejected_new RENAME TO rejected_mutations;
CREATE INDEX rejected_mutations_org ON rejected_mutations (org_id, id);

-- A value replaced by a concurrent edit of the same field, until a manager picks.
CREATE TABLE edit_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    replaced TEXT NOT NULL,
    replaced_device TEXT NOT NULL,
    kept TEXT NOT NULL,
    kept_device TEXT NOT NULL,
    kept_user TEXT NOT NULL,
    at TEXT NOT NULL,
    resolved_with TEXT,
    resolved_by TEXT,
    resolved_at TEXT
);
CREATE INDEX edit_conflicts_org ON edit_conflicts (org_id, id);

-- Photos and other attachments, by content hash, per organisation.
CREATE TABLE blobs (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    sha256 TEXT NOT NULL,
    mime TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (org_id, sha256)
);
-- Which customers' records name a blob: who may fetch it.
CREATE TABLE blob_refs (
    org_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (org_id, sha256, customer_id)
);

-- Who did what, when; written in the same transaction as the change, never edited.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    at TEXT NOT NULL,
    user_id TEXT,
    action TEXT NOT NULL,
    kind TEXT,
    record_id TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);

-- Stored rows that no longer decode, set aside verbatim (and logged) instead of failing
-- every page that reads them.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    problem TEXT NOT NULL,
    at TEXT NOT NULL
);

-- One-time data repairs already done.
CREATE TABLE repairs (
    name TEXT PRIMARY KEY NOT NULL,
    done_at TEXT NOT NULL
);
