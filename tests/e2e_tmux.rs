//! The real `aepipe` binary in a real terminal (tmux), on its embedded
//! server with HOME / XDG_DATA_HOME / XDG_CONFIG_HOME in a temp dir: the
//! demo projects appear, a query shows rows, a row with a ref_id shows its
//! payload, the tail shows new lines, and quitting restores the terminal.
//!
//! Without tmux this test fails when CI=true and is skipped (loudly)
//! otherwise. With AEPIPE_WRITE_SCREENSHOT=1 it saves the screen with a
//! query result and a payload to assets/screenshot.txt for the README.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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

    fn format(&self, fmt: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", self.session, fmt])
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

/// "12 of 15 lines" → 15 (the tail's buffer size).
fn tail_total(screen: &str) -> Option<usize> {
    let re = regex::Regex::new(r"(\d+) of (\d+) lines").ok()?;
    re.captures(screen)?.get(2)?.as_str().parse().ok()
}

#[test]
fn explorer_end_to_end_in_tmux() {
    if !tmux_available() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is required for the end-to-end explorer test in CI");
        }
        eprintln!("\n\n*** SKIPPING e2e_tmux: tmux is not installed ***\n\n");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    let h = home.path();
    let script = format!(
        "cd {dir} && env -u AEPIPE_URL -u AEPIPE_TOKEN -u AEPIPE_PROFILE -u NO_COLOR HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color {bin}; echo EXITED:$?; sleep 60",
        dir = h.display(),
    );
    let t = Tmux {
        socket: format!("aepipe-e2e-{}", std::process::id()),
        session: "e2e",
    };
    let out = t.cmd(&[
        "new-session",
        "-d",
        "-s",
        t.session,
        "-x",
        "132",
        "-y",
        "36",
        "sh",
        "-c",
        &script,
    ]);
    assert!(
        out.status.success(),
        "tmux: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The demo projects appear (seeded on first start).
    let long = Duration::from_secs(30);
    t.wait_for("demo projects", long, |s| {
        s.contains("auth") && s.contains("jobs") && s.contains("shop")
    });
    assert!(
        Path::new(&h.join("data/aepipe/explorer")).exists(),
        "data in XDG_DATA_HOME"
    );
    assert!(t.screen().contains("local (embedded server)"));

    // shop is the last project: open it, choose its first logstore (api).
    t.keys(&["End", "Enter"]);
    t.wait_for("logstores", long, |s| s.contains("checkout"));
    t.keys(&["Down", "Enter"]);
    t.wait_for("scoped editor", long, |s| s.contains("SQL · shop/api"));

    // A query runs and shows rows.
    t.keys(&["C-l"]);
    // Enter in the editor is a new line; F5 runs.
    for (i, line) in [
        "SELECT timestamp, blob3 AS event, blob4 AS level, blob5 AS ref_id",
        "FROM aepipe",
        "WHERE blob5 != ''",
        "ORDER BY timestamp DESC",
        "LIMIT 20",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            t.keys(&["Enter"]);
        }
        t.text(line);
    }
    t.keys(&["F5"]);
    let s = t.wait_for("rows", long, |s| s.contains("20 rows"));
    assert!(s.contains("http_error") || s.contains("ref_id"), "{s}");

    // The selected row has a ref_id: the detail pane shows its payload.
    t.keys(&["Tab"]);
    let s = t.wait_for("payload", long, |s| {
        s.contains("payload") && s.contains("created")
    });
    if std::env::var("AEPIPE_WRITE_SCREENSHOT").is_ok_and(|v| v == "1") {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screenshot.txt");
        std::fs::write(path, &s).unwrap();
    }

    // The live tail shows new lines (the demo trickle keeps writing).
    t.keys(&["F4"]);
    let s = t.wait_for("tail", long, |s| {
        s.contains("tail · shop/api") && tail_total(s).is_some()
    });
    let first = tail_total(&s).unwrap();
    t.wait_for("new tail lines", long, |s| {
        tail_total(s).is_some_and(|n| n > first)
    });

    // While running: alternate screen and mouse capture are on.
    assert_eq!(t.format("#{alternate_on}"), "1");

    // q quits (focus is on the tail, outside the editor) and the terminal is
    // restored: normal screen, cursor shown, no mouse reporting.
    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
    assert_eq!(t.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(t.format("#{cursor_flag}"), "1", "cursor visible");
    assert_eq!(t.format("#{mouse_any_flag}"), "0", "mouse capture off");
    assert_eq!(t.format("#{mouse_all_flag}"), "0", "mouse capture off");
}

/// Only run as the child of `a_panic_gives_the_terminal_back_before_the_message`
/// (with its environment variable): takes the terminal over the way the
/// explorer does, then panics.
#[test]
#[ignore = "the child process of the panic end-to-end test"]
fn panic_child() {
    if std::env::var("AEPIPE_E2E_PANIC_CHILD").is_err() {
        return;
    }
    let _guard = aepipe::tui::terminal::TerminalGuard::enter(true).expect("terminal");
    std::thread::sleep(Duration::from_secs(1));
    panic!("deliberate panic for the e2e test");
}

/// A panic while the explorer holds the terminal: the terminal is restored
/// first, so the message lands on the normal screen (printed before the
/// restore, it would vanish with the alternate screen).
#[test]
fn a_panic_gives_the_terminal_back_before_the_message() {
    if !tmux_available() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is required for the end-to-end explorer test in CI");
        }
        eprintln!("\n\n*** SKIPPING e2e_tmux panic test: tmux is not installed ***\n\n");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "AEPIPE_E2E_PANIC_CHILD=1 TERM=xterm-256color {exe} panic_child --exact --ignored --nocapture --test-threads=1; echo EXITED:$?; sleep 60",
        exe = exe.display(),
    );
    let t = Tmux {
        socket: format!("aepipe-e2e-panic-{}", std::process::id()),
        session: "panic",
    };
    let out = t.cmd(&[
        "new-session",
        "-d",
        "-s",
        t.session,
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success());
    let start = Instant::now();
    while t.format("#{alternate_on}") != "1" {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the child never took the terminal over:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let s = t.wait_for("exit", Duration::from_secs(30), |s| s.contains("EXITED:"));
    assert!(s.contains("deliberate panic for the e2e test"), "{s}");
    assert!(!s.contains("EXITED:0"), "the panic is still a failure: {s}");
    assert_eq!(t.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(t.format("#{cursor_flag}"), "1", "cursor visible");
    assert_eq!(t.format("#{mouse_any_flag}"), "0", "mouse capture off");
}

/// The explorer against `aepipe serve --demo --like-cloudflare` (slow
/// queries, records visible late, sampling): the tree, a query, a payload,
/// the live tail and help all work, and the status bar says connected.
#[test]
fn explorer_on_the_realistic_preset_in_tmux() {
    if !tmux_available() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("tmux is required for the end-to-end explorer test in CI");
        }
        eprintln!("\n\n*** SKIPPING e2e_tmux realism test: tmux is not installed ***\n\n");
        return;
    }
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    // Failures off: this test is about latency, lateness and sampling; the
    // failure policy has its own tests.
    let mut server = Command::new(bin)
        .args([
            "serve",
            "--demo",
            "--like-cloudflare",
            "--seed",
            "3",
            "--fail-rate",
            "0",
        ])
        .args([
            "--addr",
            "127.0.0.1:0",
            "--token",
            "e2e-token",
            "--data-dir",
        ])
        .arg(h.join("server"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = server.stdout.take().unwrap();
    let server = Kill(server);
    let url = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("aepipe serving on ").map(str::to_string))
        .expect("serve prints its URL");
    let script = format!(
        "cd {dir} && env -u AEPIPE_PROFILE -u NO_COLOR AEPIPE_URL={url} AEPIPE_TOKEN=e2e-token HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color {bin}; echo EXITED:$?; sleep 60",
        dir = h.display(),
    );
    let t = Tmux {
        socket: format!("aepipe-e2e-realism-{}", std::process::id()),
        session: "realism",
    };
    let out = t.cmd(&[
        "new-session",
        "-d",
        "-s",
        t.session,
        "-x",
        "132",
        "-y",
        "36",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success());
    let long = Duration::from_secs(60);
    t.wait_for("demo projects", long, |s| {
        s.contains("auth") && s.contains("jobs") && s.contains("shop")
    });
    t.keys(&["End", "Enter"]);
    t.wait_for("logstores", long, |s| s.contains("checkout"));
    t.keys(&["Down", "Enter"]);
    t.wait_for("scoped editor", long, |s| s.contains("SQL · shop/api"));
    t.keys(&["C-l"]);
    t.text("SELECT timestamp, blob3 AS event, blob5 AS ref_id FROM aepipe WHERE blob5 != '' ORDER BY timestamp DESC LIMIT 20");
    t.keys(&["F5"]);
    t.wait_for("rows", long, |s| s.contains("20 rows"));
    t.keys(&["Tab"]);
    t.wait_for("payload", long, |s| {
        s.contains("payload") && s.contains("created")
    });
    t.keys(&["F4"]);
    let s = t.wait_for("tail", long, |s| {
        s.contains("tail · shop/api") && tail_total(s).is_some()
    });
    let first = tail_total(&s).unwrap();
    // The trickle's lines surface up to 20 s late.
    t.wait_for("new tail lines", long, |s| {
        tail_total(s).is_some_and(|n| n > first)
    });
    assert!(t.screen().contains("● connected"), "{}", t.screen());
    t.keys(&["F1"]);
    t.wait_for("help", long, |s| s.contains("F5") && s.contains("F4"));
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
    drop(server);
}
