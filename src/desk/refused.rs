//! `/desk/sync`: this browser's outbox and refusals (as on the tablet), and, asked of the
//! server (an online action), what sync refused across the organisation and the edit
//! conflicts, each with its reason, the record as sent, and for conflicts the pick.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{
    time::{china, minute_text},
    wire::{ConflictPick, EditConflict, RejectedRecord},
};

use crate::{pages::sync_status::SyncPage, state::app_state, sync};

/// What the server answered, or why it could not.
#[derive(Clone)]
enum Loaded {
    Waiting,
    Failed(String),
    Done(Vec<RejectedRecord>, Vec<EditConflict>),
}

/// The desk's sync page.
#[component]
pub fn DeskSyncPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let loaded = RwSignal::new(Loaded::Waiting);
    let load = move || {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        loaded.set(Loaded::Waiting);
        spawn_local(async move {
            let t = state.lang.get_untracked().t();
            let result = async {
                let refused = sync::refused_on_server(&session, 0).await?;
                let conflicts = sync::conflicts_on_server(&session, true).await?;
                Ok::<_, sync::SyncError>((refused.rejected, conflicts.conflicts))
            }
            .await;
            loaded.set(match result {
                Ok((r, c)) => Loaded::Done(r, c),
                Err(sync::SyncError::Offline(_)) => Loaded::Failed(t.needs_network.to_string()),
                Err(e) => Loaded::Failed(t.sync_error(&e)),
            });
        });
    };
    load();
    let pick = move |id: u64, pick: ConflictPick| {
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match sync::resolve_conflict(&session, id, pick).await {
                Ok(_) => {
                    load();
                    state.sync();
                }
                Err(e) => loaded.set(Loaded::Failed(
                    state.lang.get_untracked().t().sync_error(&e),
                )),
            }
        });
    };
    let when =
        |at: chrono::DateTime<chrono::Utc>| minute_text(at.with_timezone(&china()).naive_local());
    view! {
        <SyncPage/>
        <section>
            <h2>{move || t().refused_in_org}</h2>
            {move || match loaded.get() {
                Loaded::Waiting => view! { <p class="empty">{t().loading}</p> }.into_any(),
                Loaded::Failed(e) => view! {
                    <p class="banner error" id="server-lists-error">{e}</p>
                    <button class="secondary" on:click=move |_| load()>{t().retry}</button>
                }.into_any(),
                Loaded::Done(refused, conflicts) => view! {
                    {if refused.is_empty() {
                        view! { <p class="empty" id="no-refused">{t().none}</p> }.into_any()
                    } else {
                        view! { <ul class="entries" id="refused">
                            {refused.into_iter().map(|r| {
                                let code = r.code;
                                let sent = serde_json::to_string_pretty(&r.op).unwrap_or_default();
                                view! { <li data-testid="refused">
                                    {when(r.received_at)}" · "{(t().reject_code)(code)}" · #"{r.seq}
                                    " "<small>{r.message}</small>
                                    <details><summary>{t().as_sent}</summary><pre>{sent}</pre></details>
                                </li> }
                            }).collect_view()}
                        </ul> }.into_any()
                    }}
                    <h2>{t().conflicts}</h2>
                    {if conflicts.is_empty() {
                        view! { <p class="empty">{t().none}</p> }.into_any()
                    } else {
                        view! { <table class="card" id="conflicts">
                            <thead><tr><th>{t().record}</th><th>{t().field}</th><th>{t().replaced_value}</th><th>{t().kept_value}</th><th></th></tr></thead>
                            <tbody>{conflicts.into_iter().map(|c| {
                                let id = c.id;
                                view! { <tr data-testid="conflict">
                                    <td>{(t().record_kind)(c.kind)}" "<code>{c.record_id.to_string()}</code></td>
                                    <td>{c.field.clone()}</td>
                                    <td><code>{c.replaced.to_string()}</code></td>
                                    <td><code>{c.kept.to_string()}</code></td>
                                    <td class="actions">
                                        <button class="secondary" on:click=move |_| pick(id, ConflictPick::Replaced)>{t().restore_replaced}</button>
                                        <button class="primary" on:click=move |_| pick(id, ConflictPick::Kept)>{t().keep_current}</button>
                                    </td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table> }.into_any()
                    }}
                }.into_any(),
            }}
        </section>
    }
}
