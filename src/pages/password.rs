//! Choosing one's own password: asked first after a login with a one-time password (the server
//! refuses everything else until then), and open to every user from the header, in both apps.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::wire::{ErrorCode, MIN_PASSWORD_CHARS};

use crate::{
    state::app_state,
    sync::{self, SyncError},
};

/// The password form.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = state.lang.get_untracked().t();
        let (c, n) = (current.get_untracked(), new.get_untracked());
        if n.chars().count() < MIN_PASSWORD_CHARS {
            message.set(Some((false, (t.password_too_short)(MIN_PASSWORD_CHARS))));
            return;
        }
        if n != again.get_untracked() {
            message.set(Some((false, t.passwords_differ.to_string())));
            return;
        }
        let Some(session) = state.session.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let t = state.lang.get_untracked().t();
            let result = sync::change_password(&session, c, n).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                    message.set(Some((true, t.password_changed.to_string())));
                    state.must_change_password.set(false);
                    state.sync();
                }
                Err(SyncError::Offline(_)) => {
                    message.set(Some((false, t.needs_network.to_string())));
                }
                Err(SyncError::Server {
                    code: ErrorCode::WrongPassword,
                    ..
                }) => message.set(Some((false, t.wrong_current_password.to_string()))),
                Err(e) => message.set(Some((false, t.sync_error(&e)))),
            }
        });
    };
    let field = move |id: &'static str,
                      label: fn(&crate::i18n::Texts) -> &'static str,
                      value: RwSignal<String>,
                      auto: &'static str| {
        view! {
            <label>
                {move || label(t())}
                <input id=id type="password" autocomplete=auto required
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <section class="card login">
            <h1>{move || t().change_password}</h1>
            {move || state.must_change_password.get().then(|| view! { <p class="banner" id="must-change">{t().must_change_password}</p> })}
            <form on:submit=submit>
                {field("password-current", |t| t.current_password, current, "current-password")}
                {field("password-new", |t| t.new_password, new, "new-password")}
                {field("password-again", |t| t.new_password_again, again, "new-password")}
                {move || message.get().map(|(ok, m)| view! {
                    <p id="password-message" class="banner" class:error=!ok role="alert">{m}</p>
                })}
                <button id="password-save" class="primary" type="submit" disabled=move || busy.get()>
                    {move || t().save}
                </button>
            </form>
        </section>
    }
}
