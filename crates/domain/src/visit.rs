//! Visit records (回访记录): what was done, how the customer rated it, and their signature.
//!
//! A record is create-only. Its `sha256` covers every field and the signature bytes, so
//! anyone can re-check that a signature was never changed after it was captured.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::{
    ids::{CustomerId, DeviceId, UserId, VisitId},
    image::{PngError, check_png},
    order::sort_stably,
    photo::PhotoRef,
    time::plausible_instant,
};

/// Longest note accepted, in characters.
pub const MAX_NOTES_CHARS: usize = 4_000;
/// Largest signature image accepted, in bytes.
pub const MAX_SIGNATURE_BYTES: usize = 512 * 1024;
/// Most photos on one visit record.
pub const MAX_VISIT_PHOTOS: usize = 12;
#[cfg(test)]
pub(crate) use crate::image::PNG_MAGIC;

/// One follow-up visit, as recorded on the technician's device. 回访记录
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRecord {
    /// Identifier made on the device (UUIDv7).
    pub id: VisitId,
    /// The customer visited.
    pub customer_id: CustomerId,
    /// The technician who visited. 回访人
    pub technician_id: UserId,
    /// The device the record was made on.
    pub device_id: DeviceId,
    /// When the visit took place (device clock; shown, never used for ordering). 回访时间
    #[serde(with = "crate::time::serde_as::instant")]
    pub visited_at: DateTime<Utc>,
    /// How the customer was reached. 回访方式
    pub channel: Channel,
    /// Whether the call got through: a blank or wrong number (空号/错号) leaves the visit
    /// open and the customer's number to be corrected (000 §C). Absent on the wire when
    /// reached, so records made before it existed read and hash as before. 联系结果
    #[serde(default, skip_serializing_if = "Reach::is_reached")]
    pub reach: Reach,
    /// The customer's rating; none when the customer was not reached. 满意度
    pub satisfaction: Option<Satisfaction>,
    /// Free-text notes: feedback, problems, how they were resolved. 回访内容
    pub notes: String,
    /// The customer's signature, required on site (002 §7). 客户签名
    pub signature: Option<Signature>,
    /// Photos taken on the visit, their bytes uploaded apart by hash. Absent on the wire when
    /// none, so records made before they existed read and hash as before. 现场照片
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    /// The record this one amends (a returned record's answer): the original is never changed.
    /// Absent on the wire when none. 更正对象
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amends: Option<VisitId>,
    /// Hex SHA-256 over all of the above; see [`VisitRecord::compute_sha256`].
    pub sha256: String,
}

/// How a visit reached the customer. 回访方式
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 电话回访
    Phone,
    /// 上门回访
    OnSite,
}

impl Channel {
    /// Every channel, in the order a form lists them.
    pub const ALL: [Channel; 2] = [Channel::Phone, Channel::OnSite];

    /// The stable spelling used on the wire and in the hash.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::OnSite => "on_site",
        }
    }
}

/// The five-level verbal scale of 004 §三. 满意度
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 一般
    Neutral,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

impl Satisfaction {
    /// Every level, best first.
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Neutral,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

    /// The stable spelling used on the wire and in the hash.
    pub fn code(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "very_satisfied",
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Neutral => "neutral",
            Satisfaction::Dissatisfied => "dissatisfied",
            Satisfaction::VeryDissatisfied => "very_dissatisfied",
        }
    }

    /// Counts towards 客户满意度 (004 §七: very satisfied + satisfied).
    pub fn is_satisfied(self) -> bool {
        matches!(self, Satisfaction::VerySatisfied | Satisfaction::Satisfied)
    }
}

/// Whether a visit reached the customer. 联系结果
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// The customer was reached. 已联系
    #[default]
    Reached,
    /// 空号: the number does not exist.
    BlankNumber,
    /// 错号: the number is not the customer's.
    WrongNumber,
}

impl Reach {
    /// Every result, in the order a form lists them.
    pub const ALL: [Reach; 3] = [Reach::Reached, Reach::BlankNumber, Reach::WrongNumber];

    /// The stable spelling used on the wire and in the hash.
    pub fn code(self) -> &'static str {
        match self {
            Reach::Reached => "reached",
            Reach::BlankNumber => "blank_number",
            Reach::WrongNumber => "wrong_number",
        }
    }

    /// Whether the customer was reached (also: whether the field is left off the wire).
    pub fn is_reached(&self) -> bool {
        *self == Reach::Reached
    }
}

