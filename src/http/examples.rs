//! Examples of the service's answers in the OpenAPI document, one per response schema. They are
//! JSON files captured from the service with synthetic data (invented names, drama-range phone
//! numbers, made-up references) rather than attributes on the view types: the views live in the
//! services and the domain crate, which know nothing of HTTP, and an answer of forty lines reads
//! better as JSON than inside an attribute. Request examples are small and sit on the input types
//! (`#[schema(examples(...))]`). `tests/it/openapi_examples.rs` checks every example against its
//! schema, so one that drifts from its type fails the tests.

use serde_json::Value;
use utoipa::openapi::OpenApi as Spec;

macro_rules! answers {
    ($($name:literal),+ $(,)?) => {
        /// (schema name, example as JSON text)
        const ANSWERS: &[(&str, &str)] = &[$(($name, include_str!(concat!("examples/", $name, ".json")))),+];
    };
}

answers!(
    "AlertView",
    "ApprovalView",
    "AuditPage",
    "BreachPage",
    "BreachView",
    "CheckResponse",
    "CheckView",
    "ComplianceResult",
    "CorrectionResult",
    "Delivery",
    "DuplicateView",
    "JobHealthView",
    "JobRunView",
    "LinkReview",
    "LinkView",
    "Me",
    "NotificationView",
    "ObligationList",
    "OccurrenceView",
    "OrderList",
    "OrderView",
    "OverdueItem",
    "PatternView",
    "Reason",
    "ReferenceData",
    "RegistrantPage",
    "RegistrantSummary",
    "RegistrantView",
    "ReportPage",
    "ReportReceipt",
    "ReportView",
    "RevocationResult",
    "SessionView",
    "SuspensionView",
    "TripView",
    "WorkCounts",
);

/// Sets each listed schema's `examples` to its answer example.
pub fn with_answer_examples(spec: Spec) -> Spec {
    let Ok(mut doc) = serde_json::to_value(&spec) else { return spec };
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, text) in ANSWERS {
            let (Some(schema), Ok(example)) = (schemas.get_mut(*name).and_then(Value::as_object_mut), serde_json::from_str::<Value>(text))
            else {
                continue;
            };
            schema.insert("examples".into(), Value::Array(vec![example]));
        }
    }
    serde_json::from_value(doc).unwrap_or(spec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_answer_example_is_json() {
        for (name, text) in super::ANSWERS {
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok(), "{name}.json is not JSON");
        }
    }
}
