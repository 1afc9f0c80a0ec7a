//! Entry point of the field app (technicians' tablets): mount it; nothing else.

fn main() {
    #[cfg(target_arch = "wasm32")]
    revisit::mount_field();
}
