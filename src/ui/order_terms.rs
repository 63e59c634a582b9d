//! An order's terms as typed into a page: prohibitions, positive requirements and protected
//! persons as numbered add-another lists that work without JavaScript. Shared by "Add an order"
//! and "Record a variation or renewal" (which adds terms the same way), with the service's
//! errors on them moved onto their rows.

use domain::errors::FieldError;
use domain::vocab::{ConditionCategory, ConditionKind};
use serde::{Deserialize, Serialize};

use super::form::{DateBoxes, Fields, error};
use super::pages::words;
use super::particulars::{Options, Row, rows};
use crate::services::orders::input::{ConditionInput, ProtectedPersonInput};

pub const MAX_ROWS: usize = 20;

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct ConditionRow {
    pub category: String,
    pub text: String,
    pub responsible: String,
    pub ends: DateBoxes,
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct PersonRow {
    pub given: String,
    pub family: String,
    pub relationship: String,
}

/// The three lists as a page shows them: their rows with their errors, and the categories to
/// choose from. Included by both pages through `order_terms.html`.
pub struct TermsLists {
    pub prohibition_categories: Options,
    pub requirement_categories: Options,
    pub prohibitions: Vec<Row<ConditionRow>>,
    pub requirements: Vec<Row<ConditionRow>>,
    pub persons: Vec<Row<PersonRow>>,
    pub max_rows: usize,
    /// What the court added to an order's terms (a variation), not its whole terms.
    pub adding: bool,
}

#[derive(Default)]
pub struct Terms {
    pub prohibitions: Vec<ConditionRow>,
    pub requirements: Vec<ConditionRow>,
    pub persons: Vec<PersonRow>,
}

/// The categories a condition of `kind` may have, for a select.
pub fn categories(kind: ConditionKind) -> Options {
    ConditionCategory::ALL
        .iter()
        .filter(|c| domain::orders::category_fits(kind, **c))
        .map(|c| (c.as_str().to_owned(), words(c.as_str())))
        .collect()
}

fn present(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Terms {
    pub fn read(f: &Fields) -> Self {
        let condition = |list: &str, i: usize| ConditionRow {
            category: f.row(list, i, "category").into(),
            text: f.row(list, i, "text").into(),
            responsible: f.row(list, i, "responsible").into(),
            ends: f.date(&format!("{list}-{i}-ends")),
        };
        Terms {
            prohibitions: f.rows("prohibitions", MAX_ROWS).into_iter().map(|i| condition("prohibitions", i)).collect(),
            requirements: f.rows("requirements", MAX_ROWS).into_iter().map(|i| condition("requirements", i)).collect(),
            persons: f
                .rows("persons", MAX_ROWS)
                .into_iter()
                .map(|i| PersonRow {
                    given: f.row("persons", i, "given").into(),
                    family: f.row("persons", i, "family").into(),
                    relationship: f.row("persons", i, "relationship").into(),
                })
                .collect(),
        }
    }

    pub fn lists(&self, errors: &[FieldError], adding: bool) -> TermsLists {
        TermsLists {
            prohibition_categories: categories(ConditionKind::Prohibition),
            requirement_categories: categories(ConditionKind::Requirement),
            prohibitions: rows("prohibitions", &self.prohibitions, errors),
            requirements: rows("requirements", &self.requirements, errors),
            persons: rows("persons", &self.persons, errors),
            max_rows: MAX_ROWS,
            adding,
        }
    }

    /// "Add another" and "Remove" buttons of the three lists; `true` if one was pressed.
    pub fn add_or_remove(&mut self, action: &str) -> bool {
        fn change<T: Default>(list: &mut Vec<T>, action: &str, name: &str) -> bool {
            if action == format!("add-{name}") {
                if list.len() < MAX_ROWS {
                    list.push(T::default());
                }
                return true;
            }
            match action.strip_prefix(&format!("remove-{name}-")).and_then(|i| i.parse::<usize>().ok()) {
                Some(i) => {
                    if i < list.len() {
                        list.remove(i);
                    }
                    true
                }
                None => false,
            }
        }
        change(&mut self.prohibitions, action, "prohibitions")
            || change(&mut self.requirements, action, "requirements")
            || change(&mut self.persons, action, "persons")
    }

    /// Rows left empty are not conditions or people.
    pub fn drop_empty(&mut self) {
        self.prohibitions.retain(|c| !c.text.trim().is_empty() || !c.category.is_empty());
        self.requirements.retain(|c| !c.text.trim().is_empty() || !c.category.is_empty() || !c.responsible.trim().is_empty());
        self.persons.retain(|p| [&p.given, &p.family, &p.relationship].iter().any(|s| !s.trim().is_empty()));
    }

    /// The conditions as the service takes them: prohibitions, then requirements. A category
    /// not chosen or a date that is not real is an error on its row.
    pub fn conditions(&self, errors: &mut Vec<FieldError>) -> Vec<ConditionInput> {
        let mut conditions = Vec::new();
        for (list, kind, rows) in [
            ("prohibitions", ConditionKind::Prohibition, &self.prohibitions),
            ("requirements", ConditionKind::Requirement, &self.requirements),
        ] {
            for (i, c) in rows.iter().enumerate() {
                let category = ConditionCategory::parse(&c.category).filter(|cat| domain::orders::category_fits(kind, *cat));
                if category.is_none() {
                    errors.push(error(format!("{list}-{i}-category"), "required", "Choose a category from the list"));
                }
                let ends_on = c.ends.date().unwrap_or_else(|()| {
                    errors.push(error(format!("{list}-{i}-ends-day"), "invalid_date", "The end date must be a real date"));
                    None
                });
                conditions.push(ConditionInput {
                    kind,
                    category: category.unwrap_or(ConditionCategory::Other),
                    text: c.text.clone(),
                    parameters: None,
                    responsible_person: present(&c.responsible),
                    schedule: None,
                    starts_on: None,
                    ends_on,
                });
            }
        }
        conditions
    }

    pub fn protected_persons(&self) -> Vec<ProtectedPersonInput> {
        self.persons
            .iter()
            .map(|p| ProtectedPersonInput {
                given: p.given.clone(),
                family: p.family.clone(),
                date_of_birth: None,
                relationship: present(&p.relationship),
            })
            .collect()
    }

    /// The row a service field names, if it is one of these terms: `{conditions}[i].tail` is
    /// the i-th of the prohibitions then the requirements, `{persons}[i].tail` the i-th person.
    pub fn row_field(&self, field: &str, conditions: &str, persons: &str) -> Option<String> {
        if let Some(rest) = field.strip_prefix(&format!("{conditions}[")) {
            let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
            let i: usize = index.parse().unwrap_or_default();
            let tail = tail.replace(".responsible_person", ".responsible").replace(".ends_on", ".ends.day");
            let p = self.prohibitions.len();
            return Some(if i < p { format!("prohibitions[{i}]{tail}") } else { format!("requirements[{}]{tail}", i - p) });
        }
        field.strip_prefix(persons).filter(|rest| rest.starts_with('[')).map(|rest| format!("persons{rest}"))
    }
}

/// The label of a terms field, for messages (sentence case).
pub fn label(field: &str) -> Option<&'static str> {
    Some(match field {
        "text" => "The wording",
        "responsible" => "Who supervises it",
        "given" => "The given names",
        "family" => "The family name",
        "relationship" => "The relationship",
        "category" => "The category",
        _ => return None,
    })
}
