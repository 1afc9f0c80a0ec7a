//! Project automation: `cargo xtask serve | test | bench | dist` (placeholder until the xtask lands).
fn main() {
    eprintln!("xtask: not yet implemented");
    std::process::exit(2);
}
