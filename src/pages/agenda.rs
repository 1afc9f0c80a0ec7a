//! The technician's agenda: the policy engine run here over the customers and visits in
//! IndexedDB under the organisation's policy, overdue first, each item explained.

use chrono::{NaiveDateTime, NaiveTime, Utc};
use leptos::prelude::*;
use revisit_domain::{
    Customer, Tier,
    policy::{AgendaEntry, EngineInput, Horizon, ItemStatus, Lang, open_agenda},
    time::{date_text, minute_text},
};

use crate::{
    app::app_state,
    i18n::Texts,
    pages::{show_stored, stored_data, stored_policy},
};

/// The agenda page. It is rebuilt when the data or the language changes (the engine runs
/// again: milliseconds), so its strings are plain text rather than one closure each.
#[component]
pub fn AgendaPage() -> impl IntoView {
    let state = app_state();
    let data = stored_data(state);
    view! {
        <section class="agenda-page">
            {show_stored(state, data, move |stored| {
                let lang = state.lang.get();
                let t = lang.t();
                let policy = match stored_policy(&stored) {
                    Ok(Some(policy)) => policy,
                    Ok(None) => {
                        return view! {
                            <h1>{t.agenda_title}</h1>
                            <p class="banner notice" data-testid="no-policy">{t.no_policy}</p>
                        }
                        .into_any();
                    }
                    Err(e) => {
                        return view! {
                            <h1>{t.agenda_title}</h1>
                            <p class="banner error" data-testid="bad-policy">{format!("{}: {e}", t.policy_invalid)}</p>
                        }
                        .into_any();
                    }
                };
                let input = EngineInput::from_records(&stored.customers, &stored.visits);
                let agenda = open_agenda(&policy.profile, &policy.calendar, &input, Utc::now(), Horizon::default());
                // The engine's order: overdue, due, upcoming; within each, priority, VIP, due time.
                let (mut now, mut later) = (Vec::new(), Vec::new());
                for item in &agenda.items {
                    if let Some(c) = stored.customers.iter().find(|c| c.id == item.customer_id) {
                        let list = if item.status == ItemStatus::Upcoming { &mut later } else { &mut now };
                        list.push(card(t, lang.policy(), item, c));
                    }
                }
                let later_count = later.len();
                view! {
                    <div class="agenda-head">
                        <h1>{t.agenda_title}</h1>
                        <span class="policy-name" data-testid="policy-name">
                            {format!("{}{}", t.agenda_policy, policy.profile.name)}
                        </span>
                    </div>
                    {if now.is_empty() {
                        view! { <p class="empty">{t.agenda_empty}</p> }.into_any()
                    } else {
                        view! { <ul class="agenda" data-testid="agenda-now">{now}</ul> }.into_any()
                    }}
                    {(later_count > 0).then(|| view! {
                        <details class="later">
                            <summary>{format!("{} ({later_count})", t.agenda_later)}</summary>
                            <ul class="agenda" data-testid="agenda-later">{later}</ul>
                        </details>
                    })}
                }
                .into_any()
            })}
        </section>
    }
}

/// One item as a card linking to the customer: who, what kind of visit, status, window,
/// channel, level, the data-correction flag, and why (in the interface language).
fn card(t: &'static Texts, lang: Lang, item: &AgendaEntry<'_>, c: &Customer) -> AnyView {
    let status = status_code(item.status);
    let window = match (item.deadline != item.due).then(|| when(item.deadline)) {
        Some(deadline) => format!(" · {} {deadline}", t.deadline),
        None => String::new(),
    };
    let channel = item.channel().map_or(t.any_channel, |ch| t.channel(ch));
    // Plain class strings and texts rather than reactive toggles: one card type, less code.
    view! {
        <li>
            <a class=format!("agenda-item {status}") data-testid="agenda-item" data-status=status
                data-customer-id=c.id.to_string() href=format!("/customers/{}", c.id)>
                <div class="head">
                    <span class="name">
                        {c.name.clone()}
                        {(c.tier == Tier::Vip).then(|| view! { <span class="badge vip">{t.vip}</span> })}
                    </span>
                    <span class=format!("badge status {status}")>{t.status(item.status)}</span>
                </div>
                <div class="tags">
                    <span class="tag kind">{t.visit_kind(item.kind()).to_owned()}</span>
                    <span class="tag">{channel}</span>
                    <span class="tag">{t.level(item.level())}</span>
                    {item.needs_data_correction.then(|| view! {
                        <span class="badge warn" data-testid="needs-correction">{t.needs_correction}</span>
                    })}
                </div>
                <div class="window">{t.due_at}" "<strong>{when(item.due)}</strong>{window}</div>
                <div class="meta">{format!("{} · {}", c.product, c.address)}</div>
                <p class="why">{item.explain(lang)}</p>
            </a>
        </li>
    }
    .into_any()
}

/// `2026-11-20`, or `2026-11-20 16:00` when the time matters (windows in hours).
fn when(at: NaiveDateTime) -> String {
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).expect("valid time");
    if at.time() == end_of_day {
        date_text(at.date())
    } else {
        minute_text(at)
    }
}

/// The status as tests and styles name it.
fn status_code(s: ItemStatus) -> &'static str {
    match s {
        ItemStatus::Overdue => "overdue",
        ItemStatus::Due => "due",
        ItemStatus::Upcoming => "upcoming",
        ItemStatus::Done => "done",
        ItemStatus::DoneLate => "done_late",
    }
}
