//! `/desk/complaints`: every complaint, open ones first with how long they have waited; a
//! complaint is replied to, then closed with its cause and corrective action (结案).

use chrono::Utc;
use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    complaint::{Complaint, ComplaintChange, ComplaintEdit, ComplaintStatus},
    edit::{Edit, FieldStamps, merge},
    time::{china, minute_text},
    wire::{Entity, MutationOp},
};

use crate::{
    desk::customer_form::edit_error,
    draft,
    pages::{show_stored, stored_data},
    state::app_state,
    storage,
};

/// The complaints page.
#[component]
pub fn ComplaintsPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let data = stored_data(state, false);
    view! {
        <section class="complaints">
            <h1>{move || t().complaints}</h1>
            {show_stored(state, data, move |stored| {
                let mut list: Vec<Complaint> = stored.complaints.clone();
                list.sort_by_key(|k| (k.status == ComplaintStatus::Closed, std::cmp::Reverse(k.received_at)));
                if list.is_empty() {
                    return view! { <p class="empty">{move || t().none}</p> }.into_any();
                }
                let name = |k: &Complaint| stored.customers.iter().find(|c| c.id == k.customer_id).map(|c| c.name.clone()).unwrap_or_default();
                list.into_iter().map(|k| {
                    let customer = name(&k);
                    view! { <ComplaintRow complaint=k customer=customer/> }
                }).collect_view().into_any()
            })}
        </section>
    }
}

#[component]
fn ComplaintRow(complaint: Complaint, customer: String) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let key = format!("close.{}", complaint.id);
    let cause = draft::kept(format!("{key}.cause"), String::new());
    let action = draft::kept(format!("{key}.action"), String::new());
    let error = RwSignal::new(None::<String>);
    let hours = (Utc::now() - complaint.received_at).num_hours();
    let received = minute_text(complaint.received_at.with_timezone(&china()).naive_local());
    let (status, severity) = (complaint.status, complaint.severity);
    let open = complaint.is_open();
    let overdue = open && hours >= 72;
    let stored = complaint.clone();
    let change = move |changes: Vec<ComplaintChange>| {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        let current = stored.clone();
        let key = key.clone();
        spawn_local(async move {
            let t = state.lang.get_untracked().t();
            let result = async {
                let db = storage::app_db().await.map_err(|e| e.to_string())?;
                let base_version = db.version(&current.id.to_string()).await.unwrap_or(0);
                let edit: ComplaintEdit = Edit {
                    id: current.id,
                    base_version,
                    changes,
                };
                let stamps = FieldStamps::new();
                let merged = merge(Some((&current, &stamps)), &edit, session.device_id, 0)
                    .map_err(|e| edit_error(t, &e).1)?;
                db.save_edit(
                    MutationOp::EditComplaint(edit),
                    &Entity::Complaint(merged.record),
                )
                .await
                .map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(_) => {
                    draft::clear(&format!("{key}.cause"));
                    draft::clear(&format!("{key}.action"));
                    error.set(None);
                    state.data_changed();
                    state.sync();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let reply = {
        let change = change.clone();
        move |_| {
            change(vec![
                ComplaintChange::Status(ComplaintStatus::Replied),
                ComplaintChange::RepliedAt(Some(Utc::now())),
            ])
        }
    };
    let close = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = state.lang.get_untracked().t();
        let (c, a) = (
            cause.get_untracked().trim().to_string(),
            action.get_untracked().trim().to_string(),
        );
        if c.is_empty() || a.is_empty() {
            error.set(Some(t.close_needs_cause.to_string()));
            return;
        }
        change(vec![
            ComplaintChange::Status(ComplaintStatus::Closed),
            ComplaintChange::ClosedAt(Some(Utc::now())),
            ComplaintChange::Cause(c),
            ComplaintChange::CorrectiveAction(a),
        ]);
    };
    view! {
        <article class="card complaint" data-testid="complaint-row" class:overdue=overdue>
            <header>
                <strong>{customer}</strong>" · "{received}" · "
                <span class="badge">{move || t().severity_name(severity)}</span>" "
                <span data-testid="complaint-status">{move || t().complaint_status(status)}</span>
                {open.then(|| view! { " · "<span>{move || (t().waited_hours)(hours)}</span> })}
            </header>
            <p>{complaint.summary.clone()}</p>
            {(!open).then(|| view! {
                <p><small>{move || t().cause}": "{complaint.cause.clone()}" · "{move || t().corrective_action}": "{complaint.corrective_action.clone()}</small></p>
            })}
            {open.then(|| view! {
                <form class="form-grid" on:submit=close>
                    <label>{move || t().cause}
                        <input class="close-cause" prop:value=move || cause.get() on:input=move |ev| cause.set(event_target_value(&ev))/>
                    </label>
                    <label>{move || t().corrective_action}
                        <input class="close-action" prop:value=move || action.get() on:input=move |ev| action.set(event_target_value(&ev))/>
                    </label>
                    <div class="actions">
                        {(status == ComplaintStatus::Open).then(|| view! {
                            <button type="button" class="ghost" on:click=reply.clone()>{move || t().mark_replied}</button>
                        })}
                        <button class="primary close-complaint" type="submit">{move || t().close_complaint}</button>
                    </div>
                </form>
            })}
            {move || error.get().map(|e| view! { <p class="banner error" role="alert">{e}</p> })}
        </article>
    }
}
