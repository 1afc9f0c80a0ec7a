//! People (人员管理): `GET /api/people` (managers and up), and for administrators `POST
//! /api/people` (a new user with a one-time password), `POST /api/people/{id}/password` (a new
//! one-time password, every session ended) and `PATCH /api/people/{id}` (role, team,
//! deactivate / reactivate). The command line's `add-user`, `reset-password` and
//! `set_active` call the same functions, so both ways change a user alike: each change writes
//! the user's card with a new version (devices see it at their next pull) and an audit entry.
//!
//! Rules: nobody changes, deactivates or resets themselves here (their own password has its
//! page); the organisation always keeps an active administrator; a role that moves someone
//! between the field app and the desk ends their sessions and makes their devices pull again,
//! as what they may see changed wholesale.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, patch, post},
};
use revisit_domain::{
    UserId,
    wire::{ErrorCode, NewPerson, OneTimePassword, Person, PersonChange, RecordKind, Role},
};

use crate::{
    AppState, Db,
    auth::{Session, hash_password, new_password, parse_id, parse_role, set_password},
    db::{Tx, next_version},
    error::Error,
    json::{ApiJson, ApiPath},
    store::{
        records::{self, Audit},
        users::{self, NewUser},
    },
};

/// The people routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(list_route).post(create_route))
        .route("/people/{id}", patch(change_route))
        .route("/people/{id}/password", post(reset_route))
}

async fn list_route(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Person>>, Error> {
    session.require_manager()?;
    Ok(Json(list(&state.db, &session.org()).await?))
}

async fn create_route(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewPerson>,
) -> Result<(StatusCode, Json<OneTimePassword>), Error> {
    session.require_admin()?;
    let created = create(&state.db, &session.org(), Some(session.user_id), &req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn reset_route(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<OneTimePassword>, Error> {
    session.require_admin()?;
    Ok(Json(
        reset_password(&state.db, &session.org(), Some(session.user_id), id).await?,
    ))
}

async fn change_route(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(req): ApiJson<PersonChange>,
) -> Result<Json<Person>, Error> {
    session.require_admin()?;
    Ok(Json(
        change(&state.db, &session.org(), Some(session.user_id), id, &req).await?,
    ))
}

/// A user row with what the desk shows beside it.
#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    username: String,
    name: String,
    role: String,
    team: String,
    active: i64,
    must_change_password: i64,
    last_login: Option<String>,
    last_sync: Option<String>,
}

impl PersonRow {
    fn person(self) -> Result<Person, Error> {
        let instant =
            |text: Option<String>| text.and_then(|t| revisit_domain::time::parse_instant(&t));
        Ok(Person {
            id: parse_id(&self.id)?,
            username: self.username,
            name: self.name,
            role: parse_role(&self.role)?,
            team: self.team,
            active: self.active != 0,
            must_change_password: self.must_change_password != 0,
            last_login: instant(self.last_login),
            last_sync: instant(self.last_sync),
        })
    }
}

/// The people query, then the rest of its WHERE clause (a literal: `Db::sql` keeps each
/// query text for the life of the process).
macro_rules! people_query {
    ($rest:literal) => {
        concat!(
            "SELECT u.id, u.username, u.name, u.role, u.team, u.active,
                 u.must_change_password,
                 (SELECT MAX(s.created_at) FROM sessions s WHERE s.user_id = u.id) AS last_login,
                 (SELECT MAX(d.last_seen) FROM devices d WHERE d.user_id = u.id) AS last_sync
             FROM users u WHERE u.org_id = ?",
            $rest
        )
    };
}

/// Every user of organisation `org`, by name.
pub async fn list(db: &Db, org: &str) -> Result<Vec<Person>, Error> {
    let rows: Vec<PersonRow> =
        sqlx::query_as(db.sql(people_query!(" ORDER BY u.name, u.username")))
            .bind(org)
            .fetch_all(&db.read)
            .await?;
    rows.into_iter().map(PersonRow::person).collect()
}

/// The user `id` of organisation `org` as the desk shows them, read in `tx`; another
/// organisation's user is not found.
async fn one(db: &Db, tx: &mut Tx, org: &str, id: UserId) -> Result<Person, Error> {
    let row: Option<PersonRow> = sqlx::query_as(db.sql(people_query!(" AND u.id = ?")))
        .bind(org)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    row.ok_or(Error::NotFound)?.person()
}

/// A password hashed off the async workers (argon2 takes tens of milliseconds of CPU).
async fn hashed(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))?
}

/// Adds a user to organisation `org` with a one-time password, which is returned to hand over;
/// `by` is the administrator (none: the command line).
pub async fn create(
    db: &Db,
    org: &str,
    by: Option<UserId>,
    req: &NewPerson,
) -> Result<OneTimePassword, Error> {
    let req = req.checked()?;
    let password = new_password();
    let hash = hashed(password.clone()).await?;
    let org_id: uuid::Uuid = parse_id(org)?;
    let mut tx = db.begin_write().await?;
    if users::by_username(db, &mut tx, &req.username)
        .await?
        .is_some()
    {
        return Err(taken(&req.username));
    }
    let id = users::insert(
        db,
        &mut tx,
        org_id,
        &NewUser {
            username: &req.username,
            name: &req.name,
            role: req.role,
            team: &req.team,
            password_hash: &hash,
            one_time: true,
        },
    )
    .await
    .map_err(|e| match e {
        // Another organisation's administrator took the name in the meantime (PostgreSQL).
        Error::Internal(ref inner)
            if inner
                .downcast_ref::<sqlx::Error>()
                .and_then(sqlx::Error::as_database_error)
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            taken(&req.username)
        }
        e => e,
    })?;
    let detail = format!("{} {} {}", req.username, req.role.code(), req.team);
    audit(db, &mut tx, org, by, "create", id, &detail).await?;
    let person = one(db, &mut tx, org, id).await?;
    tx.commit().await?;
    Ok(OneTimePassword { person, password })
}

