//! The technician's agenda: the policy engine run here over the customers and visits in
//! IndexedDB under the organisation's policy, overdue first, each item explained.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use revisit_domain::{
    Customer, Tier,
    policy::{AgendaEntry, CallTime, Horizon, ItemStatus, Lang, PolicyProfile},
    time::{due_text, hh_mm, minute_text},
};

use crate::{
    i18n::Texts,
    pages::{agenda_data, show_stored, validated},
    state::app_state,
};

/// The agenda page. It is rebuilt when the data or the language changes and every minute (the
/// engine runs again: milliseconds), so its strings are plain text rather than one closure
/// each.
#[component]
pub fn AgendaPage(
    /// The agenda's "now", fixed (tests compare it with the CLI's); the clock's when absent.
    #[prop(optional)]
    now: Option<DateTime<Utc>>,
) -> impl IntoView {
    let state = app_state();
    let data = agenda_data(state);
    let (shown_now, shown_later) = (RwSignal::new(PAGE), RwSignal::new(PAGE));
    view! {
        <section class="agenda-page">
            {show_stored(state, data, move |stored| {
                let lang = state.lang.get();
                let t = lang.t();
                let policy = match validated(stored.policy.as_ref()) {
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
                // Items fall due and call windows open as time passes: a new minute evaluates
                // again, on the input grouped once per load.
                state.minute.track();
                let at = now.unwrap_or_else(Utc::now);
                let agenda = stored.engine_input().open_agenda(&policy.profile, &policy.calendar, at, Horizon::default());
                let (call_class, call_text) = call_time(t, &policy.profile, &agenda.call_windows, at);
                // The engine's order: overdue, due, upcoming; within each, priority, VIP, due time.
                let overdue = agenda.count(ItemStatus::Overdue);
                let now_total = overdue + agenda.count(ItemStatus::Due);
                let later_total = agenda.count(ItemStatus::Upcoming);
                // Cards are made only for the rows shown: a device with thousands of customers
                // owes thousands of visits, and the first page is what a technician works on.
                let cards = |start: usize, total: usize, shown: usize| -> Vec<AnyView> {
                    agenda
                        .items_from(start)
                        .take(total.min(shown))
                        .filter_map(|item| Some(card(t, lang.policy(), item, stored.customer(item.customer_index)?)))
                        .collect()
                };
                let now_cards = cards(0, now_total, shown_now.get());
                let later_cards = cards(now_total, later_total, shown_later.get());
                // Rebuilt open once the user asked for more of it.
                let later_open = shown_later.get_untracked() > PAGE;
                view! {
                    <div class="agenda-head" data-loads=stored.load>
                        <h1>{t.agenda_title}</h1>
                        <span class="policy-name" data-testid="policy-name">
                            {format!("{}{}", t.agenda_policy, policy.profile.name)}
                        </span>
                        <span class=format!("call-time {call_class}") data-testid="call-time">{call_text}</span>
                    </div>
                    {if now_total == 0 {
                        view! { <p class="empty" data-testid="agenda-empty">{t.agenda_empty}</p> }.into_any()
                    } else {
                        // How much is owed, above a list that may show only its first page.
                        let count = |status, n| format!("{} {n}", t.status(status));
                        view! {
                            <p class="agenda-counts" data-testid="agenda-counts">
                                {(overdue > 0).then(|| view! {
                                    <span class="badge status overdue">{count(ItemStatus::Overdue, overdue)}</span>
                                })}
                                {(overdue < now_total).then(|| view! {
                                    <span class="badge status due">{count(ItemStatus::Due, now_total - overdue)}</span>
                                })}
                            </p>
                            <ul class="agenda" data-testid="agenda-now">{now_cards}</ul>
                            {more(t, now_total, shown_now)}
                        }
                        .into_any()
                    }}
                    {(later_total > 0).then(|| view! {
                        <details class="later" open=later_open>
                            <summary>{format!("{} ({later_total})", t.agenda_later)}</summary>
                            <ul class="agenda" data-testid="agenda-later">{later_cards}</ul>
                            {more(t, later_total, shown_later)}
                        </details>
                    })}
                }
                .into_any()
            })}
        </section>
    }
}

/// The policy's preferred call windows (as the agenda writes them) and where `now` stands
/// against them (002 §12), with its class (`now`, `later`, `over`); empty when the policy
/// names no window.
fn call_time(
    t: &Texts,
    profile: &PolicyProfile,
    windows: &[String],
    now: DateTime<Utc>,
) -> (&'static str, String) {
    let (class, state) = match profile.call_time(now) {
        None => return ("", String::new()),
        Some(CallTime::Now { until }) => ("now", format!("{} {}", t.call_now, hh_mm(until))),
        Some(CallTime::Later { from }) => ("later", format!("{} {}", t.call_later, hh_mm(from))),
        Some(CallTime::Over) => ("over", t.call_over.to_owned()),
    };
    let windows = windows.join(t.list_separator);
    (class, format!("{}{windows} · {state}", t.call_windows))
}

/// Cards shown at first, and added by each press of "more".
const PAGE: usize = 50;

/// The "show more" button under a list of `total` rows of which `shown` are shown, if any
/// are hidden.
fn more(t: &'static Texts, total: usize, shown: RwSignal<usize>) -> Option<AnyView> {
    let hidden = total.saturating_sub(shown.get_untracked());
    (hidden > 0).then(|| {
        view! {
            <button type="button" class="secondary more" data-testid="agenda-more"
                on:click=move |_| shown.update(|n| *n += PAGE)>
                {(t.show_more)(hidden.min(PAGE), hidden)}
            </button>
        }
        .into_any()
    })
}

/// One item as a card linking to the customer: who, what kind of visit, status, window,
/// channel, level, the data-correction flag, and why (in the interface language).
fn card(t: &'static Texts, lang: Lang, item: &AgendaEntry<'_>, c: &Customer) -> AnyView {
    let status = status_code(item.status);
    let (due, deadline) = (item.due(), item.deadline());
    let window = match (deadline != due).then(|| due_text(deadline)) {
        Some(deadline) => format!(" · {} {deadline}", t.deadline),
        None => String::new(),
    };
    let channel = item.channel().map_or(t.any_channel, |ch| t.channel(ch));
    // Plain class strings and texts rather than reactive toggles: one card type, less code.
    view! {
        <li>
            <a class=format!("agenda-item {status}") data-testid="agenda-item" data-status=status
                data-customer-id=c.id.to_string() data-due=minute_text(due) href=format!("/customers/{}", c.id)>
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
                    // A date counted in working days through a year whose holidays the
                    // calendar does not hold yet: it may be early.
                    {item.outside_calendar.then(|| view! {
                        <span class="badge warn" data-testid="outside-calendar" title=t.outside_calendar_why>{t.outside_calendar}</span>
                    })}
                </div>
                <div class="window">{t.due_at}" "<strong>{due_text(due)}</strong>{window}</div>
                <div class="meta">{format!("{} · {}", c.product, c.address)}</div>
                <p class="why">{item.explain(lang)}</p>
            </a>
        </li>
    }
    .into_any()
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
