//! The field app, for technicians on tablets: the agenda, customers, the visit form, sync.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::{header::Header, status_bar::StatusBar},
    pages::{
        agenda::AgendaPage, customer::CustomerPage, login::LoginPage, password::PasswordPage,
        sync_status::SyncPage, visit_form::VisitFormPage,
    },
    state::{self, app_state},
};

/// The field app's root.
#[component]
pub fn FieldApp() -> impl IntoView {
    let state = state::start();
    view! {
        <Router>
            <Header desk=false/>
            <StatusBar/>
            <main class="page">
                {move || state.error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
                <Routes fallback=move || view! { <p class="empty">{move || state.lang.get().t().not_found}</p> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/customers/:id") view=|| view! { <Signed><CustomerPage/></Signed> }/>
                    <Route path=path!("/customers/:id/visit") view=|| view! { <Signed><VisitFormPage/></Signed> }/>
                    <Route path=path!("/sync") view=|| view! { <Signed><SyncPage/></Signed> }/>
                    <Route path=path!("/password") view=|| view! { <Signed><PasswordPage/></Signed> }/>
                </Routes>
            </main>
        </Router>
    }
}

/// `/`: the login form, a technician's agenda, or for office roles the way to the desk.
#[component]
fn Home() -> impl IntoView {
    let state = app_state();
    move || {
        if !state.ready.get() {
            return view! { <p class="empty">{state.lang.get().t().loading}</p> }.into_any();
        }
        match state.session.get() {
            None => view! { <LoginPage/> }.into_any(),
            Some(_) if state.must_change_password.get() => view! { <PasswordPage/> }.into_any(),
            Some(s) if s.user.role.uses_desk() => view! { <ToDesk/> }.into_any(),
            Some(_) => view! { <AgendaPage/> }.into_any(),
        }
    }
}

/// A page that needs a session: without one (logged out, or ended by the server) the login
/// form stands in its place, at the same address, so logging in again returns to the page —
/// and to any draft typed there.
#[component]
fn Signed(
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let state = app_state();
    // Whether, not who: a refreshed session does not rebuild the page.
    let signed_in = Memo::new(move |_| state.session.with(Option::is_some));
    move || {
        if !state.ready.get() {
            return view! { <p class="empty">{state.lang.get().t().loading}</p> }.into_any();
        }
        match signed_in.get() {
            false => view! { <LoginPage/> }.into_any(),
            true if state.must_change_password.get() => view! { <PasswordPage/> }.into_any(),
            true => children().into_any(),
        }
    }
}

/// An office role opened the tablet app: the desk is where their work is.
#[component]
fn ToDesk() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    // Straight there; the link stays for a browser that does not follow.
    let _ = window().location().replace("/desk/");
    view! {
        <p class="empty"><a href="/desk/">{move || t().open_desk}</a></p>
    }
}
