//! The real binary in tmux: two result tabs opened and switched with
//! Alt-1/Alt-2, each with its own editor text, then the explorer quits and
//! starts again and finds both tabs, each with its own text (without rows
//! until Alt-R runs one). Needs
//! tmux, as the other end-to-end tests. No fixed sleeps: every step waits
//! for the screen (or the session file) with a generous timeout.

use crate::tmux_support::{tmux_required, Tmux};

use std::time::{Duration, Instant};

#[test]
fn tabs_switch_and_survive_a_restart_in_tmux() {
    if !tmux_required("tabs_switch_and_survive_a_restart_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    // The explorer twice in a row in one terminal: the second start must
    // find what the first one kept. It starts once the test has seen the
    // first one end and created `restart` (else its screen would hide the
    // first one's exit status).
    let script = format!(
        "cd {dir} && export HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color && unset AEPIPE_URL AEPIPE_TOKEN AEPIPE_PROFILE NO_COLOR; {bin}; echo FIRST-EXITED:$?; while [ ! -e {dir}/restart ]; do sleep 0.1; done; {bin}; echo SECOND-EXITED:$?; sleep 60",
        dir = h.display(),
    );
    let t = Tmux::start("tabs", 150, 40, &script);
    let long = Duration::from_secs(60);
    t.open_shop_api(long);

    // Tab 1: five rows.
    t.keys(&["C-l"]);
    t.text("SELECT blob3 FROM aepipe LIMIT 5");
    t.keys(&["F5"]);
    t.wait_for("tab 1's rows", long, |s| s.contains("5 rows"));
    // Tab 2, a copy, then three rows of its own.
    t.keys(&["C-t"]);
    t.wait_for("the tab strip", long, |s| {
        s.contains("1 api: SELECT blob3") && s.contains("2 api: SELECT blob3")
    });
    t.keys(&["C-l"]);
    t.text("SELECT blob4 FROM aepipe LIMIT 3");
    t.keys(&["F5"]);
    t.wait_for("tab 2's rows", long, |s| {
        s.contains("3 rows") && s.contains("2 api: SELECT blob4")
    });
    // Each tab shows its own editor text.
    t.keys(&["M-1"]);
    t.wait_for("tab 1 again, with its text", long, |s| {
        s.contains("5 rows")
            && !s.contains("3 rows")
            && s.contains("SELECT blob3 FROM aepipe LIMIT 5")
            && !s.contains("SELECT blob4 FROM aepipe LIMIT 3")
    });
    t.keys(&["M-2"]);
    t.wait_for("tab 2 again, with its text", long, |s| {
        s.contains("3 rows")
            && !s.contains("5 rows")
            && s.contains("SELECT blob4 FROM aepipe LIMIT 3")
            && !s.contains("SELECT blob3 FROM aepipe LIMIT 5")
    });

    // Something typed in tab 2 and never run, then quit (at once: the
    // session keeps it).
    t.keys(&["C-l"]);
    t.text("SELECT 'kept across restarts' AS k");
    t.keys(&["C-c"]);
    t.wait_for("the first run's end", long, |s| {
        s.contains("FIRST-EXITED:0")
    });
    let session = h.join("data/aepipe/session/local.json");
    let start = Instant::now();
    while !session.is_file() {
        assert!(
            start.elapsed() < long,
            "no session file at {}",
            session.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&session).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the session holds queries: 0600");
    }

    std::fs::write(h.join("restart"), "").unwrap();

    // The second start: both tabs are back, tab 2 shown with its text.
    let s = t.wait_for("the restored session", long, |s| {
        s.contains("SELECT 'kept across restarts' AS k")
            && s.contains("1 api: SELECT blob3")
            && s.contains("2 api: SELECT blob4")
    });
    assert!(s.contains("SQL · shop/api"), "{s}");
    assert!(!s.contains("3 rows"), "rows are not kept:\n{s}");
    assert!(
        s.contains("Alt-r runs this tab's query again on shop/api"),
        "{s}"
    );
    // Tab 1's own text came back too, and tab 2's stays its own.
    t.keys(&["M-1"]);
    t.wait_for("tab 1's text after the restart", long, |s| {
        s.contains("SELECT blob3 FROM aepipe LIMIT 5")
            && !s.contains("SELECT 'kept across restarts' AS k")
    });
    t.keys(&["M-2"]);
    t.wait_for("tab 2's text after the restart", long, |s| {
        s.contains("SELECT 'kept across restarts' AS k")
            && !s.contains("SELECT blob3 FROM aepipe LIMIT 5")
    });
    // Alt-R runs the shown tab's own statement (not the editor's).
    t.keys(&["M-r"]);
    t.wait_for("tab 2 run again", long, |s| s.contains("3 rows"));
    t.keys(&["M-1", "M-r"]);
    t.wait_for("tab 1 run again", long, |s| s.contains("5 rows"));
    t.keys(&["C-c"]);
    t.wait_for("the second run's end", long, |s| {
        s.contains("SECOND-EXITED:0")
    });
}
