//! The `users` table: who may log in, with what role, in which organisation; every change of a
//! user also writes their card (`records`, kind `user`), which every device of the
//! organisation pulls to name people offline.

use revisit_domain::{
    UserId,
    wire::{Role, UserCard},
};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    Db,
    db::{Tx, next_version},
    error::Error,
    store::records::{self, Author},
};

/// A user as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Organisation.
    pub org_id: String,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role, as [`Role::code`] spells it.
    pub role: String,
    /// Team.
    pub team: String,
    /// 1 while the account may log in.
    pub active: i64,
    /// 1 while the password is a one-time one.
    pub must_change_password: i64,
    /// Pulls with an older cursor must start again (the user's scope changed wholesale).
    pub reset_version: i64,
    /// argon2 hash.
    pub password_hash: String,
}

impl UserRow {
    /// Their role; a role the server does not know is an internal error.
    pub fn role(&self) -> Result<Role, Error> {
        Role::from_code(&self.role).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!(
                "unknown role in the database: {}",
                self.role
            ))
        })
    }

    /// Their id.
    pub fn user_id(&self) -> Result<UserId, Error> {
        crate::auth::parse_id(&self.id)
    }

    /// Their public card.
    pub fn card(&self) -> Result<UserCard, Error> {
        Ok(UserCard {
            id: self.user_id()?,
            name: self.name.clone(),
            role: self.role()?,
            team: self.team.clone(),
            active: self.active != 0,
        })
    }
}

/// The user with login name `username`.
pub async fn by_username(
    db: &Db,
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserRow>, Error> {
    Ok(sqlx::query_as(db.sql(
        "SELECT id, org_id, username, name, role, team, active, must_change_password,
                reset_version, password_hash FROM users WHERE username = ?",
    ))
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The user `id` of organisation `org`.
pub async fn by_id(
    db: &Db,
    conn: &mut AnyConnection,
    org: &str,
    id: &str,
) -> Result<Option<UserRow>, Error> {
    Ok(sqlx::query_as(db.sql(
        "SELECT id, org_id, username, name, role, team, active, must_change_password,
                reset_version, password_hash FROM users WHERE id = ? AND org_id = ?",
    ))
    .bind(id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Every user of organisation `org`, by name.
pub async fn of_org(db: &Db, conn: &mut AnyConnection, org: &str) -> Result<Vec<UserRow>, Error> {
    Ok(sqlx::query_as(db.sql(
        "SELECT id, org_id, username, name, role, team, active, must_change_password,
                reset_version, password_hash FROM users WHERE org_id = ? ORDER BY name, username",
    ))
    .bind(org)
    .fetch_all(&mut *conn)
    .await?)
}

/// A new user to create.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// Login name (unique on the server).
    pub username: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: &'a str,
    /// argon2 hash of their password.
    pub password_hash: &'a str,
    /// The password is a one-time one, to change at first login.
    pub one_time: bool,
}

/// Creates a user in organisation `org`, and their card.
pub async fn insert(db: &Db, tx: &mut Tx, org: Uuid, user: &NewUser<'_>) -> Result<UserId, Error> {
    let id = UserId(Uuid::now_v7());
    let org = org.to_string();
    let version = next_version(db, tx, &org).await?;
    sqlx::query(db.sql(
        "INSERT INTO users (id, org_id, username, name, role, team, active, must_change_password,
             password_hash, version)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
    ))
    .bind(id.to_string())
    .bind(&org)
    .bind(user.username)
    .bind(user.name)
    .bind(user.role.code())
    .bind(user.team)
    .bind(i64::from(user.one_time))
    .bind(user.password_hash)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    write_card(db, tx, &org, id).await?;
    Ok(id)
}

/// Writes the card of user `id` again from their row (after any change of them).
pub async fn write_card(db: &Db, tx: &mut Tx, org: &str, id: UserId) -> Result<(), Error> {
    let row = by_id(db, tx, org, &id.to_string())
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("user {id} vanished")))?;
    records::put(db, tx, org, &row.card()?, None, Author::SERVER, None).await?;
    Ok(())
}
