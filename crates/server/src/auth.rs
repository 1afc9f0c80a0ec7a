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
        ChangePasswordRequest, ErrorCode, LoginRequest, LoginResponse, MIN_PASSWORD_CHARS, Role,
        SessionUser,
    },
};
use sha2::{Digest, Sha256};

use crate::{
    AppState, Db,
    db::{Tx, timestamp},
    error::Error,
    json::ApiJson,
    store::users,
};

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

/// A session row joined with its user.
#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    org_id: String,
    role: String,
    device_id: String,
    must_change_password: i64,
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
        let db = &state.db;
        let row: Option<SessionRow> = sqlx::query_as(db.sql(
            "SELECT s.user_id, s.org_id, u.role, s.device_id, u.must_change_password
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.active = 1",
        ))
        .bind(&token_sha256)
        .bind(timestamp(Utc::now()))
        .fetch_optional(&db.read)
        .await?;
        let row = row.ok_or(Error::Unauthorized)?;
        // A one-time password must be replaced before anything but the auth routes.
        if row.must_change_password != 0 && !parts.uri.path().starts_with("/auth/") {
            return Err(Error::PasswordChangeRequired);
        }
        Ok(Session {
            user_id: parse_id(&row.user_id)?,
            org_id: parse_id(&row.org_id)?,
            role: parse_role(&row.role)?,
            device_id: parse_id(&row.device_id)?,
            token_sha256,
        })
    }
}

impl Session {
    /// Refuses technicians: the desk's reads and writes of the whole organisation.
    pub fn require_desk(&self) -> Result<(), Error> {
        if self.role.sees_whole_org() {
            Ok(())
        } else {
            Err(Error::Forbidden(ErrorCode::ManagerOnly))
        }
    }

    /// Refuses everyone below a manager: reviews, policies, reports of the organisation.
    pub fn require_manager(&self) -> Result<(), Error> {
        if self.role.manages() {
            Ok(())
        } else {
            Err(Error::Forbidden(ErrorCode::ManagerOnly))
        }
    }

    /// Refuses everyone but administrators: people.
    pub fn require_admin(&self) -> Result<(), Error> {
        if self.role.administers() {
            Ok(())
        } else {
            Err(Error::Forbidden(ErrorCode::AdminOnly))
        }
    }

