//! The sync page: this device, the pull cursor, changes waiting, and changes the server refused.

use leptos::prelude::*;
use revisit_domain::DeviceId;

use crate::{
    state::app_state,
    storage::{self, meta, outbox::OutboxEntry},
};

#[derive(Clone, Debug, Default)]
struct SyncState {
    device: Option<DeviceId>,
    cursor: u64,
    outbox: Vec<OutboxEntry>,
    rejected: Vec<OutboxEntry>,
}

/// `/sync`.
#[component]
pub fn SyncPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let data = LocalResource::new(move || {
        // A push changes only the outbox: its count follows.
        state.revision.track();
        state.pending.track();
        async move {
            let db = storage::app_db().await.map_err(|e| e.to_string())?;
            Ok::<_, String>(SyncState {
                device: db.meta(meta::DEVICE_ID).await.map_err(|e| e.to_string())?,
                cursor: db
                    .meta(meta::CURSOR)
                    .await
                    .map_err(|e| e.to_string())?
                    .unwrap_or(0),
                outbox: db.outbox(1000).await.map_err(|e| e.to_string())?,
                rejected: db.rejected().await.map_err(|e| e.to_string())?,
            })
        }
    });
    let list = move |entries: Vec<OutboxEntry>| {
        if entries.is_empty() {
            return view! { <p class="empty">{move || t().none}</p> }.into_any();
        }
        let items = entries
            .into_iter()
            .map(|e| {
                let (kind, id) = (e.op.kind(), e.op.record_id());
                // The reason in the user's language; the server's words beside it, for support.
                let why = e.error.clone().map(|message| {
                    let code = e.code;
                    view! {
                        <p class="banner error">
                            {move || code.map(|c| (t().reject_code)(c)).unwrap_or_default()}
                            " "<small>{message}</small>
                        </p>
                    }
                });
                view! {
                    <li>
                        <code>"#"{e.seq}</code>" "{move || (t().record_kind)(kind)}" "<code>{id.to_string()}</code>
                        {why}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="entries">{items}</ul> }.into_any()
    };
    view! {
        <section>
            <h1>{move || t().sync_title}</h1>
            {move || match data.get() {
                None => view! { <p class="empty">{t().loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner error">{e}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    <dl class="facts card">
                        <dt>{move || t().device}</dt>
                        <dd><code>{s.device.map(|d| d.to_string()).unwrap_or_default()}</code></dd>
                        <dt>{move || t().cursor}</dt><dd>{s.cursor}</dd>
                    </dl>
                    <h2>{move || t().outbox}</h2>
                    {list(s.outbox)}
                    <h2>{move || t().rejected}</h2>
                    {list(s.rejected)}
                }.into_any(),
            }}
        </section>
    }
}
