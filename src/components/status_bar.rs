//! The status bar on every page: online or offline, changes waiting to sync, last sync, a sync button.

use leptos::prelude::*;

use crate::state::app_state;

/// The status bar.
#[component]
pub fn StatusBar() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    view! {
        <Show when=move || state.session.get().is_some()>
            <div class="status" class:offline=move || !state.online()>
                <span id="net-status" data-online=move || state.online().to_string()>
                    <span class="dot"></span>
                    {move || if state.online() { t().online } else { t().offline }}
                </span>
                <span class="pending" class:has-pending={move || state.pending.get() > 0}>
                    {move || t().pending}" "<strong id="pending-count">{move || state.pending.get()}</strong>
                </span>
                <span class="last-sync">
                    {move || t().last_sync}" "
                    <span id="last-sync">{move || state.last_sync.get().unwrap_or_else(|| t().never.into())}</span>
                </span>
                {move || state.progress.get().map(|p| view! {
                    <span class="sync-progress" id="sync-progress" role="status">
                        {move || t().sync_progress}" "{p.received}" / "{p.total}
                        <progress max=p.total.to_string() value=p.received.to_string()></progress>
                    </span>
                })}
                <div class="spacer"></div>
                <button id="sync-now" class="secondary" disabled=move || state.syncing.get() on:click=move |_| state.sync()>
                    {move || if state.syncing.get() { t().syncing } else { t().sync_now }}
                </button>
            </div>
        </Show>
    }
}
