//! The organisation's working-day calendar (工作日历): the shipped China calendar with the
//! years an administrator entered at the desk in place of its own, so a year the State Council
//! publishes after a release reaches every device at its next pull. Each entry is a new row of
//! `calendars` (the versions, never changed) with an audit entry; `GET /api/policy/calendar`
//! shows the covered years to the desk, `POST /api/policy/calendar` enters one
//! (administrators), read and checked by the domain's `policy::year_entry`.

use std::sync::Arc;

use axum::{Json, Router, extract::State, routing::get};
use chrono::Utc;
use revisit_domain::{
    OrgId, UserId,
    policy::{CalendarSpec, CalendarYearProblem, WorkCalendar, year_entry},
    time::parse_instant,
    wire::{CalendarEntryReply, CalendarYearEntry, CalendarYearInfo, OrgCalendar},
};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{
    AppState, Db,
    auth::Session,
    db::timestamp,
    error::Error,
    json::ApiJson,
    policy::{self, Policy},
    store::records::{self, Audit},
};

/// The years organisation row `id` of `calendars` holds (what its administrators entered).
pub async fn entered(db: &Db, conn: &mut AnyConnection, id: &str) -> Result<WorkCalendar, Error> {
    let json: String = sqlx::query_scalar(db.sql("SELECT calendar FROM calendars WHERE id = ?"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let spec: CalendarSpec = serde_json::from_str(&json)
        .map_err(|e| Error::Internal(anyhow::anyhow!("calendar {id}: {e}")))?;
    WorkCalendar::from_spec(spec)
        .map_err(|e| Error::Internal(anyhow::anyhow!("calendar {id}: {e}")))
}

/// The calendar an organisation follows: the shipped one, with the years in `entered`.
pub fn effective(entered: Option<&WorkCalendar>) -> WorkCalendar {
    let china = WorkCalendar::china();
    match entered {
        Some(years) => china.with_years_of(years),
        None => china,
    }
}

/// Enters one year for organisation `org` by `by` (`None`: a server task): the problem with
/// the entry (nothing stored), or the policy devices now receive, whose fingerprint differs.
pub async fn enter_year(
    db: &Db,
    org: OrgId,
    by: Option<UserId>,
    entry: &CalendarYearEntry,
) -> Result<Result<Arc<Policy>, CalendarYearProblem>, Error> {
    let year = match year_entry(entry.year, &entry.holidays, &entry.make_up_working_days) {
        Ok(year) => year,
        Err(problem) => return Ok(Err(problem)),
    };
    let org_text = org.to_string();
    let mut tx = db.begin_write().await?;
    let current: Option<String> =
        sqlx::query_scalar(db.sql("SELECT calendar FROM organisations WHERE id = ?"))
            .bind(&org_text)
            .fetch_one(&mut *tx)
            .await?;
    let so_far = match &current {
        Some(id) => entered(db, &mut tx, id).await?,
        None => WorkCalendar::default(),
    };
    let spec = so_far.with_years_of(&year).to_spec();
    let json = serde_json::to_string(&spec).map_err(|e| Error::Internal(e.into()))?;
    let id = Uuid::now_v7().to_string();
    sqlx::query(db.sql(
        "INSERT INTO calendars (id, org_id, year, calendar, entered_by, entered_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    ))
    .bind(&id)
    .bind(&org_text)
    .bind(i64::from(entry.year))
    .bind(json)
    .bind(by.map(|u| u.to_string()))
    .bind(timestamp(Utc::now()))
    .execute(&mut *tx)
    .await?;
    sqlx::query(db.sql("UPDATE organisations SET calendar = ? WHERE id = ?"))
        .bind(&id)
        .bind(&org_text)
        .execute(&mut *tx)
        .await?;
    let days = year.to_spec();
    let detail = format!(
        "calendar {id}: {} with {} holidays and {} make-up working days",
        entry.year,
        days.holidays.len(),
        days.make_up_working_days.len()
    );
    records::audit(
        db,
        &mut tx,
        &org_text,
        Audit {
            user: by,
            action: "enter_calendar_year",
            kind: None,
            record: None,
            detail: &detail,
        },
    )
    .await?;
    let policy = policy::of_org(db, &mut tx, org).await?;
    tx.commit().await?;
    Ok(Ok(policy))
}

/// The organisation's calendar as the desk shows it: each covered year's days, and who
/// entered it when (none for the shipped years).
pub async fn show(db: &Db, conn: &mut AnyConnection, org: OrgId) -> Result<OrgCalendar, Error> {
    let policy = policy::of_org(db, conn, org).await?;
    let spec = &policy.bundle.calendar;
    // The latest entry of each year, in entry order (later rows win).
    let entries: Vec<(i64, Option<String>, String)> = sqlx::query_as(db.sql(
        "SELECT c.year, u.username, c.entered_at FROM calendars c
         LEFT JOIN users u ON u.id = c.entered_by
         WHERE c.org_id = ? ORDER BY c.entered_at, c.id",
    ))
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let years = spec
        .years
        .iter()
        .map(|&year| {
            let of_year = |days: &[chrono::NaiveDate]| {
                days.iter()
                    .copied()
                    .filter(|d| chrono::Datelike::year(d) == year)
                    .collect()
            };
            let last = entries.iter().rev().find(|(y, _, _)| *y == i64::from(year));
            CalendarYearInfo {
                year,
                holidays: of_year(&spec.holidays),
                make_up_working_days: of_year(&spec.make_up_working_days),
                entered_by: last.and_then(|(_, by, _)| by.clone()),
                entered_at: last.and_then(|(_, _, at)| parse_instant(at)),
            }
        })
        .collect();
    Ok(OrgCalendar {
        years,
        fingerprint: policy.bundle.fingerprint.clone(),
    })
}

/// The calendar routes: everyone at the desk reads it; administrators enter a year.
pub fn router() -> Router<AppState> {
    Router::new().route("/policy/calendar", get(show_route).post(enter_route))
}

async fn show_route(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<OrgCalendar>, Error> {
    policy::require_desk(&session)?;
    let mut conn = state.db.read.acquire().await?;
    Ok(Json(show(&state.db, &mut conn, session.org_id).await?))
}

async fn enter_route(
    State(state): State<AppState>,
    session: Session,
    ApiJson(entry): ApiJson<CalendarYearEntry>,
) -> Result<Json<CalendarEntryReply>, Error> {
    session.require_admin()?;
    match enter_year(&state.db, session.org_id, Some(session.user_id), &entry).await? {
        Err(problem) => Ok(Json(CalendarEntryReply::Invalid(problem))),
        Ok(_) => {
            let mut conn = state.db.read.acquire().await?;
            Ok(Json(CalendarEntryReply::Saved(
                show(&state.db, &mut conn, session.org_id).await?,
            )))
        }
    }
}
