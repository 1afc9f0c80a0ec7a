//! Login, logout and the session extractor: a token bound to one user on one device.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use axum::{
    Json, Router,
    extract::{FromRequestParts, State},
    http::{header::AUTHORIZATION, request::Parts},
    routing::{get, post},
};
use chrono::{Duration, Utc};
use rand::RngCore;
use revisit_domain::{
    DeviceId, OrgId, UserId,
    wire::{
        ChangePasswordRequest, LoginRequest, LoginResponse, MIN_PASSWORD_CHARS, Role, SessionUser,
    },
};
use sha2::{Digest, Sha256};

use crate::{AppState, db::timestamp, error::Error, json::ApiJson};

pub mod throttle;

/// How long a token lives without a new login.
pub const SESSION_DAYS: i64 = 30;

/// The auth routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/password", post(change_password))
}

/// The caller of an authenticated request, as the token says.
#[derive(Clone, Debug)]
pub struct Session {
    /// The user.
    pub user_id: UserId,
    /// Their organisation; every query filters by it.
    pub org_id: OrgId,
    /// Their role.
    pub role: Role,
    /// The device the token is bound to.
    pub device_id: DeviceId,
    /// SHA-256 of the token, to end the session.
    token_sha256: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Error::Unauthorized)?;
        let token_sha256 = sha256_hex(token.as_bytes());
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT s.user_id, s.org_id, u.role, s.device_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_sha256 = ? AND s.expires_at > ?",
        )
        .bind(&token_sha256)
        .bind(timestamp(Utc::now()))
        .fetch_optional(&state.db.read)
        .await?;
        let (user_id, org_id, role, device_id) = row.ok_or(Error::Unauthorized)?;
        Ok(Session {
            user_id: parse_id(&user_id)?,
            org_id: parse_id(&org_id)?,
            role: parse_role(&role)?,
            device_id: parse_id(&device_id)?,
            token_sha256,
        })
    }
}

impl Session {
    /// Refuses technicians.
    pub fn require_manager(&self) -> Result<(), Error> {
        if self.role.sees_whole_org() {
            Ok(())
        } else {
            Err(Error::Forbidden("manager_only"))
        }
    }
}

async fn login(
    State(state): State<AppState>,
    client: throttle::Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, Error> {
    if req.username.chars().count() > throttle::MAX_USERNAME_CHARS {
        return Err(Error::BadRequest(format!(
            "a login name has at most {} characters",
            throttle::MAX_USERNAME_CHARS
        )));
    }
    // Let through before the password is checked, which also spares the hashing while locked.
    let attempt = begin_attempt(&state, &req.username, client)?;
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.org_id, u.name, u.role, u.password_hash, o.name FROM users u
         JOIN organisations o ON o.id = u.org_id WHERE u.username = ?",
    )
    .bind(&req.username)
    .fetch_optional(&state.db.read)
    .await?;
    // Verify against a dummy hash for unknown users too, so timing does not reveal who exists.
    // Argon2 is deliberately slow (tens of milliseconds of CPU): off the async workers, so
    // logins never hold up sync requests.
    let hash = row
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |r| r.4.clone());
    let password = req.password.clone();
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("verifying a password: {e}")))?;
    let Some((user_id, org_id, name, role, _, org_name)) = row.filter(|_| password_ok) else {
        attempt.failed(std::time::Instant::now());
        return Err(Error::InvalidCredentials);
    };
    attempt.succeeded(std::time::Instant::now());

    let mut tx = state.db.begin_write().await?;
    let owner: Option<String> = sqlx::query_scalar("SELECT user_id FROM devices WHERE id = ?")
        .bind(req.device_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    match owner {
        Some(owner) if owner != user_id => return Err(Error::Forbidden("device_taken")),
        Some(_) => {}
        None => {
            sqlx::query(
                "INSERT INTO devices (id, org_id, user_id, created_at) VALUES (?, ?, ?, ?)",
            )
            .bind(req.device_id.to_string())
            .bind(&org_id)
            .bind(&user_id)
            .bind(timestamp(Utc::now()))
            .execute(&mut *tx)
            .await?;
        }
    }
    let token = new_token();
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO sessions (token_sha256, org_id, user_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(&org_id)
    .bind(&user_id)
    .bind(req.device_id.to_string())
    .bind(timestamp(now))
    .bind(timestamp(now + Duration::days(SESSION_DAYS)))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(LoginResponse {
        token,
        user: SessionUser {
            id: parse_id(&user_id)?,
            name,
            role: parse_role(&role)?,
            org_name,
        },
    }))
}

