//! Each organisation's follow-up policy: a shipped profile by name, or a policy file uploaded
//! at the desk, with the China calendar; validated once per process and shared by the pull
//! (sent to devices) and the reports (KPIs). `adopt` changes it, for the desk
//! (`POST /api/policy/adopt`) and the `set-policy` task alike; the desk lists the shipped
//! profiles, fetches one's bundle to try it, and checks a policy file before adopting it.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use chrono::Utc;
use revisit_domain::{
    OrgId, UserId,
    policy::{
        BUILTIN_PROFILES, CalendarSpec, OrgPolicy, ProfileSpec, WorkCalendar, builtin_description,
        builtin_spec,
    },
    wire::{
        AdoptPolicy, CurrentPolicy, PolicyBundle, PolicyCheck, PolicyFile, PolicyFileProblem,
        PolicyProfiles, ProfileSummary,
    },
};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    AppState, Db,
    auth::Session,
    db::timestamp,
    error::Error,
    json::{ApiJson, ApiPath},
    store::records::{self, Audit},
};

/// The profile a new organisation follows (000 §A + §B: 一般售后).
pub const DEFAULT_PROFILE: &str = "general";

/// The profile the demo organisation follows: 一般售后 uses what the demo data has beyond
/// installation and repair dates, the purchase date and the VIP / normal tiers (VIP monthly,
/// others quarterly, 000 §A), so every demo customer has a first visit and a cadence.
pub const DEMO_PROFILE: &str = "general";

/// One policy, ready to send and to run.
pub struct Policy {
    /// The shipped profile's key, `None` for an uploaded file.
    pub shipped: Option<&'static str>,
    /// What devices receive.
    pub bundle: PolicyBundle,
    /// What the engine runs, validated from `bundle` with the devices' own code.
    pub policy: OrgPolicy,
}

impl Policy {
    /// How the desk names it.
    pub fn current(&self) -> CurrentPolicy {
        CurrentPolicy {
            shipped: self.shipped.map(str::to_owned),
            name: self.policy.profile.name.clone(),
            fingerprint: self.bundle.fingerprint.clone(),
        }
    }
}

static POLICIES: LazyLock<HashMap<&'static str, Arc<Policy>>> = LazyLock::new(|| {
    let calendar = WorkCalendar::china().to_spec();
    BUILTIN_PROFILES
        .iter()
        .map(|(name, _)| {
            let spec = builtin_spec(name).expect("shipped profiles parse");
            let bundle = PolicyBundle::new(spec, calendar.clone());
            let policy = bundle.validate().expect("shipped profiles are valid");
            let shipped = Some(*name);
            (
                *name,
                Arc::new(Policy {
                    shipped,
                    bundle,
                    policy,
                }),
            )
        })
        .collect()
});

/// Uploaded policies by their row's id, and policies with an organisation's calendar by their
/// profile's fingerprint and the calendar row's id, validated once: a row never changes.
static FILES: LazyLock<Mutex<HashMap<String, Arc<Policy>>>> = LazyLock::new(Mutex::default);

/// The shipped profile called `name`, if there is one.
pub fn builtin(name: &str) -> Option<Arc<Policy>> {
    POLICIES.get(name).cloned()
}

/// The policy organisation `org` follows, read on `conn` (a transaction's snapshot or a pool
/// connection): its profile (shipped or uploaded) with its calendar (the shipped one with the
/// years its administrators entered, `calendar`).
pub async fn of_org(db: &Db, conn: &mut AnyConnection, org: OrgId) -> Result<Arc<Policy>, Error> {
    let (name, file, calendar): (String, Option<String>, Option<String>) = sqlx::query_as(
        db.sql("SELECT policy_profile, policy_file, calendar FROM organisations WHERE id = ?"),
    )
    .bind(org.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let profile = match file {
        None => builtin(&name).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!(
                "organisation {org} follows an unknown policy profile {name:?}"
            ))
        })?,
        Some(file) => uploaded(db, conn, org, file).await?,
    };
    let Some(calendar) = calendar else {
        return Ok(profile);
    };
    // A profile and a calendar row never change, so their pair is validated once.
    let key = format!("{}+{calendar}", profile.bundle.fingerprint);
    if let Some(policy) = files().get(&key) {
        return Ok(policy.clone());
    }
    let entered = crate::calendar::entered(db, conn, &calendar).await?;
    let bundle = PolicyBundle::new(
        profile.bundle.profile.clone(),
        crate::calendar::effective(Some(&entered)).to_spec(),
    );
    let policy = bundle
        .validate()
        .map_err(|e| Error::Internal(anyhow::anyhow!("calendar {calendar}: {e}")))?;
    let policy = Arc::new(Policy {
        shipped: profile.shipped,
        bundle,
        policy,
    });
    files().insert(key, policy.clone());
    Ok(policy)
}

