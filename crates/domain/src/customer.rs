//! Customers (客户档案): who is visited, their tier and the lifecycle dates that trigger visits.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, UserId};

/// A customer as the follow-up rules and the technician see it. 客户
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// Identifier, made where the customer was first recorded.
    pub id: CustomerId,
    /// Name. 姓名
    pub name: String,
    /// Phone number. 联系电话
    pub phone: String,
    /// Address for on-site visits. 地址
    pub address: String,
    /// Tier that sets the visit cadence. 客户等级
    pub tier: Tier,
    /// Product model bought. 产品型号
    pub product: String,
    /// Purchase date (start of warranty). 购买日期
    #[serde(with = "crate::time::serde_as::date")]
    pub purchased_on: NaiveDate,
    /// Installation date, if installed. 安装日期
    #[serde(default, with = "crate::time::serde_as::option_date")]
    pub installed_on: Option<NaiveDate>,
    /// Date of the last completed repair, if any. 维修完成日期
    #[serde(default, with = "crate::time::serde_as::option_date")]
    pub repaired_on: Option<NaiveDate>,
    /// The technician responsible for visiting this customer. 负责技术员
    pub technician_id: UserId,
    /// The customer's complaints, as the service desk recorded them (absent on the wire when
    /// there are none, so records from before read and write as they did). 投诉记录
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complaints: Vec<Complaint>,
}

/// A complaint (投诉): when it came in and, once handled, when it was closed. Each starts the
/// policy's complaint rules (e.g. 投诉回访 a week after it is closed, 000 §B; tracked within
/// 72 hours, 002 §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// When it was received. 投诉时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub received_at: DateTime<Utc>,
    /// When it was closed (处理完毕), once it is; never before it was received.
    /// 结案时间
    #[serde(default, with = "crate::time::serde_as::option_instant")]
    pub closed_at: Option<DateTime<Utc>>,
    /// What the customer complained about. 投诉内容
    pub summary: String,
}

/// Customer tier (000 §A: VIP monthly, normal quarterly). 客户等级
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// VIP customer. VIP客户
    Vip,
    /// Normal customer. 普通客户
    Normal,
}
