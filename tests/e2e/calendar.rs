//! The working-day calendar from the desk: under a policy counted in working days, the
//! tablet's agenda marks the items counted through a year the calendar does not cover; an
//! administrator enters that year's holidays on the desk (a typo first, refused next to its
//! field), and after its next sync the tablet's marks are gone and the due dates counted
//! through the new holidays have moved.

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::support::{Result, TIMEOUT, World, app_ready, fill, login, screenshot, wait_until};

/// A policy of one rule counted in working days, so that a purchase of the last weeks is due
/// in the next year.
const WORKING_DAYS: &str = r#"name = "工作日回访"

[[rule]]
id = "购后30个工作日回访"
trigger = "purchase"
kind = "回访"
due = "30 working days"
source = "e2e"
"#;

/// The tablet's cards: customer, due time as shown, whether the calendar mark is on.
async fn cards(c: &Client) -> Result<Vec<(String, String, bool)>> {
    let items = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=agenda-item]')]
                .map(a => [a.dataset.customerId, a.dataset.due, !!a.querySelector('[data-testid=outside-calendar]')])",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(items)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_enters_next_years_holidays_and_the_tablets_marks_go() -> Result<()> {
    let world = World::start("calendar").await?;
    let base = world.base.clone();
    let work = world.work.clone();

    let outcome = async {
        // The administrator adopts a policy counted in working days.
        let admin = world.browser("admin", (1366, 768)).await?;
        admin.goto(&format!("{base}/desk/policy")).await?;
        app_ready(&admin).await?;
        login(&admin, "admin").await?;
        fill(&admin, "#policy-file", WORKING_DAYS).await?;
        admin.find(Locator::Css("#check-policy")).await?.click().await?;
        admin.wait().at_most(TIMEOUT).for_element(Locator::Css("#adopt-policy")).await?.click().await?;
        admin.wait().at_most(TIMEOUT).for_element(Locator::Css("#policy-adopted")).await?;

        // The tablet: items counted into a year without its holidays carry the mark.
        let tech = world.browser("tech", (1024, 768)).await?;
        tech.goto(&base).await?;
        app_ready(&tech).await?;
        login(&tech, "tech1").await?;
        wait_until(
            &tech,
            "the tablet follows 工作日回访",
            "return (document.querySelector('[data-testid=policy-name]')?.textContent || '').includes('工作日回访')
                && !!document.querySelector('[data-testid=agenda-item]')",
        )
        .await?;
        let before = cards(&tech).await?;
        let marked: Vec<&(String, String, bool)> = before.iter().filter(|c| c.2).collect();
        assert!(!marked.is_empty(), "a purchase of the last days is due next year: {before:?}");
        tech.execute("document.querySelectorAll('details.later').forEach(d => d.open = true)", vec![]).await?;
        screenshot(&tech, &work, "1-marked").await?;

        // The desk lists the covered years; the years the marks are about are missing.
        admin
            .wait()
            .at_most(TIMEOUT)
            .for_element(Locator::Css("#calendar-years tr[data-year='2026']"))
            .await?;
        let covered: Vec<String> = serde_json::from_value(
            admin
                .execute(
                    "return [...document.querySelectorAll('#calendar-years tr[data-year]')].map(r => r.dataset.year)",
                    vec![],
                )
                .await?,
        )?;
        let mut years: Vec<String> = marked.iter().map(|c| c.1[..4].to_owned()).collect();
        years.sort();
        years.dedup();
        assert!(years.iter().all(|y| !covered.contains(y)), "{years:?} vs {covered:?}");

        for (n, year) in years.iter().enumerate() {
            fill(&admin, "#calendar-year", year).await?;
            if n == 0 {
                // A date that does not exist: refused next to the holidays, the text kept.
                let typo = format!("{year}-01-01, {year}-02-30");
                fill(&admin, "#calendar-holidays", &typo).await?;
                admin.find(Locator::Css("#calendar-save")).await?.click().await?;
                let error = admin
                    .wait()
                    .at_most(TIMEOUT)
                    .for_element(Locator::Css("#calendar-holidays-error"))
                    .await?
                    .text()
                    .await?;
                assert!(error.contains(&format!("“{year}-02-30”不是日期")), "{error:?}");
                let kept = admin.find(Locator::Css("#calendar-holidays")).await?.prop("value").await?;
                assert_eq!(kept, Some(typo));
                admin
                    .execute("document.querySelector('#calendar-form').scrollIntoView()", vec![])
                    .await?;
                screenshot(&admin, &work, "2-typo").await?;
            }
            fill(&admin, "#calendar-holidays", &format!("{year}-01-01，{year}-10-01 至 {year}-10-07")).await?;
            admin.find(Locator::Css("#calendar-save")).await?.click().await?;
            admin.wait().at_most(TIMEOUT).for_element(Locator::Css("#calendar-saved")).await?;
            let row = admin
                .wait()
                .at_most(TIMEOUT)
                .for_element(Locator::Css(&format!("#calendar-years tr[data-year='{year}']")))
                .await?
                .text()
                .await?;
            assert!(row.contains(&format!("{year}-10-01~{year}-10-07")) && row.contains("admin"), "{row:?}");
        }
        admin
            .execute("document.querySelector('#calendar').scrollIntoView()", vec![])
            .await?;
        screenshot(&admin, &work, "3-year-entered").await?;
        // The same in English on a 1024-wide screen: the section's words follow the language.
        admin.set_window_size(1024, 768).await?;
        admin.find(Locator::Css("#lang-switch")).await?.click().await?;
        wait_until(
            &admin,
            "the calendar in English",
            "return (document.querySelector('#calendar')?.textContent || '').startsWith('Working-day calendar')",
        )
        .await?;
        admin
            .execute("document.querySelector('#calendar').scrollIntoView()", vec![])
            .await?;
        screenshot(&admin, &work, "3b-year-entered-en-1024").await?;
        admin.find(Locator::Css("#lang-switch")).await?.click().await?;

        // The tablet's next sync: no mark left, and the dues counted through a new weekday
        // holiday (New Year's Day) are a working day later.
        tech.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_until(
            &tech,
            "the calendar marks go",
            "return !!document.querySelector('[data-testid=agenda-item]')
                && !document.querySelector('[data-testid=outside-calendar]')",
        )
        .await?;
        let after = cards(&tech).await?;
        for (customer, due, _) in &marked {
            let year = &due[..4];
            let new_year_weekday = admin
                .execute(
                    "const d = new Date(Date.UTC(+arguments[0], 0, 1)).getUTCDay(); return d > 0 && d < 6",
                    vec![json!(year)],
                )
                .await?;
            let now = after.iter().find(|c| &c.0 == customer).map(|c| c.1.clone());
            if new_year_weekday == Value::Bool(true) {
                assert!(now.as_ref().is_some_and(|n| n > due), "{customer}: {due} -> {now:?}");
            }
        }
        tech.execute("document.querySelectorAll('details.later').forEach(d => d.open = true)", vec![]).await?;
        screenshot(&tech, &work, "4-marks-gone").await?;
        admin.close().await?;
        tech.close().await?;
        Ok(())
    }
    .await;
    world.finish(outcome)
}