fn taken(username: &str) -> Error {
    Error::Refused(
        ErrorCode::UsernameTaken,
        format!("the login name {username:?} is taken"),
    )
}

/// Gives user `id` of organisation `org` a new one-time password and ends all their sessions
/// (each of their devices is logged out at its next request, its unsynced work kept there).
pub async fn reset_password(
    db: &Db,
    org: &str,
    by: Option<UserId>,
    id: UserId,
) -> Result<OneTimePassword, Error> {
    if by == Some(id) {
        return Err(own_account());
    }
    let password = new_password();
    let hash = hashed(password.clone()).await?;
    let mut tx = db.begin_write().await?;
    let user = one(db, &mut tx, org, id).await?;
    set_password(db, &mut tx, &id.to_string(), &hash, None, true).await?;
    audit(db, &mut tx, org, by, "reset_password", id, &user.username).await?;
    let person = one(db, &mut tx, org, id).await?;
    tx.commit().await?;
    Ok(OneTimePassword { person, password })
}

fn own_account() -> Error {
    Error::Refused(
        ErrorCode::OwnAccount,
        "administrators change their own account on their password page, not here".into(),
    )
}

/// Changes user `id` of organisation `org`: role, team, active. Deactivating ends their
/// sessions; a role that moves them between the field app and the desk ends them too and
/// makes their devices pull again from the start. Returns the user as now stored.
pub async fn change(
    db: &Db,
    org: &str,
    by: Option<UserId>,
    id: UserId,
    req: &PersonChange,
) -> Result<Person, Error> {
    let req = req.checked()?;
    if by == Some(id) && (req.active == Some(false) || req.role.is_some_and(|r| r != Role::Admin)) {
        return Err(own_account());
    }
    let mut tx = db.begin_write().await?;
    // Taking a version first locks the organisation's row until commit, so two
    // administrators cannot each demote the other and leave none.
    let version = next_version(db, &mut tx, org).await?;
    let before = one(db, &mut tx, org, id).await?;
    let role = req.role.unwrap_or(before.role);
    let active = req.active.unwrap_or(before.active);
    let team = req.team.clone().unwrap_or_else(|| before.team.clone());
    if before.role == Role::Admin && before.active && (role != Role::Admin || !active) {
        let admins: i64 = sqlx::query_scalar(
            db.sql("SELECT COUNT(*) FROM users WHERE org_id = ? AND role = 'admin' AND active = 1"),
        )
        .bind(org)
        .fetch_one(&mut *tx)
        .await?;
        if admins <= 1 {
            return Err(Error::Refused(
                ErrorCode::LastAdmin,
                "the organisation needs an active administrator: make someone else one first"
                    .into(),
            ));
        }
    }
    let app_changes = role.uses_desk() != before.role.uses_desk();
    sqlx::query(db.sql(
        "UPDATE users SET role = ?, team = ?, active = ?,
             reset_version = CASE WHEN ? = 1 THEN ? ELSE reset_version END
         WHERE id = ? AND org_id = ?",
    ))
    .bind(role.code())
    .bind(&team)
    .bind(i64::from(active))
    .bind(i64::from(app_changes))
    .bind(version)
    .bind(id.to_string())
    .bind(org)
    .execute(&mut *tx)
    .await?;
    if !active || app_changes {
        sqlx::query(db.sql("DELETE FROM sessions WHERE user_id = ? AND org_id = ?"))
            .bind(id.to_string())
            .bind(org)
            .execute(&mut *tx)
            .await?;
    }
    users::write_card(db, &mut tx, org, id).await?;
    let mut what = Vec::new();
    if role != before.role {
        what.push((
            "change_role",
            format!("{} → {}", before.role.code(), role.code()),
        ));
    }
    if team != before.team {
        what.push(("change_team", format!("{} → {}", before.team, team)));
    }
    if active != before.active {
        let action = if active { "activate" } else { "deactivate" };
        what.push((action, before.username.clone()));
    }
    for (action, detail) in &what {
        audit(db, &mut tx, org, by, action, id, detail).await?;
    }
    let person = one(db, &mut tx, org, id).await?;
    tx.commit().await?;
    Ok(person)
}

async fn audit(
    db: &Db,
    tx: &mut Tx,
    org: &str,
    by: Option<UserId>,
    action: &str,
    id: UserId,
    detail: &str,
) -> Result<(), Error> {
    records::audit(
        db,
        tx,
        org,
        Audit {
            user: by,
            action,
            kind: Some(RecordKind::User),
            record: Some(id.0),
            detail,
        },
    )
    .await
}
