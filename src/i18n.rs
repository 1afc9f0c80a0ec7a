//! Interface language: zh-CN by default, English on request; every UI string lives here.

mod en;
mod zh_cn;

use revisit_domain::{
    Channel, Reach, Satisfaction,
    complaint::{ComplaintChannel, ComplaintStatus, Severity},
    policy::{self, ItemStatus, VisitLevel},
    problem::ProblemCategory,
    wire::{ErrorCode, RecordKind, RejectCode, Role},
};

use crate::sync::{Problem, SyncError};

/// A language the interface speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (default).
    ZhCn,
    /// English.
    En,
}

impl Lang {
    /// The `lang` attribute value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a stored code; anything unknown is Chinese.
    pub fn from_code(code: &str) -> Lang {
        if code == "en" { Lang::En } else { Lang::ZhCn }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// The language of the policy engine's explanations.
    pub fn policy(self) -> policy::Lang {
        match self {
            Lang::ZhCn => policy::Lang::Zh,
            Lang::En => policy::Lang::En,
        }
    }

    /// All strings in this language.
    pub fn t(self) -> &'static Texts {
        match self {
            Lang::ZhCn => &zh_cn::TEXTS,
            Lang::En => &en::TEXTS,
        }
    }
}

/// Every string the interface shows, one field per message.
#[allow(missing_docs)]
pub struct Texts {
    pub app_name: &'static str,
    pub switch_to: &'static str,
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login: &'static str,
    pub logging_in: &'static str,
    pub login_failed: &'static str,
    pub login_locked: &'static str,
    pub login_needs_network: &'static str,
    pub logout: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub pending: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub sync_now: &'static str,
    pub syncing: &'static str,
    /// Before a first sync's count of records stored so far, "N / total".
    pub sync_progress: &'static str,
    pub nav_agenda: &'static str,
    pub nav_reports: &'static str,
    pub nav_sync: &'static str,
    pub agenda_title: &'static str,
    pub agenda_empty: &'static str,
    pub agenda_later: &'static str,
    /// The button under a long list: (rows it adds, rows still hidden).
    pub show_more: fn(usize, usize) -> String,
    pub agenda_policy: &'static str,
    /// The policy's preferred call windows (宜致电时段), then where now stands against them.
    pub call_windows: &'static str,
    /// Between the items of a list of a few words (、 in Chinese).
    pub list_separator: &'static str,
    pub call_now: &'static str,
    pub call_later: &'static str,
    pub call_over: &'static str,
    pub no_policy: &'static str,
    pub policy_invalid: &'static str,
    pub due_at: &'static str,
    pub deadline: &'static str,
    pub any_channel: &'static str,
    pub needs_correction: &'static str,
    /// The card's mark for an item counted in working days past the calendar's years.
    pub outside_calendar: &'static str,
    /// What that mark means (its tooltip).
    pub outside_calendar_why: &'static str,
    pub vip: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub product: &'static str,
    pub purchased_on: &'static str,
    pub installed_on: &'static str,
    pub repaired_on: &'static str,
    pub complaint: &'static str,
    pub complaint_open: &'static str,
    pub complaint_closed: &'static str,
    pub visit_history: &'static str,
    pub no_visits: &'static str,
    pub new_visit: &'static str,
    pub channel: &'static str,
    pub satisfaction: &'static str,
    pub reach: &'static str,
    pub reached: &'static str,
    pub blank_number: &'static str,
    pub wrong_number: &'static str,
    pub notes: &'static str,
    pub notes_placeholder: &'static str,
    pub signature: &'static str,
    pub sign_here: &'static str,
    pub clear: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub back: &'static str,
    pub need_satisfaction: &'static str,
    pub need_signature: &'static str,
    /// The visit form opened on a kept draft.
    pub draft_restored: &'static str,
    /// Throws a kept draft away.
    pub discard: &'static str,
    /// Asked before logging out while changes wait to sync.
    pub logout_pending: &'static str,
    pub save_failed: &'static str,
    pub technician: &'static str,
    pub all_technicians: &'static str,
    pub sync_title: &'static str,
    pub outbox: &'static str,
    pub rejected: &'static str,
    pub none: &'static str,
    pub cursor: &'static str,
    pub device: &'static str,
    pub loading: &'static str,
    pub not_found: &'static str,
    pub storage_error: &'static str,
    pub session_expired: &'static str,
    /// Visit kinds of the policy profiles (`kind` in a rule), by code.
    pub visit_kinds: &'static [(&'static str, &'static str)],
    pub level_1: &'static str,
    pub level_2: &'static str,
    pub level_3: &'static str,
    pub overdue: &'static str,
    pub due: &'static str,
    pub upcoming: &'static str,
    pub done: &'static str,
    pub done_late: &'static str,
    pub ch_phone: &'static str,
    pub ch_on_site: &'static str,
    pub very_satisfied: &'static str,
    pub satisfied: &'static str,
    pub neutral: &'static str,
    pub dissatisfied: &'static str,
    pub very_dissatisfied: &'static str,
    pub role_technician: &'static str,
    pub role_manager: &'static str,
    pub role_admin: &'static str,
    pub role_service_assistant: &'static str,
    pub role_supervisor: &'static str,
    pub role_director: &'static str,
    /// The words for each error code the server sends.
    pub error_code: fn(ErrorCode) -> &'static str,
    /// The words for each reason the server refuses a change for good.
    pub reject_code: fn(RejectCode) -> &'static str,
    /// The words for what can go wrong on this side of an exchange.
    pub problem: fn(Problem) -> &'static str,
    /// The name of each kind of record.
    pub record_kind: fn(RecordKind) -> &'static str,
    pub open_desk: &'static str,
    pub desk_name: &'static str,
    pub use_field_app: &'static str,
    pub nav_customers: &'static str,
    pub nav_complaints: &'static str,
    /// The desk's policy page.
    pub nav_policy: &'static str,
    pub search_placeholder: &'static str,
    pub all_tiers: &'static str,
    pub normal_tier: &'static str,
    pub found: fn(usize) -> String,
    pub new_customer: &'static str,
    pub edit_customer: &'static str,
    pub field_required: fn(&str) -> String,
    pub field_invalid: fn(&str) -> String,
    pub nothing_changed: &'static str,
    pub events: &'static str,
    pub record_event: &'static str,
    pub complaints: &'static str,
    pub complaint_channel: &'static str,
    pub category: &'static str,
    pub severity: &'static str,
    pub handled_by: &'static str,
    pub record_complaint: &'static str,
    pub close_needs_cause: &'static str,
    pub waited_hours: fn(i64) -> String,
    pub cause: &'static str,
    pub corrective_action: &'static str,
    pub mark_replied: &'static str,
    pub close_complaint: &'static str,
    /// A form field's label, by the name the domain gives it in its errors.
    pub field_labels: fn(&str) -> &'static str,
    pub needs_network: &'static str,
    pub change_password: &'static str,
    pub must_change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub new_password_again: &'static str,
    pub password_too_short: fn(usize) -> String,
    pub passwords_differ: &'static str,
    pub password_changed: &'static str,
    pub wrong_current_password: &'static str,
    pub retry: &'static str,
    pub refused_in_org: &'static str,
    pub as_sent: &'static str,
    pub conflicts: &'static str,
    pub record: &'static str,
    pub field: &'static str,
    pub replaced_value: &'static str,
    pub kept_value: &'static str,
    pub restore_replaced: &'static str,
    pub keep_current: &'static str,
    pub complaint_statuses: fn(ComplaintStatus) -> &'static str,
    pub complaint_channels: fn(ComplaintChannel) -> &'static str,
    pub categories: fn(ProblemCategory) -> &'static str,
    pub severities: fn(Severity) -> &'static str,
}

