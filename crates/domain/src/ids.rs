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
