//! Manager reports: the month's KPIs per technician, computed with the domain's formulas on
//! the policy engine's agenda under the organisation's profile.

use axum::{Json, Router, extract::State, routing::get};
use chrono::NaiveDate;
use revisit_domain::{
    Complaint, Customer, CustomerEvent, UserId, VisitRecord,
    event::recorded_lifecycle,
    kpi::{Month, Rate, monthly_kpis},
    time::china_date,
    wire::Role,
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    auth::Session,
    error::Error,
    json::ApiQuery,
    store::{records, users},
};

/// The report routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/reports/monthly", get(monthly))
}

/// `?month=2026-11`; the current month in China when absent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MonthQuery {
    month: Option<String>,
}

/// The monthly report. 月度回访报表
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct MonthlyReport {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// One line per technician, by name.
    pub technicians: Vec<TechnicianLine>,
}

/// One technician's figures.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct TechnicianLine {
    /// The technician.
    pub technician_id: UserId,
    /// Their name.
    pub name: String,
    /// Visits recorded in the month. 回访数
    pub visits: u32,
    /// 回访完成率: items due in the month done, on time or late.
    pub completion: Rate,
    /// 按时完成率: the same items done inside their window.
    pub on_time: Rate,
    /// 客户满意度.
    pub satisfaction: Rate,
}

async fn monthly(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<MonthlyReport>, Error> {
    session.require_desk()?;
    let now = chrono::Utc::now();
    let today = china_date(now);
    let month = match &query.month {
        None => Month::of(today),
        // A month outside the plausible years has no records: refused like any other
        // implausible date, not answered with an empty report.
        Some(text) => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| revisit_domain::time::plausible_date(*d))
            .map(Month::of)
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "month must look like 2026-11, between {} and {}, not {text:?}",
                    revisit_domain::time::FIRST_YEAR,
                    revisit_domain::time::LAST_YEAR
                ))
            })?,
    };
    let org = session.org();
    let db = &state.db;
    let mut conn = db.read.acquire().await?;
    let policy = crate::policy::of_org(db, &mut conn, session.org_id).await?;
    let technicians: Vec<(UserId, String)> = users::of_org(db, &mut conn, &org)
        .await?
        .into_iter()
        .filter(|u| u.role().is_ok_and(|r| r == Role::Technician))
        .map(|u| Ok((u.user_id()?, u.name)))
        .collect::<Result<_, Error>>()?;
    let customers: Vec<Customer> = records::all(db, &mut conn, &org, false).await?;
    // Without the signatures (a PNG each, most of the bytes of a signed visit), which no figure
    // reads: the database drops them from the JSON before it is sent here and parsed.
    let visits: Vec<VisitRecord> = records::all(db, &mut conn, &org, true).await?;
    let events: Vec<CustomerEvent> = records::all(db, &mut conn, &org, false).await?;
    let complaints: Vec<Complaint> = records::all(db, &mut conn, &org, false).await?;
    let ids: Vec<UserId> = technicians.iter().map(|(id, _)| *id).collect();
    let kpis = monthly_kpis(
        &policy.policy,
        &ids,
        &customers,
        &visits,
        recorded_lifecycle(&events, &complaints),
        month,
        now,
    );
    Ok(Json(MonthlyReport {
        month: format!("{:04}-{:02}", month.year, month.month),
        technicians: kpis
            .into_iter()
            .zip(technicians)
            .map(|(k, (_, name))| TechnicianLine {
                technician_id: k.technician_id,
                name,
                visits: k.visits,
                completion: k.completion,
                on_time: k.on_time,
                satisfaction: k.satisfaction,
            })
            .collect(),
    }))
}
