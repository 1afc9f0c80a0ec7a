//! The built clients: the field app at `/` from `dist/`, the office desk at `/desk/` from
//! `dist/desk/`, each page with its Content-Security-Policy, and a cache policy per file.
//!
//! A path without a dot in its last segment is a client route: under `/desk/` it gets
//! `dist/desk/index.html` (when the desk is built), anywhere else `dist/index.html`, and the
//! app's router decides. Each app registers its own `sw.js`, whose scope is its folder. A
//! missing asset (a last segment with a dot) is a 404, never a page: an old hashed URL must not
//! be cached for a year as HTML. Paths are resolved by tower-http's `ServeDir`, which refuses
//! `..` in every spelling, so nothing outside `dist/` is ever sent.
//!
//! `cargo xtask dist` writes a brotli and a gzip file beside each asset; they are sent to
//! browsers that accept them. `index.html` and `sw.js` (and every other unhashed file) are sent
//! `no-cache`, which means "revalidate": the service worker keeps the app working offline, and
//! online every load sees a new build at once. Files whose names carry Trunk's content hash
//! never change, so they may be cached for a year.

use std::{
    collections::HashMap,
    convert::Infallible,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use axum::{
    Router,
    extract::{Request, State},
    http::{
        HeaderValue, StatusCode,
        header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, VARY},
    },
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::security::{content_security_policy, inline_script_hashes};

/// The folder of the office desk app inside `dist/`, and its path on the server.
pub const DESK: &str = "desk";

/// Serves `dist`; without a built client, every non-API path explains how to build one.
pub fn router(dist: &Path) -> Router {
    let index = dist.join("index.html");
    if !index.exists() {
        return Router::new().fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The client is not built: run `cargo xtask dist` (or `cargo xtask serve`). The API under /api works.",
            )
        });
    }
    let files = Files {
        assets: ServeDir::new(dist).precompressed_br().precompressed_gzip(),
        field: App::new(dist, dist),
        desk: App::new(dist, &dist.join(DESK)),
        policies: Arc::default(),
    };
    Router::new().fallback(serve).with_state(files)
}

#[derive(Clone)]
struct Files {
    /// Exact files only: a missing one is a 404.
    assets: ServeDir,
    /// The technicians' app, at `/`.
    field: App,
    /// The office app, at `/desk/`.
    desk: App,
    /// Each app's page policy, made from its `index.html`.
    policies: Arc<PagePolicies>,
}

/// One single-page app: its `index.html`, and client routes answered with it.
#[derive(Clone)]
struct App {
    index: PathBuf,
    /// Anything not on disk is answered with index.html (the app's router decides).
    pages: ServeDir<ServeFile>,
}

impl App {
    fn new(dist: &Path, folder: &Path) -> App {
        let index = folder.join("index.html");
        let page = ServeFile::new(&index)
            .precompressed_br()
            .precompressed_gzip();
        App {
            pages: ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(page),
            index,
        }
    }
}

async fn serve(State(files): State<Files>, req: Request) -> Result<Response, Infallible> {
    let path = req.uri().path();
    let in_desk = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(DESK))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    let app = if in_desk && files.desk.index.exists() {
        &files.desk
    } else {
        &files.field
    };
    let name = path.rsplit('/').next().unwrap_or_default().to_owned();
    let mut res = if name.contains('.') {
        files.assets.oneshot(req).await?.into_response()
    } else {
        app.pages.clone().oneshot(req).await?.into_response()
    };
    let cache = if is_hashed(&name) && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    // Which file was sent depends on Accept-Encoding (a precompressed one, or not): a shared
    // cache must not give brotli to a browser that did not ask for it.
    res.headers_mut()
        .insert(VARY, HeaderValue::from_static("accept-encoding"));
    // Decided by the request, not the reply: a 304 to a page revalidating has no content
    // type, and the browser takes its headers, this policy included, for the cached page.
    if !name.contains('.') || name.ends_with(".html") {
        let policy = files.policies.of(&app.index);
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, policy);
    }
    Ok(res)
}

/// Each app's Content-Security-Policy with the hashes of its page's inline scripts, made again
/// when the page changes on disk (a new build while the server runs).
#[derive(Debug, Default)]
struct PagePolicies {
    made: Mutex<HashMap<PathBuf, (Option<SystemTime>, HeaderValue)>>,
}

impl PagePolicies {
    fn of(&self, index: &Path) -> HeaderValue {
        let modified = std::fs::metadata(index).and_then(|m| m.modified()).ok();
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((when, policy)) = made.get(index)
            && *when == modified
        {
            return policy.clone();
        }
        // Unreadable, the page gets the policy without hashes: its inline scripts do not run.
        let hashes = std::fs::read_to_string(index)
            .map(|html| inline_script_hashes(&html))
            .unwrap_or_default();
        let policy = HeaderValue::try_from(content_security_policy(&hashes))
            .expect("the policy is ASCII without control characters");
        made.insert(index.to_path_buf(), (modified, policy.clone()));
        policy
    }
}

/// Whether a file name carries Trunk's content hash: `revisit-5cdc327c62ec8c8_bg.wasm`,
/// `revisit-5cdc327c62ec8c8.js`, `main-b41135b03d568480.css`.
///
/// Trunk 0.21 writes the 64-bit hash in lower-case hex without leading zeros, so one build in
/// sixteen has a 15-digit hash. Twelve to sixteen digits count: a hash shorter than that
/// (one build in 65,536) is only revalidated, never wrongly cached, and names like
/// `icon-192.png` are not taken for hashed.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len())
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn trunk_hashed_names_count_as_immutable_and_others_do_not() {
        // As Trunk 0.21.14 wrote them into dist/ (the wasm's hash has 15 digits).
        for name in [
            "revisit-5cdc327c62ec8c8_bg.wasm",
            "revisit-5cdc327c62ec8c8.js",
            "main-b41135b03d568480.css",
            "revisit-4b5dcc25861d6c88_bg.wasm",
        ] {
            assert!(is_hashed(name), "{name}");
        }
        for name in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "icon-192.png",
            "icon-maskable-512.png",
            "revisit-5CDC327C62EC8C8.js",
            "revisit-00000000000000aa1.js",
            "",
        ] {
            assert!(!is_hashed(name), "{name}");
        }
    }
}
