//! One-off administration from the command line (`revisit-server add-user`, `reset-password`, `import-customers`,
//! `set-policy`, `complaint`, `close-complaint`, `rejected`): what an organisation needs before its people
//! can work, and what its service desk records, as long as there is no admin UI.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use revisit_domain::{
    Complaint, Customer,
    time::{china, minute_text},
    wire::{MAX_CHANGES_PER_PULL, RejectedRecord, Role},
};
use uuid::Uuid;

use crate::{
    Db,
    auth::{hash_password, new_password, set_password},
    db::next_version,
    error::Error,
    seed::insert_user,
};

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

/// Gives the user `username` a new one-time password and ends their sessions (a forgotten
/// password, or one handed to the wrong person); returns the password, to hand over.
pub async fn reset_password(db: &Db, username: &str) -> Result<String, String> {
    let password = new_password();
    let hash = hash_password(&password).map_err(|e| e.to_string())?;
    let run = async {
        let mut tx = db.begin_write().await?;
        let user: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(user) = user else {
            return Ok(None);
        };
        set_password(&mut tx, &user, &hash, None).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(()))
    };
    match run.await.map_err(|e| e.to_string())? {
        Some(()) => Ok(password),
        None => Err(format!("no user is called {username:?}")),
    }
}

/// Every mutation the organisation `org` (or the only one) had refused, oldest first, each with
/// the name of the user who sent it.
pub async fn rejections(
    db: &Db,
    org: Option<&str>,
) -> Result<Vec<(RejectedRecord, String)>, String> {
    let org = organisation(db, org).await?;
    let names: HashMap<String, String> =
        sqlx::query_as("SELECT id, name FROM users WHERE org_id = ?")
            .bind(org.to_string())
            .fetch_all(&db.read)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
    let mut kept = Vec::new();
    let mut after = 0;
    loop {
        let page = crate::sync::kept_rejections(db, org, after, MAX_CHANGES_PER_PULL)
            .await
            .map_err(|e| format!("{e:?}"))?;
        after = page.rejected.last().map_or(after, |r| r.id);
        kept.extend(page.rejected.into_iter().map(|r| {
            let name = names.get(&r.user_id.to_string()).cloned();
            (r, name.unwrap_or_else(|| "?".into()))
        }));
        if !page.has_more {
            return Ok(kept);
        }
    }
}

/// Why a complaint was not recorded or closed.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    /// The organisation is unknown or ambiguous.
    #[error("{0}")]
    Organisation(String),
    /// No customer, or several, have this phone number; or there is nothing to close.
    #[error("{0}")]
    Customer(String),
    /// The time is before the complaint was received, or the summary is empty.
    #[error("{0}")]
    Input(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] Error),
}

/// Records a complaint (投诉) for the customer with this phone number, received `at`; returns
/// the customer's name. The customer gets a new version, so their technician's tablet pulls it
/// and the policy's complaint rules start.
pub async fn record_complaint(
    db: &Db,
    org: Option<&str>,
    phone: &str,
    summary: &str,
    at: DateTime<Utc>,
) -> Result<String, ComplaintError> {
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(ComplaintError::Input(
            "say what the complaint is about (--summary)".into(),
        ));
    }
    change_customer(db, org, phone, |c| {
        c.complaints.push(Complaint {
            received_at: at,
            closed_at: None,
            summary: summary.into(),
        });
        Ok(())
    })
    .await
}

/// Closes (结案) the oldest open complaint of the customer with this phone number, `at`;
/// returns the customer's name. The policy's follow-up after closing (投诉回访) starts then.
pub async fn close_complaint(
    db: &Db,
    org: Option<&str>,
    phone: &str,
    at: DateTime<Utc>,
) -> Result<String, ComplaintError> {
    change_customer(db, org, phone, |c| {
        let open = c
            .complaints
            .iter_mut()
            .filter(|k| k.closed_at.is_none())
            .min_by_key(|k| k.received_at)
            .ok_or_else(|| ComplaintError::Customer(format!("{} has no open complaint", c.name)))?;
        if at < open.received_at {
            return Err(ComplaintError::Input(format!(
                "a complaint received {} cannot be closed before that",
                minute_text(open.received_at.with_timezone(&china()).naive_local())
            )));
        }
        open.closed_at = Some(at);
        Ok(())
    })
    .await
}

/// Applies `change` to the one customer of the organisation with this phone number and
/// stores it with a new version, in one write transaction.
async fn change_customer(
    db: &Db,
    org: Option<&str>,
    phone: &str,
    change: impl FnOnce(&mut Customer) -> Result<(), ComplaintError>,
) -> Result<String, ComplaintError> {
    let org = organisation(db, org)
        .await
        .map_err(ComplaintError::Organisation)?;
    let mut tx = db.begin_write().await.map_err(Error::from)?;
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM customers WHERE org_id = ?")
        .bind(org.to_string())
        .fetch_all(&mut *tx)
        .await
        .map_err(Error::from)?;
    let mut matching = Vec::new();
    for row in rows {
        let c: Customer = serde_json::from_str(&row).map_err(|e| {
            Error::Internal(anyhow::anyhow!("stored customer does not decode: {e}"))
        })?;
        if c.phone == phone.trim() {
            matching.push(c);
        }
    }
    let mut customer = match matching.len() {
        1 => matching.remove(0),
        0 => {
            return Err(ComplaintError::Customer(format!(
                "no customer has the phone number {phone}"
            )));
        }
        n => {
            return Err(ComplaintError::Customer(format!(
                "{n} customers have the phone number {phone}: {}",
                matching
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )));
        }
    };
    change(&mut customer)?;
    let version = next_version(&mut tx).await.map_err(Error::from)?;
    sqlx::query("UPDATE customers SET data = ?, version = ? WHERE id = ? AND org_id = ?")
        .bind(serde_json::to_string(&customer).map_err(|e| Error::Internal(e.into()))?)
        .bind(version)
        .bind(customer.id.to_string())
        .bind(org.to_string())
        .execute(&mut *tx)
        .await
        .map_err(Error::from)?;
    tx.commit().await.map_err(Error::from)?;
    Ok(customer.name)
}

/// Makes the organisation `org` (or the only one) follow the shipped policy profile `name`
/// (general, water-purifier, furniture, complaints…); returns the profile's own name (e.g.
/// 一般售后). Devices receive it with their next pull, and reports count under it at once.
pub async fn set_policy(db: &Db, org: Option<&str>, name: &str) -> Result<String, String> {
    let org = organisation(db, org).await?;
    let Some(policy) = crate::policy::builtin(name) else {
        let names: Vec<&str> = revisit_domain::policy::BUILTIN_PROFILES
            .iter()
            .map(|(n, _)| *n)
            .collect();
        return Err(format!(
            "no shipped policy is called {name:?}; choose one of {}",
            names.join(", ")
        ));
    };
    sqlx::query("UPDATE organisations SET policy_profile = ? WHERE id = ?")
        .bind(name)
        .bind(org.to_string())
        .execute(&db.write)
        .await
        .map_err(|e| e.to_string())?;
    Ok(policy.policy.profile.name.clone())
}
