//! The server's one error type for HTTP: a clear status and a typed code for the client,
//! internals only in the log. (The command line's tasks have their own errors, in `admin`.)

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use revisit_domain::wire::{ApiError, ErrorCode, PersonProblem};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: bad JSON, unknown fields, wrong types.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than the route accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// The request (its body, or the answer to it) took longer than the server waits.
    #[error("the request took too long")]
    RequestTimeout,
    /// No valid token.
    #[error("not logged in, or the session has ended")]
    Unauthorized,
    /// Wrong user name or password.
    #[error("wrong user name or password")]
    InvalidCredentials,
    /// The account is deactivated.
    #[error("this account is deactivated")]
    AccountDisabled,
    /// The user must choose their own password before anything else.
    #[error("choose your own password first")]
    PasswordChangeRequired,
    /// The user may not do this; the code says why.
    #[error("this is not allowed for this user or device")]
    Forbidden(ErrorCode),
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
    /// Too many failed attempts: wait before trying again.
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until the lock ends.
        retry_after_secs: u64,
    },
    /// Well-formed but not acceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// The uploaded bytes are not of a type accepted here.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The uploaded bytes do not hash to the name they were sent under.
    #[error("the bytes do not have the SHA-256 they were sent under")]
    BlobMismatch,
    /// The request conflicts with what is stored (a name taken).
    #[error("{0}")]
    Conflict(String),
    /// A field's value is refused; the code names which (a login name, a display name).
    #[error("{1}")]
    Invalid(ErrorCode, String),
    /// The request is well-formed but breaks a rule of the stored state (a login name taken,
    /// the last administrator); the code says which.
    #[error("{1}")]
    Refused(ErrorCode, String),
    /// Anything the client cannot fix; logged, never sent.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Internal(e.into())
    }
}

impl From<PersonProblem> for Error {
    fn from(problem: PersonProblem) -> Self {
        let code = match problem {
            PersonProblem::Username => ErrorCode::BadUsername,
            PersonProblem::Name => ErrorCode::BadName,
            PersonProblem::Team => ErrorCode::BadTeam,
        };
        Error::Invalid(code, problem.to_string())
    }
}

impl Error {
    /// The reply's status and code.
    pub fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            Error::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, ErrorCode::Timeout),
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials),
            Error::AccountDisabled => (StatusCode::FORBIDDEN, ErrorCode::AccountDisabled),
            Error::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, ErrorCode::PasswordChangeRequired)
            }
            Error::Forbidden(code) => (StatusCode::FORBIDDEN, *code),
            Error::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Error::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed)
            }
            Error::SchemaVersion { .. } => (StatusCode::CONFLICT, ErrorCode::SchemaVersion),
            Error::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Unprocessable),
            Error::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyAttempts)
            }
            Error::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            Error::BlobMismatch => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BlobMismatch),
            Error::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Error::Invalid(code, _) => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            Error::Refused(code, _) => (StatusCode::CONFLICT, *code),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!("internal error: {e:#}");
        }
        let (status, code) = self.status_and_code();
        let retry_after_secs = match self {
            Error::TooManyAttempts { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        let mut response = (
            status,
            Json(ApiError {
                code,
                message: self.to_string(),
                retry_after_secs,
            }),
        )
            .into_response();
        if let Some(secs) = retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
