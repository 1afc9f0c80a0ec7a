//! Recording a visit, offline: channel, whether a call got through (空号/错号), satisfaction,
//! notes, and the customer's signature.
//!
//! Save seals the record (SHA-256 over every field and the signature) and writes it with
//! its outbox entry in one IndexedDB transaction. If that fails, the form keeps everything.

use std::str::FromStr;

use chrono::Utc;
use leptos::{html::Canvas, prelude::*, task::spawn_local};
use leptos_router::hooks::{use_navigate, use_params_map};
use revisit_domain::{Channel, CustomerId, Reach, Satisfaction, Signature, VisitId, VisitRecord};
use uuid::Uuid;

use crate::{
    components::{
        choice::choice,
        signature_pad::{SignaturePad, signature_png},
    },
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

    let channel = RwSignal::new(Channel::OnSite);
    let reach = RwSignal::new(Reach::Reached);
    let satisfaction = RwSignal::new(None::<Satisfaction>);
    // Only a phone call can hit a blank or wrong number; reached otherwise.
    let reach_now = Memo::new(move |_| match channel.get() {
        Channel::Phone => reach.get(),
        Channel::OnSite => Reach::Reached,
    });
    let notes = RwSignal::new(String::new());
    let canvas = NodeRef::<Canvas>::new();
    let has_ink = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    let save = move |_| {
        let t = state.lang.get_untracked().t();
        let (Some(session), Some(customer_id)) = (state.session.get_untracked(), customer_id())
        else {
            return;
        };
        let channel = channel.get_untracked();
        let reach = reach_now.get_untracked();
        // A customer not reached rated nothing.
        let satisfaction = match (reach, satisfaction.get_untracked()) {
            (Reach::Reached, None) => {
                error.set(Some(t.need_satisfaction.into()));
                return;
            }
            (Reach::Reached, rated) => rated,
            _ => None,
        };
        let signature = if channel == Channel::OnSite {
            let png = has_ink
                .get_untracked()
                .then(|| canvas.get_untracked().and_then(|c| signature_png(&c)))
                .flatten();
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
            notes: notes.get_untracked().trim().to_string(),
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
        spawn_local(async move {
            let saved = match storage::app_db().await {
                Ok(db) => db.save_visit(&visit).await,
                Err(e) => Err(e),
            };
            saving.set(false);
            match saved {
                Ok(_) => {
                    state.data_changed();
                    state.sync();
                    navigate(&format!("/customers/{customer_id}"), Default::default());
                }
                // Nothing is lost: the form keeps its content and the person can retry.
                Err(e) => error.set(Some(format!("{}: {e}", t.save_failed))),
            }
        });
    };

    let back =
        move || customer_id().map_or_else(|| "/".to_string(), |id| format!("/customers/{id}"));
    view! {
        <section class="visit-form">
            <div class="customer-head">
                <h1>{move || t().new_visit}</h1>
                <a class="button secondary" href=back>{move || t().back}</a>
            </div>
            <fieldset>
                <legend>{move || t().channel}</legend>
                {choice("", "channel", Channel::ALL, Channel::code, move || Some(channel.get()),
                    move |c| channel.set(c), move |c| t().channel(c))}
            </fieldset>
            <Show when=move || channel.get() == Channel::Phone>
                <fieldset>
                    <legend>{move || t().reach}</legend>
                    {choice("three", "reach", Reach::ALL, Reach::code, move || Some(reach.get()),
                        move |r| reach.set(r), move |r| t().reach_result(r))}
                </fieldset>
            </Show>
            <Show when=move || reach_now.get().is_reached()>
                <fieldset>
                    <legend>{move || t().satisfaction}</legend>
                    {choice("five", "satisfaction", Satisfaction::ALL, Satisfaction::code,
                        move || satisfaction.get(), move |s| satisfaction.set(Some(s)),
                        move |s| t().satisfaction(s))}
                </fieldset>
            </Show>
            <label class="block">
                {move || t().notes}
                <textarea id="visit-notes" rows="4" placeholder=move || t().notes_placeholder bind:value=notes></textarea>
            </label>
            <Show when=move || channel.get() == Channel::OnSite>
                <fieldset>
                    <legend>{move || t().signature}</legend>
                    <SignaturePad canvas=canvas has_ink=has_ink hint=Signal::derive(move || t().sign_here)
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
