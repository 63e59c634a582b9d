//! Id newtypes: one per kind of record, so that an occurrence id passed where a registrant id
//! belongs does not compile. Each wraps a UUID (v7 for new records: time-ordered, so indexes
//! stay compact), serialises as the bare UUID, and with the `sea-orm` feature is a column type
//! of its own, used directly in the entities.

use uuid::Uuid;

/// Anything that names one record by its UUID: every id newtype, and a bare UUID where records
/// of several kinds are meant (the audit trail's record ids, a link's target).
pub trait RecordId: Copy {
    fn uuid(self) -> Uuid;
}

impl RecordId for Uuid {
    fn uuid(self) -> Uuid {
        self
    }
}

macro_rules! id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl RecordId for $name {
            fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }

        /// Ids are never made from integers; sea-orm asks for this of every primary key type.
        #[cfg(feature = "sea-orm")]
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    )+};
}

id!(
    RegistrantId,
    OrderId,
    /// A condition (prohibition or requirement) of an order.
    ConditionId,
    ObligationId,
    OccurrenceId,
    BreachId,
    /// A crime report recorded by intake.
    ReportId,
    /// One run of the register check.
    CheckId,
    CandidateId,
    LinkId,
    ApprovalId,
    AlertId,
    SuspensionId,
    /// A notification made by a registrant at a station.
    NotificationId,
);
