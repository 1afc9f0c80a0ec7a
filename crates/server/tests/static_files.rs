//! The built client as the server sends it: SPA fallback, cache policy, and no client at all.

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use revisit_server::{AppState, Db, router};
use tower::ServiceExt;

async fn app(dir: &tempfile::TempDir, dist: &str) -> Router {
    let db = Db::open(&dir.path().join("db/test.sqlite")).await.unwrap();
    router(AppState::new(db, dir.path().join(dist)))
}

/// Status, Cache-Control, body.
async fn get(app: &Router, uri: &str) -> (StatusCode, String, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let cache = res
        .headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, cache, String::from_utf8_lossy(&body).into_owned())
}

const INDEX: &str = "<!doctype html><title>回访</title>";
const HASHED: &str = "/revisit-4b5dcc25861d6c88_bg.wasm";

fn built(dir: &tempfile::TempDir) {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), INDEX).unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dist.join(&HASHED[1..]), b"\0asm").unwrap();
}

#[tokio::test]
async fn client_routes_get_index_html_and_only_hashed_files_are_cached_long() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir);
    let app = app(&dir, "dist").await;
    for page in ["/", "/index.html", "/customers/0190-abc", "/visit/new"] {
        let (status, cache, body) = get(&app, page).await;
        assert_eq!(
            (status, cache.as_str()),
            (StatusCode::OK, "no-cache"),
            "{page}"
        );
        assert_eq!(body, INDEX, "{page}");
    }
    let (status, cache, body) = get(&app, "/sw.js").await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-cache"));
    assert!(body.contains("fetch"));
    let (status, cache, _) = get(&app, HASHED).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );

    // An asset of an older build is missing: 404, not index.html cached for a year.
    let (status, cache, body) = get(&app, "/revisit-00000000000000aa.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!cache.contains("immutable"));
    assert_ne!(body, INDEX);

    let (status, _, body) = get(&app, "/api/health").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _, body) = get(&app, "/api/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.contains("not_found"),
        "the API never answers with the client: {body}"
    );
}

#[tokio::test]
async fn without_a_built_client_the_api_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, "missing-dist").await;
    let (status, _, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("not built"), "{body}");
    let (status, _, body) = get(&app, "/api/health").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    assert!(
        dir.path().join("db/test.sqlite").exists(),
        "the database's folder is created"
    );
}
