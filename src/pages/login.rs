//! The login page: online, once per device; the session is then kept for offline use.

use leptos::{prelude::*, task::spawn_local};
use revisit_domain::{DeviceId, wire::ErrorCode};
use uuid::Uuid;

use crate::{
    state::app_state,
    storage::{self, meta},
    sync::{self, Session, SyncError},
};

/// The login form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = log_in(username.get_untracked(), password.get_untracked()).await;
            let t = state.lang.get_untracked().t();
            match result {
                Ok(session) => {
                    state.reachable.set(true);
                    state.session.set(Some(session));
                    state.sync();
                }
                Err(SyncError::Offline(_)) => error.set(Some(t.login_needs_network.into())),
                Err(SyncError::Server {
                    code: ErrorCode::InvalidCredentials,
                    ..
                }) => error.set(Some(t.login_failed.into())),
                Err(SyncError::Server {
                    code: ErrorCode::TooManyAttempts,
                    ..
                }) => error.set(Some(t.login_locked.into())),
                Err(e) => error.set(Some(t.sync_error(&e))),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card login">
            <h1>{move || t().login_title}</h1>
            <form on:submit=submit>
                <label>
                    {move || t().username}
                    <input id="login-username" autocomplete="username" required
                        bind:value=username/>
                </label>
                <label>
                    {move || t().password}
                    <input id="login-password" type="password" autocomplete="current-password" required
                        bind:value=password/>
                </label>
                {move || error.get().map(|e| view! { <p id="login-error" class="banner error">{e}</p> })}
                <button id="login-submit" class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t().logging_in } else { t().login }}
                </button>
            </form>
        </section>
    }
}

/// Logs in with this browser's device id (made once) and stores the session.
async fn log_in(username: String, password: String) -> Result<Session, SyncError> {
    let db = storage::app_db().await?;
    let device_id = match db.meta::<DeviceId>(meta::DEVICE_ID).await? {
        Some(id) => id,
        None => {
            let id = DeviceId(Uuid::now_v7());
            db.set_meta(meta::DEVICE_ID, &id).await?;
            id
        }
    };
    let reply = sync::login(username.trim(), &password, device_id).await?;
    let session = Session {
        token: reply.token,
        user: reply.user,
        device_id,
    };
    db.set_meta(meta::SESSION, &session).await?;
    Ok(session)
}
