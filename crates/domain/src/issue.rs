//! Problems left open after a visit (遗留问题, 001's 遗留单; 004 §六): what, who must solve it
//! (a lead department and those co-operating), by when, with photos; followed up until it is
//! closed and the customer is satisfied.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    edit::{Edit, EditError, Editable, FieldChange},
    ids::{CustomerId, IssueId, UserId, VisitId},
    photo::PhotoRef,
    problem::ProblemCategory,
    validate,
};

/// Most photos on one issue.
pub const MAX_ISSUE_PHOTOS: usize = 12;
/// Most co-operating departments.
pub const MAX_CO_DEPARTMENTS: usize = 8;

/// An open issue. 遗留问题
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenIssue {
    /// Identifier made where it was recorded (UUIDv7).
    pub id: IssueId,
    /// Whose problem.
    pub customer_id: CustomerId,
    /// The visit that found it, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<VisitId>,
    /// Who recorded it (set once). 登记人
    pub reported_by: UserId,
    /// When it was recorded (set once). 登记时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub reported_at: DateTime<Utc>,
    /// What kind of problem. 问题类别
    pub category: ProblemCategory,
    /// What is wrong. 问题描述
    pub description: String,
    /// Evidence. 照片
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// The department that leads the solution. 牵头部门
    pub lead_department: String,
    /// Departments that co-operate. 协办部门
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_departments: Vec<String>,
    /// The date promised to the customer. 承诺解决日期
    #[serde(with = "crate::time::serde_as::date")]
    pub promised_on: NaiveDate,
    /// Where it stands; only moves forward. 状态
    pub status: IssueStatus,
    /// When it was closed.
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub closed_at: Option<DateTime<Utc>>,
    /// How it was solved. 处理结果
    #[serde(default)]
    pub resolution: String,
    /// Whether the customer said they were satisfied with the solution. 客户是否满意
    #[serde(default)]
    pub customer_satisfied: bool,
}

/// Where an open issue stands. 状态
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    /// 待处理
    Open,
    /// 已解决, waiting for the customer's confirmation.
    Resolved,
    /// 已关闭: solved and confirmed.
    Closed,
}

