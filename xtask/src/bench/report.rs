//! The manager's monthly report on a year's worth of visits: the real server, `n` visits of
//! this month pushed by a technician (half of them on site with a 15 KB signature, as the visit
//! form saves them), then `GET /api/reports/monthly` timed as the manager's laptop calls it.

use std::time::Instant;

use anyhow::{Result, bail};
use chrono::{Duration, Utc};
use revisit_domain::{Channel, DeviceId, Reach, Satisfaction, Signature, VisitId, VisitRecord};
use uuid::Uuid;

use super::sync::{Server, customer_ids, login, push_all};

/// Bytes of each on-site visit's signature: a signature pad's PNG at tablet resolution.
const SIGNATURE_BYTES: usize = 15_000;
/// Timed report requests (after one untimed).
const RUNS: usize = 5;

/// Prints one JSON line: the report's median and spread over [`RUNS`] requests.
pub(crate) fn monthly(n: usize) -> Result<()> {
    let server = Server::start("report")?;
    let base = &server.base;
    let device = DeviceId(Uuid::now_v7());
    let tech = login(base, "tech1", device)?;
    let customers = customer_ids(base, &tech.token)?;
    let now = Utc::now();
    let visits: Vec<VisitRecord> = (0..n)
        .map(|i| {
            let on_site = i % 2 == 0;
            let data: Vec<u8> = (0..SIGNATURE_BYTES - 57)
                .map(|k| (k * 31 + i * 7) as u8)
                .collect();
            let png = revisit_domain::image::tiny_png(400, 200, &data);
            VisitRecord {
                id: VisitId(Uuid::now_v7()),
                customer_id: customers[i % customers.len()],
                technician_id: tech.user.id,
                device_id: device,
                // Within the last hours: this month's, whatever the day.
                visited_at: now - Duration::seconds(i as i64 % 3_600),
                channel: if on_site {
                    Channel::OnSite
                } else {
                    Channel::Phone
                },
                reach: Reach::Reached,
                satisfaction: Some(Satisfaction::ALL[i % 4]),
                notes: "设备运行正常，客户对维修服务满意。".into(),
                signature: on_site.then_some(Signature { png }),
                photos: Vec::new(),
                amends: None,
                sha256: String::new(),
            }
            .seal()
        })
        .collect();
    // As the client batches its outbox (signed visits make large bodies).
    push_all(base, &tech.token, device, &visits, 100)?;
    let manager = login(base, "manager", DeviceId(Uuid::now_v7()))?;
    let report = || -> Result<f64> {
        let started = Instant::now();
        let body: serde_json::Value = ureq::get(&format!("{base}/api/reports/monthly"))
            .set("Authorization", &format!("Bearer {}", manager.token))
            .call()?
            .into_json()?;
        if body["technicians"].as_array().is_none_or(Vec::is_empty) {
            bail!("the report lists no technician: {body}");
        }
        Ok(started.elapsed().as_secs_f64() * 1000.0)
    };
    report()?;
    let mut times = (0..RUNS).map(|_| report()).collect::<Result<Vec<_>>>()?;
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "bench": "report_monthly",
            "visits": n,
            "signed": n.div_ceil(2),
            "signature_bytes": SIGNATURE_BYTES,
            "runs": RUNS,
            "median_ms": (times[RUNS / 2] * 10.0).round() / 10.0,
            "min_ms": (times[0] * 10.0).round() / 10.0,
            "max_ms": (times[RUNS - 1] * 10.0).round() / 10.0,
        })
    );
    Ok(())
}
