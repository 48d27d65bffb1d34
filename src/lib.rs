//! aepipe: explore logs kept in an aepipe service from a terminal.
//!
//! - [`client`]: the async SDK over the whole HTTP API;
//! - [`server`]: a local aepipe-compatible server on SQLite (`aepipe serve`);
//! - [`tui`]: the explorer (`aepipe` with no arguments);
//! - [`cli`]: the scripting subcommands.

pub mod cli;
pub mod client;
pub mod config;
pub mod csv;
pub mod limits;
pub mod safe_fs;
pub mod sanitize;
pub mod server;
pub mod tui;

/// The README's Rust examples compile as doctests, so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
