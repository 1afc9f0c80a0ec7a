//! Each KPI over the last 12 periods of the kind shown, drawn as inline SVG (no chart
//! library: a line, its points, the target as a dashed line), so it prints as it shows.

use leptos::prelude::*;
use revisit_domain::kpi::{Kpi, KpiLedger, Period};

use super::texts::ReportTexts;

const PERIODS: usize = 12;
const W: u32 = 240;
const H: u32 = 72;
const PAD: u32 = 6;

/// The trends section.
pub(super) fn trends(
    ledger: &KpiLedger<'_>,
    period: Period,
    x: &'static ReportTexts,
) -> impl IntoView + use<> {
    let periods = period.last_n(PERIODS);
    let charts = Kpi::ALL
        .iter()
        .map(|&kpi| {
            let values: Vec<Option<u32>> = periods
                .iter()
                .map(|&p| kpi.value(ledger.figure(kpi, p).rate()))
                .collect();
            chart(kpi, &values, kpi.target(ledger.targets()), x, &periods)
        })
        .collect_view();
    view! {
        <section class="report-section trends">
            <h2>{x.trends}</h2>
            <div class="trend-grid">{charts}</div>
        </section>
    }
}

/// The value's height in the chart: 0 at the bottom, the scale's top (100 % or 5 points) at
/// the top.
fn y(kpi: Kpi, v: u32) -> u32 {
    let top = if kpi.is_score() { 50 } else { 1000 };
    let inner = H - 2 * PAD;
    H - PAD - v.min(top) * inner / top
}

fn xpos(i: usize) -> u32 {
    PAD + (i as u32) * (W - 2 * PAD) / (PERIODS as u32 - 1)
}

fn chart(
    kpi: Kpi,
    values: &[Option<u32>],
    target: Option<u32>,
    x: &'static ReportTexts,
    periods: &[Period],
) -> impl IntoView + use<> {
    // A line through the periods that have a figure, broken where one has none.
    let mut path = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                path.push_str(&format!(
                    "{}{} {} ",
                    if pen_down { "L" } else { "M" },
                    xpos(i),
                    y(kpi, *v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let dots = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let v = (*v)?;
            let below = target.is_some_and(|t| v < t);
            Some(view! {
                <circle cx=xpos(i) cy=y(kpi, v) r="3" class:below=below>
                    <title>{format!("{}: {}", periods[i].short_label(), kpi.format_tenths(v))}</title>
                </circle>
            })
        })
        .collect_view();
    let target_line = target.map(|t| {
        let ty = y(kpi, t);
        view! { <line class="target" x1=PAD y1=ty x2=W - PAD y2=ty/> }
    });
    let last = values.last().copied().flatten();
    let (first_label, last_label) = (
        periods.first().map(|p| p.short_label()).unwrap_or_default(),
        periods.last().map(|p| p.short_label()).unwrap_or_default(),
    );
    view! {
        <figure class="trend card" data-testid="trend" data-kpi=kpi.code()>
            <figcaption>
                <span>{x.name(kpi)}</span>
                <strong>{last.map_or_else(|| "—".to_string(), |v| kpi.format_tenths(v))}</strong>
            </figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=x.name(kpi)>
                <rect class="frame" x="0" y="0" width=W height=H/>
                {target_line}
                <path class="line" d=path/>
                {dots}
            </svg>
            <div class="axis"><span>{first_label}</span><span>{last_label}</span></div>
        </figure>
    }
}
