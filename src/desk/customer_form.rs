//! `/desk/customers/new` and `/desk/customers/:id`: create or edit a customer (reassigning them
//! is choosing another technician), and record their events and complaints. Every write is
//! merged and checked by the domain's code, saved with its outbox entry, and synced.

use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map};
use revisit_domain::{
    Customer, CustomerId, Tier, UserId,
    complaint::{Complaint, ComplaintChange, ComplaintChannel, ComplaintEdit, Severity},
    customer::CustomerEdit,
    edit::{Edit, EditError, FieldStamps, merge},
    event::CustomerEvent,
    ids::{ComplaintId, EventId},
    policy::Trigger,
    problem::ProblemCategory,
    time::{china, minute_text, parse_date},
    wire::{Entity, MutationOp, Role},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    draft,
    i18n::Texts,
    pages::{show_stored, stored_data},
    state::{AppState, app_state},
    storage,
};

/// The form's fields as typed (text, so nothing typed is lost to parsing).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct CustomerDraft {
    name: String,
    phone: String,
    address: String,
    product: String,
    vip: bool,
    purchased_on: String,
    installed_on: String,
    repaired_on: String,
    technician: String,
}

impl CustomerDraft {
    fn of(c: &Customer) -> CustomerDraft {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        CustomerDraft {
            name: c.name.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            product: c.product.clone(),
            vip: c.tier == Tier::Vip,
            purchased_on: c.purchased_on.to_string(),
            installed_on: date(c.installed_on),
            repaired_on: date(c.repaired_on),
            technician: c.technician_id.to_string(),
        }
    }

    /// The customer as typed, or the field that is wrong.
    fn customer(&self, id: CustomerId) -> Result<Customer, EditError> {
        let date = |field: &'static str, text: &str| -> Result<Option<NaiveDate>, EditError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            // The domain's parser, not chrono's (kilobytes of the bundle), in the plausible years.
            parse_date(text)
                .map(Some)
                .ok_or_else(|| EditError::invalid(field, "not a date"))
        };
        Ok(Customer {
            id,
            name: self.name.trim().to_string(),
            phone: self.phone.trim().to_string(),
            address: self.address.trim().to_string(),
            product: self.product.trim().to_string(),
            tier: if self.vip { Tier::Vip } else { Tier::Normal },
            purchased_on: date("purchased_on", &self.purchased_on)?
                .ok_or(EditError::Missing("purchased_on"))?,
            installed_on: date("installed_on", &self.installed_on)?,
            repaired_on: date("repaired_on", &self.repaired_on)?,
            technician_id: UserId::from_str(&self.technician)
                .map_err(|_| EditError::Missing("technician"))?,
        })
    }
}

/// The field an error is about, as the form labels it, and what is wrong, in `t`'s language.
pub fn edit_error(t: &Texts, e: &EditError) -> (&'static str, String) {
    match e {
        EditError::Missing(field) => (field, (t.field_required)(t.field_label(field))),
        EditError::Invalid { field, .. } => (field, (t.field_invalid)(t.field_label(field))),
        EditError::Empty => ("", t.nothing_changed.to_string()),
        _ => ("", t.save_failed.to_string()),
    }
}

/// Saves `op` with the record as it stands after it, then tells every page.
async fn save(state: AppState, op: MutationOp, local: Entity) -> Result<(), String> {
    let db = storage::app_db().await.map_err(|e| e.to_string())?;
    db.save_edit(op, &local).await.map_err(|e| e.to_string())?;
    state.data_changed();
    state.sync();
    Ok(())
}

