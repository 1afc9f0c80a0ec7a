//! The technician's agenda: who is due for a follow-up visit, computed here from stored data.

use chrono::Utc;
use leptos::prelude::*;
use revisit_domain::{
    Tier,
    schedule::{FollowUpStatus, agenda},
    time::china_date,
};

use crate::{
    app::app_state,
    pages::{show_stored, stored_data},
};

/// Days ahead that count as "due" on today's agenda.
const LOOKAHEAD_DAYS: u64 = 3;

/// The agenda page.
#[component]
pub fn AgendaPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let data = stored_data(state);
    view! {
        <section>
            <h1>{move || t().agenda_title}</h1>
            {show_stored(state, data, move |stored| {
                let today = china_date(Utc::now());
                let items = agenda(&stored.customers, &stored.visits, today, LOOKAHEAD_DAYS);
                if items.is_empty() {
                    return view! { <p class="empty">{move || t().agenda_empty}</p> }.into_any();
                }
                let rows = items
                    .into_iter()
                    .filter_map(|item| {
                        let c = stored.customers.iter().find(|c| c.id == item.customer_id)?.clone();
                        let overdue = item.status == FollowUpStatus::Overdue;
                        let (kind, status) = (item.kind, item.status);
                        Some(view! {
                            <li>
                                <a class="agenda-item" class:overdue=overdue data-testid="agenda-item"
                                    data-customer-id=c.id.to_string() href=format!("/customers/{}", c.id)>
                                    <span class="name">
                                        {c.name.clone()}
                                        {(c.tier == Tier::Vip).then(|| view! { <span class="badge vip">{move || t().vip}</span> })}
                                    </span>
                                    <span class="meta">{move || t().kind(kind)}" · "{c.product.clone()}</span>
                                    <span class="meta">{c.address.clone()}</span>
                                    <span class="due">{move || t().due_by}" "{item.due_on.to_string()}</span>
                                    <span class="badge" class:danger=overdue>{move || t().status(status)}</span>
                                </a>
                            </li>
                        })
                    })
                    .collect_view();
                view! { <ul class="agenda">{rows}</ul> }.into_any()
            })}
        </section>
    }
}
