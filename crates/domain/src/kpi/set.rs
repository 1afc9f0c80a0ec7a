//! The policies' KPI set (考核指标), each on the counting unit its formula names, for any
//! period: the records are read once into a [`KpiLedger`] (the policy engine run once), then
//! each KPI is counted for a period as the list of records behind it ([`Counted`]), so a
//! figure, its numerator and denominator, any cut of it (technician, team) and the records a
//! manager asks to see all come from the same list.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rustc_hash::FxHashMap;

use super::{Period, Rate};
use crate::{
    complaint::Complaint,
    customer::Customer,
    event::{CustomerEvent, recorded_input},
    ids::{ComplaintId, CustomerId, IssueId, UserId, VisitId},
    issue::{IssueStatus, OpenIssue},
    order::sort_stably,
    policy::{
        FollowUpRule, Horizon, ItemStatus, Offset, OrgPolicy, RuleStart, Targets, Trigger,
        WorkCalendar, agenda,
    },
    time::{china, china_date},
    visit::{Channel, Satisfaction, VisitRecord},
};

/// One KPI of the policies. 考核指标
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kpi {
    /// 回访完成率 = customers visited ÷ customers due for a visit (004 §七).
    VisitCompletion,
    /// 按时完成率 = follow-up items done inside their window ÷ items due (000 §T).
    OnTime,
    /// 客户满意度 = (very satisfied + satisfied) customers ÷ customers rated (004 §七;
    /// 003 §八's satisfied ÷ surveyed, ≥ 90 %).
    Satisfaction,
    /// 问题解决率 = issues resolved ÷ issues reported (004 §七, 003 §八, ≥ 95 %).
    ProblemResolution,
    /// 投诉处理及时率 = complaints closed within the clock ÷ complaints (003 §八, 100 %).
    ComplaintTimeliness,
    /// 维修及时率 = fault calls attended on site in time ÷ fault calls due (003 §二, §八, ≥ 90 %).
    RepairTimeliness,
    /// 回访成功率 = visits that reached the customer ÷ visits attempted (000 §C, > 80 %).
    ContactSuccess,
    /// 平均满意度得分: the mean rating on the 5-level scale (非常满意 5 … 非常不满意 1).
    AverageScore,
}

/// What a KPI counts. 统计单位
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// 客户
    Customers,
    /// 回访事项 (the policy's follow-up items)
    Items,
    /// 回访 (visit records, attempts included)
    Visits,
    /// 投诉
    Complaints,
    /// 遗留问题
    Issues,
}

impl Kpi {
    /// Every KPI, in the order a report shows them.
    pub const ALL: [Kpi; 8] = [
        Kpi::VisitCompletion,
        Kpi::OnTime,
        Kpi::Satisfaction,
        Kpi::ProblemResolution,
        Kpi::ComplaintTimeliness,
        Kpi::RepairTimeliness,
        Kpi::ContactSuccess,
        Kpi::AverageScore,
    ];