/// A captured signature: PNG bytes, base64 on the wire. 客户签名
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The PNG image as drawn on the pad.
    pub png: Vec<u8>,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({} bytes)", self.png.len())
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.png))
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.len() > MAX_SIGNATURE_BYTES / 3 * 4 + 4 {
            return Err(serde::de::Error::custom("signature larger than 512 KiB"));
        }
        let png = STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        Ok(Signature { png })
    }
}

/// Why a visit record is refused. Every variant names one problem a person can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitValidationError {
    /// Notes longer than [`MAX_NOTES_CHARS`].
    #[error("notes are {0} characters long; at most {MAX_NOTES_CHARS} are allowed")]
    NotesTooLong(usize),
    /// An on-site visit needs the customer's signature (002 §7).
    #[error("an on-site visit needs the customer's signature")]
    SignatureMissing,
    /// The signature is not a whole, well-formed PNG image.
    #[error("the signature is not a valid PNG image: {0}")]
    SignatureNotPng(PngError),
    /// The visit's time is outside the plausible years, or later than the server's clock allows.
    #[error("the visit time is not plausible")]
    ImplausibleTime,
    /// Too many photos, or a photo reference that is not well formed.
    #[error("a photo is not acceptable: {0}")]
    Photo(String),
    /// The signature is larger than [`MAX_SIGNATURE_BYTES`].
    #[error("the signature is {0} bytes; at most {MAX_SIGNATURE_BYTES} are allowed")]
    SignatureTooLarge(usize),
    /// A visit that reached the customer needs their rating.
    #[error("a visit that reached the customer needs a satisfaction level")]
    SatisfactionMissing,
    /// A customer who was not reached cannot have rated the visit.
    #[error("a blank or wrong number (空号/错号) cannot have a satisfaction level")]
    SatisfactionWithoutContact,
    /// Blank and wrong numbers are phone results.
    #[error("a blank or wrong number (空号/错号) is a phone visit's result")]
    UnreachableNotByPhone,
    /// The stated hash is not the hash of the record.
    #[error("the record's sha256 does not match its content")]
    HashMismatch,
}

impl VisitRecord {
    /// The SHA-256 of the record's content and signature bytes, as lowercase hex.
    ///
    /// Every field is length-prefixed, so no two different records share an encoding.
    pub fn compute_sha256(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(b"revisit.visit.v1");
        field(self.id.0.as_bytes());
        field(self.customer_id.0.as_bytes());
        field(self.technician_id.0.as_bytes());
        field(self.device_id.0.as_bytes());
        field(&self.visited_at.timestamp_micros().to_be_bytes());
        field(self.channel.code().as_bytes());
        field(self.satisfaction.map_or("", Satisfaction::code).as_bytes());
        field(self.notes.as_bytes());
        match &self.signature {
            Some(sig) => field(&sig.png),
            None => field(b""),
        }
        // Only when not reached, so the hashes of reached visits are those of before.
        if !self.reach.is_reached() {
            field(b"reach");
            field(self.reach.code().as_bytes());
        }
        // Likewise photos and amendments: only when present.
        if !self.photos.is_empty() {
            field(b"photos");
            let json = serde_json::to_vec(&self.photos).expect("photo references serialize");
            field(&json);
        }
        if let Some(original) = self.amends {
            field(b"amends");
            field(original.0.as_bytes());
        }
        hex(&h.finalize())
    }

    /// Whether the visit's time could be true when the server receives it at `now`: not more
    /// than a day ahead of the server's clock (a device clock may be a little fast).
    pub fn plausible_at(&self, now: DateTime<Utc>) -> bool {
        plausible_instant(self.visited_at) && self.visited_at <= now + chrono::Duration::days(1)
    }

    /// Sets `sha256` from the content; call once, when the record is saved.
    pub fn seal(mut self) -> Self {
        self.sha256 = self.compute_sha256();
        self
    }

