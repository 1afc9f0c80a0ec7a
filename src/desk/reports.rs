//! `/desk/`, the report a manager signs: the policies' KPIs for any period (day, week, month,
//! quarter or a range of days), each with its numerator and denominator, what it counts, its
//! target and where it stands, the records behind it on a click, then each technician's and
//! team's figures and the period's visits; exported as CSV for Excel and printed on A4.
//! Everything is counted in the domain (`kpi::set`) over the organisation's data in IndexedDB.

use chrono::Utc;
use leptos::prelude::*;
use revisit_domain::{
    UserId,
    issue::{IssueStatus, OpenIssue},
    kpi::{
        Counted, Cut, Kpi, KpiFigure, KpiLedger, Period, PeriodKind, Record, Records, TargetStatus,
        Unit,
        csv::{ReportHead, report_csv},
    },
    order::sort_few,
    time::{china, china_date, date_text, minute_text, parse_date},
    visit::newest_first,
    wire::{Role, UserCard},
};

use crate::{
    components::visit_card::VisitCard,
    i18n::Lang,
    pages::{show_stored, stored_data, stored_policy},
    state::app_state,
    storage,
};

mod download;
mod texts;
mod trend;

use texts::{ReportTexts, texts};

/// Most records listed behind a KPI at once.
const MAX_BEHIND: usize = 200;