    /// The stable spelling (test ids, file names).
    pub fn code(self) -> &'static str {
        match self {
            Kpi::VisitCompletion => "visit_completion",
            Kpi::OnTime => "on_time",
            Kpi::Satisfaction => "satisfaction",
            Kpi::ProblemResolution => "problem_resolution",
            Kpi::ComplaintTimeliness => "complaint_timeliness",
            Kpi::RepairTimeliness => "repair_timeliness",
            Kpi::ContactSuccess => "contact_success",
            Kpi::AverageScore => "average_score",
        }
    }

    /// The policies' own name for it (a report's and an export's heading).
    pub fn zh(self) -> &'static str {
        match self {
            Kpi::VisitCompletion => "回访完成率",
            Kpi::OnTime => "按时完成率",
            Kpi::Satisfaction => "客户满意度",
            Kpi::ProblemResolution => "问题解决率",
            Kpi::ComplaintTimeliness => "投诉处理及时率",
            Kpi::RepairTimeliness => "维修及时率",
            Kpi::ContactSuccess => "回访成功率",
            Kpi::AverageScore => "平均满意度得分",
        }
    }

    /// What its formula counts.
    pub fn unit(self) -> Unit {
        match self {
            Kpi::VisitCompletion | Kpi::Satisfaction => Unit::Customers,
            Kpi::OnTime | Kpi::RepairTimeliness => Unit::Items,
            Kpi::ContactSuccess | Kpi::AverageScore => Unit::Visits,
            Kpi::ComplaintTimeliness => Unit::Complaints,
            Kpi::ProblemResolution => Unit::Issues,
        }
    }

    /// Where the formula comes from.
    pub fn source(self) -> &'static str {
        match self {
            Kpi::VisitCompletion => "004 §七",
            Kpi::OnTime => "000 §T",
            Kpi::Satisfaction => "004 §七, 003 §八",
            Kpi::ProblemResolution => "004 §七, 003 §八",
            Kpi::ComplaintTimeliness => "003 §八",
            Kpi::RepairTimeliness => "003 §二, §八",
            Kpi::ContactSuccess => "000 §C",
            Kpi::AverageScore => "004 §三",
        }
    }

    /// Whether its value is a score (tenths of a point) rather than a rate (tenths of a
    /// percent).
    pub fn is_score(self) -> bool {
        self == Kpi::AverageScore
    }

    /// How far below its target a value is still "close" (amber): 5 percentage points, or
    /// 0.3 of a point for the score.
    pub fn close_margin(self) -> u32 {
        if self.is_score() { 3 } else { 50 }
    }

    /// Its target under `targets`, in tenths (of a percent, or of a point).
    pub fn target(self, targets: &Targets) -> Option<u32> {
        match self {
            Kpi::VisitCompletion => targets.visit_completion,
            Kpi::OnTime => targets.on_time,
            Kpi::Satisfaction => targets.satisfaction,
            Kpi::ProblemResolution => targets.problem_resolution,
            Kpi::ComplaintTimeliness => targets.complaint_timeliness,
            Kpi::RepairTimeliness => targets.repair_timeliness,
            Kpi::ContactSuccess => targets.contact_success,
            Kpi::AverageScore => targets.average_score,
        }
    }

    /// Its value for `rate`, in tenths: of a percent (667 is 66.7 %), or for the score of a
    /// point (43 is 4.3); `None` when nothing was counted.
    pub fn value(self, rate: Rate) -> Option<u32> {
        if self.is_score() {
            let (n, d) = (u64::from(rate.numerator), u64::from(rate.denominator));
            (d > 0).then(|| ((n * 10 + d / 2) / d) as u32)
        } else {
            rate.tenths_of_percent()
        }
    }

    /// `66.7%` or `4.3`, or `—` when nothing was counted (integer arithmetic only).
    pub fn format(self, rate: Rate) -> String {
        self.value(rate)
            .map_or_else(|| "—".into(), |v| self.format_tenths(v))
    }

    /// A value in tenths written as this KPI's: `66.7%` or `4.3`.
    pub fn format_tenths(self, v: u32) -> String {
        if self.is_score() {
            tenths(v)
        } else {
            format!("{}%", tenths(v))
        }
    }

    /// A target in tenths written as the value is: `90%`, `95.5%`, `4.5`.
    pub fn format_target(self, target: u32) -> String {
        if self.is_score() {
            tenths(target)
        } else if target.is_multiple_of(10) {
            format!("{}%", target / 10)
        } else {
            format!("{}%", tenths(target))
        }
    }

    /// Where `rate` stands against `target`; `None` when nothing was counted or there is no
    /// target.
    pub fn status(self, rate: Rate, target: Option<u32>) -> Option<TargetStatus> {
        let (value, target) = (self.value(rate)?, target?);
        Some(if value >= target {
            TargetStatus::AtOrAbove
        } else if value + self.close_margin() >= target {
            TargetStatus::Close
        } else {
            TargetStatus::Below
        })
    }
}

