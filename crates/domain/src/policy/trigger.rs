//! What starts a follow-up (触发事件): lifecycle events of a customer, and the facts rules test.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::item_key::ItemKey;
use crate::{
    customer::{Customer, Tier},
    ids::{CustomerId, VisitId},
    time::china,
    visit::{Channel, Satisfaction, VisitRecord},
};

/// A kind of event that can start follow-up rules. 触发事件
///
/// Each can be recorded by a person as a [`LifecycleEvent`] (the desk, the tablet, an import);
/// some also come from other records: complaints (received, closed) and visits (a poor outcome
/// starts [`Trigger::PoorOutcome`] at the visit's time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// 购买
    Purchase,
    /// 交付/开始使用
    Delivery,
    /// 订单生效
    OrderEffective,
    /// 安装/升级完成
    InstallationCompleted,
    /// 维修完成
    RepairCompleted,
    /// 保养/维护完成
    MaintenanceCompleted,
    /// 技术支持完成
    TechnicalSupportCompleted,
    /// 服务完成
    ServiceCompleted,
    /// 收到投诉
    ComplaintReceived,
    /// 投诉处理完毕
    ComplaintClosed,
    /// 未接来电
    MissedCall,
    /// 项目节点
    ProjectMilestone,
    /// 市场活动
    MarketActivity,
    /// 上次回访结果不佳 (a visit with a poor outcome)
    PoorOutcome,
    /// 发货/到货/进度咨询 (001)
    DeliveryQuery,
    /// 技术/材料/工艺/质量咨询 (001)
    TechnicalQuery,
    /// 开工 (002 §4: a construction project started)
    ConstructionStarted,
    /// 收到中期款 (002 §4: the customer paid the mid-stage instalment)
    MidPaymentReceived,
    /// 竣工/验收 (002 §2, §4; 004 §五: a project completed, accepted, warranty formalities done)
    ProjectCompleted,
    /// 一般故障报修 (003 §五)
    FaultReported,
    /// 紧急故障报修 (003 §五; 002 §14 rescue)
    EmergencyFaultReported,
    /// 收到用户来信 (000 §T)
    LetterReceived,
    /// 未评"极为满意"/120分 (000 §C: the customer's CSS rating came in below the top)
    RatingBelowTop,
    /// 登记定保 (002 §14: registered for scheduled maintenance)
    MaintenanceRegistered,
    /// 来电咨询 (002 §13: a prospect called in)
    InquiryCall,
    /// 来访 (002 §13: a prospect visited the sales centre)
    WalkIn,
}

impl Trigger {
    /// Every trigger, in the order above.
    pub const ALL: [Trigger; 26] = [
        Trigger::Purchase,
        Trigger::Delivery,
        Trigger::OrderEffective,
        Trigger::InstallationCompleted,
        Trigger::RepairCompleted,
        Trigger::MaintenanceCompleted,
        Trigger::TechnicalSupportCompleted,
        Trigger::ServiceCompleted,
        Trigger::ComplaintReceived,
        Trigger::ComplaintClosed,
        Trigger::MissedCall,
        Trigger::ProjectMilestone,
        Trigger::MarketActivity,
        Trigger::PoorOutcome,
        Trigger::DeliveryQuery,
        Trigger::TechnicalQuery,
        Trigger::ConstructionStarted,
        Trigger::MidPaymentReceived,
        Trigger::ProjectCompleted,
        Trigger::FaultReported,
        Trigger::EmergencyFaultReported,
        Trigger::LetterReceived,
        Trigger::RatingBelowTop,
        Trigger::MaintenanceRegistered,
        Trigger::InquiryCall,
        Trigger::WalkIn,
    ];

