//! One-off administration from the command line (`revisit-server add-user`, `reset-password`,
//! `import-customers`, `set-policy`, `complaint`, `close-complaint`, `rejected`), on the same
//! store code the API uses. The desk has a screen for each; these stay for scripts and for an
//! organisation's first minutes.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use revisit_domain::{
    Complaint, ComplaintChange, ComplaintId, ComplaintStatus, Customer, ProblemCategory, Severity,
    UserId,
    complaint::ComplaintChannel,
    edit::Edit,
    time::{china, minute_text},
    wire::{MAX_CHANGES_PER_PULL, NewPerson, PersonChange, RecordKind, RejectedRecord, Role},
};
use uuid::Uuid;

use crate::{
    Db,
    error::Error,
    people,
    store::{
        records::{self, Audit, Author},
        users,
    },
};

/// Why a command-line task did nothing. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The organisation is unknown or ambiguous.
    #[error("{0}")]
    Organisation(String),
    /// The input is wrong (a login name, a time, an empty text).
    #[error("{0}")]
    Input(String),
    /// What the task names does not exist, or not just once.
    #[error("{0}")]
    NotFound(String),
    /// The database or the store failed.
    #[error("the database failed: {0}")]
    Store(String),
}

impl From<Error> for TaskError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(..) | Error::Refused(..) => TaskError::Input(e.to_string()),
            Error::NotFound => TaskError::NotFound(e.to_string()),
            e => TaskError::Store(format!("{e}: {e:?}")),
        }
    }
}

impl From<sqlx::Error> for TaskError {
    fn from(e: sqlx::Error) -> Self {
        TaskError::Store(e.to_string())
    }
}

/// The organisation called `name`, or the only one when no name is given; the error says
/// what to do.
pub async fn organisation(db: &Db, name: Option<&str>) -> Result<Uuid, TaskError> {
    let orgs: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM organisations")
        .fetch_all(&db.read)
        .await?;
    let matching: Vec<&(String, String)> = orgs
        .iter()
        .filter(|(_, n)| name.is_none_or(|want| n == want))
        .collect();
    match matching.as_slice() {
        [(id, _)] => id
            .parse()
            .map_err(|_| TaskError::Store(format!("organisation id {id:?} is not a UUID"))),
        [] => Err(TaskError::Organisation(match name {
            Some(n) => format!("no organisation is called {n:?}"),
            None => "the database has no organisation yet: start the server once".into(),
        })),
        _ => Err(TaskError::Organisation(
            "the database has several organisations: name one with --org".into(),
        )),
    }
}

/// Adds a user to the organisation `org` (or the only one) and returns their one-time
/// password, to hand over; they choose their own at first login. The desk's people page adds
/// them through the same [`people::create`].
pub async fn add_user(
    db: &Db,
    org: Option<&str>,
    username: &str,
    name: &str,
    role: Role,
) -> Result<String, TaskError> {
    let org = organisation(db, org).await?;
    let req = NewPerson {
        username: username.into(),
        name: name.into(),
        role,
        team: String::new(),
    };
    Ok(people::create(db, &org.to_string(), None, &req)
        .await?
        .password)
}

/// The user called `username`, whichever organisation they are in.
async fn user_named(db: &Db, username: &str) -> Result<users::UserRow, TaskError> {
    users::by_username(db, &mut *db.read.acquire().await?, username)
        .await?
        .ok_or_else(|| TaskError::NotFound(format!("no user is called {username:?}")))
}

/// Gives the user `username` a new one-time password and ends their sessions (a forgotten
/// password, or one handed to the wrong person); returns the password, to hand over.
pub async fn reset_password(db: &Db, username: &str) -> Result<String, TaskError> {
    let user = user_named(db, username).await?;
    let reset = people::reset_password(db, &user.org_id, None, user.user_id()?).await?;
    Ok(reset.password)
}

/// Deactivates the user `username` (every session ends, so each of their devices is logged out
/// at its next request, its unsynced work kept on the device) or activates them again (they
/// log in and their devices push what waited). Their card changes with them on every device.
pub async fn set_active(db: &Db, username: &str, active: bool) -> Result<(), TaskError> {
    let user = user_named(db, username).await?;
    let change = PersonChange {
        active: Some(active),
        ..PersonChange::default()
    };
    people::change(db, &user.org_id, None, user.user_id()?, &change).await?;
    Ok(())
}

