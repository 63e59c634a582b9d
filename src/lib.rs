//! Vigil: a register of serial stalkers and the orders and positive obligations placed on them.
//!
//! Layers, each depending only on those before it: `domain` (pure rules) → `crypto` (sealing,
//! blind indexes) → `services` (use cases, transactions, audit) → `http` (axum) → `cli`.
//! `auth` sits beside them: it turns tokens into a `Caller` and holds the access policy.

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

#[cfg(test)]
mod properties;
