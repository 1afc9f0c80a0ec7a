//! What every reply carries, through the real router: security headers on API replies, client
//! files and errors alike; API replies compressed and never cached; bodies over a route's
//! limit refused as JSON.

use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderMap, Request, StatusCode, header},
};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use revisit_domain::wire::{ApiError, ErrorCode, LoginResponse, MAX_REQUEST_BYTES};
use revisit_server::{AppState, Db, limits::SMALL_BODY_BYTES, router, seed};
use tower::ServiceExt;

struct TestApp {
    router: Router,
    _dir: tempfile::TempDir,
}

/// The demo organisation, with a small built client.
async fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("test.sqlite")).await.unwrap();
    seed::seed(&db, true, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
        .await
        .unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><script>go()</script>",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "// worker").unwrap();
    TestApp {
        router: router(AppState::new(db, dist)),
        _dir: dir,
    }
}

impl TestApp {
    async fn send(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = res.into_parts();
        (
            parts.status,
            parts.headers,
            body.collect().await.unwrap().to_bytes(),
        )
    }

    async fn token(&self) -> String {
        let body = serde_json::json!({
            "username": "tech1",
            "password": seed::DEMO_PASSWORD,
            "device_id": uuid::Uuid::now_v7(),
        });
        let (status, _, bytes) = self
            .send(
                Request::post("/api/auth/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        serde_json::from_slice::<LoginResponse>(&bytes)
            .unwrap()
            .token
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn every_reply_carries_the_security_headers() {
    let app = app().await;
    let requests = [
        Request::get("/api/health").body(Body::empty()).unwrap(),
        Request::get("/api/no-such-route")
            .body(Body::empty())
            .unwrap(),
        Request::get("/api/auth/me").body(Body::empty()).unwrap(),
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{not json"))
            .unwrap(),
        Request::post("/api/auth/login")
            .header(header::CONTENT_LENGTH, "999999999")
            .body(Body::empty())
            .unwrap(),
        Request::get("/").body(Body::empty()).unwrap(),
        Request::get("/visit/new").body(Body::empty()).unwrap(),
        Request::get("/sw.js").body(Body::empty()).unwrap(),
        Request::get("/missing-0123456789abcdef.js")
            .body(Body::empty())
            .unwrap(),
    ];
    for req in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, headers, _) = app.send(req).await;
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{what} {status}"
        );
        assert_eq!(header(&headers, "referrer-policy"), "no-referrer", "{what}");
        assert_eq!(header(&headers, "x-frame-options"), "DENY", "{what}");
        assert_eq!(
            header(&headers, "cross-origin-opener-policy"),
            "same-origin",
            "{what}"
        );
        let csp = header(&headers, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ] {
            assert!(
                csp.contains(directive),
                "{what}: {directive} missing from {csp:?}"
            );
        }
    }
}

#[tokio::test]
async fn api_replies_are_compressed_and_never_cached() {
    let app = app().await;
    let token = app.token().await;
    let pull = |encoding: &str| {
        Request::get("/api/sync/pull?cursor=0")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, plain) = app.send(pull("identity")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-encoding"), "");
    assert_eq!(header(&headers, "cache-control"), "no-store");
    assert!(serde_json::from_slice::<serde_json::Value>(&plain).is_ok());
    for encoding in ["br", "gzip"] {
        let (status, headers, compressed) = app.send(pull(encoding)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "content-encoding"), encoding);
        assert_eq!(header(&headers, "cache-control"), "no-store");
        assert!(
            compressed.len() * 3 < plain.len(),
            "{encoding}: {} of {} bytes",
            compressed.len(),
            plain.len()
        );
    }
    // Errors too are never cached.
    for uri in ["/api/auth/me", "/api/nope", "/api"] {
        let (status, headers, _) = app
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        assert!(status.is_client_error(), "{uri}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{uri}");
    }
}

#[tokio::test]
async fn a_body_over_its_route_limit_is_refused_as_json() {
    let app = app().await;
    let token = app.token().await;
    let post = |uri: &str| {
        Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
    };
    // Announced: refused whatever the body.
    for (uri, announced) in [
        ("/api/auth/login", SMALL_BODY_BYTES + 1),
        ("/api/auth/password", SMALL_BODY_BYTES + 1),
        ("/api/sync/push", MAX_REQUEST_BYTES + 1),
        ("/api/sync/push", 10 * 1024 * 1024 * 1024),
    ] {
        let req = post(uri)
            .header(header::CONTENT_LENGTH, announced)
            .body(Body::empty())
            .unwrap();
        let (status, headers, body) = app.send(req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{uri} {announced}");
        assert_eq!(header(&headers, "content-type"), "application/json");
        let error: ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!(error.code, ErrorCode::PayloadTooLarge);
    }
    // Without a length (as a chunked body comes): refused once it passes the limit.
    for (uri, limit) in [
        ("/api/auth/login", SMALL_BODY_BYTES),
        ("/api/sync/push", MAX_REQUEST_BYTES),
    ] {
        let req = post(uri).body(Body::from(vec![b' '; limit + 1])).unwrap();
        assert!(req.headers().get(header::CONTENT_LENGTH).is_none());
        let (status, _, body) = app.send(req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        let error: ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!(error.code, ErrorCode::PayloadTooLarge);
    }
    // A push under its limit but over the small one is let through to the handler.
    let (status, _, body) = app
        .send(
            post("/api/sync/push")
                .body(Body::from(format!(
                    "{{\"x\": \"{}\"}}",
                    "a".repeat(200_000)
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&body)
    );
}
