//! End to end: whole workflows as people do them, on real parts only — the release clients
//! built by Trunk, the real server binary on a real SQLite file, headless Chromium through
//! chromedriver, and the server process killed (SIGKILL) when a scenario goes offline.
//! `cargo xtask test` builds everything and sets `REVISIT_SERVER_BIN`, `REVISIT_DIST`,
//! `CHROMIUM` and `CHROMEDRIVER`. Each scenario is a module with a server of its own; they
//! run one at a time (`--test-threads=1`), as each drives several browsers.

mod calendar;
mod import;
mod offline_visit;
mod people;
mod policy;
mod reports;
mod support;
mod sync_server_killed;
mod sync_tab_reloaded;
mod sync_two_tabs;
mod visit_draft;
