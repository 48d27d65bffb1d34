//! The real `aepipe` binary in a real terminal (tmux) on hostile log data
//! served by the real local server: the pane keeps its title, its screen is
//! not cleared, and the sequences are shown as text, in the grid, the detail
//! pane and the live tail, and after exit.
//!
//! Without tmux this test fails when CI=true and is skipped (loudly)
//! otherwise, like tests/e2e_tmux.rs.

mod common;
mod hostile_support;

use std::process::Command;
use std::time::{Duration, Instant};

use hostile_support::*;

struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn text(&self, text: &str) {
        assert!(self
            .cmd(&["send-keys", "-t", self.session, "-l", text])
            .status
            .success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", self.session]).stdout)
            .into_owned()
    }

    fn title(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", self.session, "#{pane_title}"])
                .stdout,
        )
        .trim()
        .to_string()
    }

    fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own socket: this only stops the tmux server this test started.
        let _ = self.cmd(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn hostile_log_data_cannot_drive_the_terminal() {
    if !tmux_available() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is required for the end-to-end explorer test in CI");
        }
        eprintln!("\n\n*** SKIPPING hostile_tmux: tmux is not installed ***\n\n");
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
    let t = Tmux {
        socket: format!("aepipe-hostile-{}", std::process::id()),
        session: "hostile",
    };
    let out = t.cmd(&[
        "new-session", "-d", "-s", t.session, "-x", "150", "-y", "36", "sh", "-c", &script,
    ]);
    assert!(out.status.success(), "tmux: {}", String::from_utf8_lossy(&out.stderr));
    let title_before = t.title();
    assert!(!title_before.contains("PWNED"));

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
    assert!(!t.title().contains("PWNED"), "pane title became {:?}", t.title());
    assert!(s.contains("Projects") && s.contains("connected"), "{s}");

    // The detail pane with the hostile payload.
    t.keys(&["Tab"]);
    t.wait_for("payload", long, |s| s.contains("payload") && s.contains("created"));
    assert!(!t.title().contains("PWNED"), "title after detail: {:?}", t.title());

    // The live tail with hostile messages.
    t.keys(&["F4"]);
    let s = t.wait_for("tail lines", long, |s| s.contains("second t␛]0;PWNED"));
    assert!(!t.title().contains("PWNED"), "title after tail: {:?}", t.title());
    assert!(s.contains("Projects"), "{s}");

    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
    assert!(!t.title().contains("PWNED"), "title after exit: {:?}", t.title());
    drop(server);
}
