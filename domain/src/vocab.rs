//! Closed vocabularies, stored as strings. Each enum serialises in snake_case and round-trips
//! through `as_str`/`parse` for the database; an unknown stored value is a data error, never a
//! silent default.

/// Declares a string-backed enum with serde, `as_str`, `parse` and `Display`; with the `openapi`
/// feature an OpenAPI schema, and with `sea-orm` a stored enum over a text column, so entity
/// columns carry the enum itself. A stored value outside the vocabulary fails to load with
/// `DbErr::Type`, which the service reports as corrupt data.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "sea-orm", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "sea-orm", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $(
                #[serde(rename = $text)]
                #[cfg_attr(feature = "openapi", schema(rename = $text))]
                #[cfg_attr(feature = "sea-orm", sea_orm(string_value = $text))]
                $variant
            ),+
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
        // Merged into another record of the same person (a four-eyes action): everything it
        // held moved there, and only an unmerge brings it back.
        Merged => "merged",
    }
);

impl RegistrantStatus {
    /// The suspension this status is: time in custody, in hospital or abroad pauses the clocks
    /// (SOA 2003 s.83(6), s.84(5)), as a suspension record does.
    pub fn pauses(self) -> Option<SuspensionKind> {
        match self {
            Self::InCustody => Some(SuspensionKind::Custody),
            Self::InHospital => Some(SuspensionKind::Hospital),
            Self::Abroad => Some(SuspensionKind::Abroad),
            Self::Active | Self::WhereaboutsUnknown | Self::Deceased | Self::Ended | Self::Merged => None,
        }
    }

    /// A registrant who has died, or whose registration has ended, owes nothing more.
    pub fn ends_duties(self) -> bool {
        matches!(self, Self::Deceased | Self::Ended | Self::Merged)
    }
}

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
        Passport => "passport", NationalId => "national_id",
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

// What a court did to an order's terms (SPA 2019 s.7, DAA 2021 s.44–45).
vocabulary!(VariationKind { Variation => "variation", Renewal => "renewal" });

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

// `historical`: already past when its order was recorded (a register back-loaded from another
// system): nobody watched it, so it is never breached by the job; an officer records the
// notification that was made, excuses it, or raises a breach.
vocabulary!(OccurrenceStatus { Pending => "pending", Met => "met", Missed => "missed", Excused => "excused", Historical => "historical" });

impl OccurrenceStatus {
    /// The statuses still waiting for an outcome: what a notification meets, what an officer
    /// can resolve and what an order's end excuses.
    pub const OPEN: [Self; 2] = [Self::Pending, Self::Historical];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    pub fn open_strs() -> [&'static str; 2] {
        Self::OPEN.map(Self::as_str)
    }
}

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
        NoHomeAddress => "no_home_address", Periodic => "periodic", Travel => "travel",
    }
);

vocabulary!(NotificationMethod { InPersonAtStation => "in_person_at_station", InPersonElsewhere => "in_person_elsewhere" });

vocabulary!(BreachSource { MissedOccurrence => "missed_occurrence", CrimeReport => "crime_report", Officer => "officer" });

vocabulary!(BreachStatus { Open => "open", Acknowledged => "acknowledged", Decided => "decided", Withdrawn => "withdrawn" });

vocabulary!(
    EnforcementAction {
        Warning => "warning", BreachReferred => "breach_referred", Arrest => "arrest", Charge => "charge",
        ReturnToCourt => "return_to_court", NoFurtherAction => "no_further_action",
    }
);

