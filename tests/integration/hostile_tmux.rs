//! The real `aepipe` binary in a real terminal (tmux) on hostile log data
//! served by the real local server: the pane keeps its title, its screen is
//! not cleared, and the sequences are shown as text, in the grid, the detail
//! pane and the live tail, and after exit.
//!
//! Without tmux this test fails, unless AEPIPE_SKIP_E2E=1 skips it.

use crate::common;
use crate::hostile_support;
use crate::tmux_support;

use std::time::Duration;

use hostile_support::*;
use tmux_support::*;

#[test]
fn hostile_log_data_cannot_drive_the_terminal() {
    if !tmux_required("hostile_tmux") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(async {
        let server = common::TestServer::start().await;
        seed(&server.client()).await;
        server
    });
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    let script = format!(
        "cd {dir} && env -u AEPIPE_PROFILE -u NO_COLOR HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color AEPIPE_URL={url} AEPIPE_TOKEN={token} {bin}; echo EXITED:$?; sleep 60",
        dir = home.path().display(),
        url = server.url(),
        token = server.token(),
    );
    let t = Tmux::start("hostile", 150, 36, &script);
    let title = || t.format("#{pane_title}");
    assert!(!title().contains("PWNED"));

    let long = Duration::from_secs(30);
    t.wait_for("the project", long, |s| s.contains(PROJECT));
    t.keys(&["Enter"]);
    t.wait_for("the logstore", long, |s| s.contains(LOGSTORE));
    t.keys(&["Down", "Enter"]);
    t.wait_for("scoped editor", long, |s| s.contains("SQL · hostile/data"));
    t.keys(&["C-l"]);
    t.text("SELECT blob7 AS plain, blob6 AS msg, blob5 AS ref_id FROM aepipe ORDER BY plain");
    t.keys(&["F5"]);
    let s = t.wait_for("hostile rows", long, |s| s.contains("3 rows"));
    // Shown as text…
    assert!(s.contains("␛]0;PWNED␇"), "{s}");
    // …and not obeyed: the title is the same, the screen was not cleared
    // (the tree and the status bar are still there).
    assert!(
        !title().contains("PWNED"),
        "pane title became {:?}",
        title()
    );
    assert!(s.contains("Projects") && s.contains("connected"), "{s}");

    // The detail pane with the hostile payload.
    t.keys(&["Tab"]);
    t.wait_for("payload", long, |s| {
        s.contains("payload") && s.contains("created")
    });
    assert!(
        !title().contains("PWNED"),
        "title after detail: {:?}",
        title()
    );

    // The live tail with hostile messages.
    t.keys(&["F4"]);
    let s = t.wait_for("tail lines", long, |s| s.contains("second t␛]0;PWNED"));
    assert!(
        !title().contains("PWNED"),
        "title after tail: {:?}",
        title()
    );
    assert!(s.contains("Projects"), "{s}");

    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
    assert!(
        !title().contains("PWNED"),
        "title after exit: {:?}",
        title()
    );
    drop(server);
}