    /// Checks everything that can be checked without context: sizes, formats, the hash.
    pub fn validate(&self) -> Result<(), VisitValidationError> {
        let chars = self.notes.chars().count();
        if chars > MAX_NOTES_CHARS {
            return Err(VisitValidationError::NotesTooLong(chars));
        }
        match (self.reach, self.satisfaction) {
            (Reach::Reached, None) => return Err(VisitValidationError::SatisfactionMissing),
            (Reach::BlankNumber | Reach::WrongNumber, Some(_)) => {
                return Err(VisitValidationError::SatisfactionWithoutContact);
            }
            _ => {}
        }
        if !self.reach.is_reached() && self.channel != Channel::Phone {
            return Err(VisitValidationError::UnreachableNotByPhone);
        }
        match &self.signature {
            None if self.channel == Channel::OnSite => {
                return Err(VisitValidationError::SignatureMissing);
            }
            None => {}
            Some(sig) if sig.png.len() > MAX_SIGNATURE_BYTES => {
                return Err(VisitValidationError::SignatureTooLarge(sig.png.len()));
            }
            Some(sig) => {
                check_png(&sig.png).map_err(VisitValidationError::SignatureNotPng)?;
            }
        }
        if !plausible_instant(self.visited_at) {
            return Err(VisitValidationError::ImplausibleTime);
        }
        if self.photos.len() > MAX_VISIT_PHOTOS {
            return Err(VisitValidationError::Photo(format!(
                "{} photos; at most {MAX_VISIT_PHOTOS}",
                self.photos.len()
            )));
        }
        for p in &self.photos {
            p.check()
                .map_err(|e| VisitValidationError::Photo(e.to_string()))?;
        }
        if self.sha256 != self.compute_sha256() {
            return Err(VisitValidationError::HashMismatch);
        }
        Ok(())
    }
}

