//! `/desk/customers`: the organisation's customers, searched by name, phone (any part of the
//! number) or address, filtered by technician, tier, product and "has something overdue" (the
//! policy engine run here, as on the tablets), and reassigned to another technician one or
//! many at a time (through the outbox; the tablets follow at their next sync).

use std::collections::BTreeSet;

use chrono::Utc;
use leptos::prelude::*;
use revisit_domain::{
    Customer, CustomerChange, CustomerId, Tier, UserId,
    edit::Edit,
    policy::{Horizon, ItemStatus},
    wire::{Entity, MutationOp, Role, UserCard},
};

use crate::{
    i18n::Lang,
    pages::{Stored, show_stored, stored_data, stored_policy},
    state::{AppState, app_state},
    storage,
};

/// Rows shown before "show more": a long table costs the browser more than it helps anyone.
const PAGE: usize = 100;

/// The list's own strings (the desk's only: kept out of the shared tables the field app
/// carries).
pub struct ListTexts {
    /// The button to the import page.
    pub import: &'static str,
    /// The product filter's "all".
    pub all_products: &'static str,
    /// The overdue filter.
    pub overdue_only: &'static str,
    /// The select-all checkbox's label.
    pub select_all: &'static str,
    /// How many are selected.
    pub selected: fn(usize) -> String,
    /// The technician to reassign to.
    pub reassign_to: &'static str,
    /// The reassign button.
    pub reassign: &'static str,
    /// After reassigning.
    pub reassigned: fn(usize) -> String,
    /// The overdue filter needs a policy.
    pub no_policy: &'static str,
}

/// 简体中文
pub const ZH: ListTexts = ListTexts {
    import: "导入客户",
    all_products: "全部产品",
    overdue_only: "有逾期回访",
    select_all: "全选筛选结果",
    selected: |n| format!("已选 {n} 位客户"),
    reassign_to: "改派给",
    reassign: "改派",
    reassigned: |n| format!("已改派 {n} 位客户，技术员的平板下次同步时更新。"),
    no_policy: "尚未收到回访策略，无法判断逾期。",
};

/// English
pub const EN: ListTexts = ListTexts {
    import: "Import customers",
    all_products: "All products",
    overdue_only: "Something overdue",
    select_all: "Select all shown by the filters",
    selected: |n| format!("{n} customers selected"),
    reassign_to: "Reassign to",
    reassign: "Reassign",
    reassigned: |n| {
        format!("{n} customers reassigned; the technicians' tablets follow at their next sync.")
    },
    no_policy: "No follow-up policy has arrived yet: overdue cannot be told.",
};

/// The list's strings in `lang`.
pub fn texts(lang: Lang) -> &'static ListTexts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

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

/// The filters as chosen.
#[derive(Clone, Copy)]
struct Filters {
    query: RwSignal<String>,
    technician: RwSignal<String>,
    tier: RwSignal<String>,
    product: RwSignal<String>,
    overdue: RwSignal<bool>,
}

/// The customers the filters let through, by name; `None` when "overdue" is asked and there is
/// no usable policy.
fn filtered(stored: &Stored, f: Filters) -> Option<Vec<&Customer>> {
    let q = f.query.get().trim().to_lowercase();
    let tech = f.technician.get();
    let tier = f.tier.get();
    let product = f.product.get();
    let overdue: Option<BTreeSet<usize>> = if f.overdue.get() {
        let policy = stored_policy(stored).ok().flatten()?;
        let agenda = stored.engine_input().open_agenda(
            &policy.profile,
            &policy.calendar,
            Utc::now(),
            Horizon::default(),
        );
        Some(
            agenda
                .items_unordered()
                .iter()
                .filter(|i| i.status == ItemStatus::Overdue)
                .map(|i| i.customer_index as usize)
                .collect(),
        )
    } else {
        None
    };
    let mut found: Vec<&Customer> = stored
        .customers
        .iter()
        .enumerate()
        .filter(|(i, _)| overdue.as_ref().is_none_or(|o| o.contains(i)))
        .map(|(_, c)| c)
        .filter(|c| tech.is_empty() || c.technician_id.to_string() == tech)
        .filter(|c| tier.is_empty() || (tier == "vip") == (c.tier == Tier::Vip))
        .filter(|c| product.is_empty() || c.product == product)
        .filter(|c| matches(c, &q))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Some(found)
}

/// Moves the customers `ids` to technician `to` through the outbox, in one transaction;
/// returns how many changed (those already with `to` are left alone).
async fn reassign(state: AppState, moving: Vec<Customer>, to: UserId) -> Result<usize, String> {
    let db = storage::app_db().await.map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    for mut c in moving.into_iter().filter(|c| c.technician_id != to) {
        let base_version = db
            .version(&c.id.to_string())
            .await
            .map_err(|e| e.to_string())?;
        let op = MutationOp::EditCustomer(Edit {
            id: c.id,
            base_version,
            changes: vec![CustomerChange::Technician(to)],
        });
        c.technician_id = to;
        edits.push((op, Entity::Customer(c)));
    }
    let n = edits.len();
    if n > 0 {
        db.save_edits(edits).await.map_err(|e| e.to_string())?;
        state.data_changed();
        state.sync();
    }
    Ok(n)
}

