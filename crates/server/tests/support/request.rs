//! Requests to the router as a client sends them, for the API tests and the sync simulation
//! (included by `#[path]`: a file here is not a test of its own).

use axum::{
    body::Body,
    http::{Request, header},
};

/// A `method` request to `uri` with the bearer `token` and the JSON `body`, when given.
pub(crate) fn request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b)),
        None => req.body(Body::empty()),
    }
    .expect("a valid request")
}