    /// The organisation id as stored.
    pub fn org(&self) -> String {
        self.org_id.to_string()
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
    let db = &state.db;
    let row = users::by_username(db, &mut *db.read.acquire().await?, &req.username).await?;
    // Verify against a dummy hash for unknown users too, so timing does not reveal who exists.
    // Argon2 is deliberately slow (tens of milliseconds of CPU): off the async workers, so
    // logins never hold up sync requests.
    let hash = row
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |r| r.password_hash.clone());
    let password = req.password.clone();
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("verifying a password: {e}")))?;
    let Some(user) = row.filter(|_| password_ok) else {
        attempt.failed(std::time::Instant::now());
        return Err(Error::InvalidCredentials);
    };
    attempt.succeeded(std::time::Instant::now());
    if user.active == 0 {
        return Err(Error::AccountDisabled);
    }

    let mut tx = db.begin_write().await?;
    let device = req.device_id.to_string();
    let holder: Option<(String, String)> =
        sqlx::query_as(db.sql("SELECT org_id, user_id FROM devices WHERE id = ?"))
            .bind(&device)
            .fetch_optional(&mut *tx)
            .await?;
    match holder {
        // A device of another organisation: never shared across companies.
        Some((org, _)) if org != user.org_id => {
            return Err(Error::Forbidden(ErrorCode::DeviceTaken));
        }
        // A shared tablet changes hands: it is the new user's now; the previous user's
        // sessions on it end, and their own sequence of changes waits for their return.
        Some((_, holder)) if holder != user.id => {
            sqlx::query(db.sql("UPDATE devices SET user_id = ? WHERE id = ?"))
                .bind(&user.id)
                .bind(&device)
                .execute(&mut *tx)
                .await?;
            sqlx::query(db.sql("DELETE FROM sessions WHERE device_id = ? AND user_id <> ?"))
                .bind(&device)
                .bind(&user.id)
                .execute(&mut *tx)
                .await?;
        }
        Some(_) => {}
        None => {
            req.device_id
                .check_made()
                .map_err(|e| Error::BadRequest(format!("device_id: {e}")))?;
            sqlx::query(
                db.sql("INSERT INTO devices (id, org_id, user_id, created_at) VALUES (?, ?, ?, ?)"),
            )
            .bind(&device)
            .bind(&user.org_id)
            .bind(&user.id)
            .bind(timestamp(Utc::now()))
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query(db.sql(
        "INSERT INTO device_streams (device_id, user_id, org_id, last_seq) VALUES (?, ?, ?, 0)
         ON CONFLICT (device_id, user_id) DO NOTHING",
    ))
    .bind(&device)
    .bind(&user.id)
    .bind(&user.org_id)
    .execute(&mut *tx)
    .await?;
    let token = new_token();
    let now = Utc::now();
    sqlx::query(db.sql(
        "INSERT INTO sessions (token_sha256, org_id, user_id, device_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    ))
    .bind(sha256_hex(token.as_bytes()))
    .bind(&user.org_id)
    .bind(&user.id)
    .bind(&device)
    .bind(timestamp(now))
    .bind(timestamp(now + Duration::days(SESSION_DAYS)))
    .execute(&mut *tx)
    .await?;
    let org_name: String =
        sqlx::query_scalar(db.sql("SELECT name FROM organisations WHERE id = ?"))
            .bind(&user.org_id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Json(LoginResponse {
        token,
        user: SessionUser {
            id: user.user_id()?,
            name: user.name.clone(),
            role: user.role()?,
            org_name,
            team: user.team.clone(),
            must_change_password: user.must_change_password != 0,
        },
    }))
}

async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<serde_json::Value>, Error> {
    let db = &state.db;
    sqlx::query(db.sql("DELETE FROM sessions WHERE token_sha256 = ? AND org_id = ?"))
        .bind(&session.token_sha256)
        .bind(session.org())
        .execute(&db.write)
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
/// same lock as failed logins); the user's other sessions end, this one goes on, and a
/// one-time password no longer needs replacing.
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
    let db = &state.db;
    let user = users::by_id(
        db,
        &mut *db.read.acquire().await?,
        &session.org(),
        &session.user_id.to_string(),
    )
    .await?
    .ok_or(Error::Unauthorized)?;
    let attempt = begin_attempt(&state, &user.username, client)?;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = req;
    let hash = user.password_hash.clone();
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
        return Err(Error::Forbidden(ErrorCode::WrongPassword));
    };
    attempt.succeeded(std::time::Instant::now());
    let mut tx = db.begin_write().await?;
    set_password(
        db,
        &mut tx,
        &user.id,
        &new_hash,
        Some(&session.token_sha256),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(serde_json::json!({ "ok": true })))
}

/// Stores `hash` as the password of the user `user_id` (a one-time one when `one_time`) and
/// ends their sessions, all but the one whose token has the SHA-256 `keep`.
pub(crate) async fn set_password(
    db: &Db,
    tx: &mut Tx,
    user_id: &str,
    hash: &str,
    keep: Option<&str>,
    one_time: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        db.sql("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?"),
    )
    .bind(hash)
    .bind(i64::from(one_time))
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    // No token hashes to the empty string.
    sqlx::query(db.sql("DELETE FROM sessions WHERE user_id = ? AND token_sha256 <> ?"))
        .bind(user_id)
        .bind(keep.unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn me(State(state): State<AppState>, session: Session) -> Result<Json<SessionUser>, Error> {
    let db = &state.db;
    let mut conn = db.read.acquire().await?;
    let user = users::by_id(db, &mut conn, &session.org(), &session.user_id.to_string())
        .await?
        .ok_or(Error::Unauthorized)?;
    let org_name: String =
        sqlx::query_scalar(db.sql("SELECT name FROM organisations WHERE id = ?"))
            .bind(session.org())
            .fetch_one(&mut *conn)
            .await?;
    Ok(Json(SessionUser {
        id: session.user_id,
        name: user.name,
        role: session.role,
        org_name,
        team: user.team,
        must_change_password: user.must_change_password != 0,
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

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
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

/// Parses a role as stored.
pub fn parse_role(s: &str) -> Result<Role, Error> {
    Role::from_code(s)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown role in the database: {s}")))
}
