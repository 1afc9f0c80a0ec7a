//! Complaints (投诉, 《客户投诉处理单》): recorded when received, owned by whoever took them first
//! (首问负责制), routed by severity, replied to and closed with their cause and corrective
//! action. Each starts the policy's complaint rules (received, closed).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    edit::{Edit, EditError, Editable, FieldChange},
    ids::{ComplaintId, CustomerId, UserId},
    policy::{LifecycleEvent, Trigger},
    problem::ProblemCategory,
    validate,
    wire::Role,
};

/// A complaint. 投诉
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// Identifier made where it was recorded (UUIDv7).
    pub id: ComplaintId,
    /// Who complained.
    pub customer_id: CustomerId,
    /// When it was received. 投诉时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub received_at: DateTime<Utc>,
    /// How it came in. 投诉渠道
    pub channel: ComplaintChannel,
    /// What it is about. 投诉类别
    pub category: ProblemCategory,
    /// How serious it is; sets who handles it. 投诉级别
    pub severity: Severity,
    /// What the customer complained about. 投诉内容
    pub summary: String,
    /// Who took it first, and owns it to the end (首问负责人); set once.
    pub taken_by: UserId,
    /// Who handles it now, when assigned. 处理人
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<UserId>,
    /// Where it stands; only moves forward. 处理状态
    pub status: ComplaintStatus,
    /// When the customer was first given a reply. 首次答复时间
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub replied_at: Option<DateTime<Utc>>,
    /// When it was closed (结案时间).
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub closed_at: Option<DateTime<Utc>>,
    /// The root cause found. 原因分析
    #[serde(default)]
    pub cause: String,
    /// What was done, and what prevents it happening again. 纠正与预防措施
    #[serde(default)]
    pub corrective_action: String,
}

/// How a complaint came in. 投诉渠道
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintChannel {
    /// 电话
    Phone,
    /// 信函
    Letter,
    /// 网络
    Online,
    /// 来访
    InPerson,
}

impl ComplaintChannel {
    /// Every channel, in the order a form lists them.
    pub const ALL: [ComplaintChannel; 4] = [
        ComplaintChannel::Phone,
        ComplaintChannel::Letter,
        ComplaintChannel::Online,
        ComplaintChannel::InPerson,
    ];

    /// The stable spelling.
    pub fn code(self) -> &'static str {
        match self {
            ComplaintChannel::Phone => "phone",
            ComplaintChannel::Letter => "letter",
            ComplaintChannel::Online => "online",
            ComplaintChannel::InPerson => "in_person",
        }
    }
}

/// How serious a complaint is (002 §8: 一般 / 重要 / 重大). 投诉级别
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 一般投诉
    General,
    /// 重要投诉
    Important,
    /// 重大投诉
    Major,
}

impl Severity {
    /// Every level, least serious first.
    pub const ALL: [Severity; 3] = [Severity::General, Severity::Important, Severity::Major];

    /// The stable spelling.
    pub fn code(self) -> &'static str {
        match self {
            Severity::General => "general",
            Severity::Important => "important",
            Severity::Major => "major",
        }
    }

    /// Who handles a complaint of this level (002 §8): general → 客服专员, important → 主管,
    /// major → 经理.
    pub fn handled_by(self) -> Role {
        match self {
            Severity::General => Role::ServiceAssistant,
            Severity::Important => Role::Supervisor,
            Severity::Major => Role::Manager,
        }
    }
}

/// Where a complaint stands; it only moves forward. 处理状态
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    /// 待处理
    Open,
    /// 已答复: the customer has had a reply, handling goes on.
    Replied,
    /// 已结案
    Closed,
}