/// An uploaded policy file's profile, with the shipped calendar.
async fn uploaded(
    db: &Db,
    conn: &mut AnyConnection,
    org: OrgId,
    file: String,
) -> Result<Arc<Policy>, Error> {
    if let Some(policy) = files().get(&file) {
        return Ok(policy.clone());
    }
    let json: String =
        sqlx::query_scalar(db.sql("SELECT profile FROM policy_files WHERE id = ? AND org_id = ?"))
            .bind(&file)
            .bind(org.to_string())
            .fetch_one(&mut *conn)
            .await?;
    let spec: ProfileSpec = serde_json::from_str(&json)
        .map_err(|e| Error::Internal(anyhow::anyhow!("policy file {file}: {e}")))?;
    let bundle = PolicyBundle::new(spec, WorkCalendar::china().to_spec());
    let policy = bundle
        .validate()
        .map_err(|e| Error::Internal(anyhow::anyhow!("policy file {file}: {e}")))?;
    let policy = Arc::new(Policy {
        shipped: None,
        bundle,
        policy,
    });
    files().insert(file, policy.clone());
    Ok(policy)
}

fn files() -> std::sync::MutexGuard<'static, HashMap<String, Arc<Policy>>> {
    FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a policy cannot be adopted.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// No shipped profile has this key.
    #[error("no shipped policy is called {0:?}; choose one of {names}", names = shipped_names())]
    Unknown(String),
    /// The policy file is not valid.
    #[error("the policy file is not valid: {}", .0.message)]
    Invalid(PolicyFileProblem),
    /// Storing it failed.
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<sqlx::Error> for AdoptError {
    fn from(e: sqlx::Error) -> Self {
        AdoptError::Store(e.into())
    }
}

fn shipped_names() -> String {
    let names: Vec<&str> = BUILTIN_PROFILES.iter().map(|(n, _)| *n).collect();
    names.join(", ")
}

