//! The dry-run's data (试算数据): an organisation's customers, events, complaints and visits in
//! the policy engine's input format, which `revisit-policy agenda` and `diff` read, so a
//! manager sees what another policy would change for the organisation's own customers.
//!
//! The input carries ids, tiers, product categories, dates and visit outcomes: no name, phone,
//! address, note or signature leaves the server this way.

use axum::{Json, Router, extract::State, routing::get};
use revisit_domain::{
    Complaint, Customer, CustomerEvent, VisitRecord, event::recorded_input, policy::EngineInput,
};
use sqlx::AnyConnection;

use crate::{AppState, Db, admin::TaskError, auth::Session, error::Error, store::records};

/// `GET /api/policy/input`: the organisation's engine input, for managers.
pub fn router() -> Router<AppState> {
    Router::new().route("/policy/input", get(input))
}

async fn input(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<EngineInput>, Error> {
    session.require_manager()?;
    let mut conn = state.db.read.acquire().await?;
    Ok(Json(of_org(&state.db, &mut conn, &session.org()).await?))
}

/// Organisation `org`'s records as the engine reads them (`event::recorded_input`, the same
/// reading as the reports').
pub async fn of_org(db: &Db, conn: &mut AnyConnection, org: &str) -> Result<EngineInput, Error> {
    let customers: Vec<Customer> = records::all(db, conn, org, false).await?;
    // The signatures are most of a signed visit's bytes and the engine reads none.
    let visits: Vec<VisitRecord> = records::all(db, conn, org, true).await?;
    let events: Vec<CustomerEvent> = records::all(db, conn, org, false).await?;
    let complaints: Vec<Complaint> = records::all(db, conn, org, false).await?;
    Ok(recorded_input(&customers, &events, &complaints, &visits))
}

/// `revisit-server export-engine-input`: the engine input of the organisation called `org` (or
/// the only one).
pub async fn export(db: &Db, org: Option<&str>) -> Result<EngineInput, TaskError> {
    let org = crate::admin::organisation(db, org).await?;
    let mut conn = db.read.acquire().await?;
    Ok(of_org(db, &mut conn, &org.to_string()).await?)
}

#[cfg(test)]
mod tests {
    use revisit_domain::policy::{Horizon, agenda};

    use super::*;

    /// The demo organisation's records come out as engine input that reads back as written
    /// and gives every customer the agenda the server's policy makes.
    #[tokio::test]
    async fn the_demo_organisation_exports_as_engine_input() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.sqlite")).await.unwrap();
        let today = "2026-11-20".parse().unwrap();
        let crate::seed::Seeded::Demo { customers, .. } =
            crate::seed::seed(&db, true, today).await.unwrap()
        else {
            panic!("a demo organisation")
        };
        let input = export(&db, None).await.unwrap();
        assert_eq!(input.customers.len(), customers);
        assert!(input.events.len() >= customers, "a purchase each at least");
        let text = serde_json::to_string(&input).unwrap();
        let mut conn = db.read.acquire().await.unwrap();
        let org = crate::admin::organisation(&db, None)
            .await
            .unwrap()
            .to_string();
        let records: Vec<Customer> = records::all(&db, &mut conn, &org, false).await.unwrap();
        for c in &records {
            assert!(
                !text.contains(&c.name) && !text.contains(&c.phone),
                "{}",
                c.name
            );
        }
        assert!(!text.contains("signature"));
        let read: EngineInput = serde_json::from_str(&text).unwrap();
        assert_eq!(read, input);
        let policy = crate::policy::builtin(crate::policy::DEMO_PROFILE).unwrap();
        let now = "2026-11-20T02:00:00Z".parse().unwrap();
        let a = agenda(
            &policy.policy.profile,
            &policy.policy.calendar,
            &read,
            now,
            Horizon::default(),
        );
        assert!(a.len() >= customers, "a first visit each at least");
    }
}
