//! Parsed commands: what a user asked for, in closed shapes that hold only valid data. The edge
//! (HTTP, CLI) builds them from its own request types; services take nothing else.

pub mod compliance;