/// The report page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let state = app_state();
    let data = stored_data(state, true);
    // Open issues are read here rather than by every page's `Stored`: only reports count them.
    let issues = LocalResource::new(move || {
        state.revision.track();
        async move {
            let db = storage::app_db().await.map_err(|e| e.to_string())?;
            db.issues().await.map_err(|e| e.to_string())
        }
    });
    let period = RwSignal::new(Period::of(PeriodKind::Month, china_date(Utc::now())));
    let selected = RwSignal::new(None::<Kpi>);
    view! {
        <section class="reports">
            {show_stored(state, data, move |stored| {
                let lang = state.lang.get();
                let x = texts(lang);
                let t = lang.t();
                let issues: Vec<OpenIssue> = match issues.get() {
                    Some(Ok(list)) => list,
                    Some(Err(e)) => return view! { <p class="banner error">{format!("{}: {e}", t.storage_error)}</p> }.into_any(),
                    None => return view! { <p class="empty">{t.loading}</p> }.into_any(),
                };
                let policy = match stored_policy(stored) {
                    Ok(Some(policy)) => policy,
                    Ok(None) => return view! { <p class="banner notice" data-testid="no-policy">{t.no_policy}</p> }.into_any(),
                    Err(e) => return view! {
                        <p class="banner error" data-testid="bad-policy">{format!("{}: {e}", t.policy_invalid)}</p>
                    }.into_any(),
                };
                let now = Utc::now();
                let p = period.get();
                let mut technicians: Vec<&UserCard> = stored.users.iter().filter(|u| u.role == Role::Technician).collect();
                sort_few(&mut technicians, |u| u.name.as_str());
                let records = Records {
                    customers: &stored.customers,
                    events: &stored.events,
                    complaints: &stored.complaints,
                    issues: &issues,
                    visits: &stored.visits,
                };
                let ledger = KpiLedger::new(&policy, records, now);
                let figures = ledger.figures(p);
                let org = state.session.get_untracked().map(|s| s.user.org_name).unwrap_or_default();
                let made = minute_text(now.with_timezone(&china()).naive_local());
                let label = period_label(p, lang);

                let teams = teams(&technicians);
                let csv = {
                    let mut cuts: Vec<(Cut<'_>, &str)> = vec![(Cut::Organisation, "全机构")];
                    cuts.extend(teams.iter().map(|(name, ids)| (Cut::Team(ids), name.as_str())));
                    cuts.extend(technicians.iter().map(|u| (Cut::Technician(u.id), u.name.as_str())));
                    report_csv(ReportHead { organisation: &org, period: &p.label_zh(), made_at: &made }, &figures, &cuts)
                };
                let file = format!("{}-{}.csv", x.file_name, p.label_en().replace(' ', "_"));

                let cards = figures.iter().map(|f| kpi_card(f, &ledger, x, selected)).collect_view();
                let behind = selected.get().and_then(|k| figures.iter().find(|f| f.kpi == k)).map(|f| {
                    behind_table(f, &ledger, stored, &technicians, lang)
                });
                let tech_rows = technicians.iter().map(|u| {
                    let cut = Cut::Technician(u.id);
                    let visits = figures.iter().find(|f| f.kpi == Kpi::ContactSuccess).map_or(0, |f| f.rate_in(&cut).denominator);
                    view! {
                        <tr data-testid="tech-row" data-technician-id=u.id.to_string()>
                            <th scope="row">{u.name.clone()}</th>
                            <td data-testid="visit-count">{visits}</td>
                            {figures.iter().map(|f| cut_cell(f, &cut, x)).collect_view()}
                        </tr>
                    }
                }).collect_view();
                let team_table = (!teams.is_empty()).then(|| {
                    let rows = teams.iter().map(|(name, ids)| {
                        let cut = Cut::Team(ids);
                        view! {
                            <tr data-testid="team-row">
                                <th scope="row">{name.clone()}</th>
                                <td>{ids.len()}</td>
                                {figures.iter().map(|f| cut_cell(f, &cut, x)).collect_view()}
                            </tr>
                        }
                    }).collect_view();
                    view! {
                        <section class="report-section">
                            <h2>{x.by_team}</h2>
                            <div class="table-wrap"><table class="card kpi-table">
                                <thead><tr><th>{x.team}</th><th>{x.people}</th>{kpi_heads(x)}</tr></thead>
                                <tbody>{rows}</tbody>
                            </table></div>
                        </section>
                    }
                });
                let trends = trend::trends(&ledger, p, x);
                let groups = technicians.iter().map(|u| {
                    let theirs = newest_first(&stored.visits, |v| v.technician_id == u.id && p.contains(china_date(v.visited_at)));
                    let cards = if theirs.is_empty() {
                        view! { <p class="empty">{x.no_visits}</p> }.into_any()
                    } else {
                        theirs.into_iter().map(|v| {
                            let name = customer_name(stored, v.customer_id);
                            view! { <VisitCard visit=v testid="report-visit" title=name/> }
                        }).collect_view().into_any()
                    };
                    view! { <h3>{u.name.clone()}</h3><div class="visit-list">{cards}</div> }
                }).collect_view();

                view! {
                    <header class="report-head">
                        <h1>{x.title}" · "<span data-testid="period-label">{label.clone()}</span></h1>
                        <p class="report-meta" data-testid="report-meta">
                            <span>{x.organisation}{x.colon}{org.clone()}</span>
                            <span>{x.period}{x.colon}{label}</span>
                            <span>{x.made_at}{x.colon}{made.clone()}</span>
                            <span>{x.policy}{x.colon}{policy.profile.name.clone()}</span>
                        </p>
                    </header>
                    <PeriodPicker period=period/>
                    <div class="report-actions no-print">
                        <button class="secondary" data-testid="export-csv" on:click=move |_| download::csv(&file, &csv)>{x.export_csv}</button>
                        <button class="secondary" data-testid="print" on:click=move |_| { let _ = window().print(); }>{x.print}</button>
                        <span class="hint">{x.click_hint}</span>
                    </div>
                    <section class="report-section">
                        <div class="kpis report-kpis">{cards}</div>
                        {behind}
                    </section>
                    <section class="report-section">
                        <h2>{x.by_technician}</h2>
                        <div class="table-wrap"><table class="card kpi-table">
                            <thead><tr><th>{t.technician}</th><th>{x.visits}</th>{kpi_heads(x)}</tr></thead>
                            <tbody>{tech_rows}</tbody>
                        </table></div>
                    </section>
                    {team_table}
                    {trends}
                    <section class="report-section visits-section">
                        <h2>{x.period_visits}</h2>
                        {groups}
                    </section>
                }
                .into_any()
            })}
        </section>
    }
}

/// The period's name in the page's language.
fn period_label(p: Period, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => p.label_zh(),
        Lang::En => p.label_en(),
    }
}

/// Teams (班组) of the technicians who carry one, by name.
fn teams(technicians: &[&UserCard]) -> Vec<(String, Vec<UserId>)> {
    let mut teams: Vec<(String, Vec<UserId>)> = Vec::new();
    for u in technicians.iter().filter(|u| !u.team.is_empty()) {
        match teams.iter_mut().find(|(name, _)| *name == u.team) {
            Some((_, ids)) => ids.push(u.id),
            None => teams.push((u.team.clone(), vec![u.id])),
        }
    }
    teams
}

