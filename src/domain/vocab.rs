//! Closed vocabularies, stored as strings. Each enum serialises in snake_case and round-trips
//! through `as_str`/`parse` for the database; an unknown stored value is a data error, never a
//! silent default.

/// Declares a string-backed enum with serde, OpenAPI schema, `as_str` and `parse`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] #[schema(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// Registrant status (DESIGN §3).
    RegistrantStatus {
        Active => "active", WhereaboutsUnknown => "whereabouts_unknown", InCustody => "in_custody",
        Abroad => "abroad", InHospital => "in_hospital", Deceased => "deceased", Ended => "ended",
    }
);

vocabulary!(RiskLevel { Low => "low", Medium => "medium", High => "high", VeryHigh => "very_high" });

vocabulary!(NameKind { Primary => "primary", Alias => "alias", DeedPoll => "deed_poll" });

vocabulary!(
    /// Home; where regularly found when of no fixed abode; a qualifying stay elsewhere.
    AddressKind { Home => "home", RegularlyFound => "regularly_found", QualifyingStay => "qualifying_stay" }
);

vocabulary!(
    IdentifierKind {
        Phone => "phone", Email => "email", OnlineHandle => "online_handle", Imei => "imei",
        VehicleRegistration => "vehicle_registration", PncId => "pnc_id", NiNumber => "ni_number",
        Passport => "passport",
    }
);

vocabulary!(
    DescriptorKind {
        Height => "height", Build => "build", Eyes => "eyes", Hair => "hair",
        ScarMarkTattoo => "scar_mark_tattoo", Other => "other",
    }
);

vocabulary!(
    OrderKind {
        Spo => "spo", InterimSpo => "interim_spo", Dapo => "dapo", RestrainingOrder => "restraining_order",
        NonMolestationOrder => "non_molestation_order", Shpo => "shpo", RegisterNotification => "register_notification",
    }
);

vocabulary!(
    OrderStatus {
        Interim => "interim", Active => "active", Varied => "varied", Renewed => "renewed",
        Discharged => "discharged", Expired => "expired", Superseded => "superseded",
    }
);

vocabulary!(ConditionKind { Prohibition => "prohibition", Requirement => "requirement" });

vocabulary!(
    ConditionCategory {
        NoContact => "no_contact", ExclusionZone => "exclusion_zone", BannedChannel => "banned_channel",
        AttendProgramme => "attend_programme", AttendAppointments => "attend_appointments",
        Notify => "notify", SurrenderPassport => "surrender_passport",
        ElectronicMonitoring => "electronic_monitoring", Other => "other",
    }
);

vocabulary!(
    ObligationKind {
        InitialNotification => "initial_notification", ChangeNotification => "change_notification",
        AnnualNotification => "annual_notification", WeeklyNotification => "weekly_notification",
        AttendProgramme => "attend_programme", AttendAppointment => "attend_appointment",
        OtherRequirement => "other_requirement",
    }
);

vocabulary!(
    /// An obligation is open while its order is in force; closed obligations create no new
    /// occurrences.
    ObligationStatus { Open => "open", Closed => "closed" }
);

vocabulary!(OccurrenceStatus { Pending => "pending", Met => "met", Missed => "missed", Excused => "excused" });

vocabulary!(
    /// Probation outcome vocabulary (DESIGN §2).
    ComplianceOutcome {
        AttendedComplied => "attended_complied", AttendedFailedToComply => "attended_failed_to_comply",
        AcceptableAbsence => "acceptable_absence", UnacceptableAbsence => "unacceptable_absence",
        FailedToAttend => "failed_to_attend", Rescheduled => "rescheduled",
    }
);

vocabulary!(
    NotificationKind {
        Initial => "initial", ChangeOfName => "change_of_name", ChangeOfAddress => "change_of_address",
        NoHomeAddress => "no_home_address", Periodic => "periodic",
    }
);

vocabulary!(NotificationMethod { InPersonAtStation => "in_person_at_station", InPersonElsewhere => "in_person_elsewhere" });

vocabulary!(BreachSource { MissedOccurrence => "missed_occurrence", CrimeReport => "crime_report", Officer => "officer" });

vocabulary!(BreachStatus { Open => "open", Acknowledged => "acknowledged", Decided => "decided" });

vocabulary!(
    EnforcementAction {
        Warning => "warning", BreachReferred => "breach_referred", Arrest => "arrest", Charge => "charge",
        ReturnToCourt => "return_to_court", NoFurtherAction => "no_further_action",
    }
);

impl OrderStatus {
    pub fn is_in_force(self) -> bool {
        matches!(self, Self::Interim | Self::Active | Self::Varied | Self::Renewed)
    }

    /// The legal lifecycle: an interim order becomes full (or ends); a full order can be varied
    /// or renewed any number of times until it is discharged, expires or is superseded.
    pub fn can_become(self, next: Self) -> bool {
        use OrderStatus::*;
        match self {
            Interim => matches!(next, Active | Discharged | Expired | Superseded),
            Active | Varied | Renewed => matches!(next, Varied | Renewed | Discharged | Expired | Superseded),
            Discharged | Expired | Superseded => false,
        }
    }
}

impl OrderKind {
    /// The notification regime an order of this kind carries unless the order says otherwise.
    pub fn default_regime(self) -> &'static str {
        match self {
            Self::Spo | Self::InterimSpo => "spa2019_s9",
            Self::Dapo => "daa2021_s41",
            Self::RegisterNotification => "serial_stalker_register",
            Self::RestrainingOrder | Self::NonMolestationOrder | Self::Shpo => "none",
        }
    }

    pub fn initial_status(self) -> OrderStatus {
        match self {
            Self::InterimSpo => OrderStatus::Interim,
            _ => OrderStatus::Active,
        }
    }
}

impl ComplianceOutcome {
    /// What an outcome means for the occurrence it is recorded against.
    pub fn occurrence_status(self) -> OccurrenceStatus {
        match self {
            Self::AttendedComplied => OccurrenceStatus::Met,
            Self::AcceptableAbsence | Self::Rescheduled => OccurrenceStatus::Excused,
            Self::AttendedFailedToComply | Self::UnacceptableAbsence | Self::FailedToAttend => OccurrenceStatus::Missed,
        }
    }
}

vocabulary!(
    /// Periods that pause a registrant's clocks: notification duties cannot be met from custody,
    /// hospital detention or abroad (SOA 2003 model), and sessions cannot be attended.
    SuspensionKind { Custody => "custody", Hospital => "hospital", Abroad => "abroad" }
);

vocabulary!(
    /// Crime classifications a register check searches: stalking often hides behind the others.
    Classification {
        Stalking => "stalking", Harassment => "harassment", MaliciousCommunications => "malicious_communications",
        CriminalDamage => "criminal_damage", BreachOfOrder => "breach_of_order",
    }
);

vocabulary!(
    /// How a suspect made contact, compared with the channels an order prohibits.
    ContactChannel {
        Phone => "phone", Sms => "sms", Email => "email", SocialMedia => "social_media",
        InPerson => "in_person", Letter => "letter", ThirdParty => "third_party",
    }
);
