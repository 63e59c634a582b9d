//! Vigil: a register of serial stalkers and the orders and positive obligations placed on them.
//!
//! Crates: `domain` (pure rules, vocabularies, ids) ← `entities` (tables) ← `jobs` (scheduled
//! work) ← this one. Layers here, each depending only on those before it: `crypto` (sealing,
//! blind indexes) and `linkage` (pure matching) → `services` (use cases: load → decide → store
//! → audit) → `http` (axum) → `cli`; `background` runs the work no request asked for. `auth`
//! sits beside them: it turns tokens into a `Caller` and holds the access policy.

pub mod app;
pub mod auth;
pub mod background;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod http;
pub mod linkage;
pub mod services;
pub mod telemetry;
pub mod ui;

#[cfg(test)]
mod properties;
