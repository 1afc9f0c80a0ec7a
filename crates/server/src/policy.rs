//! Each organisation's follow-up policy: a shipped profile by name plus the China calendar,
//! validated once and shared by the pull (sent to devices) and the reports (KPIs).

use std::{collections::HashMap, sync::LazyLock};

use revisit_domain::{
    OrgId,
    policy::{BUILTIN_PROFILES, OrgPolicy, WorkCalendar, builtin_spec},
    wire::PolicyBundle,
};
use sqlx::AnyConnection;

use crate::{Db, error::Error};

/// The profile a new organisation follows (000 §A + §B: 一般售后).
pub const DEFAULT_PROFILE: &str = "general";

/// The profile the demo organisation follows: 一般售后 uses what the demo data has beyond
/// installation and repair dates, the purchase date and the VIP / normal tiers (VIP monthly,
/// others quarterly, 000 §A), so every demo customer has a first visit and a cadence.
pub const DEMO_PROFILE: &str = "general";

/// One shipped profile, ready to send and to run.
pub struct Policy {
    /// What devices receive.
    pub bundle: PolicyBundle,
    /// What the engine runs, validated from `bundle` with the devices' own code.
    pub policy: OrgPolicy,
}

static POLICIES: LazyLock<HashMap<&'static str, Policy>> = LazyLock::new(|| {
    let calendar = WorkCalendar::china().to_spec();
    BUILTIN_PROFILES
        .iter()
        .map(|(name, _)| {
            let spec = builtin_spec(name).expect("shipped profiles parse");
            let bundle = PolicyBundle::new(spec, calendar.clone());
            let policy = bundle.validate().expect("shipped profiles are valid");
            (*name, Policy { bundle, policy })
        })
        .collect()
});

/// The shipped profile called `name`, if there is one.
pub fn builtin(name: &str) -> Option<&'static Policy> {
    POLICIES.get(name)
}

/// The policy organisation `org` follows, read on `conn` (a transaction's snapshot or a pool
/// connection).
pub async fn of_org(
    db: &Db,
    conn: &mut AnyConnection,
    org: OrgId,
) -> Result<&'static Policy, Error> {
    let name: String =
        sqlx::query_scalar(db.sql("SELECT policy_profile FROM organisations WHERE id = ?"))
            .bind(org.to_string())
            .fetch_one(&mut *conn)
            .await?;
    builtin(&name).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!(
            "organisation {org} follows an unknown policy profile {name:?}"
        ))
    })
}