/// Every mutation the organisation `org` (or the only one) had refused, oldest first, each with
/// the name of the user who sent it.
pub async fn rejections(
    db: &Db,
    org: Option<&str>,
) -> Result<Vec<(RejectedRecord, String)>, TaskError> {
    let org = organisation(db, org).await?;
    let names: HashMap<String, String> =
        users::of_org(db, &mut *db.read.acquire().await?, &org.to_string())
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let mut kept = Vec::new();
    let mut after = 0;
    loop {
        let page = crate::sync::kept_rejections(db, org, after, MAX_CHANGES_PER_PULL).await?;
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

/// The one customer of organisation `org` with this phone number.
async fn customer_by_phone(
    db: &Db,
    tx: &mut crate::db::Tx,
    org: &str,
    phone: &str,
) -> Result<Customer, TaskError> {
    let mut matching: Vec<Customer> = records::all::<Customer>(db, tx, org, false)
        .await?
        .into_iter()
        .filter(|c| c.phone == phone.trim())
        .collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(TaskError::NotFound(format!(
            "no customer has the phone number {phone}"
        ))),
        n => Err(TaskError::NotFound(format!(
            "{n} customers have the phone number {phone}: {}",
            matching
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ))),
    }
}

/// Who records a complaint from the command line: the organisation's first administrator (or
/// manager).
async fn desk_user(db: &Db, tx: &mut crate::db::Tx, org: &str) -> Result<UserId, TaskError> {
    let people = users::of_org(db, tx, org).await?;
    let first = [Role::Admin, Role::Manager]
        .iter()
        .find_map(|role| people.iter().find(|u| u.role().is_ok_and(|r| r == *role)))
        .ok_or_else(|| TaskError::NotFound("the organisation has no administrator".into()))?;
    Ok(first.user_id()?)
}

/// Records a complaint (投诉) for the customer with this phone number, received `at`; returns
/// the customer's name. Their technician's tablet pulls it and the policy's complaint rules
/// start.
pub async fn record_complaint(
    db: &Db,
    org: Option<&str>,
    phone: &str,
    summary: &str,
    at: DateTime<Utc>,
) -> Result<String, TaskError> {
    let org = organisation(db, org).await?.to_string();
    let mut tx = db.begin_write().await?;
    let customer = customer_by_phone(db, &mut tx, &org, phone).await?;
    let taker = desk_user(db, &mut tx, &org).await?;
    let edit = Edit {
        id: ComplaintId(Uuid::now_v7()),
        base_version: 0,
        changes: vec![
            ComplaintChange::Customer(customer.id),
            ComplaintChange::ReceivedAt(at),
            ComplaintChange::Channel(ComplaintChannel::Phone),
            ComplaintChange::Category(ProblemCategory::Other),
            ComplaintChange::Severity(Severity::General),
            ComplaintChange::Summary(summary.trim().to_owned()),
            ComplaintChange::TakenBy(taker),
        ],
    };
    let author = Author {
        user: Some(taker),
        device: None,
    };
    records::write_edit::<Complaint>(
        db,
        &mut tx,
        &org,
        None,
        &edit,
        customer.technician_id,
        author,
    )
    .await?
    .map_err(|e| TaskError::Input(e.to_string()))?;
    records::audit(
        db,
        &mut tx,
        &org,
        Audit {
            user: Some(taker),
            action: "create",
            kind: Some(RecordKind::Complaint),
            record: Some(edit.id.0),
            detail: "command line",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(customer.name)
}

/// Closes (结案) the oldest open complaint of the customer with this phone number, `at`, with
/// its cause and corrective action; returns the customer's name. The policy's follow-up after
/// closing (投诉回访) starts then.
pub async fn close_complaint(
    db: &Db,
    org: Option<&str>,
    phone: &str,
    at: DateTime<Utc>,
    cause: &str,
    action: &str,
) -> Result<String, TaskError> {
    let org = organisation(db, org).await?.to_string();
    let mut tx = db.begin_write().await?;
    let customer = customer_by_phone(db, &mut tx, &org, phone).await?;
    let open = records::all::<Complaint>(db, &mut tx, &org, false)
        .await?
        .into_iter()
        .filter(|k| k.customer_id == customer.id && k.is_open())
        .min_by_key(|k| k.received_at)
        .ok_or_else(|| TaskError::NotFound(format!("{} has no open complaint", customer.name)))?;
    if at < open.received_at {
        return Err(TaskError::Input(format!(
            "a complaint received {} cannot be closed before that",
            minute_text(open.received_at.with_timezone(&china()).naive_local())
        )));
    }
    let found = records::get::<Complaint>(db, &mut tx, &org, open.id.0)
        .await?
        .ok_or_else(|| TaskError::NotFound("the complaint vanished".into()))?;
    let by = desk_user(db, &mut tx, &org).await?;
    let edit = Edit {
        id: open.id,
        base_version: found.version as u64,
        changes: vec![
            ComplaintChange::Status(ComplaintStatus::Closed),
            ComplaintChange::ClosedAt(Some(at)),
            ComplaintChange::Cause(cause.trim().to_owned()),
            ComplaintChange::CorrectiveAction(action.trim().to_owned()),
        ],
    };
    let author = Author {
        user: Some(by),
        device: None,
    };
    records::write_edit(
        db,
        &mut tx,
        &org,
        Some(&found),
        &edit,
        customer.technician_id,
        author,
    )
    .await?
    .map_err(|e| TaskError::Input(e.to_string()))?;
    tx.commit().await?;
    Ok(customer.name)
}

/// Makes the organisation `org` (or the only one) follow the shipped policy profile `name`
/// (general, water-purifier, furniture, complaints…); returns the profile's own name (e.g.
/// 一般售后). Devices receive it with their next pull, and reports count under it at once.
pub async fn set_policy(db: &Db, org: Option<&str>, name: &str) -> Result<String, TaskError> {
    use crate::policy::{AdoptError, adopt};
    let org = revisit_domain::OrgId(organisation(db, org).await?);
    let choice = revisit_domain::wire::AdoptPolicy::Shipped(name.to_owned());
    match adopt(db, org, None, &choice).await {
        Ok(policy) => Ok(policy.policy.profile.name.clone()),
        Err(AdoptError::Store(e)) => Err(e.into()),
        Err(e) => Err(TaskError::Input(e.to_string())),
    }
}
