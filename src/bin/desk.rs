//! Entry point of the desk (managers, the service desk, administrators): mount it; nothing else.

fn main() {
    #[cfg(target_arch = "wasm32")]
    revisit::mount_desk();
}
