//! The report page's words, zh-CN first and English, kept with the page rather than in the
//! shared `i18n` tables: only the desk shows them, so the field app's bundle carries none.

use revisit_domain::{
    kpi::{Kpi, PeriodKind},
    policy::Offset,
};

use crate::i18n::Lang;

/// Every string of the report page in one language.
pub(super) struct ReportTexts {
    pub(super) lang: Lang,
    pub(super) title: &'static str,
    pub(super) colon: &'static str,
    pub(super) organisation: &'static str,
    pub(super) period: &'static str,
    pub(super) made_at: &'static str,
    pub(super) policy: &'static str,
    pub(super) kinds: [&'static str; 5],
    pub(super) previous: &'static str,
    pub(super) next: &'static str,
    pub(super) current: &'static str,
    pub(super) from: &'static str,
    pub(super) to: &'static str,
    pub(super) export_csv: &'static str,
    pub(super) print: &'static str,
    pub(super) click_hint: &'static str,
    pub(super) file_name: &'static str,
    /// In [`Kpi::ALL`]'s order.
    pub(super) names: [&'static str; 8],
    /// What each KPI counts, in [`Kpi::ALL`]'s order; `{clock}` is the complaint clock.
    pub(super) definitions: [&'static str; 8],
    pub(super) no_repair_rules: &'static str,
    pub(super) target: &'static str,
    pub(super) no_target: &'static str,
    pub(super) no_target_status: &'static str,
    pub(super) no_data: &'static str,
    pub(super) below: &'static str,
    pub(super) close: &'static str,
    pub(super) met: &'static str,
    pub(super) unit_customers: &'static str,
    pub(super) unit_items: &'static str,
    pub(super) unit_visits: &'static str,
    pub(super) unit_complaints: &'static str,
    pub(super) unit_issues: &'static str,
    pub(super) points: &'static str,
    pub(super) ratings: &'static str,
    pub(super) by_technician: &'static str,
    pub(super) by_team: &'static str,
    pub(super) team: &'static str,
    pub(super) people: &'static str,
    pub(super) visits: &'static str,
    pub(super) period_visits: &'static str,
    pub(super) no_visits: &'static str,
    pub(super) trends: &'static str,
    pub(super) behind: &'static str,
    pub(super) date: &'static str,
    pub(super) customer: &'static str,
    pub(super) record: &'static str,
    pub(super) in_numerator: &'static str,
    pub(super) counted_yes: &'static str,
    pub(super) counted_no: &'static str,
    pub(super) more: &'static str,
    pub(super) due: &'static str,
    pub(super) deadline: &'static str,
    pub(super) closed: &'static str,
    pub(super) still_open: &'static str,
    pub(super) not_reached: &'static str,
    pub(super) items_due: &'static str,
    pub(super) items_done: &'static str,
    pub(super) issue_open: &'static str,
    pub(super) issue_resolved: &'static str,
    pub(super) issue_closed: &'static str,
}

/// 简体中文
pub(super) const ZH: ReportTexts = ReportTexts {
    lang: Lang::ZhCn,
    title: "回访报表",
    colon: "：",
    organisation: "机构",
    period: "统计周期",
    made_at: "生成时间",
    policy: "回访策略",
    kinds: ["日", "周", "月", "季度", "自定义"],
    previous: "‹ 上一期",
    next: "下一期 ›",
    current: "本期",
    from: "起",
    to: "止",
    export_csv: "导出 CSV",
    print: "打印",
    click_hint: "点击指标卡片查看计入的记录",
    file_name: "回访报表",
    names: [
        "回访完成率",
        "按时完成率",
        "客户满意度",
        "问题解决率",
        "投诉处理及时率",
        "维修及时率",
        "回访成功率",
        "平均满意度得分",
    ],
    definitions: [
        "本期有回访到期的客户中，到期回访全部完成（含逾期完成）的客户",
        "本期到期的回访事项中，在时限内完成的事项",
        "本期有评价的客户中，最近一次评价为非常满意或满意的客户",
        "本期登记的遗留问题中，已解决或已关闭的问题",
        "本期收到的投诉中，{clock}内结案的投诉（未结案且未超时的不计）",
        "本期到期的故障上门事项中，按时到场的事项",
        "本期全部回访（含空号、错号）中，联系上客户的回访",
        "本期有评价的回访的平均分（非常满意 5 分 … 非常不满意 1 分）",
    ],
    no_repair_rules: "当前回访策略没有故障上门规则，无从统计",
    target: "目标",
    no_target: "未设目标",
    no_target_status: "无目标",
    no_data: "无数据",
    below: "未达标",
    close: "接近目标",
    met: "达标",
    unit_customers: "位客户",
    unit_items: "项回访",
    unit_visits: "次回访",
    unit_complaints: "件投诉",
    unit_issues: "个问题",
    points: "分",
    ratings: "次评价",
    by_technician: "按技术员",
    by_team: "按班组",
    team: "班组",
    people: "人数",
    visits: "回访次数",
    period_visits: "本期回访记录",
    no_visits: "本期暂无回访记录",
    trends: "近 12 期趋势",
    behind: "计入的记录",
    date: "日期",
    customer: "客户",
    record: "记录",
    in_numerator: "计入分子",
    counted_yes: "✔ 是",
    counted_no: "✘ 否",
    more: "另有 {n} 条未列出（见导出）",
    due: "应回访",
    deadline: "时限",
    closed: "结案",
    still_open: "未结案",
    not_reached: "未联系上",
    items_due: "到期",
    items_done: "完成",
    issue_open: "待处理",
    issue_resolved: "已解决",
    issue_closed: "已关闭",
};

/// English
pub(super) const EN: ReportTexts = ReportTexts {
    lang: Lang::En,
    title: "Visit report",
    colon: ": ",
    organisation: "Organisation",
    period: "Period",
    made_at: "Made",
    policy: "Policy",
    kinds: ["Day", "Week", "Month", "Quarter", "Range"],
    previous: "‹ Previous",
    next: "Next ›",
    current: "Current",
    from: "From",
    to: "To",
    export_csv: "Export CSV",
    print: "Print",
    click_hint: "Click a KPI to list the records it counted",
    file_name: "visit-report",
    names: [
        "Visit completion",
        "On-time completion",
        "Customer satisfaction",
        "Problem resolution",
        "Complaints handled on time",
        "Repairs on time",
        "Visit success",
        "Average satisfaction score",
    ],
    definitions: [
        "Customers with visits due in the period whose due visits were all made (late ones too)",
        "Follow-up items due in the period that were done within their window",
        "Customers rated in the period whose latest rating was very satisfied or satisfied",
        "Open issues reported in the period that are resolved or closed",
        "Complaints received in the period closed within {clock} (open ones still within it not counted)",
        "On-site fault calls due in the period that were attended in time",
        "Visits in the period (blank and wrong numbers included) that reached the customer",
        "Mean rating of the visits rated in the period (very satisfied 5 … very dissatisfied 1)",
    ],
    no_repair_rules: "The policy has no on-site fault rule: nothing to count",
    target: "Target",
    no_target: "No target set",
    no_target_status: "No target",
    no_data: "No data",
    below: "Below target",
    close: "Close to target",
    met: "Target met",
    unit_customers: "customers",
    unit_items: "items",
    unit_visits: "visits",
    unit_complaints: "complaints",
    unit_issues: "issues",
    points: "points",
    ratings: "ratings",
    by_technician: "By technician",
    by_team: "By team",
    team: "Team",
    people: "People",
    visits: "Visits",
    period_visits: "Visits in the period",
    no_visits: "No visits in this period",
    trends: "Last 12 periods",
    behind: "Records counted",
    date: "Date",
    customer: "Customer",
    record: "Record",
    in_numerator: "In numerator",
    counted_yes: "✔ yes",
    counted_no: "✘ no",
    more: "{n} more not listed (see the export)",
    due: "due",
    deadline: "clock ends",
    closed: "closed",
    still_open: "still open",
    not_reached: "not reached",
    items_due: "due",
    items_done: "done",
    issue_open: "Open",
    issue_resolved: "Resolved",
    issue_closed: "Closed",
};

/// The texts in `lang`.
pub(super) fn texts(lang: Lang) -> &'static ReportTexts {
    match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    }
}

fn position(kpi: Kpi) -> usize {
    Kpi::ALL.iter().position(|&k| k == kpi).unwrap_or(0)
}

impl ReportTexts {
    /// A KPI's name.
    pub(super) fn name(&self, kpi: Kpi) -> &'static str {
        self.names[position(kpi)]
    }

    /// What a KPI counts, with the organisation's complaint clock.
    pub(super) fn definition(&self, kpi: Kpi, clock: Offset) -> String {
        let clock = match self.lang {
            Lang::ZhCn => clock.zh(),
            Lang::En => clock.to_string(),
        };
        self.definitions[position(kpi)].replace("{clock}", &clock)
    }

    /// A kind of period.
    pub(super) fn kind(&self, kind: PeriodKind) -> &'static str {
        let i = PeriodKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        self.kinds[i]
    }

    /// The heading of the records behind a KPI.
    pub(super) fn behind_title(&self, kpi: Kpi) -> String {
        format!("{} · {}", self.name(kpi), self.behind)
    }

    /// "另有 3 条未列出".
    pub(super) fn more_records(&self, n: usize) -> String {
        self.more.replace("{n}", &n.to_string())
    }

    /// A customer's items: "到期 2 · 完成 1".
    pub(super) fn customer_items(&self, due: u32, done: u32) -> String {
        format!("{} {due} · {} {done}", self.items_due, self.items_done)
    }
}
