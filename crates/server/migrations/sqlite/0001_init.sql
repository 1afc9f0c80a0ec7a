-- The walking skeleton's schema. Every table carries the organisation (tenant) id.
-- Never edit a migration once applied: add a new numbered file instead.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One global counter: every write takes the next value inside its transaction, so version
-- order is commit order (SQLite has a single writer).
CREATE TABLE server_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO server_version (id, value) VALUES (1, 0);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('technician', 'manager', 'admin')),
    password_hash TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX users_org_version ON users (org_id, version);

CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    technician_id TEXT NOT NULL REFERENCES users (id),
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX customers_org_version ON customers (org_id, version);
CREATE INDEX customers_org_technician ON customers (org_id, technician_id);

-- Visit records are create-only; `data` is the record exactly as the device sealed it.
CREATE TABLE visits (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    technician_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX visits_org_version ON visits (org_id, version);
CREATE INDEX visits_org_customer ON visits (org_id, customer_id);

-- A second version of an existing visit id: kept verbatim, never applied, for a manager.
CREATE TABLE visit_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    visit_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL
);