/// One change of one field of a complaint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ComplaintChange {
    /// 投诉对象 (set once)
    Customer(CustomerId),
    /// 投诉时间
    ReceivedAt(#[serde(with = "crate::time::serde_as::instant")] DateTime<Utc>),
    /// 投诉渠道
    Channel(ComplaintChannel),
    /// 投诉类别
    Category(ProblemCategory),
    /// 投诉级别
    Severity(Severity),
    /// 投诉内容
    Summary(String),
    /// 首问负责人 (set once)
    TakenBy(UserId),
    /// 处理人
    Assignee(Option<UserId>),
    /// 处理状态 (merges by taking the further state)
    Status(ComplaintStatus),
    /// 首次答复时间
    RepliedAt(#[serde(with = "crate::time::serde_as::option_instant")] Option<DateTime<Utc>>),
    /// 结案时间
    ClosedAt(#[serde(with = "crate::time::serde_as::option_instant")] Option<DateTime<Utc>>),
    /// 原因分析
    Cause(String),
    /// 纠正与预防措施
    CorrectiveAction(String),
}

/// Recording or changing a complaint.
pub type ComplaintEdit = Edit<ComplaintId, ComplaintChange>;

impl FieldChange for ComplaintChange {
    type Record = Complaint;

    fn field(&self) -> &'static str {
        match self {
            ComplaintChange::Customer(_) => "customer",
            ComplaintChange::ReceivedAt(_) => "received_at",
            ComplaintChange::Channel(_) => "channel",
            ComplaintChange::Category(_) => "category",
            ComplaintChange::Severity(_) => "severity",
            ComplaintChange::Summary(_) => "summary",
            ComplaintChange::TakenBy(_) => "taken_by",
            ComplaintChange::Assignee(_) => "assignee",
            ComplaintChange::Status(_) => "status",
            ComplaintChange::RepliedAt(_) => "replied_at",
            ComplaintChange::ClosedAt(_) => "closed_at",
            ComplaintChange::Cause(_) => "cause",
            ComplaintChange::CorrectiveAction(_) => "corrective_action",
        }
    }

    fn apply(&self, c: &mut Complaint) {
        match self {
            ComplaintChange::Customer(v) => c.customer_id = *v,
            ComplaintChange::ReceivedAt(v) => c.received_at = *v,
            ComplaintChange::Channel(v) => c.channel = *v,
            ComplaintChange::Category(v) => c.category = *v,
            ComplaintChange::Severity(v) => c.severity = *v,
            ComplaintChange::Summary(v) => c.summary = v.trim().to_owned(),
            ComplaintChange::TakenBy(v) => c.taken_by = *v,
            ComplaintChange::Assignee(v) => c.assignee = *v,
            ComplaintChange::Status(v) => c.status = c.status.max(*v),
            ComplaintChange::RepliedAt(v) => c.replied_at = *v,
            ComplaintChange::ClosedAt(v) => c.closed_at = *v,
            ComplaintChange::Cause(v) => c.cause = v.trim().to_owned(),
            ComplaintChange::CorrectiveAction(v) => c.corrective_action = v.trim().to_owned(),
        }
    }

    fn current(&self, c: &Complaint) -> ComplaintChange {
        match self {
            ComplaintChange::Customer(_) => ComplaintChange::Customer(c.customer_id),
            ComplaintChange::ReceivedAt(_) => ComplaintChange::ReceivedAt(c.received_at),
            ComplaintChange::Channel(_) => ComplaintChange::Channel(c.channel),
            ComplaintChange::Category(_) => ComplaintChange::Category(c.category),
            ComplaintChange::Severity(_) => ComplaintChange::Severity(c.severity),
            ComplaintChange::Summary(_) => ComplaintChange::Summary(c.summary.clone()),
            ComplaintChange::TakenBy(_) => ComplaintChange::TakenBy(c.taken_by),
            ComplaintChange::Assignee(_) => ComplaintChange::Assignee(c.assignee),
            ComplaintChange::Status(_) => ComplaintChange::Status(c.status),
            ComplaintChange::RepliedAt(_) => ComplaintChange::RepliedAt(c.replied_at),
            ComplaintChange::ClosedAt(_) => ComplaintChange::ClosedAt(c.closed_at),
            ComplaintChange::Cause(_) => ComplaintChange::Cause(c.cause.clone()),
            ComplaintChange::CorrectiveAction(_) => {
                ComplaintChange::CorrectiveAction(c.corrective_action.clone())
            }
        }
    }

    fn monotonic(&self) -> bool {
        matches!(self, ComplaintChange::Status(_))
    }

    fn once(&self) -> bool {
        matches!(
            self,
            ComplaintChange::Customer(_) | ComplaintChange::TakenBy(_)
        )
    }
}

impl Editable for Complaint {
    type Id = ComplaintId;
    type Change = ComplaintChange;

    fn create(id: ComplaintId, changes: &[ComplaintChange]) -> Result<Complaint, EditError> {
        let find = |field: &'static str| changes.iter().find(|c| c.field() == field);
        let mut c = Complaint {
            id,
            customer_id: match find("customer") {
                Some(ComplaintChange::Customer(v)) => *v,
                _ => return Err(EditError::Missing("customer")),
            },
            received_at: match find("received_at") {
                Some(ComplaintChange::ReceivedAt(v)) => *v,
                _ => return Err(EditError::Missing("received_at")),
            },
            channel: ComplaintChannel::Phone,
            category: ProblemCategory::Other,
            severity: Severity::General,
            summary: String::new(),
            taken_by: match find("taken_by") {
                Some(ComplaintChange::TakenBy(v)) => *v,
                _ => return Err(EditError::Missing("taken_by")),
            },
            assignee: None,
            status: ComplaintStatus::Open,
            replied_at: None,
            closed_at: None,
            cause: String::new(),
            corrective_action: String::new(),
        };
        if find("summary").is_none() {
            return Err(EditError::Missing("summary"));
        }
        for change in changes {
            change.apply(&mut c);
        }
        Ok(c)
    }

    fn check(&self) -> Result<(), EditError> {
        self.id
            .check_made()
            .map_err(|e| EditError::invalid("id", e.to_string()))?;
        validate::instant("received_at", self.received_at)?;
        validate::paragraph("summary", &self.summary, validate::LONG_TEXT, true)?;
        validate::paragraph("cause", &self.cause, validate::LONG_TEXT, false)?;
        validate::paragraph(
            "corrective_action",
            &self.corrective_action,
            validate::LONG_TEXT,
            false,
        )?;
        if let Some(at) = self.replied_at {
            validate::instant("replied_at", at)?;
            if at < self.received_at {
                return Err(EditError::invalid(
                    "replied_at",
                    "is before it was received",
                ));
            }
        }
        match (self.status, self.closed_at) {
            (ComplaintStatus::Closed, None) => {
                return Err(EditError::Missing("closed_at"));
            }
            (ComplaintStatus::Closed, Some(at)) => {
                validate::instant("closed_at", at)?;
                if at < self.received_at {
                    return Err(EditError::invalid("closed_at", "is before it was received"));
                }
                if self.cause.trim().is_empty() {
                    return Err(EditError::Missing("cause"));
                }
                if self.corrective_action.trim().is_empty() {
                    return Err(EditError::Missing("corrective_action"));
                }
            }
            (_, Some(_)) => {
                return Err(EditError::invalid(
                    "closed_at",
                    "is set but it is not closed",
                ));
            }
            (_, None) => {}
        }
        Ok(())
    }
}

impl Complaint {
    /// Whether it is still being handled.
    pub fn is_open(&self) -> bool {
        self.status != ComplaintStatus::Closed
    }

    /// Its receipt and, once closed, its closing, as the policy engine reads them.
    pub fn lifecycle(&self) -> impl Iterator<Item = LifecycleEvent> + '_ {
        let received = LifecycleEvent {
            customer_id: self.customer_id,
            kind: Trigger::ComplaintReceived,
            at: self.received_at,
        };
        let closed = self.closed_at.map(|at| LifecycleEvent {
            customer_id: self.customer_id,
            kind: Trigger::ComplaintClosed,
            at,
        });
        std::iter::once(received).chain(closed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{
        edit::{FieldStamps, merge},
        ids::DeviceId,
    };
    use uuid::Uuid;

    pub(crate) fn sample_complaint() -> Complaint {
        let at = crate::time::parse_instant("2026-11-30T02:00:00Z").unwrap();
        Complaint {
            id: ComplaintId(Uuid::parse_str("019ae0a1-7c2e-7d3a-9f1b-2c3d4e5f6a7c").unwrap()),
            customer_id: CustomerId(Uuid::from_u128(1)),
            received_at: at,
            channel: ComplaintChannel::Phone,
            category: ProblemCategory::ProductQuality,
            severity: Severity::Important,
            summary: "净水器漏水".into(),
            taken_by: UserId(Uuid::from_u128(3)),
            assignee: None,
            status: ComplaintStatus::Open,
            replied_at: None,
            closed_at: None,
            cause: String::new(),
            corrective_action: String::new(),
        }
    }

    fn creation(c: &Complaint) -> ComplaintEdit {
        Edit {
            id: c.id,
            base_version: 0,
            changes: vec![
                ComplaintChange::Customer(c.customer_id),
                ComplaintChange::ReceivedAt(c.received_at),
                ComplaintChange::Channel(c.channel),
                ComplaintChange::Category(c.category),
                ComplaintChange::Severity(c.severity),
                ComplaintChange::Summary(c.summary.clone()),
                ComplaintChange::TakenBy(c.taken_by),
            ],
        }
    }

    fn dev(n: u128) -> DeviceId {
        DeviceId(Uuid::from_u128(n))
    }

    #[test]
    fn a_complaint_is_recorded_replied_and_closed_with_its_cause() {
        let c = sample_complaint();
        let made = merge::<Complaint>(None, &creation(&c), dev(1), 1).unwrap();
        assert_eq!(made.record, c);
        let later = c.received_at + chrono::Duration::hours(30);
        let close_without_cause = Edit {
            id: c.id,
            base_version: 1,
            changes: vec![
                ComplaintChange::Status(ComplaintStatus::Closed),
                ComplaintChange::ClosedAt(Some(later)),
            ],
        };
        assert_eq!(
            merge(
                Some((&made.record, &made.stamps)),
                &close_without_cause,
                dev(1),
                2
            ),
            Err(EditError::Missing("cause"))
        );
        let mut close = close_without_cause.clone();
        close
            .changes
            .push(ComplaintChange::Cause("滤芯接口松动".into()));
        close.changes.push(ComplaintChange::CorrectiveAction(
            "更换接口，安装后试压".into(),
        ));
        let closed = merge(Some((&made.record, &made.stamps)), &close, dev(1), 2).unwrap();
        assert!(!closed.record.is_open());
        let events: Vec<_> = closed.record.lifecycle().map(|e| e.kind).collect();
        assert_eq!(
            events,
            [Trigger::ComplaintReceived, Trigger::ComplaintClosed]
        );
    }

    #[test]
    fn a_late_reply_never_reopens_a_closed_complaint_and_the_first_taker_stays() {
        let c = sample_complaint();
        let made = merge::<Complaint>(None, &creation(&c), dev(1), 1).unwrap();
        let mut stamps: FieldStamps = made.stamps.clone();
        let mut closed = made.record.clone();
        closed.status = ComplaintStatus::Closed;
        closed.closed_at = Some(c.received_at + chrono::Duration::hours(2));
        closed.cause = "原因".into();
        closed.corrective_action = "措施".into();
        stamps.insert(
            "status".into(),
            crate::edit::FieldStamp {
                version: 2,
                device: dev(1),
            },
        );
        let reply = Edit {
            id: c.id,
            base_version: 1,
            changes: vec![
                ComplaintChange::Status(ComplaintStatus::Replied),
                ComplaintChange::RepliedAt(Some(c.received_at + chrono::Duration::hours(1))),
            ],
        };
        let m = merge(Some((&closed, &stamps)), &reply, dev(2), 3).unwrap();
        assert_eq!(m.record.status, ComplaintStatus::Closed);
        assert!(m.conflicts.is_empty());
        let steal = Edit {
            id: c.id,
            base_version: 1,
            changes: vec![ComplaintChange::TakenBy(UserId(Uuid::from_u128(9)))],
        };
        assert!(matches!(
            merge(Some((&closed, &stamps)), &steal, dev(2), 3),
            Err(EditError::Invalid {
                field: "taken_by",
                ..
            })
        ));
    }

    #[test]
    fn severity_routes_to_the_role_the_policy_names() {
        assert_eq!(Severity::General.handled_by(), Role::ServiceAssistant);
        assert_eq!(Severity::Important.handled_by(), Role::Supervisor);
        assert_eq!(Severity::Major.handled_by(), Role::Manager);
    }
}
