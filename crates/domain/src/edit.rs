//! Edits of mutable records (客户资料, 投诉, 遗留问题): field by field, against the version the
//! edit started from, so two people editing one record offline lose nothing.
//!
//! An [`Edit`] names its record, the server version it was made against (`base_version`, 0 to
//! create) and its changes, one per field. [`merge`] applies it to the record as stored:
//! fields nobody else changed since the base are simply set; a field another device changed
//! since then to another value is still set (the later write wins), and the value it replaces
//! is returned as a [`FieldConflict`] for a manager to see and resolve. Fields that only move
//! forward (a complaint's status) merge by taking the further state, never as a conflict.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::ids::DeviceId;

/// A record that is changed field by field.
pub trait Editable: Clone + Serialize + DeserializeOwned + Sized {
    /// Its id type.
    type Id: Copy + Eq + std::fmt::Debug + Serialize + DeserializeOwned;
    /// One change of one of its fields.
    type Change: FieldChange<Record = Self>;

    /// The record made by a creating edit, or why it cannot be made (a required field is
    /// missing). Only the changes are given; validation follows with [`Editable::check`].
    fn create(id: Self::Id, changes: &[Self::Change]) -> Result<Self, EditError>;

    /// Checks the whole record after an edit (lengths, formats, dates).
    fn check(&self) -> Result<(), EditError>;
}

/// A change of one field of a record.
pub trait FieldChange: Clone + PartialEq + Serialize + DeserializeOwned {
    /// The record it changes.
    type Record;
    /// The field's name, as on the wire.
    fn field(&self) -> &'static str;
    /// Sets the field on `record`.
    fn apply(&self, record: &mut Self::Record);
    /// The change that would set the field to its value in `record` (the value a conflicting
    /// write replaced, kept for a manager).
    fn current(&self, record: &Self::Record) -> Self;
    /// Whether the field only moves forward (a status): such a field merges by taking the
    /// further state and never conflicts.
    fn monotonic(&self) -> bool {
        false
    }
    /// Whether the field is set when the record is created and never changed after (who took
    /// a complaint first stays its owner, 首问负责制).
    fn once(&self) -> bool {
        false
    }
}

/// An edit of one record: create it (`base_version` 0) or change some of its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit<I, C> {
    /// The record.
    pub id: I,
    /// The server version of the record this edit started from; 0 when creating it.
    pub base_version: u64,
    /// The changed fields, each at most once.
    pub changes: Vec<C>,
}

/// Who last set a field, and in which server version. 字段版本
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldStamp {
    /// The server version of the write.
    pub version: u64,
    /// The device that wrote it: a device's own later edits never conflict with its earlier ones.
    pub device: DeviceId,
}

/// The stamps of a record's fields, by field name.
pub type FieldStamps = BTreeMap<String, FieldStamp>;

/// A value replaced by a concurrent edit: the change that would restore it, and who wrote it.
/// 编辑冲突
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldConflict<C> {
    /// The value that lost, as a change setting it back.
    pub replaced: C,
    /// The value that won (the incoming edit's).
    pub winner: C,
    /// Who wrote the replaced value, and when (server version).
    pub replaced_stamp: FieldStamp,
}

/// The outcome of [`merge`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged<R: Editable> {
    /// The record after the edit.
    pub record: R,
    /// Its field stamps after the edit.
    pub stamps: FieldStamps,
    /// Values the edit replaced that another device had written since the edit's base.
    pub conflicts: Vec<FieldConflict<R::Change>>,
}

