//! The server's one error type: a clear status and code for the client, internals only in the log.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use revisit_domain::wire::ApiError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: bad JSON, unknown fields, wrong types.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than the server accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// The request (its body, or the answer to it) took longer than the server waits.
    #[error("the request took too long")]
    RequestTimeout,
    /// No valid token.
    #[error("not logged in, or the session has expired")]
    Unauthorized,
    /// Wrong user name or password.
    #[error("wrong user name or password")]
    InvalidCredentials,
    /// The user may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such route or resource.
    #[error("not found")]
    NotFound,
    /// The route exists, but not with this HTTP method.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// The client speaks another protocol version.
    #[error("this server speaks sync schema version {expected}; the client sent {got}")]
    SchemaVersion {
        /// What the server speaks.
        expected: u32,
        /// What the client sent.
        got: u32,
    },
    /// Too many failed logins for this user name or from this address: wait before trying again.
    #[error("too many failed logins; try again in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until logins are let through again.
        retry_after_secs: u64,
    },
    /// Well-formed but not acceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// Anything the client cannot fix; logged, never sent.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl Error {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Error::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            Error::Forbidden(code) => (StatusCode::FORBIDDEN, code),
            Error::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::SchemaVersion { .. } => (StatusCode::CONFLICT, "schema_version"),
            Error::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            Error::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!("internal error: {e:#}");
        }
        let (status, code) = self.status_and_code();
        let message = match &self {
            Error::Forbidden(_) => "this is not allowed for this user or device".to_string(),
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(ApiError {
                code: code.into(),
                message,
            }),
        )
            .into_response();
        if let Error::TooManyAttempts { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}