impl OrderStatus {
    /// Every status in which an order is in force.
    pub fn in_force() -> impl Iterator<Item = Self> {
        Self::ALL.iter().copied().filter(|s| s.is_in_force())
    }

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

impl ObligationKind {
    /// Notification duties are met by the registrant notifying in person (recorded as a
    /// notification), never by a compliance outcome.
    pub fn is_notification(self) -> bool {
        matches!(self, Self::InitialNotification | Self::ChangeNotification | Self::AnnualNotification | Self::WeeklyNotification)
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

vocabulary!(
    /// Roles, as they appear in the token's roles claim.
    Role {
        Ppo => "ppo", Probation => "probation", Intake => "intake", Supervisor => "supervisor",
        Auditor => "auditor", Admin => "admin",
    }
);

vocabulary!(
    /// What needs a second person.
    ApprovalAction {
        OrderDischarge => "order.discharge", RegistrantErasure => "registrant.erasure",
        RegistrantMerge => "registrant.merge", RegistrantUnmerge => "registrant.unmerge",
    }
);

vocabulary!(ApprovalStatus { Pending => "pending", Approved => "approved", Rejected => "rejected", Expired => "expired" });

vocabulary!(Decision { Approve => "approve", Reject => "reject" });

vocabulary!(CheckResult { NoMatch => "no_match", PossibleMatch => "possible_match" });

vocabulary!(TargetKind { Registrant => "registrant", Report => "report" });

vocabulary!(
    /// `needs_info`: the reviewer could not decide without more information (for example the
    /// suspect's date of birth from the investigating officer); the link stays open, off the
    /// main queue, and can still be confirmed or rejected.
    LinkStatus { Pending => "pending", NeedsInfo => "needs_info", Confirmed => "confirmed", Rejected => "rejected" }
);

vocabulary!(
    /// What a check did with a candidate: queued it for review, left it below the threshold,
    /// or recognised a pair an officer already decided (a rejected pair is not proposed again).
    CandidateOutcome {
        Review => "review", BelowThreshold => "below_threshold",
        PreviouslyRejected => "previously_rejected", AlreadyConfirmed => "already_confirmed",
    }
);

vocabulary!(LinkDecision { Confirm => "confirm", Reject => "reject", NeedsInfo => "needs_info" });

// A possible duplicate on the register, and what an officer decided about it.
vocabulary!(DuplicateStatus { Proposed => "proposed", Confirmed => "confirmed", Rejected => "rejected", Merged => "merged" });
vocabulary!(DuplicateDecision { Confirm => "confirm", Reject => "reject" });

vocabulary!(
    /// The kinds of processing that DPA 2018 s.62 requires to be logged.
    AuditAction {
        Collection => "collection", Alteration => "alteration", Consultation => "consultation",
        Disclosure => "disclosure", Combination => "combination", Erasure => "erasure",
    }
);

vocabulary!(AuditOutcome { Success => "success", Denied => "denied", Failure => "failure" });

vocabulary!(
    /// What an alert is about. Alerts tell a managing unit something it must act on that is not
    /// (yet) a breach.
    AlertKind {
        OrderExpiring => "order_expiring", InterimOrderEnding => "interim_order_ending",
        ServedNotNotified => "served_not_notified",
        RequirementWithoutResponsiblePerson => "requirement_without_responsible_person",
        MissingAcknowledgement => "missing_acknowledgement", RiskReviewDue => "risk_review_due",
        MappaReviewDue => "mappa_review_due", SerialPattern => "serial_pattern",
        OrderEligibility => "order_eligibility",
    }
);

vocabulary!(
    /// The kind of record an alert names.
    AlertSubject {
        Registrant => "registrant", Order => "order", OrderCondition => "order_condition",
        NotificationEvent => "notification_event", CrimeReport => "crime_report",
    }
);

vocabulary!(
    /// An alert is open until an officer of its managing unit acknowledges it (seen, being dealt
    /// with); an acknowledged alert stays on record and is not raised again.
    AlertStatus { Open => "open", Acknowledged => "acknowledged" }
);

vocabulary!(
    /// A job run is `running` from its start until it records how it ended.
    JobOutcome { Running => "running", Succeeded => "succeeded", Skipped => "skipped", Failed => "failed" }
);

vocabulary!(
    /// An outbox message is pending until delivered, or dead after its last attempt failed.
    OutboxStatus { Pending => "pending", Delivered => "delivered", Dead => "dead" }
);