/// The customer form page.
#[component]
pub fn CustomerFormPage() -> impl IntoView {
    let state = app_state();
    let params = use_params_map();
    let id = move || {
        params
            .read_untracked()
            .get("id")
            .and_then(|s| CustomerId::from_str(&s).ok())
    };
    let data = stored_data(state, false);
    view! {
        <section class="customer-form">
            {show_stored(state, data, move |stored| {
                let existing = id().and_then(|id| stored.customers.iter().find(|c| c.id == id).cloned());
                if id().is_some() && existing.is_none() {
                    return view! { <p class="empty">{move || state.lang.get().t().not_found}</p> }.into_any();
                }
                let technicians: Vec<(UserId, String)> = stored
                    .users
                    .iter()
                    .filter(|u| u.role == Role::Technician)
                    .map(|u| (u.id, u.name.clone()))
                    .collect();
                let events: Vec<CustomerEvent> = existing.as_ref().map(|c| stored.events.iter().filter(|e| e.customer_id == c.id).cloned().collect()).unwrap_or_default();
                let complaints: Vec<Complaint> = existing.as_ref().map(|c| stored.complaints.iter().filter(|k| k.customer_id == c.id).cloned().collect()).unwrap_or_default();
                view! {
                    <CustomerFields existing=existing.clone() technicians=technicians/>
                    {existing.map(|c| view! {
                        <EventsOf customer=c.id events=events/>
                        <ComplaintsOf customer=c.id complaints=complaints/>
                    })}
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn CustomerFields(existing: Option<Customer>, technicians: Vec<(UserId, String)>) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let navigate = use_navigate();
    let key = existing.as_ref().map_or_else(
        || "customer.new".to_string(),
        |c| format!("customer.{}", c.id),
    );
    let fresh = existing.as_ref().map(CustomerDraft::of).unwrap_or_default();
    let form = draft::kept(key.clone(), fresh);
    let error = RwSignal::new(None::<(&'static str, String)>);
    let saving = RwSignal::new(false);
    let existing_for_save = existing.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = state.lang.get_untracked().t();
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        let id = existing_for_save
            .as_ref()
            .map_or_else(|| CustomerId(Uuid::now_v7()), |c| c.id);
        let typed = match form.with_untracked(|d| d.customer(id)) {
            Ok(c) => c,
            Err(e) => {
                error.set(Some(edit_error(t, &e)));
                return;
            }
        };
        let (key, existing, navigate) = (key.clone(), existing_for_save.clone(), navigate.clone());
        saving.set(true);
        spawn_local(async move {
            let db = storage::app_db().await;
            let base_version = match (&db, &existing) {
                (Ok(db), Some(c)) => db.version(&c.id.to_string()).await.unwrap_or(0),
                _ => 0,
            };
            let changes = match &existing {
                Some(c) => c.changes_to(&typed),
                None => typed.as_changes(),
            };
            let edit: CustomerEdit = Edit {
                id,
                base_version,
                changes,
            };
            let stamps = FieldStamps::new();
            // The domain's merge and checks, as the server will run them.
            let merged = merge(
                existing.as_ref().map(|c| (c, &stamps)),
                &edit,
                session.device_id,
                0,
            );
            let result = match merged {
                Ok(m) => save(
                    state,
                    MutationOp::EditCustomer(edit),
                    Entity::Customer(m.record),
                )
                .await
                .map_err(|e| ("", e)),
                Err(e) => Err(edit_error(state.lang.get_untracked().t(), &e)),
            };
            saving.set(false);
            match result {
                Ok(()) => {
                    draft::clear(&key);
                    error.set(None);
                    navigate(&format!("/desk/customers/{id}"), Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let text = move |field: &'static str,
                     value: fn(&mut CustomerDraft) -> &mut String,
                     kind: &'static str| {
        view! {
            <label class:invalid=move || error.get().is_some_and(|(f, _)| f == field)>
                {move || t().field_label(field)}
                <input id=format!("customer-{field}") type=kind
                    prop:value=move || form.with(|d| value(&mut d.clone()).clone())
                    on:input=move |ev| form.update(|d| *value(d) = event_target_value(&ev))/>
            </label>
        }
    };
    let title = existing.is_some();
    view! {
        <h1>{move || if title { t().edit_customer } else { t().new_customer }}</h1>
        <form class="card form-grid" on:submit=submit>
            {text("name", |d| &mut d.name, "text")}
            {text("phone", |d| &mut d.phone, "tel")}
            {text("address", |d| &mut d.address, "text")}
            {text("product", |d| &mut d.product, "text")}
            {text("purchased_on", |d| &mut d.purchased_on, "date")}
            {text("installed_on", |d| &mut d.installed_on, "date")}
            {text("repaired_on", |d| &mut d.repaired_on, "date")}
            <label class:invalid=move || error.get().is_some_and(|(f, _)| f == "technician")>
                {move || t().technician}
                <select id="customer-technician" on:change=move |ev| form.update(|d| d.technician = event_target_value(&ev))>
                    <option value="">"—"</option>
                    {technicians.into_iter().map(|(id, name)| {
                        let value = id.to_string();
                        let selected = form.with_untracked(|d| d.technician == value);
                        view! { <option value=value selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="check">
                <input id="customer-vip" type="checkbox" prop:checked=move || form.with(|d| d.vip)
                    on:change=move |ev| form.update(|d| d.vip = event_target_checked(&ev))/>
                {move || t().vip}
            </label>
            {move || error.get().map(|(_, e)| view! { <p id="form-error" class="banner error" role="alert">{e}</p> })}
            <div class="actions">
                <a class="button ghost" href="/desk/customers">{move || t().back}</a>
                <button id="customer-save" class="primary" type="submit" disabled=move || saving.get()>
                    {move || if saving.get() { t().saving } else { t().save }}
                </button>
            </div>
        </form>
    }
}

/// A customer's recorded events, and the form to record one (what starts the policy's
/// follow-ups: an installation, a repair, a delivery…).
#[component]
fn EventsOf(customer: CustomerId, events: Vec<CustomerEvent>) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let zh = move || state.lang.get() == crate::i18n::Lang::ZhCn;
    let kind = RwSignal::new(Trigger::InstallationCompleted.code().to_string());
    let on = RwSignal::new(crate::pages::today().to_string());
    let error = RwSignal::new(None::<String>);
    let mut events = events;
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = state.lang.get_untracked().t();
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        let (Some(kind), Some(day)) = (
            Trigger::from_code(&kind.get_untracked()),
            parse_date(on.get_untracked().trim()),
        ) else {
            error.set(Some((t.field_invalid)(t.field_label("at"))));
            return;
        };
        // Noon, China time, of the day given: the policies count in days.
        let at = day
            .and_hms_opt(12, 0, 0)
            .and_then(|n| n.and_local_timezone(china()).single())
            .map(|d| d.to_utc())
            .unwrap_or_else(Utc::now);
        let event = CustomerEvent {
            id: EventId(Uuid::now_v7()),
            customer_id: customer,
            kind,
            at,
            recorded_by: session.user.id,
            label: String::new(),
            note: String::new(),
        };
        if let Err(e) = event.check() {
            error.set(Some(edit_error(t, &e).1));
            return;
        }
        error.set(None);
        spawn_local(async move {
            if let Err(e) = save(
                state,
                MutationOp::RecordEvent(event.clone()),
                Entity::Event(event),
            )
            .await
            {
                error.set(Some(e));
            }
        });
    };
    view! {
        <h2>{move || t().events}</h2>
        <ul class="entries" id="events">
            {events.into_iter().map(|e| {
                let at = minute_text(e.at.with_timezone(&china()).naive_local());
                view! { <li data-testid="event">{at}" "{move || if zh() { e.kind.zh() } else { e.kind.en() }}</li> }
            }).collect_view()}
        </ul>
        <form class="card inline-form" on:submit=record>
            <select id="event-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                {CustomerEvent::recordable_kinds().map(|k| view! {
                    <option value=k.code() selected=k == Trigger::InstallationCompleted>
                        {move || if zh() { k.zh() } else { k.en() }}
                    </option>
                }).collect_view()}
            </select>
            <input id="event-on" type="date" prop:value=move || on.get() on:input=move |ev| on.set(event_target_value(&ev))/>
            <button id="event-save" class="primary" type="submit">{move || t().record_event}</button>
            {move || error.get().map(|e| view! { <p class="banner error">{e}</p> })}
        </form>
    }
}

/// A customer's complaints, and the form to record one (投诉登记: the person recording it is
/// its first owner, 首问负责制).
#[component]
fn ComplaintsOf(customer: CustomerId, complaints: Vec<Complaint>) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let key = format!("complaint.{customer}");
    let summary = draft::kept(key.clone(), String::new());
    let channel = RwSignal::new(ComplaintChannel::Phone);
    let category = RwSignal::new(ProblemCategory::ProductQuality);
    let severity = RwSignal::new(Severity::General);
    let error = RwSignal::new(None::<String>);
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = state.lang.get_untracked().t();
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        let id = ComplaintId(Uuid::now_v7());
        let edit: ComplaintEdit = Edit {
            id,
            base_version: 0,
            changes: vec![
                ComplaintChange::Customer(customer),
                ComplaintChange::ReceivedAt(Utc::now()),
                ComplaintChange::Channel(channel.get_untracked()),
                ComplaintChange::Category(category.get_untracked()),
                ComplaintChange::Severity(severity.get_untracked()),
                ComplaintChange::Summary(summary.get_untracked().trim().to_string()),
                ComplaintChange::TakenBy(session.user.id),
            ],
        };
        let merged = match merge::<Complaint>(None, &edit, session.device_id, 0) {
            Ok(m) => m.record,
            Err(e) => {
                error.set(Some(edit_error(t, &e).1));
                return;
            }
        };
        error.set(None);
        let key = key.clone();
        spawn_local(async move {
            match save(
                state,
                MutationOp::EditComplaint(edit),
                Entity::Complaint(merged),
            )
            .await
            {
                Ok(()) => {
                    draft::clear(&key);
                    summary.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h2>{move || t().complaints}</h2>
        <ul class="entries" id="complaints">
            {complaints.into_iter().map(|k| {
                let at = minute_text(k.received_at.with_timezone(&china()).naive_local());
                let status = k.status;
                view! { <li data-testid="complaint">{at}" "{k.summary.clone()}" · "{move || t().complaint_status(status)}</li> }
            }).collect_view()}
        </ul>
        <form class="card form-grid" on:submit=record>
            <label>{move || t().field_label("summary")}
                <input id="complaint-summary" prop:value=move || summary.get() on:input=move |ev| summary.set(event_target_value(&ev))/>
            </label>
            <label>{move || t().complaint_channel}
                <select id="complaint-channel" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(c) = ComplaintChannel::ALL.into_iter().find(|c| c.code() == v) { channel.set(c) }
                }>
                    {ComplaintChannel::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || t().complaint_channel_name(c)}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || t().category}
                <select id="complaint-category" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(c) = ProblemCategory::ALL.into_iter().find(|c| c.code() == v) { category.set(c) }
                }>
                    {ProblemCategory::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || t().category_name(c)}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || t().severity}
                <select id="complaint-severity" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(s) = Severity::ALL.into_iter().find(|s| s.code() == v) { severity.set(s) }
                }>
                    {Severity::ALL.into_iter().map(|s| view! { <option value=s.code()>{move || t().severity_name(s)}</option> }).collect_view()}
                </select>
            </label>
            <p class="hint">{move || format!("{} {}", t().handled_by, t().role(severity.get().handled_by()))}</p>
            {move || error.get().map(|e| view! { <p class="banner error" role="alert">{e}</p> })}
            <div class="actions">
                <button id="complaint-save" class="primary" type="submit">{move || t().record_complaint}</button>
            </div>
        </form>
    }
}
