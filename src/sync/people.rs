//! The desk's people calls (online actions: the server's answer is needed at once, a one-time
//! password above all, so nothing is queued in the outbox).

use revisit_domain::{
    UserId,
    wire::{NewPerson, OneTimePassword, Person, PersonChange},
};

use super::{Session, SyncError, call};

/// The organisation's users (managers and up).
pub async fn list(session: &Session) -> Result<Vec<Person>, SyncError> {
    call::<(), _>("GET", "/api/people", Some(&session.token), None).await
}

/// Adds a user (administrators); the reply carries their one-time password.
pub async fn add(session: &Session, person: &NewPerson) -> Result<OneTimePassword, SyncError> {
    call("POST", "/api/people", Some(&session.token), Some(person)).await
}

/// Gives user `id` a new one-time password and ends their sessions (administrators).
pub async fn reset_password(session: &Session, id: UserId) -> Result<OneTimePassword, SyncError> {
    let url = format!("/api/people/{id}/password");
    call::<(), _>("POST", &url, Some(&session.token), None).await
}

/// Changes user `id`'s role, team or whether they are active (administrators).
pub async fn change(
    session: &Session,
    id: UserId,
    change: &PersonChange,
) -> Result<Person, SyncError> {
    let url = format!("/api/people/{id}");
    call("PATCH", &url, Some(&session.token), Some(change)).await
}