/// One change of one field of an open issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IssueChange {
    /// 客户 (set once)
    Customer(CustomerId),
    /// 发现于回访 (set once)
    Visit(Option<VisitId>),
    /// 登记人 (set once)
    ReportedBy(UserId),
    /// 登记时间 (set once)
    ReportedAt(#[serde(with = "crate::time::serde_as::instant")] DateTime<Utc>),
    /// 问题类别
    Category(ProblemCategory),
    /// 问题描述
    Description(String),
    /// 照片 (the whole list)
    Photos(Vec<PhotoRef>),
    /// 牵头部门
    LeadDepartment(String),
    /// 协办部门
    CoDepartments(Vec<String>),
    /// 承诺解决日期
    PromisedOn(#[serde(with = "crate::time::serde_as::date")] NaiveDate),
    /// 状态 (merges by taking the further state)
    Status(IssueStatus),
    /// 关闭时间
    ClosedAt(#[serde(with = "crate::time::serde_as::option_instant")] Option<DateTime<Utc>>),
    /// 处理结果
    Resolution(String),
    /// 客户是否满意
    CustomerSatisfied(bool),
}

/// Recording or changing an open issue.
pub type IssueEdit = Edit<IssueId, IssueChange>;

impl FieldChange for IssueChange {
    type Record = OpenIssue;

    fn field(&self) -> &'static str {
        match self {
            IssueChange::Customer(_) => "customer",
            IssueChange::Visit(_) => "visit",
            IssueChange::ReportedBy(_) => "reported_by",
            IssueChange::ReportedAt(_) => "reported_at",
            IssueChange::Category(_) => "category",
            IssueChange::Description(_) => "description",
            IssueChange::Photos(_) => "photos",
            IssueChange::LeadDepartment(_) => "lead_department",
            IssueChange::CoDepartments(_) => "co_departments",
            IssueChange::PromisedOn(_) => "promised_on",
            IssueChange::Status(_) => "status",
            IssueChange::ClosedAt(_) => "closed_at",
            IssueChange::Resolution(_) => "resolution",
            IssueChange::CustomerSatisfied(_) => "customer_satisfied",
        }
    }

    fn apply(&self, i: &mut OpenIssue) {
        match self {
            IssueChange::Customer(v) => i.customer_id = *v,
            IssueChange::Visit(v) => i.visit_id = *v,
            IssueChange::ReportedBy(v) => i.reported_by = *v,
            IssueChange::ReportedAt(v) => i.reported_at = *v,
            IssueChange::Category(v) => i.category = *v,
            IssueChange::Description(v) => i.description = v.trim().to_owned(),
            IssueChange::Photos(v) => i.photos = v.clone(),
            IssueChange::LeadDepartment(v) => i.lead_department = v.trim().to_owned(),
            IssueChange::CoDepartments(v) => {
                i.co_departments = v.iter().map(|d| d.trim().to_owned()).collect();
            }
            IssueChange::PromisedOn(v) => i.promised_on = *v,
            IssueChange::Status(v) => i.status = i.status.max(*v),
            IssueChange::ClosedAt(v) => i.closed_at = *v,
            IssueChange::Resolution(v) => i.resolution = v.trim().to_owned(),
            IssueChange::CustomerSatisfied(v) => i.customer_satisfied = *v,
        }
    }

    fn current(&self, i: &OpenIssue) -> IssueChange {
        match self {
            IssueChange::Customer(_) => IssueChange::Customer(i.customer_id),
            IssueChange::Visit(_) => IssueChange::Visit(i.visit_id),
            IssueChange::ReportedBy(_) => IssueChange::ReportedBy(i.reported_by),
            IssueChange::ReportedAt(_) => IssueChange::ReportedAt(i.reported_at),
            IssueChange::Category(_) => IssueChange::Category(i.category),
            IssueChange::Description(_) => IssueChange::Description(i.description.clone()),
            IssueChange::Photos(_) => IssueChange::Photos(i.photos.clone()),
            IssueChange::LeadDepartment(_) => {
                IssueChange::LeadDepartment(i.lead_department.clone())
            }
            IssueChange::CoDepartments(_) => IssueChange::CoDepartments(i.co_departments.clone()),
            IssueChange::PromisedOn(_) => IssueChange::PromisedOn(i.promised_on),
            IssueChange::Status(_) => IssueChange::Status(i.status),
            IssueChange::ClosedAt(_) => IssueChange::ClosedAt(i.closed_at),
            IssueChange::Resolution(_) => IssueChange::Resolution(i.resolution.clone()),
            IssueChange::CustomerSatisfied(_) => {
                IssueChange::CustomerSatisfied(i.customer_satisfied)
            }
        }
    }

    fn monotonic(&self) -> bool {
        matches!(self, IssueChange::Status(_))
    }

    fn once(&self) -> bool {
        matches!(
            self,
            IssueChange::Customer(_)
                | IssueChange::Visit(_)
                | IssueChange::ReportedBy(_)
                | IssueChange::ReportedAt(_)
        )
    }
}

impl Editable for OpenIssue {
    type Id = IssueId;
    type Change = IssueChange;

    fn create(id: IssueId, changes: &[IssueChange]) -> Result<OpenIssue, EditError> {
        let find = |field: &'static str| changes.iter().find(|c| c.field() == field);
        let mut i = OpenIssue {
            id,
            customer_id: match find("customer") {
                Some(IssueChange::Customer(v)) => *v,
                _ => return Err(EditError::Missing("customer")),
            },
            visit_id: None,
            reported_by: match find("reported_by") {
                Some(IssueChange::ReportedBy(v)) => *v,
                _ => return Err(EditError::Missing("reported_by")),
            },
            reported_at: match find("reported_at") {
                Some(IssueChange::ReportedAt(v)) => *v,
                _ => return Err(EditError::Missing("reported_at")),
            },
            category: ProblemCategory::Other,
            description: String::new(),
            photos: Vec::new(),
            lead_department: String::new(),
            co_departments: Vec::new(),
            promised_on: match find("promised_on") {
                Some(IssueChange::PromisedOn(v)) => *v,
                _ => return Err(EditError::Missing("promised_on")),
            },
            status: IssueStatus::Open,
            closed_at: None,
            resolution: String::new(),
            customer_satisfied: false,
        };
        for required in ["description", "lead_department"] {
            if find(required).is_none() {
                return Err(EditError::Missing(required));
            }
        }
        for change in changes {
            change.apply(&mut i);
        }
        Ok(i)
    }

    fn check(&self) -> Result<(), EditError> {
        self.id
            .check_made()
            .map_err(|e| EditError::invalid("id", e.to_string()))?;
        validate::instant("reported_at", self.reported_at)?;
        validate::paragraph("description", &self.description, validate::LONG_TEXT, true)?;
        validate::line(
            "lead_department",
            &self.lead_department,
            validate::SHORT_TEXT,
            true,
        )?;
        if self.co_departments.len() > MAX_CO_DEPARTMENTS {
            return Err(EditError::invalid(
                "co_departments",
                format!("at most {MAX_CO_DEPARTMENTS} departments"),
            ));
        }
        for d in &self.co_departments {
            validate::line("co_departments", d, validate::SHORT_TEXT, true)?;
        }
        if self.photos.len() > MAX_ISSUE_PHOTOS {
            return Err(EditError::invalid(
                "photos",
                format!("at most {MAX_ISSUE_PHOTOS} photos"),
            ));
        }
        for p in &self.photos {
            p.check()?;
        }
        validate::date("promised_on", self.promised_on)?;
        validate::paragraph("resolution", &self.resolution, validate::LONG_TEXT, false)?;
        match (self.status, self.closed_at) {
            (IssueStatus::Closed, None) => return Err(EditError::Missing("closed_at")),
            (IssueStatus::Closed, Some(at)) => {
                validate::instant("closed_at", at)?;
                if at < self.reported_at {
                    return Err(EditError::invalid("closed_at", "is before it was recorded"));
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
        if self.status >= IssueStatus::Resolved && self.resolution.trim().is_empty() {
            return Err(EditError::Missing("resolution"));
        }
        Ok(())
    }
}

impl OpenIssue {
    /// Whether it still needs following up: not closed, or closed without the customer's
    /// satisfaction.
    pub fn needs_follow_up(&self) -> bool {
        self.status != IssueStatus::Closed || !self.customer_satisfied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{edit::merge, ids::DeviceId, photo::tests::sample_photo};
    use uuid::Uuid;

    fn creation() -> IssueEdit {
        Edit {
            id: IssueId(Uuid::parse_str("019ae0a1-7c2e-7d3a-9f1b-2c3d4e5f6a7d").unwrap()),
            base_version: 0,
            changes: vec![
                IssueChange::Customer(CustomerId(Uuid::from_u128(1))),
                IssueChange::ReportedBy(UserId(Uuid::from_u128(7))),
                IssueChange::ReportedAt(
                    crate::time::parse_instant("2026-11-30T02:00:00Z").unwrap(),
                ),
                IssueChange::Category(ProblemCategory::ProductQuality),
                IssueChange::Description("前置滤芯外壳有裂纹".into()),
                IssueChange::Photos(vec![sample_photo()]),
                IssueChange::LeadDepartment("售后服务部".into()),
                IssueChange::CoDepartments(vec!["质量部".into()]),
                IssueChange::PromisedOn(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()),
            ],
        }
    }

    #[test]
    fn an_issue_stays_to_follow_up_until_closed_with_a_satisfied_customer() {
        let dev = DeviceId(Uuid::from_u128(1));
        let made = merge::<OpenIssue>(None, &creation(), dev, 1).unwrap();
        assert!(made.record.needs_follow_up());
        let resolved_without_words = Edit {
            id: made.record.id,
            base_version: 1,
            changes: vec![IssueChange::Status(IssueStatus::Resolved)],
        };
        assert_eq!(
            merge(
                Some((&made.record, &made.stamps)),
                &resolved_without_words,
                dev,
                2
            ),
            Err(EditError::Missing("resolution"))
        );
        let close = Edit {
            id: made.record.id,
            base_version: 1,
            changes: vec![
                IssueChange::Status(IssueStatus::Closed),
                IssueChange::ClosedAt(crate::time::parse_instant("2026-12-02T02:00:00Z")),
                IssueChange::Resolution("已更换滤芯外壳".into()),
                IssueChange::CustomerSatisfied(true),
            ],
        };
        let closed = merge(Some((&made.record, &made.stamps)), &close, dev, 2).unwrap();
        assert!(!closed.record.needs_follow_up());
    }

    #[test]
    fn an_issue_without_a_lead_department_or_with_too_many_photos_is_refused() {
        let dev = DeviceId(Uuid::from_u128(1));
        let mut e = creation();
        e.changes.retain(|c| c.field() != "lead_department");
        assert_eq!(
            merge::<OpenIssue>(None, &e, dev, 1),
            Err(EditError::Missing("lead_department"))
        );
        let mut e = creation();
        e.changes[5] = IssueChange::Photos(vec![sample_photo(); MAX_ISSUE_PHOTOS + 1]);
        assert!(merge::<OpenIssue>(None, &e, dev, 1).is_err());
    }
}