async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<serde_json::Value>, Error> {
    sqlx::query("DELETE FROM sessions WHERE token_sha256 = ? AND org_id = ?")
        .bind(&session.token_sha256)
        .bind(session.org_id.to_string())
        .execute(&state.db.write)
        .await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// Lets a password check of `username` from `client` begin, or refuses it while the name or
/// the address is locked (see [`throttle`]), saying how long to wait.
fn begin_attempt<'a>(
    state: &'a AppState,
    username: &str,
    client: throttle::Client,
) -> Result<throttle::Attempt<'a>, Error> {
    state
        .logins
        .begin(username, client, std::time::Instant::now())
        .map_err(|wait| Error::TooManyAttempts {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
}

/// Changes the caller's password: the current one must be right (failures count towards the
/// same lock as failed logins); the user's other sessions end, this one goes on.
async fn change_password(
    State(state): State<AppState>,
    client: throttle::Client,
    session: Session,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> Result<Json<serde_json::Value>, Error> {
    if req.new_password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::Unprocessable(format!(
            "the new password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if req.new_password == req.current_password {
        return Err(Error::Unprocessable(
            "the new password is the current one".into(),
        ));
    }
    let (user_id, org_id) = (session.user_id.to_string(), session.org_id.to_string());
    let (username, hash): (String, String) =
        sqlx::query_as("SELECT username, password_hash FROM users WHERE id = ? AND org_id = ?")
            .bind(&user_id)
            .bind(&org_id)
            .fetch_one(&state.db.read)
            .await?;
    let attempt = begin_attempt(&state, &username, client)?;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = req;
    // Both argon2 steps off the async workers, as at login.
    let new_hash = tokio::task::spawn_blocking(move || {
        verify_password(&current_password, &hash)
            .then(|| hash_password(&new_password))
            .transpose()
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))??;
    let Some(new_hash) = new_hash else {
        attempt.failed(std::time::Instant::now());
        return Err(Error::Forbidden("wrong_password"));
    };
    attempt.succeeded(std::time::Instant::now());
    let mut tx = state.db.begin_write().await?;
    set_password(&mut tx, &user_id, &new_hash, Some(&session.token_sha256)).await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// Stores `hash` as the password of the user `user_id` and ends their sessions, all but the
/// one whose token has the SHA-256 `keep`.
pub(crate) async fn set_password(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    user_id: &str,
    hash: &str,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // No token hashes to the empty string.
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_sha256 <> ?")
        .bind(user_id)
        .bind(keep.unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn me(State(state): State<AppState>, session: Session) -> Result<Json<SessionUser>, Error> {
    let (name, org_name): (String, String) = sqlx::query_as(
        "SELECT u.name, o.name FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ? AND u.org_id = ?",
    )
    .bind(session.user_id.to_string())
    .bind(session.org_id.to_string())
    .fetch_one(&state.db.read)
    .await?;
    Ok(Json(SessionUser {
        id: session.user_id,
        name,
        role: session.role,
        org_name,
    }))
}

/// An argon2id hash of `password` with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// 32 random bytes as hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random password a person can type: 12 characters without look-alikes.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses an id stored by this server; a bad one is an internal error.
pub fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, Error> {
    s.parse()
        .map_err(|_| Error::Internal(anyhow::anyhow!("bad id in the database: {s}")))
}

/// The database spelling of a role.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Technician => "technician",
        Role::Manager => "manager",
        Role::Admin => "admin",
    }
}

/// Parses a role as stored.
pub fn parse_role(s: &str) -> Result<Role, Error> {
    match s {
        "technician" => Ok(Role::Technician),
        "manager" => Ok(Role::Manager),
        "admin" => Ok(Role::Admin),
        other => Err(Error::Internal(anyhow::anyhow!(
            "unknown role in the database: {other}"
        ))),
    }
}
