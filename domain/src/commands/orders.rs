//! An order as a court made it, built at the edge from the request after the order rules in
//! [`crate::orders`] have checked its dates, status and conditions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::orders::OrderDates;
use crate::schedule::Schedule;
use crate::vocab::{ConditionCategory, ConditionKind, OrderKind, OrderStatus};

/// A protected person as sealed in `order_protected_persons.details_sealed`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedPersonDetails {
    pub given: String,
    pub family: String,
    pub date_of_birth: Option<NaiveDate>,
    pub relationship: Option<String>,
}

impl std::fmt::Debug for ProtectedPersonDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProtectedPersonDetails(<redacted>)")
    }
}

/// An order as the court made it, with its protected persons and conditions. `Debug` stays
/// off: it holds personal data.
pub struct NewOrder {
    pub kind: OrderKind,
    pub court: String,
    pub case_reference: String,
    pub dates: OrderDates,
    pub status: OrderStatus,
    pub protected_persons: Vec<ProtectedPersonDetails>,
    pub conditions: Vec<NewCondition>,
}

/// A prohibition or requirement of an order, checked against the order's kind.
pub struct NewCondition {
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    pub text: String,
    pub parameters: Option<Map<String, Value>>,
    pub responsible_person: Option<String>,
    pub schedule: Option<Schedule>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}
