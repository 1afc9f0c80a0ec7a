//! The top bar: app name, navigation for the user's role, language switch, logout.

use leptos::prelude::*;

use crate::app::app_state;

/// The top bar.
#[component]
pub fn Header() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let manager = move || {
        state
            .session
            .get()
            .is_some_and(|s| s.user.role.sees_whole_org())
    };
    view! {
        <header class="top">
            <a class="brand" href="/">{move || t().app_name}</a>
            <nav>
                <Show when=move || state.session.get().is_some()>
                    <Show
                        when=manager
                        fallback=move || view! { <a href="/">{move || t().nav_agenda}</a> }
                    >
                        <a href="/reports">{move || t().nav_reports}</a>
                    </Show>
                    <a href="/sync">{move || t().nav_sync}</a>
                </Show>
            </nav>
            <div class="spacer"></div>
            {move || state.session.get().map(|s| view! {
                <span class="who">{s.user.name.clone()}" · "{move || t().role(s.user.role)}</span>
            })}
            <button id="lang-switch" class="ghost" on:click=move |_| state.lang.update(|l| *l = l.other())>
                {move || t().switch_to}
            </button>
            <Show when=move || state.session.get().is_some()>
                <button id="logout" class="ghost" on:click=move |_| state.logout()>{move || t().logout}</button>
            </Show>
        </header>
    }
}
