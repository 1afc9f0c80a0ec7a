//! Quality review of visit records (质检): a reviewer reads a record, its signature and photos,
//! checks its hash, and marks it accurate or returns it with a comment. Create-only; a returned
//! record is answered by an amendment (a new visit record that refers to it), never changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    edit::EditError,
    ids::{CustomerId, ReviewId, UserId, VisitId},
    validate,
};

/// A review of one visit record. 质检记录
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitReview {
    /// Identifier made where the review was written (UUIDv7).
    pub id: ReviewId,
    /// The record reviewed.
    pub visit_id: VisitId,
    /// Its customer (who may see the review).
    pub customer_id: CustomerId,
    /// The technician who made the record (whose tablet shows a returned one).
    pub technician_id: UserId,
    /// Who reviewed it. 质检人
    pub reviewer: UserId,
    /// When. 质检时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub reviewed_at: DateTime<Utc>,
    /// The verdict. 质检结论
    pub verdict: Verdict,
    /// What the reviewer says; required when returning a record. 质检意见
    #[serde(default)]
    pub comment: String,
    /// Whether the record's SHA-256 still matched its content when reviewed.
    pub hash_verified: bool,
    /// The sample it was drawn in, if any (e.g. `2026-11 seed 20261130`). 抽样批次
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sample: String,
}

/// A reviewer's verdict. 质检结论
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 准确: the record is accurate.
    Accurate,
    /// 退回: returned to the technician with a comment.
    Returned,
}

impl VisitReview {
    /// Checks what can be checked without context.
    pub fn check(&self) -> Result<(), EditError> {
        self.id
            .check_made()
            .map_err(|e| EditError::invalid("id", e.to_string()))?;
        validate::instant("reviewed_at", self.reviewed_at)?;
        validate::paragraph(
            "comment",
            &self.comment,
            validate::LONG_TEXT,
            self.verdict == Verdict::Returned,
        )?;
        validate::line("sample", &self.sample, validate::SHORT_TEXT, false)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_returned_record_needs_a_comment() {
        let r = VisitReview {
            id: ReviewId(Uuid::parse_str("019ae0a1-7c2e-7d3a-9f1b-2c3d4e5f6a7e").unwrap()),
            visit_id: VisitId(Uuid::from_u128(1)),
            customer_id: CustomerId(Uuid::from_u128(2)),
            technician_id: UserId(Uuid::from_u128(3)),
            reviewer: UserId(Uuid::from_u128(4)),
            reviewed_at: crate::time::parse_instant("2026-12-01T02:00:00Z").unwrap(),
            verdict: Verdict::Accurate,
            comment: String::new(),
            hash_verified: true,
            sample: "2026-11 seed 7".into(),
        };
        assert_eq!(r.check(), Ok(()));
        let returned = VisitReview {
            verdict: Verdict::Returned,
            ..r.clone()
        };
        assert!(returned.check().is_err());
        let with_words = VisitReview {
            comment: "未记录滤芯更换情况".into(),
            ..returned
        };
        assert_eq!(with_words.check(), Ok(()));
    }
}