/// Why an edit cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// A field is missing from a creating edit.
    #[error("{0} is required")]
    Missing(&'static str),
    /// A field is changed twice in one edit.
    #[error("{0} is changed twice in one edit")]
    Twice(&'static str),
    /// An edit of a record that does not exist.
    #[error("the record to change does not exist")]
    NoSuchRecord,
    /// An edit with no changes.
    #[error("the edit changes nothing")]
    Empty,
    /// A field's value is not acceptable.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl EditError {
    /// A field's value is not acceptable.
    pub fn invalid(field: &'static str, problem: impl Into<String>) -> EditError {
        EditError::Invalid {
            field,
            problem: problem.into(),
        }
    }
}

/// Applies `edit`, written on `device`, to the record as stored (`current`, with its field
/// stamps), as server version `version`.
///
/// A creating edit of a record that exists is an edit against version 0: every field someone
/// else set is compared. An edit of a record that does not exist is refused.
pub fn merge<R: Editable>(
    current: Option<(&R, &FieldStamps)>,
    edit: &Edit<R::Id, R::Change>,
    device: DeviceId,
    version: u64,
) -> Result<Merged<R>, EditError> {
    if edit.changes.is_empty() {
        return Err(EditError::Empty);
    }
    for (i, c) in edit.changes.iter().enumerate() {
        if edit.changes[..i].iter().any(|d| d.field() == c.field()) {
            return Err(EditError::Twice(c.field()));
        }
    }
    let stamp = FieldStamp { version, device };
    let (mut record, mut stamps) = match current {
        Some((r, s)) => (r.clone(), s.clone()),
        None if edit.base_version == 0 => {
            let record = R::create(edit.id, &edit.changes)?;
            let stamps = edit
                .changes
                .iter()
                .map(|c| (c.field().to_owned(), stamp))
                .collect();
            record.check()?;
            return Ok(Merged {
                record,
                stamps,
                conflicts: Vec::new(),
            });
        }
        None => return Err(EditError::NoSuchRecord),
    };
    let mut conflicts = Vec::new();
    for change in &edit.changes {
        let before = change.current(&record);
        if change.once() && before != *change {
            return Err(EditError::invalid(
                change.field(),
                "is set when the record is made and cannot be changed",
            ));
        }
        if let Some(theirs) = stamps.get(change.field()).copied()
            && theirs.version > edit.base_version
            && theirs.device != device
            && !change.monotonic()
            && before != *change
        {
            conflicts.push(FieldConflict {
                replaced: before,
                winner: change.clone(),
                replaced_stamp: theirs,
            });
        }
        change.apply(&mut record);
        stamps.insert(change.field().to_owned(), stamp);
    }
    record.check()?;
    Ok(Merged {
        record,
        stamps,
        conflicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        customer::{Customer, CustomerChange, tests::sample_customer},
        ids::{CustomerId, UserId},
    };
    use uuid::Uuid;

    fn device(n: u128) -> DeviceId {
        DeviceId(Uuid::from_u128(n))
    }

    fn edit(base: u64, changes: Vec<CustomerChange>) -> Edit<CustomerId, CustomerChange> {
        Edit {
            id: sample_customer().id,
            base_version: base,
            changes,
        }
    }

    /// The sample customer as created at version 1 by device 1.
    fn stored() -> (Customer, FieldStamps) {
        let c = sample_customer();
        let create = edit(0, c.as_changes());
        let m = merge::<Customer>(None, &create, device(1), 1).unwrap();
        assert_eq!(m.record, c);
        (m.record, m.stamps)
    }

    #[test]
    fn different_fields_edited_offline_on_two_devices_both_land() {
        let (c, s) = stored();
        let a = merge(
            Some((&c, &s)),
            &edit(1, vec![CustomerChange::Phone("13900000000".into())]),
            device(2),
            2,
        )
        .unwrap();
        let b = merge(
            Some((&a.record, &a.stamps)),
            &edit(1, vec![CustomerChange::Address("上海市浦东新区1号".into())]),
            device(3),
            3,
        )
        .unwrap();
        assert!(a.conflicts.is_empty() && b.conflicts.is_empty());
        assert_eq!(b.record.phone, "13900000000");
        assert_eq!(b.record.address, "上海市浦东新区1号");
    }

    #[test]
    fn the_same_field_edited_on_two_devices_keeps_the_later_and_reports_the_other() {
        let (c, s) = stored();
        let a = merge(
            Some((&c, &s)),
            &edit(1, vec![CustomerChange::Phone("13900000000".into())]),
            device(2),
            2,
        )
        .unwrap();
        let b = merge(
            Some((&a.record, &a.stamps)),
            &edit(1, vec![CustomerChange::Phone("13700000000".into())]),
            device(3),
            3,
        )
        .unwrap();
        assert_eq!(b.record.phone, "13700000000");
        assert_eq!(
            b.conflicts,
            vec![FieldConflict {
                replaced: CustomerChange::Phone("13900000000".into()),
                winner: CustomerChange::Phone("13700000000".into()),
                replaced_stamp: FieldStamp {
                    version: 2,
                    device: device(2)
                },
            }]
        );
        // The same value written twice is no conflict; nor are a device's own later edits.
        let same = merge(
            Some((&a.record, &a.stamps)),
            &edit(1, vec![CustomerChange::Phone("13900000000".into())]),
            device(3),
            3,
        )
        .unwrap();
        assert!(same.conflicts.is_empty());
        let own = merge(
            Some((&a.record, &a.stamps)),
            &edit(1, vec![CustomerChange::Phone("13600000000".into())]),
            device(2),
            3,
        )
        .unwrap();
        assert!(own.conflicts.is_empty());
    }

    #[test]
    fn an_edit_of_a_missing_record_or_with_nothing_in_it_is_refused() {
        let (c, s) = stored();
        assert_eq!(
            merge::<Customer>(
                None,
                &edit(4, vec![CustomerChange::Name("王".into())]),
                device(2),
                5
            ),
            Err(EditError::NoSuchRecord)
        );
        assert_eq!(
            merge(Some((&c, &s)), &edit(1, vec![]), device(2), 5),
            Err(EditError::Empty)
        );
        assert_eq!(
            merge(
                Some((&c, &s)),
                &edit(
                    1,
                    vec![
                        CustomerChange::Name("王".into()),
                        CustomerChange::Name("李".into())
                    ]
                ),
                device(2),
                5
            ),
            Err(EditError::Twice("name"))
        );
        let incomplete = edit(0, vec![CustomerChange::Name("王".into())]);
        assert!(matches!(
            merge::<Customer>(None, &incomplete, device(2), 5),
            Err(EditError::Missing(_))
        ));
    }

    #[test]
    fn an_edit_that_leaves_the_record_invalid_is_refused_whole() {
        let (c, s) = stored();
        let bad = edit(
            1,
            vec![
                CustomerChange::Address("新地址".into()),
                CustomerChange::Phone("call me".into()),
            ],
        );
        assert!(matches!(
            merge(Some((&c, &s)), &bad, device(2), 2),
            Err(EditError::Invalid { field: "phone", .. })
        ));
        let reassign = edit(
            1,
            vec![CustomerChange::Technician(UserId(Uuid::from_u128(99)))],
        );
        let m = merge(Some((&c, &s)), &reassign, device(2), 2).unwrap();
        assert_eq!(m.record.technician_id, UserId(Uuid::from_u128(99)));
    }
}
