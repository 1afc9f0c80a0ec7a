//! One visit record as a card: when, how, the rating, the notes and the signature.

use base64::{Engine, engine::general_purpose::STANDARD};
use leptos::prelude::*;
use revisit_domain::{
    VisitRecord,
    time::{china, minute_text},
};

use crate::state::app_state;

/// A visit record. `testid` names the card for tests (`visit-row`, `report-visit`).
#[component]
pub fn VisitCard(
    /// The visit to show.
    visit: VisitRecord,
    /// The `data-testid` of the card.
    testid: &'static str,
    /// A heading above the visit (e.g. the customer's name).
    #[prop(optional, into)]
    title: Option<String>,
) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let when = minute_text(visit.visited_at.with_timezone(&china()).naive_local());
    let signature = visit
        .signature
        .as_ref()
        .map(|s| format!("data:image/png;base64,{}", STANDARD.encode(&s.png)));
    let (channel, reach, satisfaction) = (visit.channel, visit.reach, visit.satisfaction);
    let good = satisfaction.is_some_and(|s| s.is_satisfied());
    view! {
        <article class="visit" data-testid=testid data-visit-id=visit.id.to_string()>
            <div class="visit-head">
                {title.map(|title| view! { <strong>{title}</strong> })}
                <span class="when">{when}</span>
                <span class="tag">{move || t().channel(channel)}</span>
                {match satisfaction {
                    Some(s) => view! {
                        <span class="tag" class:good=good class:bad=!good>{move || t().satisfaction(s)}</span>
                    }.into_any(),
                    // Not reached (空号/错号): the number needs correcting.
                    None => view! {
                        <span class="tag bad" data-testid="visit-reach">{move || t().reach_result(reach)}</span>
                    }.into_any(),
                }}
            </div>
            {(!visit.notes.is_empty()).then(|| view! { <p class="notes">{visit.notes.clone()}</p> })}
            {signature.map(|src| view! {
                <img class="signature" data-testid="visit-signature" src=src alt=move || t().signature/>
            })}
        </article>
    }
}
