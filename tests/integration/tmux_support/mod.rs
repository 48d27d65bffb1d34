//! Driving a real terminal (tmux) for the end-to-end tests of the real
//! binary: keys in, screen and pane state out, on a tmux server of the
//! test's own (its socket), stopped when the test ends.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    pub session: &'static str,
}

impl Tmux {
    /// A detached session `session` of `width`×`height` running `script`
    /// (`sh -c`), on a tmux server of this test's own.
    pub fn start(session: &'static str, width: u16, height: u16, script: &str) -> Tmux {
        let t = Tmux {
            socket: format!("aepipe-e2e-{session}-{}", std::process::id()),
            session,
        };
        let (w, h) = (width.to_string(), height.to_string());
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-s",
            t.session,
            "-x",
            &w,
            "-y",
            &h,
            "sh",
            "-c",
            script,
        ]);
        assert!(
            out.status.success(),
            "tmux: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    /// From the first screen of the demo data to the editor scoped to
    /// shop/api: the project list, `shop` expanded, `api` chosen.
    pub fn open_shop_api(&self, timeout: Duration) {
        self.wait_for("demo projects", timeout, |s| s.contains("shop"));
        self.keys(&["End", "Enter"]);
        self.wait_for("logstores", timeout, |s| s.contains("checkout"));
        self.keys(&["Down", "Enter"]);
        self.wait_for("scoped editor", timeout, |s| s.contains("SQL · shop/api"));
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    pub fn text(&self, text: &str) {
        assert!(self
            .cmd(&["send-keys", "-t", self.session, "-l", text])
            .status
            .success());
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", self.session]).stdout)
            .into_owned()
    }

    pub fn format(&self, fmt: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", self.session, fmt])
                .stdout,
        )
        .trim()
        .to_string()
    }

    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
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

/// Wait until the file at `path` reads as `ok` says (a file the explorer
/// writes while it runs), with a generous timeout.
pub fn wait_for_file(
    path: &std::path::Path,
    what: &str,
    timeout: Duration,
    ok: impl Fn(&str) -> bool,
) {
    let start = Instant::now();
    while !std::fs::read_to_string(path).is_ok_and(|t| ok(&t)) {
        assert!(
            start.elapsed() < timeout,
            "timed out waiting for {what} in {}: {:?}",
            path.display(),
            std::fs::read_to_string(path)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own socket: this only stops the tmux server this test started.
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Whether to run: tmux must be there unless the run opts out on purpose
/// (AEPIPE_SKIP_E2E=1), so a machine without it cannot pass silently.
pub fn tmux_required(test: &str) -> bool {
    if std::env::var("AEPIPE_SKIP_E2E").is_ok_and(|v| v == "1") {
        eprintln!("\n\n*** SKIPPING {test}: AEPIPE_SKIP_E2E=1 ***\n\n");
        return false;
    }
    let available = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        available,
        "{test} needs tmux (bash .ci/run installs it); AEPIPE_SKIP_E2E=1 skips it"
    );
    true
}
