//! The real binary in tmux: from a grid row to the raw logs around its
//! time (`a`), a wider span (`+`), back to the live tail (`F`), and the
//! detail pane's size chosen with `>` written to layout.toml while the
//! explorer runs (a kill would keep it), and on exit. Needs tmux, as the other
//! end-to-end tests.

use crate::tmux_support::{tmux_required, wait_for_file, Tmux};

use std::time::Duration;

#[test]
fn raw_logs_around_a_row_in_tmux() {
    if !tmux_required("raw_logs_around_a_row_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    let script = format!(
        "cd {dir} && env -u AEPIPE_URL -u AEPIPE_TOKEN -u AEPIPE_PROFILE -u NO_COLOR HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color {bin}; echo EXITED:$?; sleep 60",
        dir = h.display(),
    );
    let t = Tmux::start("rawwin", 160, 40, &script);
    let long = Duration::from_secs(60);
    t.open_shop_api(long);

    t.keys(&["C-l"]);
    t.text("SELECT timestamp, blob3 FROM aepipe ORDER BY timestamp DESC LIMIT 5");
    t.keys(&["F5"]);
    let s = t.wait_for("rows", long, |s| s.contains("5 rows"));
    let time = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        .unwrap()
        .find(&s)
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("a row time in:\n{s}"));

    // From the first row to the raw logs around it.
    t.keys(&["Tab", "a"]);
    let s = t.wait_for("the raw-logs window", long, |s| {
        s.contains("raw logs ±5 min · shop/api") && s.contains(" lines · paused")
    });
    assert!(s.contains(&format!("±5 min around {time} UTC")), "{s}");
    // The demo writes a raw record with each point: the row's own is there.
    let clock = &time[11..];
    assert!(
        s.lines().any(|l| l.contains(&format!("{clock}."))),
        "a line at {clock}:\n{s}"
    );

    // + widens the span around the same moment.
    t.keys(&["+"]);
    t.wait_for("a wider window", long, |s| {
        s.contains("raw logs ±15 min · shop/api")
            && s.contains(&format!("±15 min around {time} UTC"))
            && s.contains(" lines · paused")
    });

    // F goes live again.
    t.keys(&["F"]);
    t.wait_for("the live tail", long, |s| {
        s.contains("tail · shop/api") && !s.contains("raw logs ·")
    });

    // A wider detail pane is kept for the next start: written while the
    // explorer still runs.
    t.keys(&["4", ">", ">", ">"]);
    let layout = h.join("config/aepipe/layout.toml");
    wait_for_file(&layout, "the layout written while running", long, |s| {
        s.contains("detail_share = ")
    });
    assert!(!t.screen().contains("EXITED:"), "still running");
    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
    let saved = std::fs::read_to_string(&layout).unwrap_or_default();
    assert!(saved.contains("detail_share = "), "layout.toml: {saved:?}");
}
