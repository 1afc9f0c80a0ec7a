//! A customer's page: details and complaints, visit history (with signatures), and the way to
//! record a visit.

use std::str::FromStr;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use revisit_domain::{
    CustomerId, Tier,
    time::{china, minute_text},
    visit::newest_first,
};

use crate::{
    components::visit_card::VisitCard,
    pages::{customer_data, show_stored},
    state::app_state,
};

/// `/customers/:id`.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| CustomerId::from_str(&s).ok())
    };
    let data = customer_data(state, id);
    view! {
        <section>
            {show_stored(state, data, move |stored| {
                let Some(c) = id().and_then(|id| stored.customers.iter().find(|c| c.id == id).cloned()) else {
                    return view! { <p class="empty">{move || t().not_found}</p> }.into_any();
                };
                let visits = newest_first(&stored.visits, |v| v.customer_id == c.id);
                let local = |at: chrono::DateTime<chrono::Utc>| minute_text(at.with_timezone(&china()).naive_local());
                let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".to_string(), |d| d.to_string());
                view! {
                    <div class="customer-head">
                        <h1>
                            {c.name.clone()}
                            {(c.tier == Tier::Vip).then(|| view! { <span class="badge vip">{move || t().vip}</span> })}
                        </h1>
                        <a id="new-visit" class="button primary" href=format!("/customers/{}/visit", c.id)>
                            {move || t().new_visit}
                        </a>
                    </div>
                    <dl class="facts card">
                        <dt>{move || t().phone}</dt><dd><a href=format!("tel:{}", c.phone)>{c.phone.clone()}</a></dd>
                        <dt>{move || t().address}</dt><dd>{c.address.clone()}</dd>
                        <dt>{move || t().product}</dt><dd>{c.product.clone()}</dd>
                        <dt>{move || t().purchased_on}</dt><dd>{c.purchased_on.to_string()}</dd>
                        <dt>{move || t().installed_on}</dt><dd>{date(c.installed_on)}</dd>
                        <dt>{move || t().repaired_on}</dt><dd>{date(c.repaired_on)}</dd>
                        {stored.complaints.iter().filter(|k| k.customer_id == c.id).map(|k| {
                            let (received, closed) = (local(k.received_at), k.closed_at.map(local));
                            view! {
                                <dt>{move || t().complaint}</dt>
                                <dd data-testid="complaint">
                                    {received}" "{k.summary.clone()}" · "
                                    {move || match &closed {
                                        Some(at) => format!("{} {at}", t().complaint_closed),
                                        None => t().complaint_open.to_string(),
                                    }}
                                </dd>
                            }
                        }).collect_view()}
                    </dl>
                    <h2>{move || t().visit_history}</h2>
                    {if visits.is_empty() {
                        view! { <p class="empty">{move || t().no_visits}</p> }.into_any()
                    } else {
                        visits.into_iter().map(|v| view! { <VisitCard visit=v testid="visit-row"/> }).collect_view().into_any()
                    }}
                }
                .into_any()
            })}
        </section>
    }
}
