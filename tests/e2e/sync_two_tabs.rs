//! Two tabs of the same desk (one browser profile: one device, one outbox) syncing at once:
//! one is the sync leader and the other waits (Web Locks), so each outbox batch is sent once;
//! nothing is lost or doubled, and both tabs end up showing the same data.

use fantoccini::{Client, Locator, wd::WindowHandle};
use serde_json::{Value, json};

use crate::support::{
    Held, IMPORTED, Pushes, Result, TIMEOUT, World, app_ready, customers_found, import_customers,
    login, pending, screenshot, wait_customers_found, wait_until,
};

const CHANGES: usize = 1_500;

async fn show(c: &Client, tab: &WindowHandle) -> Result<()> {
    c.switch_to_window(tab.clone()).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tabs_syncing_at_once_have_one_leader_and_show_the_same_data() -> Result<()> {
    let world = World::start("two-tabs").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let c = world.browser("desk", (1366, 768)).await?;
        c.goto(&format!("{base}/desk/")).await?;
        app_ready(&c).await?;
        login(&c, "manager").await?;
        c.wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css("[data-testid=tech-row]"))
            .await?;
        let everyone = {
            c.goto(&format!("{base}/desk/customers")).await?;
            app_ready(&c).await?;
            c.wait()
                .at_most(TIMEOUT)
                .for_element(Locator::Css("#customer-count"))
                .await?;
            customers_found(&c, &base, "").await?
        };
        let a = c.window().await?;

        // 1. A second tab of the same desk, on the customers list. It presses 同步 every 50 ms
        //    for the next 20 s and watches the origin's Web Locks: how many tabs held the sync
        //    lock at once, and whether one ever waited for the other.
        let b = c.new_window(true).await?.handle;
        show(&c, &b).await?;
        c.goto(&format!("{base}/desk/customers")).await?;
        app_ready(&c).await?;
        c.execute(
            "window.locksSeen = { most_held: 0, waited: false, samples: 0 };
             const until = Date.now() + 20000;
             const tick = async () => {
                 const q = await navigator.locks.query();
                 const held = q.held.filter(l => l.name === 'revisit.sync').length;
                 const waiting = q.pending.filter(l => l.name === 'revisit.sync').length;
                 const s = window.locksSeen;
                 s.samples += 1;
                 s.most_held = Math.max(s.most_held, held);
                 s.waited = s.waited || (held > 0 && waiting > 0);
                 document.querySelector('#sync-now')?.click();
                 if (Date.now() < until && !window.stopSyncing) setTimeout(tick, 50);
             };
             tick();",
            vec![],
        )
        .await?;

        // 2. In the first tab, an import of 1,500 customers; that tab starts syncing at once
        //    while the second keeps asking to sync too.
        show(&c, &a).await?;
        import_customers(&c, &base, &work, 0..CHANGES).await?;
        wait_until(
            &c,
            "the first tab's outbox empties",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
        )
        .await?;
        screenshot(&c, &work, "1-tab-a-synced").await?;

        // 3. Each batch of the outbox went to the server once: 1,500 changes, 100 a push
        //    (without the lock, both tabs send every batch).
        show(&c, &b).await?;
        wait_until(
            &c,
            "the second tab's outbox count reads 0",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
        )
        .await?;
        let pushes = Pushes::in_log(&world.server.log());
        assert_eq!(
            pushes.started,
            CHANGES.div_ceil(100),
            "every batch was pushed once"
        );
        assert_eq!(
            Held::read(world.server.db()).await?,
            Held::exactly_once(CHANGES)
        );

        // 4. The second tab saw one holder at a time, and waited at least once.
        let seen: Value = c.execute("return window.locksSeen", vec![]).await?;
        eprintln!("e2e: the second tab's view of the sync lock: {seen}");
        assert_eq!(
            seen["most_held"],
            json!(1),
            "one sync leader at a time: {seen}"
        );
        assert_eq!(
            seen["waited"],
            json!(true),
            "a tab waited for the leader: {seen}"
        );

        // 5. Both tabs show the same customers: the second one heard of the first one's import
        //    and sync without reloading.
        wait_customers_found(&c, &base, IMPORTED, CHANGES as u64).await?;
        wait_customers_found(&c, &base, "", everyone + CHANGES as u64).await?;
        assert_eq!(pending(&c).await?, 0);
        screenshot(&c, &work, "2-tab-b").await?;
        show(&c, &a).await?;
        wait_customers_found(&c, &base, IMPORTED, CHANGES as u64).await?;
        wait_customers_found(&c, &base, "", everyone + CHANGES as u64).await?;

        // 6. The second tab stops asking to sync. The first imports five more and syncs them:
        //    the second, whose own sync would find nothing new (the first one pulled it), shows
        //    them within seconds because the first tab told it.
        show(&c, &b).await?;
        c.execute("window.stopSyncing = true", vec![]).await?;
        show(&c, &a).await?;
        import_customers(&c, &base, &work, CHANGES..CHANGES + 5).await?;
        wait_until(
            &c,
            "the five sync",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
        )
        .await?;
        show(&c, &b).await?;
        let mut shown = 0;
        for _ in 0..20 {
            shown = customers_found(&c, &base, IMPORTED).await?;
            if shown == CHANGES as u64 + 5 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert_eq!(
            shown,
            CHANGES as u64 + 5,
            "the second tab shows the first one's new customers"
        );
        screenshot(&c, &work, "3-tab-b-told").await?;
        c.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
