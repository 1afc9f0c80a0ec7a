//! What an image really is, read from its bytes, never from a name or a header: the type
//! (PNG, JPEG, WebP) and, for a signature's PNG, that it is a whole, well-formed file.

use serde::{Deserialize, Serialize};

/// The PNG file signature.
pub const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Widest or tallest image accepted, in pixels (a signature pad, a downscaled photo).
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// An image type the app stores. 图片类型
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageType {
    /// `image/png`
    #[serde(rename = "image/png")]
    Png,
    /// `image/jpeg`
    #[serde(rename = "image/jpeg")]
    Jpeg,
    /// `image/webp`
    #[serde(rename = "image/webp")]
    Webp,
}

impl ImageType {
    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
            ImageType::Webp => "image/webp",
        }
    }

    /// The type the bytes say they are, if any of ours.
    pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(PNG_MAGIC) {
            Some(ImageType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else {
            None
        }
    }
}

/// Why bytes are not an acceptable PNG.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PngError {
    /// No PNG signature.
    #[error("not a PNG image")]
    NotPng,
    /// The file ends inside a chunk, or has no IEND.
    #[error("the PNG image is cut short")]
    Truncated,
    /// A chunk's checksum does not match its content.
    #[error("the PNG image is corrupt (chunk {0} fails its checksum)")]
    BadChecksum(String),
    /// The first chunk is not a valid IHDR.
    #[error("the PNG image has no valid header")]
    BadHeader,
    /// Zero or too many pixels on a side.
    #[error("the PNG image is {0}×{1} pixels; at most {MAX_IMAGE_SIDE} a side is accepted")]
    BadSize(u32, u32),
    /// Bytes after IEND.
    #[error("the PNG image has data after its end")]
    TrailingData,
    /// No image data.
    #[error("the PNG image has no image data")]
    NoData,
}

/// Checks that `bytes` are one whole PNG file: the signature, an IHDR first with a sane size,
/// at least one IDAT, every chunk's CRC, IEND last and nothing after it. Returns the size.
/// (The pixels are not decoded here; the server also decodes them.)
pub fn check_png(bytes: &[u8]) -> Result<(u32, u32), PngError> {
    let mut rest = bytes.strip_prefix(PNG_MAGIC).ok_or(PngError::NotPng)?;
    let mut size = None;
    let mut data = false;
    loop {
        if rest.len() < 12 {
            return Err(PngError::Truncated);
        }
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len > rest.len() - 12 {
            return Err(PngError::Truncated);
        }
        let (kind, body) = (&rest[4..8], &rest[8..8 + len]);
        let crc = u32::from_be_bytes(rest[8 + len..12 + len].try_into().expect("four bytes"));
        if crc32(&rest[4..8 + len]) != crc {
            return Err(PngError::BadChecksum(
                String::from_utf8_lossy(kind).into_owned(),
            ));
        }
        match (kind, size) {
            (b"IHDR", None) if len == 13 => {
                let w = u32::from_be_bytes(body[0..4].try_into().expect("four bytes"));
                let h = u32::from_be_bytes(body[4..8].try_into().expect("four bytes"));
                if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
                    return Err(PngError::BadSize(w, h));
                }
                size = Some((w, h));
            }
            (_, None) => return Err(PngError::BadHeader),
            (b"IHDR", Some(_)) => return Err(PngError::BadHeader),
            (b"IDAT", Some(_)) => data = true,
            (b"IEND", Some(size)) => {
                if rest.len() != 12 + len {
                    return Err(PngError::TrailingData);
                }
                if !data {
                    return Err(PngError::NoData);
                }
                return Ok(size);
            }
            _ => {}
        }
        rest = &rest[12 + len..];
    }
}

/// CRC-32 (ISO 3309, as PNG uses it), bit by bit: signatures are small and checked rarely.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A minimal valid PNG of `w`×`h` (one IDAT of `data` bytes, not real pixels): for tests.
#[doc(hidden)]
pub fn tiny_png(w: u32, h: u32, data: &[u8]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], body: &[u8]) {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut out = PNG_MAGIC.to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", data);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_the_one_png_uses() {
        // The CRC of an empty IEND chunk, as every PNG file ends.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn a_whole_png_passes_and_every_kind_of_damage_is_named() {
        let png = tiny_png(300, 120, &[1, 2, 3]);
        assert_eq!(check_png(&png), Ok((300, 120)));
        assert_eq!(check_png(b"GIF89a"), Err(PngError::NotPng));
        // Only the signature: what the old check accepted.
        let mut fake = PNG_MAGIC.to_vec();
        fake.extend_from_slice(b"anything at all");
        assert!(check_png(&fake).is_err());
        assert_eq!(check_png(&png[..png.len() - 1]), Err(PngError::Truncated));
        let mut flipped = png.clone();
        flipped[30] ^= 1;
        assert!(matches!(check_png(&flipped), Err(PngError::BadChecksum(_))));
        let mut trailing = png.clone();
        trailing.push(0);
        assert_eq!(check_png(&trailing), Err(PngError::TrailingData));
        assert_eq!(
            check_png(&tiny_png(0, 10, &[1])),
            Err(PngError::BadSize(0, 10))
        );
        assert_eq!(
            check_png(&tiny_png(5000, 10, &[1])),
            Err(PngError::BadSize(5000, 10))
        );
    }

    #[test]
    fn image_types_are_read_from_the_bytes() {
        assert_eq!(
            ImageType::sniff(&tiny_png(1, 1, &[0])),
            Some(ImageType::Png)
        );
        assert_eq!(
            ImageType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageType::Jpeg)
        );
        assert_eq!(
            ImageType::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageType::Webp)
        );
        assert_eq!(ImageType::sniff(b"<svg xmlns="), None);
        assert_eq!(ImageType::sniff(b""), None);
        assert_eq!(
            serde_json::to_string(&ImageType::Jpeg).unwrap(),
            "\"image/jpeg\""
        );
    }
}