fn tenths(v: u32) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// Where a figure stands against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetStatus {
    /// 未达标 (red).
    Below,
    /// 接近目标: within [`Kpi::close_margin`] below it (amber).
    Close,
    /// 达标 (green).
    AtOrAbove,
}

impl TargetStatus {
    /// The stable spelling (CSS classes, test ids).
    pub fn code(self) -> &'static str {
        match self {
            TargetStatus::Below => "below",
            TargetStatus::Close => "close",
            TargetStatus::AtOrAbove => "met",
        }
    }

    /// In Chinese, for exports.
    pub fn zh(self) -> &'static str {
        match self {
            TargetStatus::Below => "未达标",
            TargetStatus::Close => "接近目标",
            TargetStatus::AtOrAbove => "达标",
        }
    }
}

/// The record one counted unit stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A customer due for visits: the items due for them in the period, `done` of them done.
    Customer {
        /// Items due.
        due: u32,
        /// Of them done (on time or late).
        done: u32,
    },
    /// A follow-up item: its rule (index into [`KpiLedger::rule_id`]), due time and status.
    Item {
        /// The rule's index in the profile.
        rule: u16,
        /// When it was due (China local time).
        due: NaiveDateTime,
        /// Its status at the ledger's "now".
        status: ItemStatus,
    },
    /// A visit record and its rating.
    Visit {
        /// The visit.
        id: VisitId,
        /// Its channel.
        channel: Channel,
        /// Its rating, if the customer was reached and rated.
        satisfaction: Option<Satisfaction>,
    },
    /// A complaint and whether (when) it was closed.
    Complaint {
        /// The complaint.
        id: ComplaintId,
        /// The end of its clock (China local time).
        deadline: NaiveDateTime,
        /// When it was closed (China local time).
        closed: Option<NaiveDateTime>,
    },
    /// An open issue and where it stands.
    Issue {
        /// The issue.
        id: IssueId,
        /// Where it stands now.
        status: IssueStatus,
    },
}

/// One unit a KPI counted in a period: the denominator counts it, the numerator its `weight`
/// when `hit` (1 for a rate; the rating's points for the average score).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// Whose record.
    pub customer: CustomerId,
    /// The technician it counts for: the customer's for items, customers, complaints and
    /// issues; the one who made it for a visit.
    pub technician: UserId,
    /// The day that put it in the period (due, visited, received, reported).
    pub on: NaiveDate,
    /// What it is.
    pub record: Record,
    /// Whether it counts in the numerator.
    pub hit: bool,
    /// Its weight in the numerator when it does.
    pub weight: u32,
}

/// One KPI for one period: the units it counted, and its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpiFigure {
    /// Which KPI.
    pub kpi: Kpi,
    /// Everything counted, in a stable order (by day, then customer).
    pub counted: Vec<Counted>,
    /// Its target, in tenths.
    pub target: Option<u32>,
}

impl KpiFigure {
    /// The figure over everything counted.
    pub fn rate(&self) -> Rate {
        self.rate_where(|_| true)
    }

    /// The figure over the units `keep` accepts (one technician, a team).
    pub fn rate_where(&self, keep: impl Fn(&Counted) -> bool) -> Rate {
        self.counted
            .iter()
            .filter(|c| keep(c))
            .fold(Rate::default(), |r, c| Rate {
                numerator: r.numerator + if c.hit { c.weight } else { 0 },
                denominator: r.denominator + 1,
            })
    }

    /// Where `rate` (this figure's or a cut of it) stands against the target.
    pub fn status(&self, rate: Rate) -> Option<TargetStatus> {
        self.kpi.status(rate, self.target)
    }
}

impl Unit {
    /// In Chinese, for exports.
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Customers => "客户",
            Unit::Items => "回访事项",
            Unit::Visits => "回访",
            Unit::Complaints => "投诉",
            Unit::Issues => "遗留问题",
        }
    }
}

