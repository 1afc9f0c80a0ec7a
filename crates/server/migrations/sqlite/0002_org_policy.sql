-- Each organisation follows one of the shipped follow-up policy profiles (crates/domain/profiles),
-- by name; the server validates it and sends it to the organisation's devices on pull.
ALTER TABLE organisations ADD COLUMN policy_profile TEXT NOT NULL DEFAULT 'general';
