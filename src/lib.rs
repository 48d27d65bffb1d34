//! aepipe: explore logs kept in an aepipe service from a terminal.
//!
//! - [`client`]: the async SDK over the whole HTTP API;
//! - [`server`]: a local aepipe-compatible server on SQLite (`aepipe serve`);
//! - [`tui`]: the explorer (`aepipe` with no arguments);
//! - [`main`]: the `aepipe` binary (the scripting subcommands live in the
//!   crate-private `cli` module).
//!
//! The other modules are `pub(crate)` unless an integration test, a bench
//! or the README needs them, so the compiler reports what nothing uses.

pub(crate) mod cli;
pub mod client;
pub mod config;
pub(crate) mod csv;
pub(crate) mod limits;
pub(crate) mod safe_fs;
pub mod sanitize;
pub mod server;
pub mod tui;

/// The `aepipe` binary: parse the command line and run the subcommand (or
/// the explorer).
pub use cli::main;

/// The README's Rust examples compile as doctests, so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