/// Whose figures: the organisation's, a team's or one technician's. 统计范围
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut<'c> {
    /// 全机构: everything counted.
    Organisation,
    /// 班组: what counts for these technicians.
    Team(&'c [UserId]),
    /// 技术员
    Technician(UserId),
}

impl Cut<'_> {
    /// Whether `c` counts in this cut.
    pub fn keeps(&self, c: &Counted) -> bool {
        match self {
            Cut::Organisation => true,
            Cut::Team(ids) => ids.contains(&c.technician),
            Cut::Technician(id) => c.technician == *id,
        }
    }

    /// In Chinese, for exports.
    pub fn zh(&self) -> &'static str {
        match self {
            Cut::Organisation => "全机构",
            Cut::Team(_) => "班组",
            Cut::Technician(_) => "技术员",
        }
    }
}

impl KpiFigure {
    /// The figure in `cut`.
    pub fn rate_in(&self, cut: &Cut<'_>) -> Rate {
        self.rate_where(|c| cut.keeps(c))
    }
}

/// The records a report counts, as stored (the desk's IndexedDB, the server's tables).
#[derive(Clone, Copy)]
pub struct Records<'a> {
    /// Customers.
    pub customers: &'a [Customer],
    /// Recorded lifecycle events.
    pub events: &'a [CustomerEvent],
    /// Complaints.
    pub complaints: &'a [Complaint],
    /// Open issues (遗留问题).
    pub issues: &'a [OpenIssue],
    /// Visit records.
    pub visits: &'a [VisitRecord],
}

/// A follow-up item as the ledger keeps it.
struct ItemLine {
    customer: CustomerId,
    technician: UserId,
    rule: u16,
    due: NaiveDateTime,
    status: ItemStatus,
    repair: bool,
}

/// The records read once for counting KPIs over any period at one "now": the policy engine's
/// items (every item it made, done or not), the visits, complaints (each with its clock's end)
/// and issues, each with the technician it counts for.
pub struct KpiLedger<'a> {
    records: Records<'a>,
    items: Vec<ItemLine>,
    owner: FxHashMap<CustomerId, UserId>,
    complaint_clock: Offset,
    calendar: WorkCalendar,
    targets: Targets,
    rules: Vec<String>,
    repair_rules: bool,
    now: NaiveDateTime,
}

/// The complaint clock when neither the targets nor a complaint rule set one: track the
/// handling result within 72 hours (002 §1, §5).
pub const DEFAULT_COMPLAINT_CLOCK: Offset = Offset {
    amount: 72,
    unit: crate::policy::OffsetUnit::Hours,
};

