//! The server is killed (SIGKILL) in the middle of a push and restarted on the same SQLite
//! file: the desk's outbox drains by itself and the server holds each record exactly once.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::support::{
    Held, Pushes, Result, TIMEOUT, World, app_ready, import_customers, login, screenshot,
    wait_until_within,
};

/// Enough changes that pushing them takes many requests of a fraction of a second each.
const CHANGES: usize = 1_500;

#[tokio::test(flavor = "multi_thread")]
async fn the_server_killed_in_the_middle_of_a_push_loses_and_doubles_nothing() -> Result<()> {
    let mut world = World::start("push-killed").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let manager = world.browser("manager", (1366, 768)).await?;
        manager.goto(&format!("{base}/desk/")).await?;
        app_ready(&manager).await?;
        login(&manager, "manager").await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=tech-row]")).await?;

        // 1. An import puts 1,500 changes in the outbox; sync starts pushing them at once.
        import_customers(&manager, &base, &work, 0..CHANGES).await?;

        // 2. Once a few pushes have gone through, the server is killed halfway into the next
        //    one (as long after its start as half a push takes).
        let deadline = Instant::now() + TIMEOUT;
        let killed_after = loop {
            let pushes = Pushes::in_log(&world.server.log());
            if pushes.finished.len() >= 2 && pushes.in_flight() {
                let mut took = pushes.finished.clone();
                took.sort_unstable();
                let half = took[took.len() / 2] / 2;
                tokio::time::sleep(Duration::from_millis(half)).await;
                let now = Pushes::in_log(&world.server.log());
                if now.started == pushes.started && now.in_flight() {
                    world.server.kill().await?;
                    break (pushes.finished.len(), half, took[took.len() / 2]);
                }
            }
            if Instant::now() > deadline {
                return Err("no push was caught in flight".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let pushes = Pushes::in_log(&world.server.log());
        assert!(pushes.in_flight(), "the last push had not ended when the server was killed");
        let before = Held::read(world.server.db()).await?;
        eprintln!(
            "e2e: killed {} ms into push {} (a push took {} ms); the server held {} of {CHANGES} changes",
            killed_after.1,
            killed_after.0 + 1,
            killed_after.2,
            before.last_seq,
        );
        assert!(
            before.last_seq > 0 && (before.last_seq as usize) < CHANGES,
            "the kill came in the middle of the outbox: {before:?}"
        );
        assert_eq!(before.customers, before.last_seq, "what was committed is whole: {before:?}");
        screenshot(&manager, &work, "1-server-killed").await?;

        // 3. The server comes back on the same file; the outbox drains by itself.
        world.server.start().await?;
        wait_until_within(
            &manager,
            "the outbox empties by itself",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
            Duration::from_secs(120),
        )
        .await?;
        screenshot(&manager, &work, "2-drained").await?;

        // 4. Each change is held once: one customer each, created once, one seq each.
        let after = Held::read(world.server.db()).await?;
        assert_eq!(after, Held::exactly_once(CHANGES));
        manager.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
