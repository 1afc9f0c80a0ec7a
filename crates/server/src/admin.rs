//! One-off administration from the command line (`revisit-server add-user`, `import-customers`):
//! what an organisation needs before its people can work, as long as there is no admin UI.

use revisit_domain::wire::Role;
use uuid::Uuid;

use crate::{Db, auth::new_password, error::Error, seed::insert_user};

/// The organisation called `name`, or the only one when no name is given; the error says
/// what to do.
pub async fn organisation(db: &Db, name: Option<&str>) -> Result<Uuid, String> {
    let orgs: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM organisations")
        .fetch_all(&db.read)
        .await
        .map_err(|e| e.to_string())?;
    let matching: Vec<&(String, String)> = orgs
        .iter()
        .filter(|(_, n)| name.is_none_or(|want| n == want))
        .collect();
    match matching.as_slice() {
        [(id, _)] => id
            .parse()
            .map_err(|_| format!("organisation id {id:?} is not a UUID")),
        [] => Err(match name {
            Some(n) => format!("no organisation is called {n:?}"),
            None => "the database has no organisation yet: start the server once".into(),
        }),
        _ => Err("the database has several organisations: name one with --org".into()),
    }
}

/// Why a user was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    /// The organisation is unknown or ambiguous.
    #[error("{0}")]
    Organisation(String),
    /// The login name is empty, or taken (login names are unique across the server).
    #[error("{0}")]
    Username(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] Error),
}

/// Adds a user to the organisation `org` (or the only one) and returns their one-time
/// password, to hand over.
pub async fn add_user(
    db: &Db,
    org: Option<&str>,
    username: &str,
    name: &str,
    role: Role,
) -> Result<String, AddUserError> {
    let org = organisation(db, org)
        .await
        .map_err(AddUserError::Organisation)?;
    let username = username.trim();
    if username.is_empty() || username.chars().any(char::is_whitespace) {
        return Err(AddUserError::Username(format!(
            "{username:?} is not a login name (no spaces, not empty)"
        )));
    }
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(&db.read)
        .await
        .map_err(Error::from)?;
    if taken > 0 {
        return Err(AddUserError::Username(format!(
            "the login name {username:?} is taken"
        )));
    }
    let password = new_password();
    let mut tx = db.begin_write().await.map_err(Error::from)?;
    insert_user(&mut tx, org, username, name, role, &password).await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(password)
}