impl<'a> KpiLedger<'a> {
    /// Runs the organisation's policy over `records` at `now`.
    pub fn new(policy: &OrgPolicy, records: Records<'a>, now: DateTime<Utc>) -> KpiLedger<'a> {
        let input = recorded_input(
            records.customers,
            records.events,
            records.complaints,
            records.visits,
        );
        let all = agenda(
            &policy.profile,
            &policy.calendar,
            &input,
            now,
            Horizon::default(),
        );
        let owner: FxHashMap<CustomerId, UserId> = records
            .customers
            .iter()
            .map(|c| (c.id, c.technician_id))
            .collect();
        let items = all
            .items_unordered()
            .iter()
            .filter_map(|item| {
                Some(ItemLine {
                    customer: item.customer.id,
                    technician: *owner.get(&item.customer.id)?,
                    rule: item.rule_index,
                    due: item.due(),
                    status: item.status,
                    repair: is_repair(item.follow_up_rule()),
                })
            })
            .collect();
        let profile = &policy.profile;
        let complaint_clock = profile.targets.complaint_clock.unwrap_or_else(|| {
            profile
                .rules
                .iter()
                .find(|r| r.start == RuleStart::Event(Trigger::ComplaintReceived))
                .map_or(DEFAULT_COMPLAINT_CLOCK, |r| r.due)
        });
        KpiLedger {
            records,
            items,
            owner,
            complaint_clock,
            calendar: policy.calendar.clone(),
            targets: profile.targets.clone(),
            rules: profile.rules.iter().map(|r| r.id.clone()).collect(),
            repair_rules: profile.rules.iter().any(is_repair),
            now: local(now),
        }
    }

    /// The id of the rule at `index` in the profile (an item's [`Record::Item`]).
    pub fn rule_id(&self, index: u16) -> &str {
        self.rules
            .get(usize::from(index))
            .map_or("", String::as_str)
    }

    /// The clock a complaint is closed within to count as handled on time.
    pub fn complaint_clock(&self) -> Offset {
        self.complaint_clock
    }

    /// Whether the policy has a rule for attending a fault on site, which 维修及时率 counts;
    /// without one there is nothing to count it on.
    pub fn counts_repairs(&self) -> bool {
        self.repair_rules
    }

    /// The targets the figures are held to.
    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// Every KPI for `period`, in [`Kpi::ALL`]'s order.
    pub fn figures(&self, period: Period) -> Vec<KpiFigure> {
        Kpi::ALL.iter().map(|&k| self.figure(k, period)).collect()
    }

    /// One KPI for `period`.
    pub fn figure(&self, kpi: Kpi, period: Period) -> KpiFigure {
        let mut counted = match kpi {
            Kpi::VisitCompletion => self.customers_due(period),
            Kpi::OnTime => self.items_due(period, |_| true),
            Kpi::RepairTimeliness => self.items_due(period, |i| i.repair),
            Kpi::Satisfaction => self.customers_rated(period),
            Kpi::AverageScore => self
                .visits_in(period)
                .filter_map(|(v, on)| {
                    let s = v.satisfaction.filter(|_| v.reach.is_reached())?;
                    Some(visit_counted(v, on, true, score(s)))
                })
                .collect(),
            Kpi::ContactSuccess => self
                .visits_in(period)
                .map(|(v, on)| visit_counted(v, on, v.reach.is_reached(), 1))
                .collect(),
            Kpi::ComplaintTimeliness => self.complaints_due(period),
            Kpi::ProblemResolution => self.issues_reported(period),
        };
        sort_stably(&mut counted, |c| (c.on, c.customer.0));
        KpiFigure {
            kpi,
            counted,
            target: kpi.target(&self.targets),
        }
    }

    /// Items due in the period that count by now: due already, or done early.
    fn counted_items(&self, period: Period) -> impl Iterator<Item = &ItemLine> + '_ {
        self.items.iter().filter(move |i| {
            period.contains(i.due.date()) && (i.due <= self.now || i.status.is_done())
        })
    }

    fn items_due(&self, period: Period, keep: impl Fn(&ItemLine) -> bool) -> Vec<Counted> {
        self.counted_items(period)
            .filter(|i| keep(i))
            .map(|i| Counted {
                customer: i.customer,
                technician: i.technician,
                on: i.due.date(),
                record: Record::Item {
                    rule: i.rule,
                    due: i.due,
                    status: i.status,
                },
                hit: i.status == ItemStatus::Done,
                weight: 1,
            })
            .collect()
    }

    /// 004's unit is the customer: one due for any item in the period, visited when every
    /// such item was done (on time or late).
    fn customers_due(&self, period: Period) -> Vec<Counted> {
        let mut by_customer: FxHashMap<CustomerId, Counted> = FxHashMap::default();
        for i in self.counted_items(period) {
            let c = by_customer.entry(i.customer).or_insert(Counted {
                customer: i.customer,
                technician: i.technician,
                on: i.due.date(),
                record: Record::Customer { due: 0, done: 0 },
                hit: true,
                weight: 1,
            });
            c.on = c.on.max(i.due.date());
            if let Record::Customer { due, done } = &mut c.record {
                *due += 1;
                *done += u32::from(i.status.is_done());
            }
            c.hit &= i.status.is_done();
        }
        by_customer.into_values().collect()
    }

