//! The desk, for managers, the service desk and administrators on laptops (also usable on a
//! tablet): the KPI report, customers (search, filter, create, edit, reassign one or many,
//! import from CSV, events, complaints), complaints, the follow-up policy (see it in words, try
//! another, adopt it), sync (with what the server refused and the edit conflicts), and people
//! (online actions). It reads the organisation's data from IndexedDB through the same pull
//! as the field app and writes through the same outbox, so it works offline too.

pub mod calendar;
pub mod complaints;
pub mod customer_form;
pub mod customers;
pub mod import;
pub mod people;
pub mod policy;
pub mod refused;
pub mod reports;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::{header::Header, status_bar::StatusBar},
    pages::{login::LoginPage, password::PasswordPage},
    state::{self, app_state},
};

/// The desk's root.
#[component]
pub fn DeskApp() -> impl IntoView {
    let state = state::start();
    view! {
        <Router>
            <Header desk=true more_links=people::nav_link/>
            <StatusBar/>
            <main class="page desk">
                {move || state.error.get().map(|e| view! { <div class="banner error" role="alert">{e}</div> })}
                <Routes fallback=move || view! { <p class="empty">{move || state.lang.get().t().not_found}</p> }>
                    <Route path=path!("/desk") view=|| view! { <Home page=Page::Reports/> }/>
                    <Route path=path!("/desk/") view=|| view! { <Home page=Page::Reports/> }/>
                    <Route path=path!("/desk/customers") view=|| view! { <Home page=Page::Customers/> }/>
                    <Route path=path!("/desk/import") view=|| view! { <Home page=Page::Import/> }/>
                    <Route path=path!("/desk/customers/new") view=|| view! { <Home page=Page::NewCustomer/> }/>
                    <Route path=path!("/desk/customers/:id") view=|| view! { <Home page=Page::Customer/> }/>
                    <Route path=path!("/desk/complaints") view=|| view! { <Home page=Page::Complaints/> }/>
                    <Route path=path!("/desk/policy") view=|| view! { <Home page=Page::Policy/> }/>
                    <Route path=path!("/desk/sync") view=|| view! { <Home page=Page::Sync/> }/>
                    <Route path=path!("/desk/people") view=|| view! { <Home page=Page::People/> }/>
                    <Route path=path!("/desk/password") view=|| view! { <Home page=Page::Password/> }/>
                </Routes>
            </main>
        </Router>
    }
}

/// The desk's pages, each shown once someone who works at the desk is logged in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Page {
    Reports,
    Customers,
    Import,
    NewCustomer,
    Customer,
    Complaints,
    Policy,
    Sync,
    People,
    Password,
}

/// The login form until someone is logged in; a technician is sent to the field app.
#[component]
fn Home(page: Page) -> impl IntoView {
    let state = app_state();
    move || {
        let t = state.lang.get().t();
        if !state.ready.get() {
            return view! { <p class="empty">{t.loading}</p> }.into_any();
        }
        match state.session.get() {
            None => view! { <LoginPage/> }.into_any(),
            Some(_) if page == Page::Password || state.must_change_password.get() => {
                view! { <PasswordPage/> }.into_any()
            }
            Some(s) if !s.user.role.uses_desk() => view! {
                <p class="empty" id="use-field-app"><a href="/">{t.use_field_app}</a></p>
            }
            .into_any(),
            Some(_) => match page {
                Page::Reports => view! { <reports::ReportsPage/> }.into_any(),
                Page::Customers => view! { <customers::CustomersPage/> }.into_any(),
                Page::Import => view! { <import::ImportPage/> }.into_any(),
                Page::NewCustomer | Page::Customer => {
                    view! { <customer_form::CustomerFormPage/> }.into_any()
                }
                Page::Complaints => view! { <complaints::ComplaintsPage/> }.into_any(),
                Page::Policy => view! { <policy::PolicyPage/> }.into_any(),
                Page::Sync => view! { <refused::DeskSyncPage/> }.into_any(),
                Page::People => view! { <people::PeoplePage/> }.into_any(),
                Page::Password => view! { <PasswordPage/> }.into_any(),
            },
        }
    }
}
