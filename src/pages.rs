//! One module per route; each reads what it shows from IndexedDB through `storage`.

pub mod agenda;
pub mod customer;
pub mod login;
pub mod password;
pub mod sync_status;
pub mod visit_form;

use std::cell::OnceCell;

use leptos::prelude::*;
use revisit_domain::{
    Customer, CustomerId, VisitRecord,
    complaint::Complaint,
    digest::{CustomerDigest, engine_input},
    event::{CustomerEvent, recorded_input, recorded_lifecycle},
    policy::{LifecycleEvent, OrgPolicy, PolicyError, PreparedInput},
    wire::{PolicyBundle, UserCard},
};

use crate::{state::AppState, storage};

/// Everything a page may show, as stored on this device.
#[derive(Default)]
pub struct Stored {
    /// Customers this user may see.
    pub customers: Vec<Customer>,
    /// Visits of those customers.
    pub visits: Vec<VisitRecord>,
    /// Lifecycle events of those customers (installations, repairs…).
    pub events: Vec<CustomerEvent>,
    /// Complaints of those customers.
    pub complaints: Vec<Complaint>,
    /// User cards of the organisation.
    pub users: Vec<UserCard>,
    /// The organisation's follow-up policy as pulled (validate before use), if one arrived.
    pub policy: Option<PolicyBundle>,
    /// The customers and visits as the policy engine's input, made on first use.
    engine_input: OnceCell<PreparedInput>,
}

impl Stored {
    /// The customers and visits grouped for the policy engine, made once per load: the
    /// agenda evaluates again every minute (items fall due) on the same data.
    pub fn engine_input(&self) -> &PreparedInput {
        self.engine_input.get_or_init(|| {
            PreparedInput::new(recorded_input(
                &self.customers,
                &self.events,
                &self.complaints,
                &self.visits,
            ))
        })
    }

    /// The recorded events and the complaints' lifecycle, as the policy engine reads them.
    pub fn lifecycle(&self) -> impl Iterator<Item = LifecycleEvent> + '_ {
        recorded_lifecycle(&self.events, &self.complaints)
    }
}

/// What the agenda reads, as stored on this device: each customer's digest (the customer and
/// what the policy engine reads of their records) rather than every record whole.
#[derive(Default)]
pub struct AgendaData {
    /// Every customer's digest.
    pub digests: Vec<CustomerDigest>,
    /// The organisation's follow-up policy as pulled (validate before use), if one arrived.
    pub policy: Option<PolicyBundle>,
    /// How many times this page has read the store so far, this one included (a sync that
    /// changed nothing must not read it again; tests count).
    pub load: u32,
    /// The engine's input grouped, and the digest of each of its customers, made on first use.
    engine_input: OnceCell<(PreparedInput, Vec<usize>)>,
}

impl AgendaData {
    /// The digests as the policy engine's input, grouped once per load.
    pub fn engine_input(&self) -> &PreparedInput {
        &self.prepared().0
    }

    /// The customer at `index` of the engine's input.
    pub fn customer(&self, index: u32) -> Option<&Customer> {
        let n = *self.prepared().1.get(index as usize)?;
        self.digests.get(n)?.customer.as_ref()
    }

    fn prepared(&self) -> &(PreparedInput, Vec<usize>) {
        self.engine_input.get_or_init(|| {
            let (input, at) = engine_input(&self.digests);
            (PreparedInput::new(input), at)
        })
    }
}

/// Loads [`AgendaData`] again whenever stored data changes.
pub fn agenda_data(state: AppState) -> LocalResource<Result<AgendaData, String>> {
    let loads = std::rc::Rc::new(std::cell::Cell::new(0));
    LocalResource::new(move || {
        state.revision.track();
        loads.set(loads.get() + 1);
        let load = loads.get();
        async move {
            let db = storage::app_db().await.map_err(|e| e.to_string())?;
            Ok(AgendaData {
                digests: db.digests().await.map_err(|e| e.to_string())?,
                policy: db.policy().await.map_err(|e| e.to_string())?,
                load,
                engine_input: OnceCell::new(),
            })
        }
    })
}

/// Today's date in China, where the policies count their days.
pub fn today() -> chrono::NaiveDate {
    revisit_domain::time::china_date(chrono::Utc::now())
}

/// Loads [`Stored`] again whenever stored data changes; visits with their signatures only when
/// `signatures` (the agenda needs none, and reading them all is most of the time at scale).
pub fn stored_data(state: AppState, signatures: bool) -> LocalResource<Result<Stored, String>> {
    LocalResource::new(move || {
        state.revision.track();
        async move {
            let db = storage::app_db().await.map_err(|e| e.to_string())?;
            Ok(Stored {
                customers: db.customers().await.map_err(|e| e.to_string())?,
                visits: db.visits(signatures).await.map_err(|e| e.to_string())?,
                events: db.events().await.map_err(|e| e.to_string())?,
                complaints: db.complaints().await.map_err(|e| e.to_string())?,
                users: db.users().await.map_err(|e| e.to_string())?,
                policy: db.policy().await.map_err(|e| e.to_string())?,
                engine_input: OnceCell::new(),
            })
        }
    })
}

/// Loads what one customer's page shows, again whenever stored data changes: customer `id()`
/// and their own records (visits with their signatures), read through the stores' customer
/// index rather than every record on the device; the organisation's users and policy.
pub fn customer_data(
    state: AppState,
    id: impl Fn() -> Option<CustomerId> + 'static,
) -> LocalResource<Result<Stored, String>> {
    LocalResource::new(move || {
        state.revision.track();
        let id = id();
        async move {
            let db = storage::app_db().await.map_err(|e| e.to_string())?;
            let Some(id) = id else {
                return Ok(Stored::default());
            };
            Ok(Stored {
                customers: db
                    .customer(id)
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .collect(),
                visits: db.visits_of(id).await.map_err(|e| e.to_string())?,
                events: db.events_of(id).await.map_err(|e| e.to_string())?,
                complaints: db.complaints_of(id).await.map_err(|e| e.to_string())?,
                users: db.users().await.map_err(|e| e.to_string())?,
                policy: db.policy().await.map_err(|e| e.to_string())?,
                engine_input: OnceCell::new(),
            })
        }
    })
}

/// The stored policy, validated with the domain's code: `Ok(None)` until one has arrived.
pub fn stored_policy(stored: &Stored) -> Result<Option<OrgPolicy>, PolicyError> {
    validated(stored.policy.as_ref())
}

/// A pulled policy validated with the domain's code: `Ok(None)` for none.
pub fn validated(policy: Option<&PolicyBundle>) -> Result<Option<OrgPolicy>, PolicyError> {
    policy.map(PolicyBundle::validate).transpose()
}

/// Renders a loaded resource: a loading line, an error line, or `view(data)` (on the loaded
/// data itself: rendering again, every minute on the agenda, copies none of it).
pub fn show_stored<T: 'static, V: IntoView + 'static>(
    state: AppState,
    data: LocalResource<Result<T, String>>,
    view: impl Fn(&T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        data.with(|loaded| match loaded {
        None => view! { <p class="empty">{state.lang.get().t().loading}</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="banner error">{format!("{}: {e}", state.lang.get().t().storage_error)}</p> }.into_any()
        }
        Some(Ok(stored)) => view(stored).into_any(),
    })
    }
}
