//! Revisit's browser client: Leptos views over IndexedDB, with sync to the server when online.
//! Two apps from this one crate: the field app (`src/main.rs`, [`field`]) and the desk
//! (`src/bin/desk.rs`, [`desk`]), sharing [`state`], [`storage`], [`sync`] and the pages both use.
//!
//! Everything here runs in the browser (wasm32); on the host this library is empty so
//! native workspace builds never compile browser crates.

#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod desk;
#[cfg(target_arch = "wasm32")]
pub mod draft;
#[cfg(target_arch = "wasm32")]
pub mod field;
#[cfg(target_arch = "wasm32")]
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod sync;
#[cfg(target_arch = "wasm32")]
pub mod tabs;

/// Starts the field app (tablets): panic messages to the console, then its root into `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn mount_field() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(field::FieldApp);
}

/// Starts the desk (laptops, at `/desk/`), as [`mount_field`] does the field app. Each app's
/// binary names only its own root, so the other's pages are not in its bundle.
#[cfg(target_arch = "wasm32")]
pub fn mount_desk() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(desk::DeskApp);
}