/// The customers list.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let lt = move || texts(state.lang.get());
    let data = stored_data(state, false);
    let filters = Filters {
        query: RwSignal::new(String::new()),
        technician: RwSignal::new(String::new()),
        tier: RwSignal::new(String::new()),
        product: RwSignal::new(String::new()),
        overdue: RwSignal::new(false),
    };
    let shown = RwSignal::new(PAGE);
    let selected = RwSignal::new(BTreeSet::<CustomerId>::new());
    let target = RwSignal::new(String::new());
    let moving = Action::new_local(move |(list, to): &(Vec<Customer>, UserId)| {
        reassign(state, list.clone(), *to)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = moving.value().get() {
            selected.set(BTreeSet::new());
        }
    });
    let technicians = move |stored: &Stored| {
        let mut techs: Vec<UserCard> = stored
            .users
            .iter()
            .filter(|u| u.role == Role::Technician && u.active)
            .cloned()
            .collect();
        techs.sort_by(|a, b| a.name.cmp(&b.name));
        techs
    };
    view! {
        <section class="customers">
            <div class="customer-head">
                <h1>{move || t().nav_customers}</h1>
                <div class="actions">
                    <a id="import-customers" class="button ghost" href="/desk/import">{move || lt().import}</a>
                    <a id="new-customer" class="button primary" href="/desk/customers/new">{move || t().new_customer}</a>
                </div>
            </div>
            <div class="filters card">
                <input id="customer-search" type="search" placeholder=move || t().search_placeholder
                    prop:value=move || filters.query.get()
                    on:input=move |ev| { filters.query.set(event_target_value(&ev)); shown.set(PAGE); }/>
                {show_stored(state, data, move |stored| {
                    let mut products: Vec<String> = stored.customers.iter().map(|c| c.product.clone()).collect();
                    products.sort();
                    products.dedup();
                    view! {
                        <select id="technician-filter" on:change=move |ev| filters.technician.set(event_target_value(&ev))>
                            <option value="">{move || t().all_technicians}</option>
                            {technicians(stored).into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select>
                        <select id="product-filter" on:change=move |ev| filters.product.set(event_target_value(&ev))>
                            <option value="">{move || lt().all_products}</option>
                            {products.into_iter().map(|p| { let value = p.clone(); view! { <option value=value>{p}</option> } }).collect_view()}
                        </select>
                    }
                })}
                <select id="tier-filter" on:change=move |ev| filters.tier.set(event_target_value(&ev))>
                    <option value="">{move || t().all_tiers}</option>
                    <option value="vip">{move || t().vip}</option>
                    <option value="normal">{move || t().normal_tier}</option>
                </select>
                <label class="check">
                    <input id="overdue-filter" type="checkbox" prop:checked=move || filters.overdue.get()
                        on:change=move |ev| filters.overdue.set(event_target_checked(&ev))/>
                    {move || lt().overdue_only}
                </label>
            </div>
            {show_stored(state, data, move |stored| {
                let Some(found) = filtered(stored, filters) else {
                    return view! { <p class="banner notice">{lt().no_policy}</p> }.into_any();
                };
                let names = |id: UserId| stored.users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
                let total = found.len();
                let limit = shown.get();
                let all_ids: Vec<CustomerId> = found.iter().map(|c| c.id).collect();
                let all_picked = {
                    let ids = all_ids.clone();
                    move || !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.contains(id)))
                };
                let pick_all = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| for id in &all_ids {
                        if on { s.insert(*id); } else { s.remove(id); }
                    });
                };
                let techs = technicians(stored);
                let rows = found.into_iter().take(limit).map(|c| {
                    let id = c.id;
                    view! {
                        <tr data-testid="customer-row" data-customer-id=id.to_string()>
                            <td class="pick"><label>
                                <input type="checkbox" class="pick" data-customer-id=id.to_string()
                                    prop:checked=move || selected.with(|s| s.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        selected.update(|s| if on { s.insert(id); } else { s.remove(&id); });
                                    }/>
                            </label></td>
                            <td><a href=format!("/desk/customers/{}", c.id)>{c.name.clone()}</a>
                                {(c.tier == Tier::Vip).then(|| view! { " "<span class="badge vip">{move || t().vip}</span> })}</td>
                            <td>{c.phone.clone()}</td>
                            <td>{c.address.clone()}</td>
                            <td>{c.product.clone()}</td>
                            <td data-testid="customer-technician">{names(c.technician_id)}</td>
                        </tr>
                    }
                }).collect_view();
                let reassign_now = move |_| {
                    let Ok(to) = target.get_untracked().parse::<UserId>() else { return };
                    let picked = selected.get_untracked();
                    let list: Vec<Customer> = data.with_untracked(|d| match d {
                        Some(Ok(stored)) => stored.customers.iter().filter(|c| picked.contains(&c.id)).cloned().collect(),
                        _ => Vec::new(),
                    });
                    moving.dispatch_local((list, to));
                };
                view! {
                    <div class="reassign card">
                        <span id="selected-count">{move || (lt().selected)(selected.with(BTreeSet::len))}</span>
                        <select id="reassign-to" aria-label=move || lt().reassign_to on:change=move |ev| target.set(event_target_value(&ev))>
                            <option value="">{move || format!("{}…", lt().reassign_to)}</option>
                            {techs.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select>
                        <button id="reassign" class="secondary"
                            disabled=move || selected.with(BTreeSet::is_empty) || target.with(String::is_empty) || moving.pending().get()
                            on:click=reassign_now>
                            {move || lt().reassign}
                        </button>
                        {move || moving.value().get().map(|r| match r {
                            Ok(n) => view! { <span id="reassigned" class="banner ok" role="status">{(lt().reassigned)(n)}</span> }.into_any(),
                            Err(e) => view! { <span class="banner error" role="alert">{e}</span> }.into_any(),
                        })}
                    </div>
                    <p class="count" id="customer-count">{move || (t().found)(total)}</p>
                    <table class="card">
                        <thead><tr>
                            <th class="pick"><label title=move || lt().select_all>
                                <input id="select-all" type="checkbox" aria-label=move || lt().select_all
                                    prop:checked=all_picked on:change=pick_all/>
                            </label></th>
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
                }.into_any()
            })}
        </section>
    }
}
