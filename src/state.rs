//! The state both apps share (session, network, sync, language) and its actions; the start-up
//! and the sync triggers. Pages read it with [`app_state`]; neither app's routes live here.

use std::time::Duration;

use leptos::{ev, prelude::*, task::spawn_local};

use crate::{
    i18n::Lang,
    storage::{self, meta},
    sync::{self, PullProgress, Session, SyncError},
    tabs,
};

/// How often sync runs by itself while the app is open.
const SYNC_EVERY: Duration = Duration::from_secs(15);
/// During a first sync, pages show what has arrived at most this often (milliseconds).
const PARTIAL_RELOAD_EVERY_MS: f64 = 5_000.0;
/// Where the chosen language is kept (a preference, not data: localStorage is enough).
const LANG_KEY: &str = "revisit.lang";

/// State every page shares; all fields are signals, so the struct is `Copy`.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Interface language.
    pub lang: RwSignal<Lang>,
    /// The logged-in user, if any.
    pub session: RwSignal<Option<Session>>,
    /// The session and counters have been read from IndexedDB.
    pub ready: RwSignal<bool>,
    /// The browser says it has a network.
    pub network: RwSignal<bool>,
    /// The last request to the server got an answer.
    pub reachable: RwSignal<bool>,
    /// Outbox entries waiting to sync.
    pub pending: RwSignal<u32>,
    /// When the last sync succeeded (local time, for display).
    pub last_sync: RwSignal<Option<String>>,
    /// A sync run is in progress.
    pub syncing: RwSignal<bool>,
    /// How far a pull from the start (a first sync) has come, while it runs.
    pub progress: RwSignal<Option<PullProgress>>,
    /// Bumped whenever stored data changes, so pages reload it.
    pub revision: RwSignal<u64>,
    /// An error to show in the banner.
    pub error: RwSignal<Option<String>>,
    /// The server asks this user to choose their own password before anything else (a
    /// one-time password from an administrator).
    pub must_change_password: RwSignal<bool>,
    /// The minutes since 1970, moved on by the sync timer: pages that depend on the time
    /// track it.
    pub minute: RwSignal<u64>,
}

impl AppState {
    /// A fresh state in `lang`: nobody logged in, nothing read yet, the network as the
    /// browser reports it.
    pub fn new(lang: Lang) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            session: RwSignal::new(None),
            ready: RwSignal::new(false),
            network: RwSignal::new(window().navigator().on_line()),
            reachable: RwSignal::new(true),
            pending: RwSignal::new(0),
            last_sync: RwSignal::new(None),
            syncing: RwSignal::new(false),
            progress: RwSignal::new(None),
            revision: RwSignal::new(0),
            error: RwSignal::new(None),
            minute: RwSignal::new(minute_now()),
            must_change_password: RwSignal::new(false),
        }
    }

    /// Whether the server is reachable as far as we know.
    pub fn online(self) -> bool {
        self.network.get() && self.reachable.get()
    }

    /// Re-reads the outbox count and tells pages to reload their data, in this tab and the
    /// others.
    pub fn data_changed(self) {
        self.revision.update(|r| *r += 1);
        self.refresh_pending();
        tabs::announce_change();
    }

    /// Re-reads the outbox count.
    pub fn refresh_pending(self) {
        spawn_local(async move {
            if let Ok(db) = storage::app_db().await
                && let Ok(n) = db.outbox_len().await
            {
                self.pending.set(n);
            }
        });
    }

    /// Logs out: ends the session here and on the server; unsynced data stays on the device.
    pub fn logout(self) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        self.session.set(None);
        spawn_local(async move {
            if let Ok(db) = storage::app_db().await {
                let _ = db.delete_meta(meta::SESSION).await;
            }
            sync::logout(&session.token).await;
        });
    }

    /// Starts a sync run unless one is running or nobody is logged in. Another tab's run goes
    /// first: this one waits for it, then finds little left to do.
    pub fn sync(self) {
        let Some(session) = self.session.get_untracked() else {
            return;
        };
        if self.syncing.get_untracked() {
            return;
        }
        self.syncing.set(true);
        spawn_local(async move {
            // A first sync shows what it has stored so far: pages reload after its first page
            // and then every few seconds (each reload reads the whole store again), not after
            // each of hundreds of pages.
            let mut shown_at: Option<f64> = None;
            let mut on_page = |p: PullProgress| {
                self.progress.set(Some(p));
                let now = js_sys::Date::now();
                if shown_at.is_none_or(|at| now - at >= PARTIAL_RELOAD_EVERY_MS) {
                    shown_at = Some(now);
                    self.revision.update(|r| *r += 1);
                }
            };
            let result = tabs::as_sync_leader(async {
                match storage::app_db().await {
                    Ok(db) => sync::sync_once(&db, &session, &mut on_page)
                        .await
                        .map(|r| (db, r)),
                    Err(e) => Err(SyncError::Storage(e)),
                }
            })
            .await;
            self.progress.set(None);
            match result {
                Ok((db, report)) => {
                    self.reachable.set(true);
                    let now = revisit_domain::time::hh_mm_ss(
                        chrono::Utc::now()
                            .with_timezone(&revisit_domain::time::china())
                            .time(),
                    );
                    let _ = db.set_meta(meta::LAST_SYNC, &now).await;
                    self.last_sync.set(Some(now));
                    // What was pushed is already shown (saved here first); the outbox count
                    // is read again below.
                    if report.pulled > 0 || report.new_policy {
                        self.revision.update(|r| *r += 1);
                        tabs::announce_change();
                    } else if report.pushed > 0 {
                        // Other tabs share the outbox: their counts follow.
                        tabs::announce_change();
                    }
                    self.error.set(None);
                }
                Err(SyncError::Offline(_)) => self.reachable.set(false),
                Err(SyncError::Unauthorized) => {
                    self.reachable.set(true);
                    if let Ok(db) = storage::app_db().await {
                        let _ = db.delete_meta(meta::SESSION).await;
                    }
                    self.session.set(None);
                    self.error
                        .set(Some(self.lang.get_untracked().t().session_expired.into()));
                }
                Err(SyncError::Server {
                    code: revisit_domain::wire::ErrorCode::PasswordChangeRequired,
                    ..
                }) => {
                    self.reachable.set(true);
                    self.must_change_password.set(true);
                }
                Err(e) => {
                    self.reachable
                        .set(!matches!(e, SyncError::Storage(_)) || self.reachable.get_untracked());
                    self.error
                        .set(Some(self.lang.get_untracked().t().sync_error(&e)));
                }
            }
            self.syncing.set(false);
            // Pages reload only when the run changed something (above): a form being typed
            // into is not rebuilt every 15 seconds.
            self.refresh_pending();
        });
    }
}

