//! The manager's report: this month's 回访完成率 (on the policy engine, under the organisation's
//! policy) and 客户满意度 per technician, and the synced visits.

use chrono::Utc;
use leptos::prelude::*;
use revisit_domain::{
    UserId,
    kpi::{Month, Rate, monthly_kpis},
    order::sort_few,
    time::china_date,
    visit::newest_first,
    wire::{Role, UserCard},
};

use crate::{
    components::visit_card::VisitCard,
    pages::{show_stored, stored_data, stored_policy},
    state::app_state,
};

/// `/reports`.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let state = app_state();
    let t = move || state.lang.get().t();
    let data = stored_data(state, true);
    view! {
        <section class="reports">
            {show_stored(state, data, move |stored| {
                let now = Utc::now();
                let today = china_date(now);
                let month = Month::of(today);
                let mut technicians: Vec<&UserCard> = stored.users.iter().filter(|u| u.role == Role::Technician).collect();
                sort_few(&mut technicians, |u| u.name.as_str());
                let technicians: Vec<UserCard> = technicians.into_iter().cloned().collect();
                let ids: Vec<UserId> = technicians.iter().map(|u| u.id).collect();
                let kpis = match stored_policy(stored) {
                    Ok(Some(policy)) => Ok(monthly_kpis(&policy, &ids, &stored.customers, &stored.visits, stored.lifecycle(), month, now)),
                    Ok(None) => Err(None),
                    Err(e) => Err(Some(e.to_string())),
                };
                let figures = match kpis {
                    Ok(kpis) => {
                        let total = |f: fn(&revisit_domain::kpi::TechnicianKpi) -> Rate| {
                            kpis.iter().map(f).fold(Rate::default(), Rate::plus)
                        };
                        let (completion, on_time, satisfaction) =
                            (total(|k| k.completion), total(|k| k.on_time), total(|k| k.satisfaction));
                        let rows = kpis.iter().zip(&technicians).map(|(k, u)| {
                            let (c, o, s) = (k.completion, k.on_time, k.satisfaction);
                            view! {
                                <tr data-testid="tech-row" data-technician-id=u.id.to_string()>
                                    <td>{u.name.clone()}</td>
                                    <td data-testid="visit-count">{k.visits}</td>
                                    <td><span data-testid="completion-rate">{percent(c)}</span>" "<small>{counts(c)}</small></td>
                                    <td><span data-testid="on-time-rate">{percent(o)}</span>" "<small>{counts(o)}</small></td>
                                    <td><span>{percent(s)}</span>" "<small>{counts(s)}</small></td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <div class="kpis">
                                <div class="kpi card">
                                    <span class="label">{move || t().completion_rate}</span>
                                    <span class="value" id="completion-total">{percent(completion)}</span>
                                    <small>{counts(completion)}</small>
                                </div>
                                <div class="kpi card">
                                    <span class="label">{move || t().on_time_rate}</span>
                                    <span class="value">{percent(on_time)}</span>
                                    <small>{counts(on_time)}</small>
                                </div>
                                <div class="kpi card">
                                    <span class="label">{move || t().satisfaction_rate}</span>
                                    <span class="value">{percent(satisfaction)}</span>
                                    <small>{counts(satisfaction)}</small>
                                </div>
                            </div>
                            <table class="card">
                                <thead><tr>
                                    <th>{move || t().technician}</th>
                                    <th>{move || t().visit_count}</th>
                                    <th>{move || t().completion_rate}</th>
                                    <th>{move || t().on_time_rate}</th>
                                    <th>{move || t().satisfaction_rate}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                        .into_any()
                    }
                    Err(None) => view! { <p class="banner notice" data-testid="no-policy">{move || t().no_policy}</p> }.into_any(),
                    Err(Some(e)) => view! {
                        <p class="banner error" data-testid="bad-policy">{move || format!("{}: {e}", t().policy_invalid)}</p>
                    }
                    .into_any(),
                };

                let groups = technicians.iter().map(|u| {
                    let theirs = newest_first(&stored.visits, |v| v.technician_id == u.id && month.contains(china_date(v.visited_at)));
                    let cards = if theirs.is_empty() {
                        view! { <p class="empty">{move || t().no_synced_visits}</p> }.into_any()
                    } else {
                        theirs.into_iter().map(|v| {
                            let name = stored.customers.iter().find(|c| c.id == v.customer_id).map(|c| c.name.clone()).unwrap_or_default();
                            view! { <VisitCard visit=v testid="report-visit" title=name/> }
                        }).collect_view().into_any()
                    };
                    view! { <h3>{u.name.clone()}</h3><div class="visit-list">{cards}</div> }
                }).collect_view();

                view! {
                    <h1>{move || t().reports_title}" · "{format!("{}-{:02}", month.year, month.month)}</h1>
                    {figures}
                    <h2>{move || t().synced_visits}</h2>
                    {groups}
                }
                .into_any()
            })}
        </section>
    }
}

/// "66.7%", or "—" when nothing was counted.
fn percent(r: Rate) -> String {
    r.tenths_of_percent()
        .map_or_else(|| "—".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

/// "(2/3)".
fn counts(r: Rate) -> String {
    format!("({}/{})", r.numerator, r.denominator)
}