    /// Visits made in the period, amendments left out (they correct a visit, they are not
    /// another one), with their China date.
    fn visits_in(&self, period: Period) -> impl Iterator<Item = (&'a VisitRecord, NaiveDate)> {
        self.records.visits.iter().filter_map(move |v| {
            let on = china_date(v.visited_at);
            (v.amends.is_none() && period.contains(on)).then_some((v, on))
        })
    }

    /// 004's unit is the customer: each customer rated in the period counts once, by their
    /// latest rating there.
    fn customers_rated(&self, period: Period) -> Vec<Counted> {
        let mut latest: FxHashMap<CustomerId, (&VisitRecord, NaiveDate)> = FxHashMap::default();
        for (v, on) in self.visits_in(period) {
            if v.satisfaction.is_none() || !v.reach.is_reached() {
                continue;
            }
            let e = latest.entry(v.customer_id).or_insert((v, on));
            if (v.visited_at, v.id.0) > (e.0.visited_at, e.0.id.0) {
                *e = (v, on);
            }
        }
        latest
            .into_values()
            .map(|(v, on)| {
                let satisfied = v.satisfaction.is_some_and(Satisfaction::is_satisfied);
                visit_counted(v, on, satisfied, 1)
            })
            .collect()
    }

    /// Complaints received in the period that count by now: closed, or past their clock.
    fn complaints_due(&self, period: Period) -> Vec<Counted> {
        self.records
            .complaints
            .iter()
            .filter_map(|c| {
                let received = local(c.received_at);
                if !period.contains(received.date()) {
                    return None;
                }
                let deadline = self.complaint_clock.closes_after(received, &self.calendar);
                let closed = c.closed_at.map(local);
                if closed.is_none() && deadline > self.now {
                    return None;
                }
                Some(Counted {
                    customer: c.customer_id,
                    technician: self
                        .owner
                        .get(&c.customer_id)
                        .copied()
                        .unwrap_or(c.taken_by),
                    on: received.date(),
                    record: Record::Complaint {
                        id: c.id,
                        deadline,
                        closed,
                    },
                    hit: closed.is_some_and(|at| at < deadline),
                    weight: 1,
                })
            })
            .collect()
    }

    /// Issues reported in the period; resolved when 已解决 or 已关闭 now.
    fn issues_reported(&self, period: Period) -> Vec<Counted> {
        self.records
            .issues
            .iter()
            .filter_map(|i| {
                let on = china_date(i.reported_at);
                period.contains(on).then(|| Counted {
                    customer: i.customer_id,
                    technician: self
                        .owner
                        .get(&i.customer_id)
                        .copied()
                        .unwrap_or(i.reported_by),
                    on,
                    record: Record::Issue {
                        id: i.id,
                        status: i.status,
                    },
                    hit: i.status >= IssueStatus::Resolved,
                    weight: 1,
                })
            })
            .collect()
    }
}

/// A rule attending a reported fault on site (003 §五: 到达现场维修).
fn is_repair(rule: &FollowUpRule) -> bool {
    rule.channel == Some(Channel::OnSite)
        && matches!(
            rule.start,
            RuleStart::Event(Trigger::FaultReported | Trigger::EmergencyFaultReported)
        )
}

fn visit_counted(v: &VisitRecord, on: NaiveDate, hit: bool, weight: u32) -> Counted {
    Counted {
        customer: v.customer_id,
        technician: v.technician_id,
        on,
        record: Record::Visit {
            id: v.id,
            channel: v.channel,
            satisfaction: v.satisfaction,
        },
        hit,
        weight,
    }
}

/// The 5-level scale as points: 非常满意 5 … 非常不满意 1.
pub fn score(s: Satisfaction) -> u32 {
    match s {
        Satisfaction::VerySatisfied => 5,
        Satisfaction::Satisfied => 4,
        Satisfaction::Neutral => 3,
        Satisfaction::Dissatisfied => 2,
        Satisfaction::VeryDissatisfied => 1,
    }
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&china()).naive_local()
}

#[cfg(test)]
mod tests;
