//! The integration tests, as one test binary: every module used to be a
//! binary of its own, and each linked tokio, hyper, rustls, SQLite, ratatui
//! and sqlparser again. The shared helpers come first (the `*_support`,
//! `common` and `tui_panes` modules), then one module per area.

mod client_common;
mod common;
mod hostile_support;
mod sql_support;
mod tmux_support;
mod tui_panes;
mod tui_support;

mod cli_commands;
mod cli_defects;
mod cli_hostile_input;
mod cli_partial_failure;
mod cli_query_ndjson;
mod cli_tail_follow;
mod cli_tail_realism;
mod client_api;
mod client_errors;
mod client_retry_table;
mod client_tail;
mod client_tail_realism;
mod e2e_tmux;
mod e2e_tmux_explore;
mod e2e_tmux_investigate;
mod e2e_tmux_payload;
mod e2e_tmux_tabs;
mod hostile_data;
mod hostile_tmux;
mod server_api;
mod server_concurrency;
mod server_demo;
mod server_durability;
mod server_fidelity;
mod server_parse_errors;
mod server_query;
mod server_rawlog;
mod server_realism;
mod server_retention;
mod server_security;
mod server_serve_cmd;
mod sql_dialect;
mod sql_fidelity;
mod sql_rollup;
mod transport_limits;
mod tui_config;
mod tui_defects;
mod tui_flow;
mod tui_investigate;
mod tui_panes_detail;
mod tui_panes_send_chart;
mod tui_panes_tail;
mod tui_panes_wiring;
mod tui_panic_hook;
mod tui_payload;
mod tui_persist;
mod tui_polish;
mod tui_raw_span_layout;
mod tui_realism;
mod tui_snapshots;
mod tui_tab_buffers;
mod tui_tabs;
mod tui_tail_narrow;
mod tui_theme;
mod tui_update;
