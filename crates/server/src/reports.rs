//! Manager reports: the month's KPIs per technician, computed with the domain's formulas on
//! the policy engine's agenda under the organisation's profile.

use axum::{Json, Router, extract::State, routing::get};
use chrono::NaiveDate;
use revisit_domain::{
    Customer, UserId, VisitRecord,
    kpi::{Month, Rate, monthly_kpis},
    time::china_date,
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    auth::{Session, parse_id},
    error::Error,
    json::ApiQuery,
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
    session.require_manager()?;
    let now = chrono::Utc::now();
    let today = china_date(now);
    let month = match &query.month {
        None => Month::of(today),
        Some(text) => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .map(Month::of)
            .map_err(|_| {
                Error::BadRequest(format!("month must look like 2026-11, not {text:?}"))
            })?,
    };
    let org = session.org_id.to_string();
    let db = &state.db.read;
    let policy = crate::policy::of_org(&mut *db.acquire().await?, session.org_id).await?;
    let technicians: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM users WHERE org_id = ? AND role = 'technician' ORDER BY name",
    )
    .bind(&org)
    .fetch_all(db)
    .await?;
    let customers: Vec<Customer> = decode_all(
        sqlx::query_scalar("SELECT data FROM customers WHERE org_id = ?")
            .bind(&org)
            .fetch_all(db)
            .await?,
    )?;
    // Without the signatures (a PNG each, most of the bytes of a signed visit), which no figure
    // reads: SQLite drops them from the JSON before it is sent here and parsed.
    let visits: Vec<VisitRecord> = decode_all(
        sqlx::query_scalar("SELECT json_remove(data, '$.signature') FROM visits WHERE org_id = ?")
            .bind(&org)
            .fetch_all(db)
            .await?,
    )?;
    let ids: Vec<UserId> = technicians
        .iter()
        .map(|(id, _)| parse_id(id))
        .collect::<Result<_, _>>()?;
    let kpis = monthly_kpis(&policy.policy, &ids, &customers, &visits, month, now);
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

fn decode_all<T: serde::de::DeserializeOwned>(rows: Vec<String>) -> Result<Vec<T>, Error> {
    rows.iter()
        .map(|r| {
            serde_json::from_str(r)
                .map_err(|e| Error::Internal(anyhow::anyhow!("stored row does not decode: {e}")))
        })
        .collect()
}
