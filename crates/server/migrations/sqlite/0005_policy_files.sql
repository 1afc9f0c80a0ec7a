-- Policy files an organisation uploaded at the desk and adopted: the text as written (kept for
-- the record) and the validated profile as JSON (what devices receive). An organisation
-- follows the file `organisations.policy_file` names; with none, its shipped `policy_profile`.
-- A row is never changed: adopting a file again stores it again.
CREATE TABLE policy_files (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    toml TEXT NOT NULL,
    profile TEXT NOT NULL,
    uploaded_by TEXT REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX policy_files_org ON policy_files (org_id);
ALTER TABLE organisations ADD COLUMN policy_file TEXT REFERENCES policy_files (id);
