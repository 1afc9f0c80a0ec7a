//! Revisit's server: auth, sync, blobs, reports and the built client, one axum router on
//! SQLite (embedded) or PostgreSQL.
#![warn(missing_docs)]

pub mod admin;
pub mod auth;
pub mod blobs;
pub mod db;
pub mod error;
pub mod import;
pub mod json;
pub mod policy;
pub mod repair;
pub mod reports;
pub mod seed;
pub mod static_files;
pub mod store;
pub mod sync;

use std::{path::PathBuf, sync::Arc};

use axum::{Router, extract::DefaultBodyLimit, routing::get};
use tower_http::trace::TraceLayer;

use auth::throttle::LoginThrottle;
pub use db::Db;
pub use error::Error;

/// Largest request body accepted, in bytes: the wire's limit, which devices cut pushes to.
pub const MAX_BODY_BYTES: usize = revisit_domain::wire::MAX_REQUEST_BYTES;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The built client (Trunk's dist/ folder).
    pub dist: PathBuf,
    /// Failed logins per user name (in memory, per process).
    pub logins: Arc<LoginThrottle>,
}

impl AppState {
    /// The state of a server on `db` serving the client built in `dist`.
    pub fn new(db: Db, dist: PathBuf) -> AppState {
        AppState {
            db,
            dist,
            logins: Arc::default(),
        }
    }
}

/// The whole application: API routes, then the static client for everything else.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(auth::router())
        .merge(sync::router())
        .merge(blobs::router())
        .merge(reports::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    Router::new()
        .nest("/api", api)
        .merge(static_files::router(&state.dist))
        .layer(TraceLayer::new_for_http())
}
