//! The agenda page in a real browser (headless Chromium) over real IndexedDB: a technician
//! with more customers due than one page holds sees the first page, and "more" adds pages.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use leptos::{prelude::*, wasm_bindgen::JsCast};
use revisit::{i18n::Lang, pages::agenda::AgendaPage, state::AppState, storage};
use revisit_domain::{
    Channel, Customer, CustomerId, Tier, UserId,
    policy::{CalendarSpec, CallTime, ProfileSpec, RuleSpec},
    time::{china_date, hh_mm},
    wire::{Change, Entity, PolicyBundle},
};
use uuid::Uuid;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Customers bought in the last few days: each owes a first call (首次回访, due the next
/// day) now, overdue or due, and a visit a month after buying, upcoming.
const CUSTOMERS: usize = 133;

fn customer(n: usize, purchased_on: NaiveDate) -> Customer {
    Customer {
        id: CustomerId(Uuid::from_u128(1_000 + n as u128)),
        name: format!("客户{n:03}"),
        phone: format!("138{n:08}"),
        address: "上海市浦东新区张杨路".into(),
        tier: if n.is_multiple_of(4) {
            Tier::Vip
        } else {
            Tier::Normal
        },
        product: "净水器 RO-400G".into(),
        purchased_on,
        installed_on: None,
        repaired_on: None,
        technician_id: UserId(Uuid::from_u128(7)),
    }
}

fn rule(id: &str, due: &str) -> RuleSpec {
    RuleSpec {
        id: id.into(),
        trigger: Some("purchase".into()),
        kind: "first".into(),
        channel: Some(Channel::Phone),
        due: due.into(),
        source: "000 §B".into(),
        ..RuleSpec::default()
    }
}

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

fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("a valid selector")
        .length()
}

/// Waits until `selector` matches `n` elements under `root`, or panics after 20 s.
async fn until_count(root: &web_sys::HtmlElement, selector: &str, n: u32) {
    for _ in 0..200 {
        if count(root, selector) == n {
            return;
        }
        sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{selector}: {} elements, expected {n}",
        count(root, selector)
    );
}

fn more_button(root: &web_sys::HtmlElement, list: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(&format!("{list} ~ [data-testid=agenda-more]"))
        .expect("a valid selector")
        .map(|e| e.unchecked_into())
}

#[wasm_bindgen_test]
async fn a_long_agenda_shows_a_page_of_cards_and_more_on_request() {
    let today = china_date(Utc::now());
    let bought = |n: usize| today - Days::new(n as u64 % 5);
    let changes: Vec<Change> = (0..CUSTOMERS)
        .map(|n| Change {
            version: n as u64 + 1,
            entity: Entity::Customer(customer(n, bought(n))),
        })
        .collect();
    let profile = ProfileSpec {
        name: "分页测试".into(),
        call_windows: vec!["09:00-11:00".into(), "15:00-17:00".into()],
        rules: vec![rule("首次回访", "1 day"), rule("购后1个月回访", "1 month")],
        targets: Default::default(),
    };
    let calendar = CalendarSpec {
        years: vec![],
        holidays: vec![],
        make_up_working_days: vec![],
    };
    let bundle = PolicyBundle::new(profile, calendar);
    let windows = bundle.validate().expect("a valid policy").profile;
    let db = storage::app_db().await.expect("open the app database");
    db.apply_changes(&changes, changes.len() as u64, Some(&bundle))
        .await
        .expect("store the customers and the policy");

    let root: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let _mounted = leptos::mount::mount_to(root.clone(), || {
        provide_context(AppState::new(Lang::ZhCn));
        view! { <AgendaPage/> }
    });

    // The policy's call windows, and where now stands (read between two clock readings, so
    // a window opening or closing meanwhile cannot fail the test).
    let expected = |at| match windows.call_time(at) {
        Some(CallTime::Now { until }) => format!("现在宜致电，至 {}", hh_mm(until)),
        Some(CallTime::Later { from }) => format!("现在不宜致电，下一时段 {}", hh_mm(from)),
        _ => "今日宜致电时段已过".to_string(),
    };
    let before = expected(Utc::now());
    until_count(&root, "[data-testid=call-time]", 1).await;
    let line = root
        .query_selector("[data-testid=call-time]")
        .unwrap()
        .unwrap();
    let shown = line.text_content().unwrap();
    let text = |state: String| format!("宜致电时段：09:00-11:00、15:00-17:00 · {state}");
    assert!(
        shown == text(before.clone()) || shown == text(expected(Utc::now())),
        "{shown:?} is not {:?}",
        text(before)
    );

    // Due now: every customer's first call, 50 of them shown.
    let now_items = "[data-testid=agenda-now] [data-testid=agenda-item]";
    let later_items = "[data-testid=agenda-later] [data-testid=agenda-item]";
    until_count(&root, now_items, 50).await;
    assert_eq!(count(&root, later_items), 50);
    // Cards name the stored customers, overdue first.
    let first = root
        .query_selector(now_items)
        .unwrap()
        .expect("a first card");
    let id = first
        .get_attribute("data-customer-id")
        .expect("a customer id");
    assert!(
        (0..CUSTOMERS).any(|n| customer(n, bought(n)).id.to_string() == id),
        "{id} is not a stored customer"
    );
    assert_eq!(
        first.get_attribute("data-status").as_deref(),
        Some("overdue")
    );

    let counts = root
        .query_selector("[data-testid=agenda-counts]")
        .unwrap()
        .expect("counts above the list")
        .text_content()
        .unwrap();

    let more = more_button(&root, "[data-testid=agenda-now]").expect("a button for the rest");
    assert_eq!(
        more.text_content().unwrap(),
        format!("再显示 50 条（还有 {} 条）", CUSTOMERS - 50)
    );
    more.click();
    until_count(&root, now_items, 100).await;
    let more = more_button(&root, "[data-testid=agenda-now]").expect("still more to show");
    assert_eq!(
        more.text_content().unwrap(),
        format!("显示其余 {} 条", CUSTOMERS - 100)
    );
    more.click();
    until_count(&root, now_items, CUSTOMERS as u32).await;
    assert!(
        more_button(&root, "[data-testid=agenda-now]").is_none(),
        "every card shown: no button left"
    );
    // The counts shown over the first page were those of every card.
    let with_status = |s: &str| count(&root, &format!("{now_items}[data-status={s}]"));
    let (overdue, due) = (with_status("overdue"), with_status("due"));
    assert!(
        overdue > 0 && due > 0,
        "both kinds: {overdue} overdue, {due} due"
    );
    assert_eq!(counts, format!("已逾期 {overdue}待回访 {due}"));

    // The later list, folded at first, stays open when more of it is asked for.
    let details = || -> web_sys::HtmlDetailsElement {
        root.query_selector("details.later")
            .unwrap()
            .expect("the later list")
            .unchecked_into()
    };
    assert!(!details().open());
    details().set_open(true);
    more_button(&root, "[data-testid=agenda-later]")
        .expect("a button for the later rest")
        .click();
    until_count(&root, later_items, 100).await;
    assert!(details().open(), "the later list was folded again");
}
