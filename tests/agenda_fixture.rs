//! The agenda page over the fixture it shares with `revisit-policy`'s tests
//! (`crates/policy-cli/tests/fixtures/shared-agenda.json`), in a real browser over real
//! IndexedDB: stored as a sync stores it and shown at the fixture's "now", its cards are the
//! open items `shared-agenda.expected` lists, which the CLI prints for the same records.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::{prelude::*, wasm_bindgen::JsCast};
use revisit::{i18n::Lang, pages::agenda::AgendaPage, state::AppState, storage};
use revisit_domain::{
    Customer, VisitRecord,
    policy::{CalendarSpec, ProfileSpec},
    wire::{Change, Entity, PolicyBundle},
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../crates/policy-cli/tests/fixtures/shared-agenda.json");
const EXPECTED: &str = include_str!("../crates/policy-cli/tests/fixtures/shared-agenda.expected");

async fn sleep(d: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, d.as_millis() as i32)
            .expect("setTimeout");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("a timer never fails");
}

/// Each card as the CLI test writes an open item: customer, status, due time, why, and ※ for
/// the calendar mark.
fn card_lines(root: &web_sys::HtmlElement) -> Vec<String> {
    let cards = root
        .query_selector_all("[data-testid=agenda-item]")
        .expect("a valid selector");
    (0..cards.length())
        .filter_map(|n| cards.item(n))
        .map(|node| {
            let card: web_sys::Element = node.unchecked_into();
            let attr = |name: &str| card.get_attribute(name).unwrap_or_default();
            let why = card
                .query_selector(".why")
                .unwrap()
                .and_then(|p| p.text_content())
                .unwrap_or_default();
            let marked = card
                .query_selector("[data-testid=outside-calendar]")
                .unwrap()
                .is_some();
            format!(
                "{} {} {} {why}{}",
                attr("data-customer-id"),
                attr("data-status"),
                attr("data-due"),
                if marked { " ※" } else { "" }
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_shared_fixture_shows_the_items_the_cli_prints() {
    let fixture: serde_json::Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
    let part = |name: &str| fixture[name].clone();
    let profile: ProfileSpec = serde_json::from_value(part("profile")).unwrap();
    let calendar: CalendarSpec = serde_json::from_value(part("calendar")).unwrap();
    let customers: Vec<Customer> = serde_json::from_value(part("customers")).unwrap();
    let visits: Vec<VisitRecord> = serde_json::from_value(part("visits")).unwrap();
    let complaints: Vec<revisit_domain::complaint::Complaint> =
        serde_json::from_value(part("complaints")).unwrap();
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(part("now").as_str().unwrap())
        .unwrap()
        .to_utc();
    let changes: Vec<Change> = customers
        .into_iter()
        .map(Entity::Customer)
        .chain(visits.into_iter().map(Entity::Visit))
        .chain(complaints.into_iter().map(Entity::Complaint))
        .enumerate()
        .map(|(n, entity)| Change {
            version: n as u64 + 1,
            entity,
        })
        .collect();
    let bundle = PolicyBundle::new(profile, calendar);
    let db = storage::app_db().await.expect("open the app database");
    db.apply_changes(&changes, changes.len() as u64, Some(&bundle))
        .await
        .expect("store the records and the policy");

    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let _mounted = leptos::mount::mount_to(root.clone(), move || {
        provide_context(AppState::new(Lang::ZhCn));
        view! { <AgendaPage now=now/> }
    });

    let expected: Vec<&str> = EXPECTED.lines().collect();
    let mut lines = Vec::new();
    for _ in 0..200 {
        lines = card_lines(&root);
        if lines.len() == expected.len() {
            break;
        }
        sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(lines, expected);
}
