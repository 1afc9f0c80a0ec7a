//! How long a client may take and how much it may send: timeouts, the connection cap and the
//! body limit of each route.
//!
//! A request's header must arrive within [`Limits::header_read_timeout`] (also how long an idle
//! kept-alive connection stays open), its body may pause for at most
//! [`Limits::body_read_timeout`] between two reads, and the whole request, body and handler,
//! must be answered within [`Limits::request_timeout`]; at most [`Limits::max_connections`] are
//! served at once (the serve loop in [`crate::serve()`] stops accepting at the cap). A body
//! larger than its route's limit is refused with 413 before a byte of it is read when its
//! `Content-Length` says so, and as soon as it passes the limit when it comes in chunks. The
//! errors these layers make (408, 413) are sent as the API's JSON, like any other.

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{StatusCode, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::Error;

/// Largest body of every route without a limit of its own (login, password change): far more
/// than their JSON needs.
pub const SMALL_BODY_BYTES: usize = 64 * 1024;

/// The server's timeouts and connection cap.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Time to receive a request's header, from the moment the connection waits for one:
    /// slow-header (slowloris) connections and idle kept-alive ones close after it.
    pub header_read_timeout: Duration,
    /// Longest pause between two reads of a request body.
    pub body_read_timeout: Duration,
    /// Time to answer a request once its header is in, reading its body included: a push of
    /// 2 MiB needs at least 18 KB/s within the default.
    pub request_timeout: Duration,
    /// Connections served at once; the next waits in the listen backlog.
    pub max_connections: usize,
    /// How long a shutdown waits for the requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(120),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// `router` with bodies of at most `bytes`: a larger `Content-Length` is refused before the
/// body is read, a chunked body once it passes the limit (axum's own extractor limit is set to
/// the same, so neither cuts in before the other).
pub(crate) fn body_limit<S>(router: Router<S>, bytes: usize) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(DefaultBodyLimit::max(bytes))
        .layer(RequestBodyLimitLayer::new(bytes))
}

/// Gives the errors made by tower-http's layers (an empty 408 from the request timeout, a
/// plain-text 413 from the body limit) the API's JSON shape; JSON replies pass unchanged.
pub(crate) async fn json_errors(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge.into_response(),
        StatusCode::REQUEST_TIMEOUT => Error::RequestTimeout.into_response(),
        _ => response,
    }
}
