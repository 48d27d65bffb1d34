//! SQLite storage of the local server.

pub mod schema;
