//! Entry point of the browser client: mount the app; nothing else.

fn main() {
    #[cfg(target_arch = "wasm32")]
    revisit::mount();
}