/// The visits that pass `keep`, newest first, equal times in the order given: a customer's
/// history, a technician's month.
pub fn newest_first(
    visits: &[VisitRecord],
    keep: impl Fn(&VisitRecord) -> bool,
) -> Vec<VisitRecord> {
    let mut chosen: Vec<&VisitRecord> = visits.iter().filter(|v| keep(v)).collect();
    sort_stably(&mut chosen, |v| std::cmp::Reverse(v.visited_at));
    chosen.into_iter().cloned().collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use uuid::Uuid;

    /// A sealed on-site visit with a tiny well-formed PNG as signature.
    pub(crate) fn sample_visit(n: u128) -> VisitRecord {
        let png = crate::image::tiny_png(200, 80, &n.to_be_bytes());
        VisitRecord {
            id: VisitId(Uuid::from_u128(n)),
            customer_id: CustomerId(Uuid::from_u128(1000 + n)),
            technician_id: UserId(Uuid::from_u128(7)),
            device_id: DeviceId(Uuid::from_u128(9)),
            visited_at: DateTime::parse_from_rfc3339("2026-11-20T02:00:00Z")
                .unwrap()
                .to_utc(),
            channel: Channel::OnSite,
            reach: Reach::Reached,
            satisfaction: Some(Satisfaction::Satisfied),
            notes: "净水器运行正常".into(),
            signature: Some(Signature { png }),
            photos: Vec::new(),
            amends: None,
            sha256: String::new(),
        }
        .seal()
    }

    #[test]
    fn newest_first_keeps_the_chosen_visits_newest_first_and_ties_in_the_given_order() {
        // Stored by id, which is not visit time: a visit may be recorded after the fact.
        let stored: Vec<VisitRecord> = [
            (1, 1, "2026-11-02T02:00:00Z"),
            (2, 2, "2026-11-20T02:00:00Z"),
            (3, 1, "2026-11-20T02:00:00Z"),
            (4, 1, "2026-10-01T02:00:00Z"),
            (5, 1, "2026-11-20T02:00:00Z"),
            (6, 1, "2026-11-21T02:00:00Z"),
        ]
        .iter()
        .map(|&(n, customer, at)| VisitRecord {
            customer_id: CustomerId(Uuid::from_u128(customer)),
            visited_at: DateTime::parse_from_rfc3339(at).unwrap().to_utc(),
            ..sample_visit(n)
        })
        .collect();
        let customer = CustomerId(Uuid::from_u128(1));
        let ids: Vec<u128> = newest_first(&stored, |v| v.customer_id == customer)
            .iter()
            .map(|v| v.id.0.as_u128())
            .collect();
        assert_eq!(ids, [6, 3, 5, 1, 4]);
        assert!(newest_first(&stored, |_| false).is_empty());
    }

    #[test]
    fn sealed_visit_validates() {
        assert_eq!(sample_visit(1).validate(), Ok(()));
    }

    #[test]
    fn another_signature_breaks_the_hash() {
        let mut v = sample_visit(1);
        // A whole, valid PNG, but not the one sealed.
        v.signature.as_mut().unwrap().png = crate::image::tiny_png(200, 80, &2u128.to_be_bytes());
        assert_eq!(v.validate(), Err(VisitValidationError::HashMismatch));
    }

    #[test]
    fn photos_and_amendments_are_covered_by_the_hash() {
        let mut v = sample_visit(1);
        v.photos = vec![crate::photo::tests::sample_photo()];
        v.amends = Some(VisitId(Uuid::from_u128(77)));
        let v = v.seal();
        assert_eq!(v.validate(), Ok(()));
        assert_ne!(v.sha256, sample_visit(1).sha256);
        let mut moved = v.clone();
        moved.photos[0].taken_at += chrono::Duration::seconds(1);
        assert_eq!(moved.validate(), Err(VisitValidationError::HashMismatch));
        let mut other = v.clone();
        other.amends = Some(VisitId(Uuid::from_u128(78)));
        assert_eq!(other.validate(), Err(VisitValidationError::HashMismatch));
        let json = serde_json::to_value(sample_visit(1)).unwrap();
        assert!(json.get("photos").is_none() && json.get("amends").is_none());
    }

    #[test]
    fn a_visit_from_the_far_future_is_not_plausible() {
        let v = sample_visit(1);
        assert!(v.plausible_at(v.visited_at));
        assert!(v.plausible_at(v.visited_at - chrono::Duration::hours(20)));
        assert!(!v.plausible_at(v.visited_at - chrono::Duration::days(2)));
    }

    /// The v1 encoding, computed independently (Python's hashlib over the same
    /// length-prefixed fields): records saved before `reach` existed keep their hash.
    #[test]
    fn a_reached_visit_hashes_as_before_reach_existed() {
        // The sample as it was then: a signature of the PNG magic and 16 bytes.
        let mut png = PNG_MAGIC.to_vec();
        png.extend_from_slice(&1u128.to_be_bytes());
        let then = VisitRecord {
            signature: Some(Signature { png }),
            ..sample_visit(1)
        };
        assert_eq!(
            then.compute_sha256(),
            "209bad3cf9ad25ee106387fce120548e3d8433166b3a512c15d3be0c838c18f7"
        );
        let json = serde_json::to_value(sample_visit(1)).unwrap();
        assert!(
            json.get("reach").is_none(),
            "left off the wire when reached"
        );
    }

    /// A phone call to a blank or wrong number (空号/错号): no rating, and its own hash.
    fn unreachable(reach: Reach) -> VisitRecord {
        VisitRecord {
            channel: Channel::Phone,
            reach,
            satisfaction: None,
            signature: None,
            ..sample_visit(1)
        }
        .seal()
    }

    #[test]
    fn a_blank_or_wrong_number_is_a_phone_visit_without_a_rating() {
        let blank = unreachable(Reach::BlankNumber);
        let wrong = unreachable(Reach::WrongNumber);
        assert_eq!(blank.validate(), Ok(()));
        assert_eq!(wrong.validate(), Ok(()));
        assert_ne!(blank.sha256, wrong.sha256, "the result is hashed");
        let json = serde_json::to_string(&blank).unwrap();
        let back: VisitRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, blank);
        assert_eq!(back.validate(), Ok(()));
        let mut rated = blank.clone();
        rated.satisfaction = Some(Satisfaction::Satisfied);
        assert_eq!(
            rated.seal().validate(),
            Err(VisitValidationError::SatisfactionWithoutContact)
        );
        let on_site = VisitRecord {
            channel: Channel::OnSite,
            ..sample_visit(1)
        };
        let on_site = VisitRecord {
            reach: Reach::WrongNumber,
            satisfaction: None,
            ..on_site
        };
        assert_eq!(
            on_site.seal().validate(),
            Err(VisitValidationError::UnreachableNotByPhone)
        );
        let mut unrated = sample_visit(1);
        unrated.satisfaction = None;
        assert_eq!(
            unrated.seal().validate(),
            Err(VisitValidationError::SatisfactionMissing)
        );
    }

    #[test]
    fn a_changed_reach_breaks_the_hash() {
        let mut v = unreachable(Reach::BlankNumber);
        v.reach = Reach::WrongNumber;
        assert_eq!(v.validate(), Err(VisitValidationError::HashMismatch));
    }

    #[test]
    fn changed_notes_break_the_hash() {
        let mut v = sample_visit(1);
        v.notes.push('!');
        assert_eq!(v.validate(), Err(VisitValidationError::HashMismatch));
    }

    #[test]
    fn on_site_needs_a_signature_phone_does_not() {
        let mut v = sample_visit(1);
        v.signature = None;
        let v = v.seal();
        assert_eq!(v.validate(), Err(VisitValidationError::SignatureMissing));
        let phone = VisitRecord {
            channel: Channel::Phone,
            ..v
        }
        .seal();
        assert_eq!(phone.validate(), Ok(()));
    }

    #[test]
    fn signature_must_be_png_and_small() {
        let mut v = sample_visit(1);
        v.signature = Some(Signature {
            png: b"GIF89a".to_vec(),
        });
        assert_eq!(
            v.clone().seal().validate(),
            Err(VisitValidationError::SignatureNotPng(PngError::NotPng))
        );
        // Only the magic, as the first check accepted.
        let mut magic_only = PNG_MAGIC.to_vec();
        magic_only.extend_from_slice(b"not an image");
        v.signature = Some(Signature { png: magic_only });
        assert!(matches!(
            v.clone().seal().validate(),
            Err(VisitValidationError::SignatureNotPng(_))
        ));
        let big = crate::image::tiny_png(200, 80, &vec![0; MAX_SIGNATURE_BYTES]);
        v.signature = Some(Signature { png: big });
        assert_eq!(
            v.seal().validate(),
            Err(VisitValidationError::SignatureTooLarge(
                MAX_SIGNATURE_BYTES + 57
            ))
        );
    }

    #[test]
    fn notes_limit_counts_characters_not_bytes() {
        let mut v = sample_visit(1);
        v.notes = "回".repeat(MAX_NOTES_CHARS);
        assert_eq!(v.clone().seal().validate(), Ok(()));
        v.notes.push('访');
        assert_eq!(
            v.seal().validate(),
            Err(VisitValidationError::NotesTooLong(MAX_NOTES_CHARS + 1))
        );
    }

    #[test]
    fn wire_round_trip_keeps_the_hash_valid() {
        let v = sample_visit(3);
        let json = serde_json::to_string(&v).unwrap();
        let back: VisitRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
        assert_eq!(back.validate(), Ok(()));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let v = sample_visit(3);
        let mut json: serde_json::Value = serde_json::to_value(&v).unwrap();
        json["extra"] = serde_json::json!(1);
        assert!(serde_json::from_value::<VisitRecord>(json).is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_visit() -> impl Strategy<Value = VisitRecord> {
            (
                any::<u128>(),
                prop::sample::select(Channel::ALL.to_vec()),
                prop::sample::select(Satisfaction::ALL.to_vec()),
                "\\PC{0,200}",
                prop::collection::vec(any::<u8>(), 0..256),
                0i64..4_000_000_000,
            )
                .prop_map(|(n, channel, satisfaction, notes, tail, secs)| {
                    let png = crate::image::tiny_png(320, 120, &tail);
                    VisitRecord {
                        id: VisitId(Uuid::from_u128(n)),
                        channel,
                        satisfaction: Some(satisfaction),
                        notes,
                        signature: Some(Signature { png }),
                        visited_at: DateTime::from_timestamp(secs, 0).unwrap(),
                        ..sample_visit(1)
                    }
                    .seal()
                })
        }

        proptest! {
            #[test]
            fn sealed_records_validate_and_survive_the_wire(v in any_visit()) {
                prop_assert_eq!(v.validate(), Ok(()));
                let back: VisitRecord = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
                prop_assert_eq!(back.validate(), Ok(()));
                prop_assert_eq!(back, v);
            }

            #[test]
            fn no_signature_byte_can_change_unnoticed(v in any_visit(), at in any::<prop::sample::Index>(), flip in 1u8..) {
                let mut changed = v.clone();
                let png = &mut changed.signature.as_mut().unwrap().png;
                let i = at.index(png.len());
                png[i] ^= flip;
                // The PNG's own structure and checksums catch most changes before the hash
                // does; none passes.
                let caught = matches!(
                    changed.validate(),
                    Err(VisitValidationError::SignatureNotPng(_) | VisitValidationError::HashMismatch)
                );
                prop_assert!(caught, "byte {} changed unnoticed", i);
            }

            #[test]
            fn moving_bytes_between_fields_changes_the_hash(v in any_visit()) {
                // Length prefixes: "ab" + "c" must not hash like "a" + "bc".
                let mut w = v.clone();
                if let Some(c) = w.notes.pop() {
                    let mut bytes = c.to_string().into_bytes();
                    let sig = &mut w.signature.as_mut().unwrap().png;
                    bytes.extend_from_slice(sig);
                    *sig = bytes;
                    prop_assert_ne!(w.compute_sha256(), v.sha256);
                }
            }
        }
    }
}
