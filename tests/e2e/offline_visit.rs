//! A technician records a signed visit with the server stopped, and a manager sees it; the
//! manager creates a customer on the desk and the tablet receives it.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use crate::support::{
    DEMO_PASSWORD, Result, TIMEOUT, World, app_ready, choose, draw_signature, fill, login,
    screenshot, wait_until, wait_until_within,
};

#[tokio::test(flavor = "multi_thread")]
async fn signed_visit_recorded_offline_syncs_and_reaches_the_manager() -> Result<()> {
    let mut world = World::start("offline-visit").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        // 2. A technician logs in on a tablet, online, once, and sees today's agenda.
        let tech = world.browser("tech", (1280, 800)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        login(&tech, "tech1").await?;
        let first = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        let customer_id = first.attr("data-customer-id").await?.ok_or("agenda item without data-customer-id")?;
        // The service worker has precached the shell; reload so this page is controlled by it.
        let ready = tech
            .execute_async("navigator.serviceWorker.ready.then(() => arguments[0](true))", vec![])
            .await?;
        assert_eq!(ready, json!(true));
        tech.refresh().await?;
        app_ready(&tech).await?;
        let controlled = tech.execute("return navigator.serviceWorker.controller !== null", vec![]).await?;
        assert_eq!(controlled, json!(true), "the page is not controlled by the service worker");
        screenshot(&tech, &work, "1-agenda").await?;
        // A sync that changes nothing leaves the page's data alone: the agenda does not read
        // the store again (it did at 10,000 customers, every 15 s).
        let idle = "return !document.querySelector('#sync-now').disabled && !!document.querySelector('[data-loads]')";
        wait_until(&tech, "the start's sync ends", idle).await?;
        let loads = "return document.querySelector('[data-loads]').dataset.loads";
        let loaded = tech.execute(loads, vec![]).await?;
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_until(&tech, "an empty sync ends", idle).await?;
        assert_eq!(tech.execute(loads, vec![]).await?, loaded, "an empty sync read the store again");

        // 3. The network goes away: the server process is killed.
        world.server.kill().await?;
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_until(&tech, "the status bar shows offline", "return document.querySelector('#net-status')?.dataset.online === 'false'").await?;
        wait_until(&tech, "the failed sync ends", idle).await?;
        assert_eq!(tech.execute(loads, vec![]).await?, loaded, "a failed sync read the store again");

        tech.goto(&format!("{base}/customers/{customer_id}")).await?;
        app_ready(&tech).await?;
        // The first card is the demo's overdue complaint follow-up (投诉回访 outranks the other
        // overdue items): its customer's page names the complaint, closed.
        let complaint = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=complaint]")).await?.text().await?;
        assert!(complaint.contains("安装时划伤地板") && complaint.contains("已结案"), "{complaint:?}");
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#new-visit")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-on_site]")).await?.click().await?;
        tech.find(Locator::Css("[data-testid=satisfaction-very_satisfied]")).await?.click().await?;
        tech.find(Locator::Css("#visit-notes")).await?.send_keys("设备运行正常，客户非常满意。").await?;
        draw_signature(&tech).await?;
        screenshot(&tech, &work, "2-visit-form").await?;
        tech.find(Locator::Css("#visit-save")).await?.click().await?;
        let row = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=visit-row]")).await?;
        let visit_id = row.attr("data-visit-id").await?.ok_or("visit row without data-visit-id")?;
        let signed = format!("[data-testid=visit-row][data-visit-id='{visit_id}'] img[data-testid=visit-signature]");
        tech.find(Locator::Css(&signed)).await?;
        wait_until(&tech, "one change waits to sync", "return document.querySelector('#pending-count')?.textContent.trim() === '1'").await?;

        // 4. Reload with the server still down: the shell comes from the service worker's
        //    cache and the visit, with its signature, is still there.
        tech.refresh().await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css(&signed)).await?;
        wait_until(&tech, "the change still waits after reload", "return document.querySelector('#pending-count')?.textContent.trim() === '1'").await?;
        wait_until(&tech, "offline is shown after reload", "return document.querySelector('#net-status')?.dataset.online === 'false'").await?;
        let signature_drawn = tech
            .execute(
                "const img = document.querySelector(arguments[0]); return img.complete && img.naturalWidth > 0;",
                vec![json!(signed)],
            )
            .await?;
        assert_eq!(signature_drawn, json!(true), "the stored signature image does not render");
        screenshot(&tech, &work, "3-offline-after-reload").await?;

        // 5. The server comes back; sync runs by itself and the outbox empties.
        world.server.start().await?;
        let started = Instant::now();
        wait_until_within(
            &tech,
            "the outbox empties by itself",
            "return document.querySelector('#pending-count')?.textContent.trim() === '0'",
            Duration::from_secs(90),
        )
        .await?;
        eprintln!("e2e: automatic sync emptied the outbox {:.1} s after the server came back", started.elapsed().as_secs_f64());
        wait_until(&tech, "online is shown again", "return document.querySelector('#net-status')?.dataset.online === 'true'").await?;

        // A call to a blank number (空号): no rating is asked, the card says 空号, and it syncs.
        tech.goto(&format!("{base}/customers/{customer_id}/visit")).await?;
        app_ready(&tech).await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=channel-phone]")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=reach-blank_number]")).await?.click().await?;
        let rating_asked = tech.execute("return !!document.querySelector('[data-testid^=satisfaction-]')", vec![]).await?;
        assert_eq!(rating_asked, json!(false), "a customer not reached is not asked for a rating");
        tech.find(Locator::Css("#visit-notes")).await?.send_keys("空号，需核实客户电话。").await?;
        tech.find(Locator::Css("#visit-save")).await?.click().await?;
        let reach = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=visit-reach]")).await?;
        assert_eq!(reach.text().await?.trim(), "空号");
        wait_until(&tech, "the 空号 call syncs", "return document.querySelector('#pending-count')?.textContent.trim() === '0'").await?;
        tech.close().await?;

        // 6. A manager on a laptop, in another browser profile, sees the synced, signed visit
        //    on the desk.
        let manager = world.browser("manager", (1366, 768)).await?;
        manager.goto(&format!("{base}/desk/")).await?;
        app_ready(&manager).await?;
        login(&manager, "manager").await?;
        let reported = format!("[data-testid=report-visit][data-visit-id='{visit_id}'] img[data-testid=visit-signature]");
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css(&reported)).await?;
        let rows = manager.find_all(Locator::Css("[data-testid=tech-row]")).await?;
        assert!(rows.len() >= 2, "expected a row per technician, found {}", rows.len());
        let mut rates = Vec::new();
        for row in &rows {
            rates.push(row.find(Locator::Css("[data-testid=completion-rate]")).await?.text().await?);
        }
        assert!(
            rates.iter().all(|r| r.trim() == "—" || r.trim().ends_with('%')),
            "completion rates look wrong: {rates:?}"
        );
        assert!(rates.iter().any(|r| r.trim().ends_with('%')), "no technician has a completion rate: {rates:?}");
        screenshot(&manager, &work, "4-manager-report").await?;

        // 7. On the desk the manager creates a customer for 张伟 (tech1), bought today. The form
        //    survives a reload in the middle of typing; a bad phone number is refused by the
        //    field and nothing is saved.
        manager.goto(&format!("{base}/desk/customers/new")).await?;
        app_ready(&manager).await?;
        fill(&manager, "#customer-name", "周晓明").await?;
        fill(&manager, "#customer-phone", "138-0013-80x").await?;
        manager.refresh().await?;
        app_ready(&manager).await?;
        let kept = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#customer-name")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("周晓明"), "the typed name was lost on reload");
        fill(&manager, "#customer-address", "上海市徐汇区漕溪北路 88 号").await?;
        fill(&manager, "#customer-product", "净水器 RO-600G").await?;
        let today = manager.execute("const d = new Date(Date.now() + 8 * 3600e3); return d.toISOString().slice(0, 10);", vec![]).await?;
        fill(&manager, "#customer-purchased_on", today.as_str().ok_or("no date")?).await?;
        choose(&manager, "#customer-technician", "张伟").await?;
        manager.find(Locator::Css("#customer-save")).await?.click().await?;
        let refused = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#form-error")).await?.text().await?;
        assert!(refused.contains("电话"), "the phone number's error names the field: {refused:?}");
        fill(&manager, "#customer-phone", "13800138000").await?;
        manager.find(Locator::Css("#customer-save")).await?.click().await?;
        wait_until(&manager, "the new customer's page opens", "return /\\/desk\\/customers\\/[0-9a-f-]{36}$/.test(location.pathname)").await?;
        let new_customer = manager.current_url().await?.path().rsplit('/').next().unwrap_or_default().to_string();
        //    Its installation, and a complaint taken by phone.
        fill(&manager, "#event-on", today.as_str().unwrap_or_default()).await?;
        manager.find(Locator::Css("#event-save")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=event]")).await?;
        fill(&manager, "#complaint-summary", "安装后漏水").await?;
        manager.find(Locator::Css("#complaint-save")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#complaints [data-testid=complaint]")).await?;
        wait_until(&manager, "the desk's writes sync", "return document.querySelector('#pending-count')?.textContent.trim() === '0'").await?;
        screenshot(&manager, &work, "5-desk-customer").await?;
        manager.goto(&format!("{base}/desk/customers")).await?;
        app_ready(&manager).await?;
        fill(&manager, "#customer-search", "0013800").await?;
        wait_until(&manager, "the search by part of the number finds the new customer", &format!(
            "return [...document.querySelectorAll('[data-testid=customer-row] a')].some(a => a.href.endsWith('{new_customer}'))"
        )).await?;
        screenshot(&manager, &work, "6-desk-customers").await?;
        //    The organisation's refusals and conflicts, asked of the server: none here.
        manager.goto(&format!("{base}/desk/sync")).await?;
        app_ready(&manager).await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#no-refused")).await?;
        //    The manager chooses a new password from the header: two different entries are
        //    refused on the spot, then it is changed on the server.
        manager.find(Locator::Css("#change-password")).await?.click().await?;
        fill(&manager, "#password-current", DEMO_PASSWORD).await?;
        fill(&manager, "#password-new", "新的密码2026").await?;
        fill(&manager, "#password-again", "新的密码2027").await?;
        manager.find(Locator::Css("#password-save")).await?.click().await?;
        let differ = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#password-message.error")).await?.text().await?;
        assert!(differ.contains("不一致"), "{differ:?}");
        fill(&manager, "#password-again", "新的密码2026").await?;
        manager.find(Locator::Css("#password-save")).await?.click().await?;
        wait_until(&manager, "the password is changed", "const m = document.querySelector('#password-message'); return !!m && !m.classList.contains('error');").await?;
        manager.close().await?;

        // 8. 张伟's tablet pulls the new customer, with the complaint, at its next sync.
        let tablet = world.browser("tech-2", (1024, 768)).await?;
        tablet.goto(&base).await?;
        app_ready(&tablet).await?;
        login(&tablet, "tech1").await?;
        let card = format!("[data-testid=agenda-item][data-customer-id='{new_customer}']");
        tablet.wait().at_most(TIMEOUT).for_element(Locator::Css(&card)).await?;
        tablet.goto(&format!("{base}/customers/{new_customer}")).await?;
        app_ready(&tablet).await?;
        let complaint = tablet.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=complaint]")).await?.text().await?;
        assert!(complaint.contains("安装后漏水"), "{complaint:?}");
        screenshot(&tablet, &work, "7-tablet-new-customer").await?;
        tablet.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
