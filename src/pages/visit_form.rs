//! Recording a visit, offline: channel, whether a call got through (空号/错号), satisfaction,
//! notes, and the customer's signature.
//!
//! Save seals the record (SHA-256 over every field and the signature) and writes it with
//! its outbox entry in one IndexedDB transaction. If that fails, the form keeps everything.
//! Until then what is typed and drawn is kept as a draft per technician and customer
//! ([`draft`]), so Back, a reload, a crash or a session that ends loses nothing.

use std::str::FromStr;

use chrono::Utc;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map};
use revisit_domain::{Channel, CustomerId, Reach, Satisfaction, Signature, VisitId, VisitRecord};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    components::{
        choice::choice,
        signature_pad::{SignaturePad, signature_png},
    },
    draft,
    state::app_state,
    storage,
};

/// `/customers/:id/visit`.
#[component]
pub fn VisitFormPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let params = use_params_map();
    let customer_id = move || {
        params
            .read_untracked()
            .get("id")
            .and_then(|s| CustomerId::from_str(&s).ok())
    };
    let navigate = use_navigate();

    // One draft per technician and customer: a shared tablet does not hand one person's
    // unsaved visit to the next.
    let key = format!(
        "visit.{}.{}",
        state
            .session
            .get_untracked()
            .map(|s| s.user.id.to_string())
            .unwrap_or_default(),
        customer_id().map(|c| c.to_string()).unwrap_or_default()
    );
    let signature_key = format!("{key}.signature");
    let restored = RwSignal::new(draft::exists(&key) || draft::exists(&signature_key));
    let form = draft::kept(key.clone(), VisitDraft::default());
    let drawing = draft::kept(signature_key.clone(), None::<String>);
    let channel = Memo::new(move |_| form.with(|f| f.channel));
    let satisfaction = Memo::new(move |_| form.with(|f| f.satisfaction));
    // Only a phone call can hit a blank or wrong number; reached otherwise.
    let reach_now = Memo::new(move |_| match channel.get() {
        Channel::Phone => form.with(|f| f.reach),
        Channel::OnSite => Reach::Reached,
    });
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let discard = move |_| {
        form.set(VisitDraft::default());
        drawing.set(None);
        restored.set(false);
    };

    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        let t = state.lang.get_untracked().t();
        let (Some(session), Some(customer_id)) = (state.session.get_untracked(), customer_id())
        else {
            return;
        };
        let channel = channel.get_untracked();
        let reach = reach_now.get_untracked();
        // A customer not reached rated nothing.
        let satisfaction = match (reach, form.with_untracked(|f| f.satisfaction)) {
            (Reach::Reached, None) => {
                error.set(Some(t.need_satisfaction.into()));
                return;
            }
            (Reach::Reached, rated) => rated,
            _ => None,
        };
        let signature = if channel == Channel::OnSite {
            let png = drawing.with_untracked(|d| d.as_deref().and_then(signature_png));
            let Some(png) = png else {
                error.set(Some(t.need_signature.into()));
                return;
            };
            Some(Signature { png })
        } else {
            None
        };
        let visit = VisitRecord {
            id: VisitId(Uuid::now_v7()),
            customer_id,
            technician_id: session.user.id,
            device_id: session.device_id,
            visited_at: Utc::now(),
            channel,
            reach,
            satisfaction,
            notes: form.with_untracked(|f| f.notes.trim().to_string()),
            signature,
            photos: Vec::new(),
            amends: None,
            sha256: String::new(),
        }
        .seal();
        if let Err(e) = visit.validate() {
            error.set(Some(e.to_string()));
            return;
        }
        saving.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let (key, signature_key) = (key.clone(), signature_key.clone());
        spawn_local(async move {
            let saved = match storage::app_db().await {
                Ok(db) => db.save_visit(&visit).await,
                Err(e) => Err(e),
            };
            match saved {
                // `saving` stays set: the page is left, and a second tap saves nothing more.
                Ok(_) => {
                    draft::clear(&key);
                    draft::clear(&signature_key);
                    state.data_changed();
                    state.sync();
                    navigate(&format!("/customers/{customer_id}"), Default::default());
                }
                // Nothing is lost: the form keeps its content and the person can retry.
                Err(e) => {
                    saving.set(false);
                    error.set(Some(format!("{}: {e}", t.save_failed)));
                }
            }
        });
    };

    let back =
        move || customer_id().map_or_else(|| "/".to_string(), |id| format!("/customers/{id}"));
    // Whom the visit is for, read once from this device: the form says so above everything.
    let customer = LocalResource::new(move || {
        let id = customer_id();
        async move {
            let db = storage::app_db().await.ok()?;
            db.customer(id?).await.ok().flatten()
        }
    });
    view! {
        <section class="visit-form">
            <div class="customer-head">
                <h1>{move || t().new_visit}</h1>
                <a class="button secondary" href=back>{move || t().back}</a>
            </div>
            {move || customer.get().flatten().map(|c| view! {
                <p id="visit-for" class="visit-for">
                    <strong>{c.name.clone()}</strong>
                    <a class="phone" href=format!("tel:{}", c.phone)>{c.phone.clone()}</a>
                    <span>{c.address.clone()}</span>
                </p>
            })}
            <Show when=move || restored.get()>
                <p id="draft-restored" class="banner notice" role="status">
                    {move || t().draft_restored}" "
                    <button type="button" id="draft-discard" class="secondary" on:click=discard>{move || t().discard}</button>
                </p>
            </Show>
            <fieldset>
                <legend>{move || t().channel}</legend>
                {choice("", "channel", Channel::ALL, Channel::code, move || Some(channel.get()),
                    move |c| form.update(|f| f.channel = c), move |c| t().channel(c))}
            </fieldset>
            <Show when=move || channel.get() == Channel::Phone>
                <fieldset>
                    <legend>{move || t().reach}</legend>
                    {choice("three", "reach", Reach::ALL, Reach::code, move || Some(form.with(|f| f.reach)),
                        move |r| form.update(|f| f.reach = r), move |r| t().reach_result(r))}
                </fieldset>
            </Show>
            <Show when=move || reach_now.get().is_reached()>
                <fieldset>
                    <legend>{move || t().satisfaction}</legend>
                    {choice("five", "satisfaction", Satisfaction::ALL, Satisfaction::code,
                        move || satisfaction.get(), move |s| form.update(|f| f.satisfaction = Some(s)),
                        move |s| t().satisfaction(s))}
                </fieldset>
            </Show>
            <label class="block">
                {move || t().notes}
                <textarea id="visit-notes" rows="4" placeholder=move || t().notes_placeholder
                    prop:value=move || form.with(|f| f.notes.clone())
                    on:input=move |ev| form.update(|f| f.notes = event_target_value(&ev))></textarea>
            </label>
            <Show when=move || channel.get() == Channel::OnSite>
                <fieldset>
                    <legend>{move || t().signature}</legend>
                    <SignaturePad drawing=drawing hint=Signal::derive(move || t().sign_here)
                        clear_label=Signal::derive(move || t().clear)/>
                </fieldset>
            </Show>
            {move || error.get().map(|e| view! { <p id="visit-error" class="banner error" role="alert">{e}</p> })}
            <button id="visit-save" class="primary big" disabled=move || saving.get() on:click=save>
                {move || if saving.get() { t().saving } else { t().save }}
            </button>
        </section>
    }
}

/// What the form holds before it is saved, kept as the draft; the signature is kept beside it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct VisitDraft {
    channel: Channel,
    reach: Reach,
    satisfaction: Option<Satisfaction>,
    notes: String,
}

impl Default for VisitDraft {
    fn default() -> Self {
        VisitDraft {
            channel: Channel::OnSite,
            reach: Reach::Reached,
            satisfaction: None,
            notes: String::new(),
        }
    }
}
