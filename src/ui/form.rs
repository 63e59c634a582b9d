//! What the form pages of this area share: a submitted form read as its list of fields (so
//! add-another lists, named `names-0-family`, `names-1-family`, need no JavaScript), GOV.UK date
//! inputs, and the one place where a service's field error (`names[1].family`, `required`)
//! becomes the id of the input it belongs to and a GOV.UK message.

use chrono::NaiveDate;
use domain::errors::FieldError;
use serde::{Deserialize, Serialize};

/// A submitted form, its fields in the order the browser sent them.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "" when the form did not send it.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The value of `field` of row `i` of an add-another list.
    pub fn row(&self, list: &str, i: usize, field: &str) -> &str {
        self.get(&format!("{list}-{i}-{field}"))
    }

    /// The row numbers of an add-another list present in the form, in order. Bounded, so that a
    /// forged form cannot make the page build an unbounded list.
    pub fn rows(&self, list: &str, max: usize) -> Vec<usize> {
        let prefix = format!("{list}-");
        let mut found: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(&prefix)?.split('-').next()?.parse().ok())
            .filter(|i| *i < max.saturating_mul(4))
            .collect();
        found.sort_unstable();
        found.dedup();
        found.truncate(max);
        found
    }

    pub fn date(&self, id: &str) -> DateBoxes {
        DateBoxes {
            day: self.get(&format!("{id}-day")).trim().into(),
            month: self.get(&format!("{id}-month")).trim().into(),
            year: self.get(&format!("{id}-year")).trim().into(),
        }
    }
}

/// The three boxes of a GOV.UK date input, as typed.
#[derive(Serialize, Deserialize, Default, Clone)]
pub struct DateBoxes {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateBoxes {
    pub fn is_blank(&self) -> bool {
        self.day.is_empty() && self.month.is_empty() && self.year.is_empty()
    }

    /// `Ok(None)` when left blank, `Err` when it is not a real date.
    pub fn date(&self) -> Result<Option<NaiveDate>, ()> {
        if self.is_blank() {
            return Ok(None);
        }
        let (d, m, y) = (self.day.parse().map_err(drop)?, self.month.parse().map_err(drop)?, self.year.parse::<i32>().map_err(drop)?);
        if !(1000..=9999).contains(&y) {
            return Err(());
        }
        NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(())
    }
}

/// The id of the input a service's field path names: `names[1].family` is `names-1-family`.
pub fn field_id(path: &str) -> String {
    let mut id = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id.trim_matches('-').to_owned()
}

/// A service's field error in GOV.UK words, for the question labelled `label` (sentence case).
pub fn message(label: &str, e: &FieldError) -> String {
    let lower = label.to_lowercase();
    match e.code {
        "required" => format!("Enter {lower}"),
        "too_long" => format!("{label} {}", e.detail.replace("must be at most", "must be")),
        "invalid_characters" => format!("{label} must not contain control characters"),
        "invalid_postcode" => "Enter a real UK postcode, like SW1A 1AA".into(),
        "in_future" => format!("{label} must be today or in the past"),
        "implausible" => format!("{label} must be on or after 1 January 1900"),
        "before_start" | "before_made" => format!("{label} must be after the start"),
        _ => format!("{label} {}", e.detail),
    }
}

/// The error to show beside the input `id`, if there is one.
pub fn error_for<'a>(errors: &'a [FieldError], id: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == id).map(|e| e.detail.as_str())
}

/// An error for the input `id`, already in GOV.UK words.
pub fn error(id: impl Into<String>, code: &'static str, words: impl Into<String>) -> FieldError {
    FieldError { field: id.into(), code, detail: words.into() }
}

/// The service's errors as page errors: each on its input's id, in GOV.UK words, the label
/// chosen from the last part of the id.
pub fn from_service(errors: Vec<FieldError>, label: impl Fn(&str) -> &'static str) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let id = field_id(&e.field);
            let last = id.rsplit('-').find(|p| p.parse::<usize>().is_err()).unwrap_or_default().to_owned();
            let words = message(label(&last), &e);
            FieldError { field: id, code: e.code, detail: words }
        })
        .collect()
}

/// The errors of one add-another row, by the name of its field (`family`), for inline messages.
#[derive(Default)]
pub struct RowErrors(Vec<(String, String)>);

impl RowErrors {
    pub fn of(errors: &[FieldError], list: &str, i: usize) -> Self {
        let prefix = format!("{list}-{i}-");
        Self(errors.iter().filter_map(|e| Some((e.field.strip_prefix(&prefix)?.to_owned(), e.detail.clone()))).collect())
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, d)| d.as_str())
    }
}

/// A decision with a reason, as the link and possible-duplicate pages post it.
#[derive(serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf: String,
    pub decision: Option<String>,
    #[serde(default)]
    pub why: String,
    pub version: Option<i32>,
}

impl DecisionForm {
    /// The page's own errors: no decision chosen (`chosen` is false; `choose` says what to
    /// choose), no reason, or a reason over 1,000 characters.
    pub fn errors(&self, chosen: bool, choose: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !chosen {
            errors.push(error("decision", "required", choose));
        }
        if self.why.trim().is_empty() {
            errors.push(error("why", "required", "Enter why you have decided this"));
        } else if self.why.chars().count() > 1000 {
            errors.push(error("why", "too_long", "Reason must be 1,000 characters or fewer"));
        }
        errors
    }
}
