//! The top bar: app name, navigation for the user's role, language switch, logout.

use leptos::prelude::*;

use crate::state::app_state;

/// The top bar of the field app (`desk` false) or of the desk.
#[component]
pub fn Header(
    /// Whether this is the desk's bar.
    desk: bool,
    /// Links only the desk has (with strings of their own, kept out of the field app's
    /// bundle), after the others.
    #[prop(optional, into)]
    more_links: Option<ViewFn>,
) -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let home = if desk { "/desk/" } else { "/" };
    // Kept aside so the links closure stays `Copy` for `Show`, which calls it again.
    let more_links = StoredValue::new(more_links);
    let links = move || {
        if desk {
            view! {
                <a href="/desk/">{move || t().nav_reports}</a>
                <a href="/desk/customers">{move || t().nav_customers}</a>
                <a href="/desk/complaints">{move || t().nav_complaints}</a>
                <a href="/desk/policy" id="nav-policy">{move || t().nav_policy}</a>
                <a href="/desk/sync">{move || t().nav_sync}</a>
                {more_links.with_value(|more| more.as_ref().map(ViewFn::run))}
            }
            .into_any()
        } else {
            view! {
                <a href="/">{move || t().nav_agenda}</a>
                <a href="/sync">{move || t().nav_sync}</a>
            }
            .into_any()
        }
    };
    view! {
        <header class="top">
            <a class="brand" href=home>{move || t().app_name}{desk.then(|| view! { <small>" · "{move || t().desk_name}</small> })}</a>
            <nav>
                <Show when=move || state.session.get().is_some()>{links}</Show>
            </nav>
            <div class="spacer"></div>
            {move || state.session.get().map(|s| view! {
                <a class="who" id="change-password" href=if desk { "/desk/password" } else { "/password" }
                    title=move || t().change_password>
                    {s.user.name.clone()}" · "{move || t().role(s.user.role)}
                </a>
            })}
            <button id="lang-switch" class="ghost" on:click=move |_| state.lang.update(|l| *l = l.other())>
                {move || t().switch_to}
            </button>
            <Show when=move || state.session.get().is_some()>
                <button id="logout" class="ghost" on:click=move |_| {
                    // The outbox is kept either way; the person should know it waits for them.
                    let waiting = state.pending.get_untracked() > 0;
                    if !waiting || window().confirm_with_message(t().logout_pending).unwrap_or(false) {
                        state.logout();
                    }
                }>{move || t().logout}</button>
            </Show>
        </header>
    }
}
