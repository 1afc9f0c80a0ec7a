//! A tab reloaded in the middle of a sync, once while it pushes and once while it pulls:
//! nothing is lost or doubled on the server, and the tab that pulled shows what the server
//! holds.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::{
    Held, IMPORTED, Result, TIMEOUT, World, app_ready, customers_found, login, screenshot,
    start_import, wait_customers_found, wait_until, wait_until_within,
};

const CHANGES: usize = 1_500;

/// Makes the page reload itself, as a person pressing F5 would, during its `nth` request to
/// `path` (counted from now): `delay_ms` after sending it, or, with `after_reply`, as soon as
/// its reply has arrived (while the page stores it). The hook dies with the page, so the
/// reloaded page runs undisturbed. `window.beforeReload` tells the two pages apart.
async fn reload_during(
    c: &Client,
    path: &str,
    nth: u32,
    delay_ms: u32,
    after_reply: bool,
) -> Result<()> {
    c.execute(
        "const [path, nth, delay, afterReply] = arguments;
         window.beforeReload = true;
         const fetch = window.fetch.bind(window);
         let seen = 0;
         window.fetch = (input, init) => {
             const reply = fetch(input, init);
             const url = typeof input === 'string' ? input : input.url;
             if (url.includes(path) && ++seen === nth) {
                 const reload = () => setTimeout(() => location.reload(), delay);
                 if (afterReply) reply.then(reload, reload); else reload();
             }
             return reply;
         };",
        vec![json!(path), json!(nth), json!(delay_ms), json!(after_reply)],
    )
    .await?;
    Ok(())
}

async fn reloaded(c: &Client) -> Result<()> {
    wait_until(
        c,
        "the page reloads",
        "return window.beforeReload === undefined",
    )
    .await?;
    app_ready(c).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tab_reloaded_in_the_middle_of_a_sync_loses_and_doubles_nothing() -> Result<()> {
    let world = World::start("tab-reloaded").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let desk = world.browser("desk", (1366, 768)).await?;
        desk.goto(&format!("{base}/desk/")).await?;
        app_ready(&desk).await?;
        login(&desk, "manager").await?;
        desk.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=tech-row]")).await?;

        // 1. An import fills the outbox and sync pushes it; the tab is reloaded 10 ms after it
        //    sent its third push, before the reply.
        desk.goto(&format!("{base}/desk/import")).await?;
        app_ready(&desk).await?;
        reload_during(&desk, "/api/sync/push", 3, 10, false).await?;
        // The page may reload before it shows that the import is saved: the outbox draining
        // to the server's 1,500 below says it was.
        start_import(&desk, &base, &work, 0..CHANGES).await?;
        reloaded(&desk).await?;
        screenshot(&desk, &work, "1-reloaded-mid-push").await?;
        wait_until_within(
            &desk,
            "the outbox empties after the reload",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
            Duration::from_secs(120),
        )
        .await?;
        assert_eq!(Held::read(world.server.db()).await?, Held::exactly_once(CHANGES));
        let shown = customers_found(&desk, &base, IMPORTED).await?;
        assert_eq!(shown, CHANGES as u64, "the desk shows every imported customer");
        let everyone = customers_found(&desk, &base, "").await?;

        // 2. The manager on a second laptop: its first sync pulls everything in pages, and the
        //    tab is reloaded as soon as the second page has arrived, while it is being stored.
        let laptop = world.browser("laptop", (1366, 768)).await?;
        laptop.goto(&format!("{base}/desk/")).await?;
        app_ready(&laptop).await?;
        reload_during(&laptop, "/api/sync/pull", 2, 0, true).await?;
        login(&laptop, "manager").await?;
        reloaded(&laptop).await?;
        screenshot(&laptop, &work, "2-reloaded-mid-pull").await?;
        wait_customers_found(&laptop, &base, IMPORTED, CHANGES as u64).await?;
        wait_customers_found(&laptop, &base, "", everyone).await?;
        wait_until(
            &laptop,
            "the first sync ends",
            "return !document.querySelector('#sync-progress') && !document.querySelector('#sync-now').disabled",
        )
        .await?;
        assert_eq!(
            customers_found(&laptop, &base, "").await?,
            everyone,
            "both laptops show the same customers"
        );
        screenshot(&laptop, &work, "3-laptop-after-pull").await?;
        desk.close().await?;
        laptop.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
