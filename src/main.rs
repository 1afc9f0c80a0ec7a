//! Entry point of the browser client: panic hook, then mount the app; nothing else.
fn main() {}
