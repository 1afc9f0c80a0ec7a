//! The built client: files from dist/, index.html for client routes, revalidated on every load.

use std::path::Path;

use axum::{
    Router,
    http::{HeaderValue, StatusCode, header::CACHE_CONTROL},
};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

/// Serves `dist`; without a built client, explains how to build one.
pub fn router(dist: &Path) -> Router {
    let index = dist.join("index.html");
    if !index.exists() {
        return Router::new().fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The client is not built: run `cargo xtask dist` (or `cargo xtask serve`).",
            )
        });
    }
    // "no-cache" means "revalidate": the service worker keeps the app working offline, and
    // online every load sees a new build at once.
    Router::new()
        .fallback_service(ServeDir::new(dist).fallback(ServeFile::new(index)))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}
