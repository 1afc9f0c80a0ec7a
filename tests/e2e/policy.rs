//! A manager reads the organisation's policy in words on the desk, tries another shipped
//! profile over the organisation's own data (what appears, vanishes or moves), adopts it, and
//! a technician's tablet follows it after sync; a policy file with a typo is refused at its
//! line, the text kept.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::support::{
    Result, TIMEOUT, World, app_ready, choose, fill, login, screenshot, wait_until,
};

/// The shipped `general` profile, the demo's, as an organisation would start its own copy.
const GENERAL: &str = include_str!("../../crates/domain/profiles/general.toml");

async fn count(c: &Client, css: &str) -> Result<u64> {
    Ok(c.execute(
        "return document.querySelectorAll(arguments[0]).length",
        vec![json!(css)],
    )
    .await?
    .as_u64()
    .unwrap_or(0))
}

async fn diff_count(c: &Client, kind: &str) -> Result<u64> {
    let el = c
        .find(Locator::Css(&format!("[data-testid=diff-{kind}]")))
        .await?;
    Ok(el.attr("data-count").await?.ok_or("a count")?.parse()?)
}

/// The due times on the tablet's agenda, with their customers, as shown.
async fn agenda(c: &Client) -> Result<Vec<String>> {
    let items = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=agenda-item]')]
                .map(a => a.dataset.customerId + ' ' + a.dataset.due + ' ' + a.querySelector('.why').textContent)",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(items)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_tries_and_adopts_another_policy_and_the_tablet_follows() -> Result<()> {
    let world = World::start("policy").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        // The technician's tablet, under the demo's policy (一般售后).
        let tech = world.browser("tech", (1024, 768)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        login(&tech, "tech1").await?;
        tech.wait().at_most(TIMEOUT).for_element(Locator::Css("[data-testid=agenda-item]")).await?;
        let policy_name = tech.find(Locator::Css("[data-testid=policy-name]")).await?.text().await?;
        assert!(policy_name.contains("一般售后"), "{policy_name:?}");
        let before = agenda(&tech).await?;

        // The manager opens the policy page: every rule of 一般售后 in words.
        let manager = world.browser("manager", (1366, 768)).await?;
        manager.goto(&format!("{base}/desk/")).await?;
        app_ready(&manager).await?;
        login(&manager, "manager").await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#nav-policy")).await?.click().await?;
        let current = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#policy-current")).await?.text().await?;
        assert!(current.contains("一般售后"), "{current:?}");
        let rules = count(&manager, "#current-rules [data-testid=policy-rule]").await?;
        assert_eq!(rules, 8, "general.toml has eight rules");
        let first = manager.find(Locator::Css("#current-rules [data-testid=policy-rule]")).await?.text().await?;
        for words in ["首次回访", "购买后", "7天内回访", "000 §B"] {
            assert!(first.contains(words), "{words:?} in {first:?}");
        }
        let table = manager.find(Locator::Css("#current-rules")).await?.text().await?;
        for words in ["「购后6个月回访」回访完成后", "客户等级：VIP", "每次回访后重新起算", "投诉处理完毕后", "二级回访"] {
            assert!(table.contains(words), "{words:?} in the rules");
        }
        screenshot(&manager, &work, "1-policy-in-words").await?;

        // Another shipped profile, tried over the organisation's data in the browser.
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#profile-choice option[value=skeleton]")).await?;
        choose(&manager, "#profile-choice", "基础回访 · skeleton").await?;
        manager.find(Locator::Css("#try-profile")).await?.click().await?;
        manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#diff-counts")).await?;
        let (appears, vanishes, moves) = (
            diff_count(&manager, "appears").await?,
            diff_count(&manager, "vanishes").await?,
            diff_count(&manager, "moves").await?,
        );
        eprintln!("e2e: general -> skeleton: {appears} appear, {vanishes} vanish, {moves} move");
        assert!(vanishes > 0, "skeleton has no 1/3/6-month steps");
        let rows = count(&manager, "[data-testid=diff-row]").await?;
        assert_eq!(rows, (appears + vanishes + moves).min(100));
        let vanishing_rows = count(&manager, "[data-testid=diff-row][data-change=vanishes]").await?;
        assert!(vanishing_rows > 0 && vanishing_rows <= vanishes, "{vanishing_rows} of {vanishes}");
        let row = manager.find(Locator::Css("[data-testid=diff-row][data-change=vanishes]")).await?.text().await?;
        assert!(row.contains("购后"), "a month step vanishes: {row:?}");
        manager
            .execute("document.querySelector('#policy-trial').scrollIntoView()", vec![])
            .await?;
        screenshot(&manager, &work, "2-trial-diff").await?;

        // Adopted: the page says devices follow at their next sync.
        manager.find(Locator::Css("#adopt-policy")).await?.click().await?;
        let adopted = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#policy-adopted")).await?.text().await?;
        assert!(adopted.contains("基础回访"), "{adopted:?}");
        wait_until(
            &manager,
            "the desk follows the new policy itself",
            "return (document.querySelector('#policy-current')?.textContent || '').includes('基础回访')",
        )
        .await?;
        screenshot(&manager, &work, "3-adopted").await?;

        // The tablet syncs and its agenda follows the new policy.
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_until(
            &tech,
            "the tablet follows 基础回访",
            "return (document.querySelector('[data-testid=policy-name]')?.textContent || '').includes('基础回访')",
        )
        .await?;
        let after = agenda(&tech).await?;
        assert_ne!(before, after, "the agenda changed with the policy");
        assert!(after.iter().all(|item| !item.contains("购后")), "{after:?}");
        screenshot(&tech, &work, "4-tablet-agenda").await?;

        // A policy file with a typo: refused at its line, the text kept.
        let typo = GENERAL.replacen("channel = \"phone\"", "chanel = \"phone\"", 1);
        let line = typo.lines().position(|l| l.starts_with("chanel")).ok_or("a typo line")? + 1;
        fill(&manager, "#policy-file", &typo).await?;
        manager.find(Locator::Css("#check-policy")).await?.click().await?;
        let problem = manager.wait().at_most(TIMEOUT).for_element(Locator::Css("#policy-file-problem")).await?;
        assert_eq!(problem.attr("data-line").await?.as_deref(), Some(line.to_string().as_str()));
        let text = problem.text().await?;
        assert!(text.contains(&format!("第 {line} 行")) && text.contains("chanel"), "{text:?}");
        let kept = manager.execute("return document.querySelector('#policy-file').value", vec![]).await?;
        assert_eq!(kept, json!(typo), "the text is kept");
        manager
            .execute(
                "document.querySelector('#policy-file-problem').scrollIntoView({block: 'center'})",
                vec![],
            )
            .await?;
        screenshot(&manager, &work, "5-file-typo").await?;

        // Corrected, it is tried like a shipped profile.
        fill(&manager, "#policy-file", GENERAL).await?;
        manager.find(Locator::Css("#check-policy")).await?.click().await?;
        wait_until(
            &manager,
            "the corrected file is tried",
            "return !document.querySelector('#policy-file-problem') && (document.querySelector('#policy-trial h2')?.textContent || '').includes('一般售后')",
        )
        .await?;
        assert!(diff_count(&manager, "appears").await? > 0, "the month steps come back");
        manager.close().await?;
        tech.close().await?;
        Ok(())
    }
    .await;
    world.finish(outcome)
}
