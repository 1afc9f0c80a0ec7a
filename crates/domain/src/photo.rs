//! Photos as records name them (现场照片): the bytes travel apart, by their SHA-256, and the
//! record carries what proves when and how each was taken.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{edit::EditError, image::ImageType, validate};

/// Largest photo accepted, in bytes (photos are downscaled on the device first).
pub const MAX_PHOTO_BYTES: u32 = 4 * 1024 * 1024;

/// A photo a record refers to. 照片
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoRef {
    /// Hex SHA-256 of the image bytes: the blob's name on the server.
    pub sha256: String,
    /// What the bytes are.
    pub mime: ImageType,
    /// Size of the bytes.
    pub bytes: u32,
    /// When it was taken, by the device's clock (the server adds when it received it).
    #[serde(with = "crate::time::serde_as::instant")]
    pub taken_at: DateTime<Utc>,
    /// Picked from the gallery rather than taken now with the camera. 相册选取
    #[serde(default)]
    pub from_gallery: bool,
    /// Where, when the browser could tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<GeoPoint>,
}

/// A place on Earth in millionths of a degree (WGS-84 as browsers give it). 位置
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoPoint {
    /// Latitude × 10⁶.
    pub lat_e6: i32,
    /// Longitude × 10⁶.
    pub lon_e6: i32,
    /// Accuracy in metres, as the browser reports it.
    pub accuracy_m: u32,
}

impl PhotoRef {
    /// Checks the reference itself (the bytes are checked when uploaded).
    pub fn check(&self) -> Result<(), EditError> {
        if !is_sha256_hex(&self.sha256) {
            return Err(EditError::invalid(
                "photo",
                "sha256 is not 64 lowercase hex digits",
            ));
        }
        if self.bytes == 0 || self.bytes > MAX_PHOTO_BYTES {
            return Err(EditError::invalid(
                "photo",
                format!(
                    "is {} bytes; at most {MAX_PHOTO_BYTES} are accepted",
                    self.bytes
                ),
            ));
        }
        validate::instant("photo.taken_at", self.taken_at)?;
        if let Some(p) = self.place
            && (p.lat_e6.abs() > 90_000_000 || p.lon_e6.abs() > 180_000_000)
        {
            return Err(EditError::invalid("photo.place", "is not on Earth"));
        }
        Ok(())
    }
}

/// Whether `text` is a SHA-256 as this app writes it: 64 lowercase hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_photo() -> PhotoRef {
        PhotoRef {
            sha256: "ab".repeat(32),
            mime: ImageType::Jpeg,
            bytes: 120_000,
            taken_at: crate::time::parse_instant("2026-11-30T02:00:00Z").unwrap(),
            from_gallery: false,
            place: Some(GeoPoint {
                lat_e6: 31_230_416,
                lon_e6: 121_473_701,
                accuracy_m: 20,
            }),
        }
    }

    #[test]
    fn a_photo_reference_is_checked() {
        assert_eq!(sample_photo().check(), Ok(()));
        let upper = PhotoRef {
            sha256: "AB".repeat(32),
            ..sample_photo()
        };
        assert!(upper.check().is_err());
        let huge = PhotoRef {
            bytes: MAX_PHOTO_BYTES + 1,
            ..sample_photo()
        };
        assert!(huge.check().is_err());
        let mars = PhotoRef {
            place: Some(GeoPoint {
                lat_e6: 91_000_000,
                lon_e6: 0,
                accuracy_m: 1,
            }),
            ..sample_photo()
        };
        assert!(mars.check().is_err());
    }
}
