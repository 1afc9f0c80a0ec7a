//! People on the desk: the administrator adds a technician on a laptop and reads the one-time
//! password off the page; the technician logs in on a tablet with it, chooses their own and
//! sees their (empty) agenda; the administrator deactivates them and the tablet's next request
//! lands on the login screen. A bad login name is refused next to its field, nothing typed lost.

use fantoccini::Locator;
use serde_json::json;

use crate::support::{Result, TIMEOUT, World, app_ready, fill, login, screenshot, wait_until};

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_adds_a_technician_who_logs_in_once_then_is_deactivated() -> Result<()> {
    let world = World::start("people").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        // The demo administrator opens the people page on a laptop.
        let admin = world.browser("admin", (1366, 768)).await?;
        admin.goto(&format!("{base}/desk/people")).await?;
        app_ready(&admin).await?;
        login(&admin, "admin").await?;
        admin.wait().at_most(TIMEOUT).for_element(Locator::Css("tr[data-username=tech1]")).await?;
        admin.find(Locator::Css("#nav-people")).await?;
        screenshot(&admin, &work, "1-people").await?;

        // A login name with a space is refused next to its field; the name typed stays.
        fill(&admin, "#person-username", "wang fang").await?;
        fill(&admin, "#person-name", "王芳").await?;
        fill(&admin, "#person-team", "浦东一组").await?;
        admin.find(Locator::Css("#person-add")).await?.click().await?;
        let refused = admin.wait().at_most(TIMEOUT).for_element(Locator::Css("#person-username-error")).await?.text().await?;
        assert!(refused.contains("登录名"), "{refused:?}");
        let kept = admin.find(Locator::Css("#person-name")).await?.prop("value").await?;
        assert_eq!(kept.as_deref(), Some("王芳"), "the typed name was lost");
        screenshot(&admin, &work, "2-bad-username").await?;

        // Corrected, the technician is added and the one-time password is shown once.
        fill(&admin, "#person-username", "wangfang").await?;
        admin.find(Locator::Css("#person-add")).await?.click().await?;
        let password = admin.wait().at_most(TIMEOUT).for_element(Locator::Css("#otp-value")).await?.text().await?;
        let password = password.trim().to_owned();
        assert_eq!(password.chars().count(), 12, "{password:?}");
        let note = admin.find(Locator::Css("#one-time-password")).await?.text().await?;
        assert!(note.contains("王芳") && note.contains("只显示这一次"), "{note:?}");
        admin.wait().at_most(TIMEOUT).for_element(Locator::Css("tr[data-username=wangfang]")).await?;
        let row = admin.find(Locator::Css("tr[data-username=wangfang]")).await?.text().await?;
        assert!(row.contains("技术员") && row.contains("浦东一组") && row.contains("待设置密码"), "{row:?}");
        let cleared = admin.find(Locator::Css("#person-username")).await?.prop("value").await?;
        assert_eq!(cleared.as_deref(), Some(""), "the form is emptied once the person is added");
        screenshot(&admin, &work, "3-one-time-password").await?;

        // The technician logs in on a tablet with it and must choose their own password.
        let tech = world.browser("wangfang", (1024, 768)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        fill(&tech, "#login-username", "wangfang").await?;
        fill(&tech, "#login-password", &password).await?;
        tech.find(Locator::Css("#login-submit")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#must-change")).await?;
        screenshot(&tech, &work, "4-must-choose-password").await?;
        fill(&tech, "#password-current", &password).await?;
        fill(&tech, "#password-new", "wangfang-2026").await?;
        fill(&tech, "#password-again", "wangfang-2026").await?;
        tech.find(Locator::Css("#password-save")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-empty]")).await?;
        screenshot(&tech, &work, "5-empty-agenda").await?;

        // The administrator deactivates them, after confirming.
        admin.find(Locator::Css("#otp-done")).await?.click().await?;
        admin.refresh().await?;
        app_ready(&admin).await?;
        let row = "tr[data-username=wangfang]";
        admin.wait().at_most(TIMEOUT).for_element(Locator::Css(&format!("{row} button.deactivate"))).await?.click().await?;
        let question = admin.wait().at_most(TIMEOUT).for_element(Locator::Css(&format!("{row} .confirm"))).await?.text().await?;
        assert!(question.contains("王芳"), "{question:?}");
        admin.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", vec![json!(row)]).await?;
        screenshot(&admin, &work, "6-confirm-deactivate").await?;
        admin.find(Locator::Css(&format!("{row} .confirm-yes"))).await?.click().await?;
        wait_until(&admin, "the row shows 已停用", &format!(
            "const r = document.querySelector('{row}'); return !!r && r.classList.contains('inactive') && r.textContent.includes('已停用');"
        )).await?;
        assert!(admin.find(Locator::Css(&format!("{row} button.reactivate"))).await.is_ok());
        admin.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", vec![json!(row)]).await?;
        screenshot(&admin, &work, "7-deactivated").await?;

        // The tablet's next request lands on the login screen.
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#login-username")).await?;
        screenshot(&tech, &work, "8-logged-out").await?;
        // And the password chosen no longer opens the app.
        fill(&tech, "#login-username", "wangfang").await?;
        fill(&tech, "#login-password", "wangfang-2026").await?;
        tech.find(Locator::Css("#login-submit")).await?.click().await?;
        let error = tech.wait().at_most(TIMEOUT).for_element(Locator::Css("#login-error")).await?.text().await?;
        assert!(error.contains("停用"), "{error:?}");
        tech.close().await?;

        // The page in English, and at 1024×768.
        admin.find(Locator::Css("#lang-switch")).await?.click().await?;
        wait_until(&admin, "the page speaks English", "return document.querySelector('.people h1')?.textContent === 'People';").await?;
        screenshot(&admin, &work, "9-people-en-1366").await?;
        admin.set_window_size(1024, 768).await?;
        let fits = admin.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await?;
        screenshot(&admin, &work, "10-people-en-1024").await?;
        assert_eq!(fits, json!(true), "the people page scrolls sideways at 1024×768");
        admin.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;

    world.finish(outcome)
}