    /// The policy-file spelling (`repair_completed`).
    pub fn code(self) -> &'static str {
        match self {
            Trigger::Purchase => "purchase",
            Trigger::Delivery => "delivery",
            Trigger::OrderEffective => "order_effective",
            Trigger::InstallationCompleted => "installation_completed",
            Trigger::RepairCompleted => "repair_completed",
            Trigger::MaintenanceCompleted => "maintenance_completed",
            Trigger::TechnicalSupportCompleted => "technical_support_completed",
            Trigger::ServiceCompleted => "service_completed",
            Trigger::ComplaintReceived => "complaint_received",
            Trigger::ComplaintClosed => "complaint_closed",
            Trigger::MissedCall => "missed_call",
            Trigger::ProjectMilestone => "project_milestone",
            Trigger::MarketActivity => "market_activity",
            Trigger::PoorOutcome => "poor_outcome",
            Trigger::DeliveryQuery => "delivery_query",
            Trigger::TechnicalQuery => "technical_query",
            Trigger::ConstructionStarted => "construction_started",
            Trigger::MidPaymentReceived => "mid_payment_received",
            Trigger::ProjectCompleted => "project_completed",
            Trigger::FaultReported => "fault_reported",
            Trigger::EmergencyFaultReported => "emergency_fault_reported",
            Trigger::LetterReceived => "letter_received",
            Trigger::RatingBelowTop => "rating_below_top",
            Trigger::MaintenanceRegistered => "maintenance_registered",
            Trigger::InquiryCall => "inquiry_call",
            Trigger::WalkIn => "walk_in",
        }
    }

    /// Parses the policy-file spelling.
    pub fn from_code(code: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The English words for explanations.
    pub fn en(self) -> &'static str {
        match self {
            Trigger::Purchase => "purchase",
            Trigger::Delivery => "delivery",
            Trigger::OrderEffective => "order effective",
            Trigger::InstallationCompleted => "installation completed",
            Trigger::RepairCompleted => "repair completed",
            Trigger::MaintenanceCompleted => "maintenance completed",
            Trigger::TechnicalSupportCompleted => "technical support completed",
            Trigger::ServiceCompleted => "service completed",
            Trigger::ComplaintReceived => "complaint received",
            Trigger::ComplaintClosed => "complaint closed",
            Trigger::MissedCall => "missed call",
            Trigger::ProjectMilestone => "project milestone",
            Trigger::MarketActivity => "market activity",
            Trigger::PoorOutcome => "poor visit outcome",
            Trigger::DeliveryQuery => "delivery query",
            Trigger::TechnicalQuery => "technical query",
            Trigger::ConstructionStarted => "construction started",
            Trigger::MidPaymentReceived => "mid-stage payment received",
            Trigger::ProjectCompleted => "project completed",
            Trigger::FaultReported => "fault reported",
            Trigger::EmergencyFaultReported => "emergency fault reported",
            Trigger::LetterReceived => "letter received",
            Trigger::RatingBelowTop => "rated below the top",
            Trigger::MaintenanceRegistered => "maintenance registered",
            Trigger::InquiryCall => "inquiry call",
            Trigger::WalkIn => "walk-in visit",
        }
    }

    /// The Chinese words for explanations.
    pub fn zh(self) -> &'static str {
        match self {
            Trigger::Purchase => "购买",
            Trigger::Delivery => "交付",
            Trigger::OrderEffective => "订单生效",
            Trigger::InstallationCompleted => "安装完成",
            Trigger::RepairCompleted => "维修完成",
            Trigger::MaintenanceCompleted => "保养完成",
            Trigger::TechnicalSupportCompleted => "技术支持完成",
            Trigger::ServiceCompleted => "服务完成",
            Trigger::ComplaintReceived => "收到投诉",
            Trigger::ComplaintClosed => "投诉处理完毕",
            Trigger::MissedCall => "未接来电",
            Trigger::ProjectMilestone => "项目节点",
            Trigger::MarketActivity => "市场活动",
            Trigger::PoorOutcome => "回访结果不佳",
            Trigger::DeliveryQuery => "进度咨询",
            Trigger::TechnicalQuery => "技术咨询",
            Trigger::ConstructionStarted => "开工",
            Trigger::MidPaymentReceived => "收到中期款",
            Trigger::ProjectCompleted => "竣工验收",
            Trigger::FaultReported => "故障报修",
            Trigger::EmergencyFaultReported => "紧急故障报修",
            Trigger::LetterReceived => "收到来信",
            Trigger::RatingBelowTop => "未评极为满意",
            Trigger::MaintenanceRegistered => "登记定保",
            Trigger::InquiryCall => "来电咨询",
            Trigger::WalkIn => "来访",
        }
    }
}

/// Something that happened to a customer at an instant. 客户事件
///
/// The engine treats every event alike, whatever its kind and wherever it came from: a
/// customer record's dates ([`from_customer`]), an event a person records at the desk, on the
/// tablet or by import, or a complaint. So every [`Trigger`] fires from recorded data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleEvent {
    /// Whose event.
    pub customer_id: CustomerId,
    /// What happened.
    pub kind: Trigger,
    /// When it happened.
    #[serde(with = "crate::time::serde_as::instant")]
    pub at: DateTime<Utc>,
}

/// How a visit went, as the follow-up rules see it. 回访结果
///
/// Only a completed visit ([`Outcome::Good`] or [`Outcome::Poor`]) answers an item; the others
/// leave it owed. In JSON: `"good"`, `"poor"`, `"unreachable"`, `{"not_completed": "not_home"}`,
/// `{"not_completed": "refused"}`, `{"rescheduled": {"to": "2026-12-03T07:00:00Z"}}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reached and fine.
    Good,
    /// Reached but the result is poor (dissatisfied, equipment worse than normal): it answers
    /// its item and starts the profile's `poor_outcome` rules (retry, priority handling,
    /// escalation).
    Poor,
    /// The number is blank or wrong (空号/错号): the visit stays open and the data must be fixed (000 §C).
    Unreachable,
    /// Not completed (未完成, 001's 未完原因): the item stays owed.
    NotCompleted(NotCompletedReason),
    /// The customer agreed another time (改约, 002 §4 and §8): the item the visit answers is
    /// due at that instant instead, and stays owed until a visit completes it.
    Rescheduled {
        /// The agreed time.
        #[serde(with = "crate::time::serde_as::instant")]
        to: DateTime<Utc>,
    },
}

