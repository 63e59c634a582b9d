//! Parsed commands: what a user asked for, in closed shapes that hold only valid data. The edge
//! (HTTP, CLI) builds them from its own request types; services take nothing else.

pub mod compliance;
pub mod notifications;
pub mod orders;
pub mod registrants;
pub mod reports;
