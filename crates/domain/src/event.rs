//! Lifecycle events a person records for a customer (客户事件): an order taking effect, a
//! delivery, an installation, a repair or maintenance completed, technical support given, a
//! project milestone… Each starts the policy's follow-ups for its kind. Create-only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    edit::EditError,
    ids::{CustomerId, EventId, UserId},
    policy::{EngineInput, LifecycleEvent, Trigger},
    validate,
};

/// A recorded event. 客户事件
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerEvent {
    /// Identifier made on the device (UUIDv7).
    pub id: EventId,
    /// Whose event.
    pub customer_id: CustomerId,
    /// What happened.
    pub kind: Trigger,
    /// When it happened (as the person recording it says). 发生时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// For a project milestone: which one (开工, 中期, 竣工…). 节点名称
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Free-text note. 备注
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl CustomerEvent {
    /// Whether a person may record an event of `kind`: complaints come as complaint records
    /// and a visit's poor outcome from the visit itself, so those are never recorded twice.
    pub fn recordable(kind: Trigger) -> bool {
        !matches!(
            kind,
            Trigger::ComplaintReceived | Trigger::ComplaintClosed | Trigger::PoorOutcome
        )
    }

    /// The kinds a form offers.
    pub fn recordable_kinds() -> impl Iterator<Item = Trigger> {
        Trigger::ALL.into_iter().filter(|k| Self::recordable(*k))
    }

    /// Checks what can be checked without context.
    pub fn check(&self) -> Result<(), EditError> {
        self.id
            .check_made()
            .map_err(|e| EditError::invalid("id", e.to_string()))?;
        if !Self::recordable(self.kind) {
            return Err(EditError::invalid(
                "kind",
                "complaints and poor visit outcomes are not recorded as events",
            ));
        }
        validate::instant("at", self.at)?;
        validate::line("label", &self.label, validate::SHORT_TEXT, false)?;
        validate::paragraph("note", &self.note, validate::LONG_TEXT, false)?;
        Ok(())
    }

    /// The event as the policy engine reads it.
    pub fn lifecycle(&self) -> LifecycleEvent {
        LifecycleEvent {
            customer_id: self.customer_id,
            kind: self.kind,
            at: self.at,
        }
    }
}

/// What the policy engine reads from recorded events and complaints, besides the dates on the
/// customer records: each event, and each complaint's receipt and closing.
pub fn recorded_lifecycle<'a>(
    events: &'a [CustomerEvent],
    complaints: &'a [crate::complaint::Complaint],
) -> impl Iterator<Item = LifecycleEvent> + 'a {
    events.iter().map(CustomerEvent::lifecycle).chain(
        complaints
            .iter()
            .flat_map(crate::complaint::Complaint::lifecycle),
    )
}

/// Everything the app records about its customers as the policy engine's input: the customer
/// records with their dates, the events people recorded (desk, tablet, import), the
/// complaints (received, closed) and the visits (a poor one starts the `poor_outcome` rules;
/// an amended record counts once, as amended). What the tablet's agenda, the server's
/// reports and the dry-run export all read, so they agree.
pub fn recorded_input(
    customers: &[crate::customer::Customer],
    events: &[CustomerEvent],
    complaints: &[crate::complaint::Complaint],
    visits: &[crate::visit::VisitRecord],
) -> EngineInput {
    let mut input = EngineInput::from_records(customers, visits);
    input.events.extend(recorded_lifecycle(events, complaints));
    input
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use uuid::Uuid;

    pub(crate) fn sample_event() -> CustomerEvent {
        CustomerEvent {
            id: EventId(Uuid::parse_str("019ae0a1-7c2e-7d3a-9f1b-2c3d4e5f6a7b").unwrap()),
            customer_id: CustomerId(Uuid::from_u128(1)),
            kind: Trigger::InstallationCompleted,
            at: crate::time::parse_instant("2026-11-30T02:00:00Z").unwrap(),
            recorded_by: UserId(Uuid::from_u128(7)),
            label: String::new(),
            note: "安装完成，水压 0.3 MPa".into(),
        }
    }

    #[test]
    fn an_event_is_checked_and_read_by_the_engine() {
        let e = sample_event();
        assert_eq!(e.check(), Ok(()));
        assert_eq!(e.lifecycle().kind, Trigger::InstallationCompleted);
        let complaint = CustomerEvent {
            kind: Trigger::ComplaintReceived,
            ..e.clone()
        };
        assert!(complaint.check().is_err());
        let nil = CustomerEvent {
            id: EventId(Uuid::nil()),
            ..e
        };
        assert!(nil.check().is_err());
        assert!(CustomerEvent::recordable_kinds().any(|k| k == Trigger::MissedCall));
        assert!(!CustomerEvent::recordable_kinds().any(|k| k == Trigger::PoorOutcome));
    }
}