impl Outcome {
    /// Whether the visit answers its item (good or poor).
    pub fn is_completed(self) -> bool {
        matches!(self, Outcome::Good | Outcome::Poor)
    }
}

/// Why a visit was not completed. 未完成原因
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCompletedReason {
    /// 客户不在家: nobody was there (on site) or nobody answered (phone).
    NotHome,
    /// 拒访: the customer declined the visit.
    Refused,
}

/// A visit made, reduced to what the rules need: the boundary between visit records (whatever
/// their form) and the engine. 回访事实
///
/// `answers` names the agenda items the visit was made for ([`ItemKey`], e.g. from the agenda
/// card it was started from). A visit that names items counts for those items only (each once
/// its window has opened and on its channel; a repeat or a corrected start falls back to the
/// same rule's open item); one that names none (records made before the field existed, a
/// visit started from the customer page without a choice) is matched by window: it answers the
/// open item it is on time for, the highest priority and earliest due first. Either way one
/// visit answers one item, unless the profile lets both rules share a visit (`shares_visit`).
/// Keys whose rule the profile does not have are ignored, and a visit naming only such keys is
/// matched by window (a profile changed since).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitFact {
    /// The visit record's id.
    pub id: VisitId,
    /// Who was visited.
    pub customer_id: CustomerId,
    /// When.
    #[serde(with = "crate::time::serde_as::instant")]
    pub at: DateTime<Utc>,
    /// How.
    pub channel: Channel,
    /// How it went.
    pub outcome: Outcome,
    /// The agenda items the visit answers; empty: matched by window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<ItemKey>,
}

impl From<&VisitRecord> for VisitFact {
    /// A recorded visit: a blank or wrong number (空号/错号) is unreachable; dissatisfied or
    /// very dissatisfied counts as a poor outcome.
    fn from(v: &VisitRecord) -> VisitFact {
        let outcome = match v.satisfaction {
            _ if !v.reach.is_reached() => Outcome::Unreachable,
            Some(Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied) => Outcome::Poor,
            _ => Outcome::Good,
        };
        VisitFact {
            id: v.id,
            customer_id: v.customer_id,
            at: v.visited_at,
            channel: v.channel,
            outcome,
            answers: Vec::new(),
        }
    }
}

/// What the rules' conditions test about a customer. 客户属性
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFacts {
    /// The customer.
    pub id: CustomerId,
    /// Tier code, e.g. `vip` or `normal` (客户等级; any scheme the organisation uses).
    pub tier: String,
    /// Product category, e.g. `water_purifier` (产品类别).
    #[serde(default)]
    pub category: String,
    /// Last day of the warranty, if known (保修截止日).
    #[serde(default, with = "crate::time::serde_as::option_date")]
    pub warranty_until: Option<chrono::NaiveDate>,
    /// Marks rules may test, e.g. `key` (重点客户), `dislikes_calls` (反感电话联系, 002 §13).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl CustomerFacts {
    /// Whether the customer counts as VIP for ordering the agenda.
    pub fn is_vip(&self) -> bool {
        self.tier == "vip"
    }
}

/// Today's customer record as engine input: its facts, and its purchase, installation and
/// repair dates as events at 00:00 China time (complaints and recorded events are records of
/// their own: `Complaint::lifecycle`, `CustomerEvent::lifecycle`). The warranty is one year
/// from purchase (000 §Q).
pub fn from_customer(c: &Customer) -> (CustomerFacts, Vec<LifecycleEvent>) {
    let at = |d: chrono::NaiveDate| {
        d.and_time(NaiveTime::MIN)
            .and_local_timezone(china())
            .single()
            .expect("UTC+8 has no gaps")
            .to_utc()
    };
    let mut events = vec![LifecycleEvent {
        customer_id: c.id,
        kind: Trigger::Purchase,
        at: at(c.purchased_on),
    }];
    if let Some(d) = c.installed_on {
        events.push(LifecycleEvent {
            customer_id: c.id,
            kind: Trigger::InstallationCompleted,
            at: at(d),
        });
    }
    if let Some(d) = c.repaired_on {
        events.push(LifecycleEvent {
            customer_id: c.id,
            kind: Trigger::RepairCompleted,
            at: at(d),
        });
    }
    let facts = CustomerFacts {
        id: c.id,
        tier: match c.tier {
            Tier::Vip => "vip".into(),
            Tier::Normal => "normal".into(),
        },
        category: c.product.clone(),
        warranty_until: c
            .purchased_on
            .checked_add_months(chrono::Months::new(12))
            .and_then(|d| d.pred_opt()),
        tags: Vec::new(),
    };
    (facts, events)
}