fn customer_name(stored: &crate::pages::Stored, id: revisit_domain::CustomerId) -> String {
    stored
        .customers
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// The day/week/month/quarter/range choice, and the period before and after.
#[component]
fn PeriodPicker(
    /// The period shown.
    period: RwSignal<Period>,
) -> impl IntoView {
    let state = app_state();
    let x = move || texts(state.lang.get());
    let kinds = PeriodKind::ALL
        .iter()
        .map(|&kind| {
            view! {
                <button
                    class="period-kind"
                    class:selected=move || period.get().kind() == kind
                    aria-pressed=move || (period.get().kind() == kind).to_string()
                    data-testid=format!("period-{}", kind_code(kind))
                    on:click=move |_| {
                        // The new period holds the old one's last day (or today, if sooner):
                        // from this month to its current week, from a past month to its last.
                        period.update(|p| {
                            let anchor = p.last().min(china_date(Utc::now()));
                            *p = match kind {
                                PeriodKind::Range => Period::range(p.first(), p.last()),
                                _ => Period::of(kind, anchor),
                            }
                        })
                    }
                >
                    {move || x().kind(kind)}
                </button>
            }
        })
        .collect_view();
    let set_day = move |first: bool, text: String| {
        if let Some(d) = parse_date(&text) {
            period.update(|p| {
                *p = if first {
                    Period::range(d, p.last().max(d))
                } else {
                    Period::range(p.first().min(d), d)
                }
            });
        }
    };
    view! {
        <div class="period-picker no-print" role="group" aria-label=move || x().period>
            <div class="segmented period-kinds">{kinds}</div>
            <div class="period-steps">
                <button data-testid="period-prev" on:click=move |_| period.update(|p| *p = p.previous())>{move || x().previous}</button>
                <Show when=move || period.get().kind() == PeriodKind::Range>
                    <label class="range-day">{move || x().from}
                        <input type="date" data-testid="range-from" prop:value=move || date_text(period.get().first())
                            on:change=move |ev| set_day(true, event_target_value(&ev))/>
                    </label>
                    <label class="range-day">{move || x().to}
                        <input type="date" data-testid="range-to" prop:value=move || date_text(period.get().last())
                            on:change=move |ev| set_day(false, event_target_value(&ev))/>
                    </label>
                </Show>
                <button data-testid="period-next" on:click=move |_| period.update(|p| *p = p.next())>{move || x().next}</button>
                <button class="ghost" data-testid="period-today"
                    on:click=move |_| period.update(|p| {
                        let today = china_date(Utc::now());
                        *p = match p.kind() {
                            PeriodKind::Range => Period::range(today, today),
                            kind => Period::of(kind, today),
                        }
                    })>
                    {move || x().current}
                </button>
            </div>
        </div>
    }
}

fn kind_code(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Range => "range",
    }
}

/// "14 / 18 客户", or for the score "20 分 / 5 次评价".
fn counts(kpi: Kpi, n: u32, d: u32, x: &ReportTexts) -> String {
    if kpi.is_score() {
        format!("{n} {} / {d} {}", x.points, x.ratings)
    } else {
        format!("{n} / {d} {}", x.unit(kpi.unit()))
    }
}

fn status_class(s: Option<TargetStatus>) -> &'static str {
    s.map_or("none", TargetStatus::code)
}

/// One KPI as a card: value, counts, definition, target and status; a click lists the
/// records behind it.
fn kpi_card(
    f: &KpiFigure,
    ledger: &KpiLedger<'_>,
    x: &'static ReportTexts,
    selected: RwSignal<Option<Kpi>>,
) -> impl IntoView + use<> {
    let kpi = f.kpi;
    let rate = f.rate();
    let status = f.status(rate);
    let target = match f.target {
        Some(t) => format!("{} ≥ {}", x.target, kpi.format_target(t)),
        None => x.no_target.to_string(),
    };
    let word = match status {
        Some(s) => x.status(s),
        None if rate.denominator == 0 => x.no_data,
        None => x.no_target_status,
    };
    let definition = if kpi == Kpi::RepairTimeliness && !ledger.counts_repairs() {
        x.no_repair_rules.to_string()
    } else {
        x.definition(kpi, ledger.complaint_clock())
    };
    view! {
        <button
            class=format!("kpi card status-{}", status_class(status))
            class:selected=move || selected.get() == Some(kpi)
            aria-pressed=move || (selected.get() == Some(kpi)).to_string()
            data-testid="kpi-card"
            data-kpi=kpi.code()
            data-status=status_class(status)
            on:click=move |_| selected.update(|s| *s = if *s == Some(kpi) { None } else { Some(kpi) })
        >
            <span class="label">{x.name(kpi)}</span>
            <span class="value" data-testid="kpi-value">{kpi.format(rate)}</span>
            <span class="counts" data-testid="kpi-counts">{counts(kpi, rate.numerator, rate.denominator, x)}</span>
            <span class="definition">{definition}</span>
            <span class="target-line">
                <span class="target">{target}</span>
                <strong class="status-word" data-testid="kpi-status">{word}</strong>
            </span>
        </button>
    }
}

fn kpi_heads(x: &'static ReportTexts) -> impl IntoView + use<> {
    Kpi::ALL
        .iter()
        .map(|&k| view! { <th>{x.name(k)}</th> })
        .collect_view()
}

