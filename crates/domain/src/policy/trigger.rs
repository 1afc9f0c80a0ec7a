//! What starts a follow-up (触发事件): lifecycle events of a customer, and the facts rules test.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    customer::{Customer, Tier},
    ids::{CustomerId, VisitId},
    time::china,
    visit::{Channel, Satisfaction, VisitRecord},
};

/// A kind of event that can start follow-up rules. 触发事件
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
}

impl Trigger {
    /// Every trigger, in the order above.
    pub const ALL: [Trigger; 16] = [
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
        }
    }
}

/// Something that happened to a customer at an instant. 客户事件
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reached and fine.
    Good,
    /// Reached but the result is poor (dissatisfied, equipment worse than normal): retry (000 §P).
    Poor,
    /// The number is blank or wrong (空号/错号): the visit stays open and the data must be fixed (000 §C).
    Unreachable,
}

/// A visit made, reduced to what the rules need. 回访事实
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
    };
    (facts, events)
}