/// The app's state, provided by [`start`].
pub fn app_state() -> AppState {
    expect_context::<AppState>()
}

fn minute_now() -> u64 {
    (js_sys::Date::now() / 60_000.0) as u64
}

/// Makes the shared state, provides it, reads the session from IndexedDB and starts the sync
/// triggers (the network comes back, the app becomes visible, a timer). Each app's root calls
/// it first.
pub fn start() -> AppState {
    let stored_lang = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let state = AppState::new(stored_lang.map_or(Lang::ZhCn, |c| Lang::from_code(&c)));
    provide_context(state);

    Effect::new(move || {
        let lang = state.lang.get();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", lang.code());
        }
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(LANG_KEY, lang.code());
        }
    });
    Effect::new(move || {
        if state.ready.get()
            && let Some(body) = document().body()
        {
            let _ = body.set_attribute("data-app-ready", "true");
        }
    });

    // Start-up: read the session and counters from IndexedDB, then sync.
    spawn_local(async move {
        match storage::app_db().await {
            Ok(db) => {
                match db.meta::<Session>(meta::SESSION).await {
                    Ok(session) => state.session.set(session),
                    Err(e) => state.error.set(Some(e.to_string())),
                }
                state.pending.set(db.outbox_len().await.unwrap_or(0));
                state
                    .last_sync
                    .set(db.meta(meta::LAST_SYNC).await.ok().flatten());
            }
            Err(e) => state.error.set(Some(format!(
                "{}: {e}",
                state.lang.get_untracked().t().storage_error
            ))),
        }
        state.ready.set(true);
        state.sync();
    });

    // Another tab of this browser stored something (a pull, an edit): show it here too.
    tabs::on_change_elsewhere(move || {
        state.revision.update(|r| *r += 1);
        state.refresh_pending();
    });

    // Sync triggers: the network comes back, the app becomes visible, and a timer.
    let _ = window_event_listener(ev::online, move |_| {
        state.network.set(true);
        state.sync();
    });
    let _ = window_event_listener(ev::offline, move |_| state.network.set(false));
    let _ = window_event_listener(ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            state.sync();
        }
    });
    // The timer lives as long as the page.
    gloo_timers::callback::Interval::new(SYNC_EVERY.as_millis() as u32, move || {
        // Once a minute at most: the agenda is worked out again for each new minute.
        if minute_now() != state.minute.get_untracked() {
            state.minute.set(minute_now());
        }
        state.sync();
    })
    .forget();

    state
}
