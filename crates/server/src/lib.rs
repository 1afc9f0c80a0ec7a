//! Revisit's server: auth, sync, blobs, reports and the built client, one axum router on
//! SQLite (embedded) or PostgreSQL.
#![warn(missing_docs)]

pub mod admin;
pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod db;
pub mod error;
pub mod import;
pub mod json;
pub mod limits;
pub mod people;
pub mod policy;
pub mod policy_input;
pub mod repair;
pub mod reports;
pub mod security;
pub mod seed;
pub mod serve;
pub mod static_files;
pub mod store;
pub mod sync;

use std::{path::PathBuf, sync::Arc};

use axum::{
    Router,
    http::{HeaderValue, header::CACHE_CONTROL},
    middleware::map_response,
    routing::{any, get},
};
use tower_http::{
    compression::CompressionLayer,
    set_header::SetResponseHeaderLayer,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
    trace::TraceLayer,
};

use auth::throttle::LoginThrottle;
pub use db::Db;
pub use error::Error;
pub use limits::Limits;
use limits::{SMALL_BODY_BYTES, body_limit, json_errors};
pub use serve::serve;

/// Largest request body accepted, in bytes: the wire's limit, which devices cut pushes to.
pub const MAX_BODY_BYTES: usize = revisit_domain::wire::MAX_REQUEST_BYTES;
/// Largest blob upload, in bytes.
pub const MAX_BLOB_BYTES: usize = revisit_domain::wire::MAX_BLOB_BYTES;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The built client (Trunk's dist/ folder).
    pub dist: PathBuf,
    /// Failed logins per client address and user name (in memory, per process).
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

/// The whole application with the default [`Limits`].
pub fn router(state: AppState) -> Router {
    router_with(state, &Limits::default())
}

/// The whole application: API routes, then the static clients for everything else; security
/// headers and the request timeouts of `limits` on every response.
///
/// Each API route has a body limit: a push [`MAX_BODY_BYTES`], a blob [`MAX_BLOB_BYTES`], the
/// rest [`SMALL_BODY_BYTES`]. API replies are compressed (brotli or gzip) and not cached unless
/// they say so (a blob, named by its hash, is immutable); any
/// unknown path under `/api`, `/api` itself included, is a JSON 404.
pub fn router_with(state: AppState, limits: &Limits) -> Router {
    let small = Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(auth::router())
        .merge(reports::router())
        .merge(policy_input::router())
        .merge(people::router())
        .merge(policy::router())
        .merge(calendar::router())
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed });
    let sync = sync::router().method_not_allowed_fallback(|| async { Error::MethodNotAllowed });
    let blobs = blobs::router().method_not_allowed_fallback(|| async { Error::MethodNotAllowed });
    let api = body_limit(small, SMALL_BODY_BYTES)
        .merge(body_limit(sync, MAX_BODY_BYTES))
        .merge(body_limit(blobs, MAX_BLOB_BYTES))
        .fallback(|| async { Error::NotFound });
    // `nest` leaves `/api` and `/api/` to the client files.
    let api_itself = Router::new()
        .route("/api", any(|| async { Error::NotFound }))
        .route("/api/", any(|| async { Error::NotFound }));
    let app = api_replies(api_itself)
        .nest("/api", api_replies(api))
        .with_state(state.clone())
        .merge(body_limit(
            static_files::router(&state.dist),
            SMALL_BODY_BYTES,
        ))
        .layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(map_response(json_errors));
    security::with_headers(app).layer(TraceLayer::new_for_http())
}

/// `api` with its replies compressed (brotli or gzip, as the client accepts) and, unless the
/// route set its own `Cache-Control`, never cached.
fn api_replies(api: Router<AppState>) -> Router<AppState> {
    api.layer(CompressionLayer::new().br(true).gzip(true))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
