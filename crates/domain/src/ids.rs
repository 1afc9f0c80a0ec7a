//! Typed identifiers: UUIDs made on the device (v7, time-ordered), one type per entity.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps an id made elsewhere (the domain never reads a clock or a random source).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl $name {
            /// Checks an id a device made: a UUIDv7 (the time-ordered form every device
            /// makes), never the nil id or another version, so ids stay unguessable and
            /// sortable by when they were made.
            pub fn check_made(self) -> Result<(), IdError> {
                check_v7(self.0)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// An organisation (tenant): a company using Revisit. 组织
    OrgId
);
id_type!(
    /// A person who logs in: technician, manager or administrator. 用户
    UserId
);
id_type!(
    /// A browser installation of the app; tokens and outbox sequences are bound to it. 设备
    DeviceId
);
id_type!(
    /// A customer. 客户
    CustomerId
);
id_type!(
    /// A visit record. 回访记录
    VisitId
);
id_type!(
    /// A lifecycle event of a customer (installation, repair, delivery…). 客户事件
    EventId
);
id_type!(
    /// A complaint. 投诉
    ComplaintId
);
id_type!(
    /// A problem left open after a visit. 遗留问题
    IssueId
);
id_type!(
    /// A quality review of a visit record. 质检记录
    ReviewId
);

/// Why an id made on a device is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The nil UUID.
    #[error("the id is the nil UUID")]
    Nil,
    /// Not a version-7 UUID.
    #[error("the id is a version {0} UUID; devices make version 7")]
    NotV7(usize),
    /// Version 7 bits, but not the RFC 4122 variant.
    #[error("the id is not an RFC 4122 UUID")]
    NotRfc4122,
}

fn check_v7(id: Uuid) -> Result<(), IdError> {
    if id.is_nil() {
        return Err(IdError::Nil);
    }
    match id.get_version_num() {
        7 if id.get_variant() == uuid::Variant::RFC4122 => Ok(()),
        7 => Err(IdError::NotRfc4122),
        n => Err(IdError::NotV7(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_version_7_ids_count_as_made_on_a_device() {
        let v7 = VisitId(Uuid::parse_str("019ae0a1-7c2e-7d3a-9f1b-2c3d4e5f6a7b").unwrap());
        assert_eq!(v7.check_made(), Ok(()));
        assert_eq!(VisitId(Uuid::nil()).check_made(), Err(IdError::Nil));
        let v4 = VisitId(Uuid::parse_str("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b").unwrap());
        assert_eq!(v4.check_made(), Err(IdError::NotV7(4)));
        assert_eq!(VisitId(Uuid::max()).check_made(), Err(IdError::NotV7(15)));
        // Version 7 bits but not the RFC 4122 variant.
        let odd = VisitId(Uuid::parse_str("019ae0a1-7c2e-7d3a-1f1b-2c3d4e5f6a7b").unwrap());
        assert_eq!(odd.check_made(), Err(IdError::NotRfc4122));
    }
}
