//! What a complaint or an open issue is about (004 §六: 产品质量 / 服务质量 / 技术 / 价格 / 其他).

use serde::{Deserialize, Serialize};

/// The category of a problem. 问题类别
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCategory {
    /// 产品质量
    ProductQuality,
    /// 服务质量
    ServiceQuality,
    /// 技术
    Technical,
    /// 价格
    Price,
    /// 其他
    Other,
}

impl ProblemCategory {
    /// Every category, in the policy's order.
    pub const ALL: [ProblemCategory; 5] = [
        ProblemCategory::ProductQuality,
        ProblemCategory::ServiceQuality,
        ProblemCategory::Technical,
        ProblemCategory::Price,
        ProblemCategory::Other,
    ];

    /// The stable spelling used on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            ProblemCategory::ProductQuality => "product_quality",
            ProblemCategory::ServiceQuality => "service_quality",
            ProblemCategory::Technical => "technical",
            ProblemCategory::Price => "price",
            ProblemCategory::Other => "other",
        }
    }
}
