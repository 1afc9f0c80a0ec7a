//! `/desk/customers`: the organisation's customers, searched by name, phone (any part of the
//! number) or address, filtered by technician and tier.

use leptos::prelude::*;
use revisit_domain::{Customer, Tier, UserId, wire::UserCard};

use crate::{
    pages::{show_stored, stored_data},
    state::app_state,
};

/// Rows shown before "show more": a long table costs the browser more than it helps anyone.
const PAGE: usize = 100;

/// Whether `c` matches the search `query` (already trimmed and lower-cased): any part of the
/// name, the address or the product, or any digits of the phone number.
pub fn matches(c: &Customer, query: &str) -> bool {
    if query.is_empty() {
        return true;
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    c.name.to_lowercase().contains(query)
        || c.address.to_lowercase().contains(query)
        || c.product.to_lowercase().contains(query)
        || (!digits.is_empty() && digits.len() == query.len() && c.phone.contains(&digits))
}

/// The customers list.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let data = stored_data(state, false);
    let query = RwSignal::new(String::new());
    let technician = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    view! {
        <section class="customers">
            <div class="customer-head">
                <h1>{move || t().nav_customers}</h1>
                <a id="new-customer" class="button primary" href="/desk/customers/new">{move || t().new_customer}</a>
            </div>
            <div class="filters card">
                <input id="customer-search" type="search" placeholder=move || t().search_placeholder
                    prop:value=move || query.get()
                    on:input=move |ev| { query.set(event_target_value(&ev)); shown.set(PAGE); }/>
                {show_stored(state, data, move |stored| {
                    let mut techs: Vec<UserCard> = stored.users.iter().filter(|u| u.role == revisit_domain::wire::Role::Technician).cloned().collect();
                    techs.sort_by(|a, b| a.name.cmp(&b.name));
                    view! {
                        <select id="technician-filter" on:change=move |ev| technician.set(event_target_value(&ev))>
                            <option value="">{move || t().all_technicians}</option>
                            {techs.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select>
                    }
                })}
                <select id="tier-filter" on:change=move |ev| tier.set(event_target_value(&ev))>
                    <option value="">{move || t().all_tiers}</option>
                    <option value="vip">{move || t().vip}</option>
                    <option value="normal">{move || t().normal_tier}</option>
                </select>
            </div>
            {show_stored(state, data, move |stored| {
                let q = query.get().trim().to_lowercase();
                let tech = technician.get();
                let tier = tier.get();
                let names = |id: UserId| stored.users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
                let mut found: Vec<&Customer> = stored
                    .customers
                    .iter()
                    .filter(|c| tech.is_empty() || c.technician_id.to_string() == tech)
                    .filter(|c| tier.is_empty() || (tier == "vip") == (c.tier == Tier::Vip))
                    .filter(|c| matches(c, &q))
                    .collect();
                found.sort_by(|a, b| a.name.cmp(&b.name));
                let total = found.len();
                let limit = shown.get();
                let rows = found.into_iter().take(limit).map(|c| view! {
                    <tr data-testid="customer-row">
                        <td><a href=format!("/desk/customers/{}", c.id)>{c.name.clone()}</a>
                            {(c.tier == Tier::Vip).then(|| view! { " "<span class="badge vip">{move || t().vip}</span> })}</td>
                        <td>{c.phone.clone()}</td>
                        <td>{c.address.clone()}</td>
                        <td>{c.product.clone()}</td>
                        <td>{names(c.technician_id)}</td>
                    </tr>
                }).collect_view();
                view! {
                    <p class="count" id="customer-count">{move || (t().found)(total)}</p>
                    <table class="card">
                        <thead><tr>
                            <th>{move || t().field_label("name")}</th><th>{move || t().phone}</th><th>{move || t().address}</th>
                            <th>{move || t().product}</th><th>{move || t().technician}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {(total > limit).then(|| view! {
                        <button class="ghost" on:click=move |_| shown.update(|n| *n += PAGE)>
                            {move || (t().show_more)(limit, total)}
                        </button>
                    })}
                }
            })}
        </section>
    }
}
