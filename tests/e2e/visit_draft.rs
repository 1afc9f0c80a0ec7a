//! Nothing typed on the visit form is lost: a technician on a tablet fills and signs a visit,
//! goes Back, reloads, logs out with a change still waiting (and is asked first), logs in
//! again, and finds everything as typed; saving makes one visit and forgets the draft.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::{
    Result, TIMEOUT, World, app_ready, draw_signature, login, screenshot, wait_until,
};

/// Whether the signature pad shows any ink (a pixel read of the canvas).
const PAD_INKED: &str = "const c = document.querySelector('#signature-pad'); if (!c || !c.width) return false; \
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false;";

const NOTES: &str = "滤芯已更换，客户希望下月再回访。";

#[tokio::test(flavor = "multi_thread")]
async fn the_visit_form_survives_back_reload_and_logout_and_saves_once() -> Result<()> {
    let mut world = World::start("visit-draft").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        let tech = world.browser("tablet", (1024, 768)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        login(&tech, "tech1").await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        let ids = tech
            .execute(
                "return [...new Set([...document.querySelectorAll('[data-testid=agenda-item]')].map(e => e.dataset.customerId))]",
                vec![],
            )
            .await?;
        let ids: Vec<String> = serde_json::from_value(ids)?;
        let (customer, other) = match ids.as_slice() {
            [a, b, ..] => (a.clone(), b.clone()),
            _ => return Err(format!("two customers expected on the agenda, found {ids:?}").into()),
        };
        let form_url = format!("{base}/customers/{customer}/visit");

        // The customer's page: how many visits it has before.
        tech.goto(&format!("{base}/customers/{customer}")).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#new-visit")).await?;
        let visits_before = tech.find_all(Locator::Css("[data-testid=visit-row]")).await?.len();
        let name = tech.find(Locator::Css(".customer-head h1")).await?.text().await?;

        // Fill and sign.
        tech.find(Locator::Css("#new-visit")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-on_site]")).await?.click().await?;
        tech.find(Locator::Css("[data-testid=satisfaction-satisfied]")).await?.click().await?;
        tech.find(Locator::Css("#visit-notes")).await?.send_keys(NOTES).await?;
        // The form says whom the visit is for.
        let whom = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#visit-for strong")).await?.text().await?;
        assert!(!whom.trim().is_empty() && name.starts_with(whom.trim()), "the form is for {whom:?}, the customer page shows {name:?}");
        draw_signature(&tech).await?;
        let fresh = tech.execute("return !!document.querySelector('#draft-restored')", vec![]).await?;
        assert_eq!(fresh, json!(false), "a fresh form says nothing was restored");
        screenshot(&tech, &work, "1-filled").await?;

        // Back (返回), then the form again: everything is there, the signature too.
        tech.find(Locator::Css(".visit-form .customer-head a")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#new-visit")).await?.click().await?;
        expect_kept(&tech, "after Back").await?;
        screenshot(&tech, &work, "2-after-back").await?;
        tech.execute("document.querySelector('#signature-pad').scrollIntoView({ block: 'center' })", vec![]).await?;
        screenshot(&tech, &work, "2b-signature-kept").await?;

        // A reload: still there.
        tech.refresh().await?;
        app_ready(&tech).await?;
        expect_kept(&tech, "after a reload").await?;

        // A change waits in the outbox: the server is down and another customer's call is saved.
        world.server.kill().await?;
        tech.goto(&format!("{base}/customers/{other}/visit")).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-phone]")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=reach-blank_number]")).await?.click().await?;
        tech.find(Locator::Css("#visit-save")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=visit-row]")).await?;
        wait_until(&tech, "one change waits to sync", "return document.querySelector('#pending-count')?.textContent.trim() === '1'").await?;

        // Logging out asks first, and says the changes stay.
        tech.goto(&form_url).await?;
        app_ready(&tech).await?;
        expect_kept(&tech, "before logging out").await?;
        tech.find(Locator::Css("#logout")).await?.click().await?;
        let asked = tech.get_alert_text().await?;
        assert!(asked.contains("未同步") && asked.contains("本设备"), "{asked:?}");
        tech.accept_alert().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#login-username")).await?;
        let form_shown = tech.execute("return !!document.querySelector('#visit-save, #signature-pad')", vec![]).await?;
        assert_eq!(form_shown, json!(false), "the form stays usable without a session");
        let outbox = tech.execute("return new Promise(ok => { const r = indexedDB.open('revisit'); r.onsuccess = () => { const db = r.result; const q = db.transaction('outbox').objectStore('outbox').count(); q.onsuccess = () => ok(q.result); }; r.onerror = () => ok(-1); })", vec![]).await?;
        assert_eq!(outbox, json!(1), "the outbox is kept through a logout");
        // The server is back. The form's address, opened afresh, shows the login too.
        world.server.start().await?;
        tech.goto(&form_url).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#login-username")).await?;
        let form_shown = tech.execute("return !!document.querySelector('#visit-save, #signature-pad')", vec![]).await?;
        assert_eq!(form_shown, json!(false), "the form's address shows the form without a session");
        screenshot(&tech, &work, "3-logged-out").await?;

        // The same technician logs in on that page: the draft is there and the waiting change
        // is sent.
        login(&tech, "tech1").await?;
        expect_kept(&tech, "after logging in again").await?;
        wait_until(&tech, "the waiting change is sent after login", "return document.querySelector('#pending-count')?.textContent.trim() === '0'").await?;
        screenshot(&tech, &work, "4-logged-in-again").await?;

        // Save, tapped twice: one visit, and the draft is gone.
        tech.execute("const b = document.querySelector('#visit-save'); b.click(); b.click();", vec![]).await?;
        wait_until(&tech, "the customer's page opens", &format!("return location.pathname === '/customers/{customer}'")).await?;
        wait_until(&tech, "the visit is listed", &format!(
            "return document.querySelectorAll('[data-testid=visit-row]').length === {}", visits_before + 1
        )).await?;
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let rows = tech.find_all(Locator::Css("[data-testid=visit-row]")).await?.len();
        assert_eq!(rows, visits_before + 1, "one tap too many made a second visit");
        let drafts = tech
            .execute("return Object.keys(localStorage).filter(k => k.startsWith('revisit.draft.visit.')).length", vec![])
            .await?;
        assert_eq!(drafts, json!(0), "the draft outlives the saved visit");
        tech.goto(&form_url).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#visit-notes")).await?;
        let notes = tech.find(Locator::Css("#visit-notes")).await?.prop("value").await?;
        assert_eq!(notes.as_deref(), Some(""), "a new form after saving starts empty");
        let restored = tech.execute("return !!document.querySelector('#draft-restored')", vec![]).await?;
        assert_eq!(restored, json!(false));
        screenshot(&tech, &work, "5-saved").await?;
        tech.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}

/// The form holds what was typed and drawn, and says it was restored.
async fn expect_kept(tech: &Client, when: &str) -> Result<()> {
    tech.wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css("#draft-restored"))
        .await?;
    let notes = tech
        .find(Locator::Css("#visit-notes"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(notes.as_deref(), Some(NOTES), "notes {when}");
    let picked = tech
        .execute(
            "return ['channel-on_site', 'satisfaction-satisfied'].every(id => \
             document.querySelector(`[data-testid=${id}]`)?.getAttribute('aria-pressed') === 'true' \
             || document.querySelector(`[data-testid=${id}]`)?.getAttribute('aria-checked') === 'true' \
             || document.querySelector(`[data-testid=${id}]`)?.classList.contains('selected'))",
            vec![],
        )
        .await?;
    assert_eq!(picked, json!(true), "channel and rating {when}");
    wait_until(tech, &format!("the signature is drawn {when}"), PAD_INKED).await?;
    Ok(())
}
