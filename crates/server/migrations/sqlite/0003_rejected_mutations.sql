-- Mutations a push refused for good (invalid, forbidden, conflicting), kept verbatim for the
-- organisation's managers: a refused visit may be a real, signed one (its customer moved to
-- another technician while the tablet was offline), so it is never dropped. A refused seq is
-- passed by the device's last_seq, so a resend is a duplicate and is not recorded again.
CREATE TABLE rejected_mutations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    op TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX rejected_mutations_org ON rejected_mutations (org_id, id);
