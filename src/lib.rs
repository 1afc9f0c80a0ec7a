//! Revisit's browser client: Leptos views over IndexedDB, with sync to the server when online.
//!
//! Everything here runs in the browser (wasm32); on the host this library is empty so
//! native workspace builds never compile browser crates.

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod sync;

/// Starts the app: panic messages to the console, then the root view into `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
