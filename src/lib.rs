//! aepipe: explore logs kept in an aepipe service from a terminal.
//!
//! The library's public API is what a program using aepipe needs:
//!
//! - [`client`]: the async SDK over the whole HTTP API;
//! - [`config`]: where to connect the way the `aepipe` binary does (flags,
//!   then `AEPIPE_*` env vars, then the profiles file), down to a
//!   [`client::Client`];
//! - [`sanitize`]: the one rule for showing untrusted text (log lines,
//!   server answers) on a terminal;
//! - [`server`]: an embeddable local aepipe-compatible server on SQLite
//!   ([`server::start`] with a [`server::ServerConfig`], optionally imitating
//!   a real deployment with [`server::Realism`]), e.g. as a real backend for
//!   a program's own tests;
//! - [`main`]: the `aepipe` binary (subcommands, `aepipe serve`, and the
//!   explorer with no arguments).
//!
//! Everything else (the explorer `tui`, the CLI, the server's SQL dialect
//! and store, ...) is crate-private, so the compiler reports the code
//! nothing uses. This crate's own integration tests and benches drive those
//! internals directly: the `internals` feature, which they turn on through a
//! dev-dependency on this crate, makes them public. It is not a stable API.
//! The few items only those tests use exist only for them
//! (`#[cfg(any(test, feature = "internals"))]`).

pub(crate) mod cli;
pub mod client;
pub mod config;
pub(crate) mod csv;
pub(crate) mod limits;
pub(crate) mod safe_fs;
pub mod sanitize;
pub mod server;
// The explorer: public only for this crate's tests and benches (see above).
// Such modules are declared twice under opposite cfgs rather than by a
// macro: rustfmt does not find the files of modules declared in a macro.
#[cfg(feature = "internals")]
pub mod tui;
#[cfg(not(feature = "internals"))]
pub(crate) mod tui;

/// The `aepipe` binary: parse the command line and run the subcommand (or
/// the explorer).
pub use cli::main;

/// The README's Rust examples compile as doctests, so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
