//! Validation errors that name the offending field. Parsing collects every problem in a request
//! before answering, so a user fixes a form in one round trip.

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON path of the field, e.g. `identifiers[2].value`.
    pub field: String,
    /// Stable machine-readable code, e.g. `invalid_phone`.
    pub code: &'static str,
    /// Human-readable explanation. Never echoes the submitted value.
    pub detail: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: impl Into<String>, code: &'static str, detail: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), code, detail: detail.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was collected.
    pub fn finish(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn single(field: impl Into<String>, code: &'static str, detail: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.push(field, code, detail);
        errors
    }

    /// Records the error of `result` (if any) and returns its value.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }
}

pub fn field_error(field: impl Into<String>, code: &'static str, detail: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), code, detail: detail.into() }
}
