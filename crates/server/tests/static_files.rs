//! The built clients as the server sends them: the field app and the desk, SPA fallback, cache
//! policy, precompressed files, page policies, traversal attempts, and no client at all.

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use http_body_util::BodyExt;
use revisit_server::{AppState, Db, router};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

async fn app(dir: &tempfile::TempDir, dist: &str) -> Router {
    let db = Db::open(&dir.path().join("db/test.sqlite")).await.unwrap();
    router(AppState::new(db, dir.path().join(dist)))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }

    fn cache(&self) -> &str {
        self.header(header::CACHE_CONTROL)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn fetch(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    fetch(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// The field app's page as Trunk 0.21.14 writes it: its loader and the service worker's
/// registration inline.
const LOADER: &str = "\nimport init, * as bindings from '/revisit-5cdc327c62ec8c8.js';\nconst wasm = await init({ module_or_path: '/revisit-5cdc327c62ec8c8_bg.wasm' });\n";
const REGISTER: &str = "navigator.serviceWorker.register('/sw.js');";
const DESK_PAGE: &str = "<!doctype html><title>回访 办公室</title><script type=\"module\">import '/desk/desk-0123456789abcdef.js';</script>";
/// The real names of a Trunk 0.21.14 build: the wasm's hash has 15 digits.
const WASM: &str = "/revisit-5cdc327c62ec8c8_bg.wasm";
const JS: &str = "/revisit-5cdc327c62ec8c8.js";
const CSS: &str = "/main-b41135b03d568480.css";

fn field_page() -> String {
    format!(
        "<!doctype html><head><title>回访</title><script type=\"module\">{LOADER}</script><script>{REGISTER}</script></head><body></body>"
    )
}

/// A built field app; with `desk`, the desk app too.
fn built(dir: &tempfile::TempDir, desk: bool) {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(dist.join("index.html"), field_page()).unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {}); // field",
    )
    .unwrap();
    std::fs::write(dist.join(&WASM[1..]), b"\0asm").unwrap();
    std::fs::write(dist.join(&JS[1..]), "export default function init() {}").unwrap();
    std::fs::write(dist.join(&CSS[1..]), "body { margin: 0 }").unwrap();
    std::fs::write(dist.join("icons/icon-192.png"), b"\x89PNG").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside dist").unwrap();
    if desk {
        std::fs::create_dir_all(dist.join("desk")).unwrap();
        std::fs::write(dist.join("desk/index.html"), DESK_PAGE).unwrap();
        std::fs::write(dist.join("desk/sw.js"), "// desk worker").unwrap();
        std::fs::write(
            dist.join("desk/desk-0123456789abcdef.js"),
            "console.log('desk')",
        )
        .unwrap();
    }
}

#[tokio::test]
async fn client_routes_get_index_html_and_only_hashed_files_are_cached_long() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, false);
    let app = app(&dir, "dist").await;
    for page in ["/", "/index.html", "/customers/0190-abc", "/visit/new"] {
        let r = get(&app, page).await;
        assert_eq!(
            (r.status, r.cache()),
            (StatusCode::OK, "no-cache"),
            "{page}"
        );
        assert_eq!(r.text(), field_page(), "{page}");
    }
    let r = get(&app, "/sw.js").await;
    assert_eq!((r.status, r.cache()), (StatusCode::OK, "no-cache"));
    assert!(r.text().contains("field"));
    for asset in [WASM, JS, CSS] {
        let r = get(&app, asset).await;
        assert_eq!(r.status, StatusCode::OK, "{asset}");
        assert_eq!(r.cache(), "public, max-age=31536000, immutable", "{asset}");
    }
    let r = get(&app, "/icons/icon-192.png").await;
    assert_eq!((r.status, r.cache()), (StatusCode::OK, "no-cache"));

    // An asset of an older build is missing: 404, not index.html cached for a year.
    let r = get(&app, "/revisit-00000000000000aa.js").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.cache().contains("immutable"));
    assert_ne!(r.text(), field_page());

    let r = get(&app, "/api/health").await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn the_api_never_answers_with_the_client() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, true);
    let app = app(&dir, "dist").await;
    for uri in [
        "/api",
        "/api/",
        "/api/no-such-route",
        "/api/sync",
        "/api/auth/login/x",
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.header(header::CONTENT_TYPE), "application/json", "{uri}");
        assert_eq!(r.cache(), "no-store", "{uri}");
        let error: revisit_domain::wire::ApiError = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(error.code.as_str(), "not_found", "{uri}");
    }
    let r = fetch(&app, Request::post("/api").body(Body::from("{}")).unwrap()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_desk_has_its_own_pages_and_service_worker_under_desk() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, true);
    let app = app(&dir, "dist").await;
    for page in [
        "/desk/",
        "/desk/index.html",
        "/desk/reports",
        "/desk/customers/42",
    ] {
        let r = get(&app, page).await;
        assert_eq!(
            (r.status, r.cache()),
            (StatusCode::OK, "no-cache"),
            "{page}"
        );
        assert_eq!(r.text(), DESK_PAGE, "{page}");
    }
    // `/desk` is the folder: the browser is sent to `/desk/`, whose scope the desk's worker has.
    let r = get(&app, "/desk").await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(r.header(header::LOCATION), "/desk/");
    let r = get(&app, "/desk/sw.js").await;
    assert_eq!(
        (r.status, r.text().as_str()),
        (StatusCode::OK, "// desk worker")
    );
    let r = get(&app, "/desk/desk-0123456789abcdef.js").await;
    assert!(r.cache().contains("immutable"));
    // The field app keeps everything else, a path that merely starts with "desk" included.
    for page in ["/", "/desktop", "/customers/desk", "/deskx/1"] {
        assert_eq!(get(&app, page).await.text(), field_page(), "{page}");
    }
    assert!(get(&app, "/sw.js").await.text().contains("field"));
    assert_eq!(
        get(&app, "/desk/missing.js").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn without_the_desk_its_paths_get_the_field_app() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, false);
    let app = app(&dir, "dist").await;
    let r = get(&app, "/desk/reports").await;
    assert_eq!((r.status, r.text()), (StatusCode::OK, field_page()));
    assert_eq!(get(&app, "/desk/sw.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_page_allows_exactly_its_own_inline_scripts() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, true);
    let app = app(&dir, "dist").await;
    let hash = |text: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text)));
    let field = get(&app, "/customers/1").await;
    let policy = field.header(header::CONTENT_SECURITY_POLICY);
    let scripts = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap();
    assert_eq!(
        scripts,
        format!(
            "script-src 'self' 'wasm-unsafe-eval' {} {}",
            hash(LOADER),
            hash(REGISTER)
        )
    );
    let desk = get(&app, "/desk/").await;
    let policy = desk.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains(&hash("import '/desk/desk-0123456789abcdef.js';")),
        "{policy}"
    );
    assert!(!policy.contains(&hash(LOADER)), "{policy}");
    // A page revalidated by the browser: the 304's headers replace the cached page's, so it
    // carries the page's policy too.
    let modified = field.header(header::LAST_MODIFIED).to_owned();
    assert!(!modified.is_empty());
    for uri in ["/", "/customers/1", "/index.html"] {
        let r = fetch(
            &app,
            Request::get(uri)
                .header(header::IF_MODIFIED_SINCE, &modified)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(
            r.header(header::CONTENT_SECURITY_POLICY)
                .contains(&hash(LOADER)),
            "{uri}: {}",
            r.header(header::CONTENT_SECURITY_POLICY)
        );
    }
    // Files and API replies get the policy without any inline script.
    for uri in [JS, "/api/health"] {
        let policy = get(&app, uri)
            .await
            .header(header::CONTENT_SECURITY_POLICY)
            .to_owned();
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{uri}: {policy}"
        );
    }

    // A new build while the server runs: the page's new loader is allowed at once.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rebuilt = field_page().replace("5cdc327c62ec8c8", "1111222233334444");
    std::fs::write(dir.path().join("dist/index.html"), &rebuilt).unwrap();
    let policy = get(&app, "/")
        .await
        .header(header::CONTENT_SECURITY_POLICY)
        .to_owned();
    assert!(
        policy.contains(&hash(
            &LOADER.replace("5cdc327c62ec8c8", "1111222233334444")
        )),
        "{policy}"
    );
}