/// A KPI's figure in one cut: value and counts, coloured and worded by status.
fn cut_cell(f: &KpiFigure, cut: &Cut<'_>, x: &'static ReportTexts) -> impl IntoView + use<> {
    let rate = f.rate_in(cut);
    let status = f.status(rate);
    let testid = match f.kpi {
        Kpi::VisitCompletion => "completion-rate",
        Kpi::OnTime => "on-time-rate",
        _ => "kpi-rate",
    };
    view! {
        <td class=format!("cell status-{}", status_class(status)) data-kpi=f.kpi.code()
            title=status.map(|s| x.status(s))>
            <span data-testid=testid>{f.kpi.format(rate)}</span>
            " "<small>{format!("{}/{}", rate.numerator, rate.denominator)}</small>
            {status.map(|s| view! { <span class="sr-word">{x.status(s)}</span> })}
        </td>
    }
}

/// The records a KPI counted: which, when, whose, and whether each is in the numerator.
fn behind_table(
    f: &KpiFigure,
    ledger: &KpiLedger<'_>,
    stored: &crate::pages::Stored,
    technicians: &[&UserCard],
    lang: Lang,
) -> impl IntoView + use<> {
    let x = texts(lang);
    let t = lang.t();
    let total = f.counted.len();
    let rows = f
        .counted
        .iter()
        .take(MAX_BEHIND)
        .map(|c| {
            let who = technicians
                .iter()
                .find(|u| u.id == c.technician)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let what = describe(c, ledger, x, t);
            let href = format!("/desk/customers/{}", c.customer);
            view! {
                <tr data-testid="behind-row" class:hit=c.hit>
                    <td>{date_text(c.on)}</td>
                    <td><a href=href>{customer_name(stored, c.customer)}</a></td>
                    <td>{who}</td>
                    <td>{what}</td>
                    <td class=if c.hit { "yes" } else { "no" }>{if c.hit { x.counted_yes } else { x.counted_no }}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (total > MAX_BEHIND).then(|| {
        view! { <p class="hint">{x.more_records(total - MAX_BEHIND)}</p> }
    });
    view! {
        <div class="behind card" data-testid="behind" data-kpi=f.kpi.code()>
            <h3>{x.behind_title(f.kpi)}" ("{total}")"</h3>
            {if total == 0 {
                view! { <p class="empty">{x.no_data}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="kpi-table behind-table">
                        <thead><tr><th>{x.date}</th><th>{x.customer}</th><th>{t.technician}</th><th>{x.record}</th><th>{x.in_numerator}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                }.into_any()
            }}
            {more}
        </div>
    }
}

/// What a counted record is, in a few words.
fn describe(
    c: &Counted,
    ledger: &KpiLedger<'_>,
    x: &ReportTexts,
    t: &crate::i18n::Texts,
) -> String {
    match c.record {
        Record::Customer { due, done } => x.customer_items(due, done),
        Record::Item { rule, due, status } => format!(
            "{} · {} {} · {}",
            ledger.rule_id(rule),
            x.due,
            minute_text(due),
            t.status(status)
        ),
        Record::Visit {
            channel,
            satisfaction,
            ..
        } => match satisfaction {
            Some(s) => format!("{} · {}", t.channel(channel), t.satisfaction(s)),
            None => format!("{} · {}", t.channel(channel), x.not_reached),
        },
        Record::Complaint {
            deadline, closed, ..
        } => match closed {
            Some(at) => format!(
                "{} {} · {} {}",
                x.deadline,
                minute_text(deadline),
                x.closed,
                minute_text(at)
            ),
            None => format!(
                "{} {} · {}",
                x.deadline,
                minute_text(deadline),
                x.still_open
            ),
        },
        Record::Issue { status, .. } => x.issue_status(status).to_string(),
    }
}

impl ReportTexts {
    /// A counting unit in words.
    fn unit(&self, u: Unit) -> &'static str {
        match u {
            Unit::Customers => self.unit_customers,
            Unit::Items => self.unit_items,
            Unit::Visits => self.unit_visits,
            Unit::Complaints => self.unit_complaints,
            Unit::Issues => self.unit_issues,
        }
    }

    /// Where a figure stands, in words.
    fn status(&self, s: TargetStatus) -> &'static str {
        match s {
            TargetStatus::Below => self.below,
            TargetStatus::Close => self.close,
            TargetStatus::AtOrAbove => self.met,
        }
    }

    fn issue_status(&self, s: IssueStatus) -> &'static str {
        match s {
            IssueStatus::Open => self.issue_open,
            IssueStatus::Resolved => self.issue_resolved,
            IssueStatus::Closed => self.issue_closed,
        }
    }
}