impl Texts {
    /// A visit channel's name.
    pub fn channel(&self, c: Channel) -> &'static str {
        match c {
            Channel::Phone => self.ch_phone,
            Channel::OnSite => self.ch_on_site,
        }
    }

    /// Whether a call reached the customer (空号/错号 when not).
    pub fn reach_result(&self, r: Reach) -> &'static str {
        match r {
            Reach::Reached => self.reached,
            Reach::BlankNumber => self.blank_number,
            Reach::WrongNumber => self.wrong_number,
        }
    }

    /// A satisfaction level's name (the policies' five words).
    pub fn satisfaction(&self, s: Satisfaction) -> &'static str {
        match s {
            Satisfaction::VerySatisfied => self.very_satisfied,
            Satisfaction::Satisfied => self.satisfied,
            Satisfaction::Neutral => self.neutral,
            Satisfaction::Dissatisfied => self.dissatisfied,
            Satisfaction::VeryDissatisfied => self.very_dissatisfied,
        }
    }

    /// A rule's visit kind (回访类型) by its code; a code this list lacks is shown as it is.
    pub fn visit_kind<'a>(&self, code: &'a str) -> &'a str {
        self.visit_kinds
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, name)| name)
    }

    /// A follow-up item's status, in the policies' words.
    pub fn status(&self, s: ItemStatus) -> &'static str {
        match s {
            ItemStatus::Overdue => self.overdue,
            ItemStatus::Due => self.due,
            ItemStatus::Upcoming => self.upcoming,
            ItemStatus::Done => self.done,
            ItemStatus::DoneLate => self.done_late,
        }
    }

    /// Who visits: 一级 / 二级 / 三级回访 (000 §O).
    pub fn level(&self, l: VisitLevel) -> &'static str {
        match l {
            VisitLevel::Specialist => self.level_1,
            VisitLevel::Manager => self.level_2,
            VisitLevel::Director => self.level_3,
        }
    }

    /// A role's name.
    pub fn role(&self, r: Role) -> &'static str {
        match r {
            Role::Technician => self.role_technician,
            Role::ServiceAssistant => self.role_service_assistant,
            Role::Supervisor => self.role_supervisor,
            Role::Manager => self.role_manager,
            Role::Director => self.role_director,
            Role::Admin => self.role_admin,
        }
    }

    /// A form field's label.
    pub fn field_label(&self, field: &str) -> &'static str {
        (self.field_labels)(field)
    }

    /// A complaint's status.
    pub fn complaint_status(&self, s: ComplaintStatus) -> &'static str {
        (self.complaint_statuses)(s)
    }

    /// How a complaint came in.
    pub fn complaint_channel_name(&self, c: ComplaintChannel) -> &'static str {
        (self.complaint_channels)(c)
    }

    /// A problem category.
    pub fn category_name(&self, c: ProblemCategory) -> &'static str {
        (self.categories)(c)
    }

    /// A complaint's severity.
    pub fn severity_name(&self, s: Severity) -> &'static str {
        (self.severities)(s)
    }

    /// A failed sync or request, in this language (the details stay in the console).
    pub fn sync_error(&self, e: &SyncError) -> String {
        match e {
            SyncError::Offline(_) => self.offline.to_string(),
            SyncError::Unauthorized => self.session_expired.to_string(),
            SyncError::Server { code, .. } => (self.error_code)(*code).to_string(),
            SyncError::Protocol { problem, .. } => (self.problem)(*problem).to_string(),
            SyncError::Storage(s) => format!("{}: {s}", self.storage_error),
        }
    }
}