#[tokio::test]
async fn precompressed_files_are_sent_to_browsers_that_accept_them() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, false);
    let dist = dir.path().join("dist");
    std::fs::write(dist.join(format!("{}.br", &WASM[1..])), b"brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{}.gz", &WASM[1..])), b"gzip bytes").unwrap();
    std::fs::write(dist.join("index.html.br"), b"brotli page").unwrap();
    let app = app(&dir, "dist").await;
    let with = |uri: &str, accept: &str| {
        Request::get(uri)
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap()
    };
    let r = fetch(&app, with(WASM, "gzip, deflate, br, zstd")).await;
    assert_eq!(r.header(header::CONTENT_ENCODING), "br");
    assert_eq!(r.header(header::CONTENT_TYPE), "application/wasm");
    assert_eq!(r.body, b"brotli bytes");
    assert!(r.cache().contains("immutable"));
    assert!(
        r.header(header::VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let r = fetch(&app, with(WASM, "gzip")).await;
    assert_eq!(r.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(r.body, b"gzip bytes");
    let r = fetch(&app, with(WASM, "identity")).await;
    assert_eq!(r.header(header::CONTENT_ENCODING), "");
    assert_eq!(r.body, b"\0asm");
    // A client route gets the compressed page too, with its policy.
    let r = fetch(&app, with("/visit/new", "br")).await;
    assert_eq!(r.header(header::CONTENT_ENCODING), "br");
    assert_eq!(r.body, b"brotli page");
    assert!(
        r.header(header::CONTENT_SECURITY_POLICY)
            .contains("sha256-")
    );
}

#[tokio::test]
async fn traversal_attempts_never_reach_a_file_outside_dist() {
    let dir = tempfile::tempdir().unwrap();
    built(&dir, true);
    let app = app(&dir, "dist").await;
    for uri in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/icons/../../secret.txt",
        "/icons/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/desk/../../secret.txt",
        "/desk/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e",
        "/..",
    ] {
        let r = get(&app, uri).await;
        assert!(!r.text().contains("outside dist"), "{uri} sent the file");
        assert!(
            r.status == StatusCode::NOT_FOUND
                || r.status == StatusCode::BAD_REQUEST
                || (r.status == StatusCode::OK && r.text() == field_page()),
            "{uri}: {}",
            r.status
        );
    }
}

#[tokio::test]
async fn without_a_built_client_the_api_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, "missing-dist").await;
    let r = get(&app, "/").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("not built"), "{}", r.text());
    let r = get(&app, "/api/health").await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "ok"));
    assert!(
        dir.path().join("db/test.sqlite").exists(),
        "the database's folder is created"
    );
}