/// Makes organisation `org` follow `choice` (a shipped profile, or a policy file checked again
/// and stored), with an audit entry by `by` (`None`: the server's own task). Devices receive it
/// with their next pull, as its fingerprint differs from theirs; reports count under it at once.
pub async fn adopt(
    db: &Db,
    org: OrgId,
    by: Option<UserId>,
    choice: &AdoptPolicy,
) -> Result<Arc<Policy>, AdoptError> {
    let org_text = org.to_string();
    let mut tx = db.begin_write().await?;
    let detail = match choice {
        AdoptPolicy::Shipped(name) => {
            builtin(name).ok_or_else(|| AdoptError::Unknown(name.clone()))?;
            sqlx::query(db.sql(
                "UPDATE organisations SET policy_profile = ?, policy_file = NULL WHERE id = ?",
            ))
            .bind(name)
            .bind(&org_text)
            .execute(&mut *tx)
            .await?;
            name.clone()
        }
        AdoptPolicy::File(text) => {
            let file = PolicyFile { toml: text.clone() };
            let bundle = match file.check(WorkCalendar::china().to_spec()) {
                PolicyCheck::Valid(bundle) => *bundle,
                PolicyCheck::Invalid(problem) => return Err(AdoptError::Invalid(problem)),
            };
            let policy = bundle
                .validate()
                .map_err(|e| Error::Internal(anyhow::anyhow!("a checked file: {e}")))?;
            let id = Uuid::now_v7().to_string();
            let profile =
                serde_json::to_string(&bundle.profile).map_err(|e| Error::Internal(e.into()))?;
            sqlx::query(db.sql(
                "INSERT INTO policy_files (id, org_id, name, toml, profile, uploaded_by, uploaded_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            ))
            .bind(&id)
            .bind(&org_text)
            .bind(&policy.profile.name)
            .bind(text)
            .bind(profile)
            .bind(by.map(|u| u.to_string()))
            .bind(timestamp(Utc::now()))
            .execute(&mut *tx)
            .await?;
            sqlx::query(db.sql("UPDATE organisations SET policy_file = ? WHERE id = ?"))
                .bind(&id)
                .bind(&org_text)
                .execute(&mut *tx)
                .await?;
            let detail = format!("file {id}: {}", policy.profile.name);
            let policy = Arc::new(Policy {
                shipped: None,
                bundle,
                policy,
            });
            files().insert(id, policy);
            detail
        }
    };
    records::audit(
        db,
        &mut tx,
        &org_text,
        Audit {
            user: by,
            action: "adopt_policy",
            kind: None,
            record: None,
            detail: &detail,
        },
    )
    .await?;
    // With the organisation's own calendar years, if it entered any.
    let policy = of_org(db, &mut tx, org).await?;
    tx.commit().await?;
    Ok(policy)
}

/// The desk's policy routes: the shipped profiles (list, one's bundle) and checking a file for
/// everyone at the desk; adopting for managers and up.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policy/profiles", get(profiles))
        .route("/policy/profiles/{name}", get(profile))
        .route("/policy/check", post(check))
        .route("/policy/adopt", post(adopt_route))
}

/// Refuses the field app's technicians: the policy pages are the desk's.
pub(crate) fn require_desk(session: &Session) -> Result<(), Error> {
    if session.role.uses_desk() {
        Ok(())
    } else {
        Err(Error::Forbidden(revisit_domain::wire::ErrorCode::Forbidden))
    }
}

async fn profiles(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<PolicyProfiles>, Error> {
    require_desk(&session)?;
    let mut conn = state.db.read.acquire().await?;
    let current = of_org(&state.db, &mut conn, session.org_id)
        .await?
        .current();
    let profiles = BUILTIN_PROFILES
        .iter()
        .filter_map(|(key, _)| {
            let policy = builtin(key)?;
            Some(ProfileSummary {
                key: (*key).to_owned(),
                name: policy.policy.profile.name.clone(),
                description: builtin_description(key).unwrap_or_default(),
                rules: policy.policy.profile.rules.len() as u32,
            })
        })
        .collect();
    Ok(Json(PolicyProfiles { current, profiles }))
}

/// The organisation's calendar, which a profile tried at the desk runs with, as adopting it
/// would.
async fn org_calendar(state: &AppState, org: OrgId) -> Result<CalendarSpec, Error> {
    let mut conn = state.db.read.acquire().await?;
    Ok(of_org(&state.db, &mut conn, org)
        .await?
        .bundle
        .calendar
        .clone())
}

async fn profile(
    State(state): State<AppState>,
    session: Session,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<PolicyBundle>, Error> {
    require_desk(&session)?;
    let policy = builtin(&name).ok_or(Error::NotFound)?;
    let calendar = org_calendar(&state, session.org_id).await?;
    Ok(Json(PolicyBundle::new(
        policy.bundle.profile.clone(),
        calendar,
    )))
}

async fn check(
    State(state): State<AppState>,
    session: Session,
    ApiJson(file): ApiJson<PolicyFile>,
) -> Result<Json<PolicyCheck>, Error> {
    require_desk(&session)?;
    let calendar = org_calendar(&state, session.org_id).await?;
    Ok(Json(file.check(calendar)))
}

async fn adopt_route(
    State(state): State<AppState>,
    session: Session,
    ApiJson(choice): ApiJson<AdoptPolicy>,
) -> Result<Json<CurrentPolicy>, Error> {
    session.require_manager()?;
    match adopt(&state.db, session.org_id, Some(session.user_id), &choice).await {
        Ok(policy) => Ok(Json(policy.current())),
        Err(AdoptError::Store(e)) => Err(e),
        Err(e @ AdoptError::Unknown(_)) => Err(Error::Unprocessable(e.to_string())),
        Err(AdoptError::Invalid(problem)) => Err(Error::Unprocessable(match problem.line {
            Some(line) => format!("line {line}: {}", problem.message),
            None => problem.message,
        })),
    }
}
