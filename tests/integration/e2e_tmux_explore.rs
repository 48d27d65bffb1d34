//! The real binary in tmux, the investigation keys of issue 12: a time
//! range chosen with F8 is written into the statement's WHERE and shown on
//! the status bar; a watch at the shortest interval counts three refreshes
//! on the status bar; a chart bucket (F7, ←, Enter) narrows the time range
//! to that bucket. Needs tmux, as the other end-to-end tests. No fixed
//! sleeps: every step waits for the screen with a generous timeout.

use crate::tmux_support::{tmux_required, Tmux};

use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// The explorer on the demo data in a fresh home, scoped to shop/api.
fn explorer(session: &'static str, home: &std::path::Path) -> Tmux {
    let bin = env!("CARGO_BIN_EXE_aepipe");
    let script = format!(
        "cd {dir} && env -u AEPIPE_URL -u AEPIPE_TOKEN -u AEPIPE_PROFILE -u NO_COLOR HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color {bin}; echo EXITED:$?; sleep 60",
        dir = home.display(),
    );
    let t = Tmux::start(session, 150, 40, &script);
    t.open_shop_api(LONG);
    t
}

/// Type `lines` into the cleared editor, one per line, and run them.
fn run_lines(t: &Tmux, lines: &[&str]) {
    t.keys(&["C-l"]);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            t.keys(&["Enter"]);
        }
        t.text(line);
    }
    t.keys(&["F5"]);
}

fn quit(t: &Tmux) {
    t.keys(&["C-c"]);
    let s = t.wait_for("exit", LONG, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
}

#[test]
fn f8_writes_the_time_range_into_where_and_the_status_bar_in_tmux() {
    if !tmux_required("f8_writes_the_time_range_into_where_and_the_status_bar_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let t = explorer("timerange", home.path());
    run_lines(
        &t,
        &[
            "SELECT timestamp, blob3",
            "FROM aepipe",
            "ORDER BY timestamp DESC",
            "LIMIT 5",
        ],
    );
    t.wait_for("rows", LONG, |s| s.contains("5 rows"));
    assert!(!t.screen().contains("│ time:"), "all time shows no range");

    t.keys(&["F8"]);
    t.wait_for("the time range picker", LONG, |s| {
        s.contains("Time range (written into WHERE)") && s.contains("● all time")
    });
    // From "all time" up to "last 1h".
    t.keys(&["Up", "Up", "Up", "Up", "Enter"]);
    t.wait_for("the bound in the editor and status bar", LONG, |s| {
        s.contains("WHERE timestamp >= now() - INTERVAL '1' HOUR") && s.contains("│ time: 1h")
    });
    // It ran bounded: the grid counts the answer's rows (how many is the
    // demo's business).
    let counted = regex::Regex::new(r"\d+ rows? · ").unwrap();
    t.wait_for("the bounded run's answer", LONG, |s| counted.is_match(s));

    // F8 again marks the range in use; all time takes the bound out.
    t.keys(&["F8"]);
    t.wait_for("the picker marking 1 hour", LONG, |s| {
        s.contains("● last 1h")
    });
    t.keys(&["Down", "Down", "Down", "Down", "Enter"]);
    t.wait_for("the bound gone", LONG, |s| {
        !s.contains("INTERVAL '1' HOUR") && !s.contains("│ time:") && s.contains("5 rows")
    });
    quit(&t);
}

#[test]
fn a_watch_at_two_seconds_counts_three_refreshes_in_tmux() {
    if !tmux_required("a_watch_at_two_seconds_counts_three_refreshes_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let t = explorer("watch", home.path());
    run_lines(&t, &["SELECT blob3 FROM aepipe LIMIT 3"]);
    t.wait_for("rows", LONG, |s| s.contains("3 rows"));
    // To the grid; the interval steps 10 → 30 → 60 → 2 s.
    t.keys(&["Tab", "W", "W", "W"]);
    t.wait_for("2 s", LONG, |s| s.contains("watch interval 2 s"));
    t.keys(&["w"]);
    t.wait_for("the watch on", LONG, |s| s.contains("⟳ watch 2 s · #"));
    t.wait_for("three refreshes", LONG, |s| s.contains("⟳ watch 2 s · #3"));
    t.keys(&["w"]);
    t.wait_for("the watch off", LONG, |s| !s.contains("⟳ watch"));
    quit(&t);
}

#[test]
fn a_chart_bucket_narrows_the_time_range_in_tmux() {
    if !tmux_required("a_chart_bucket_narrows_the_time_range_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let t = explorer("chartdrill", home.path());
    run_lines(
        &t,
        &[
            "SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute,",
            "       count() AS n",
            "FROM aepipe",
            "GROUP BY minute",
            "ORDER BY minute",
        ],
    );
    t.wait_for("rows by the minute", LONG, |s| s.contains(" rows ·"));
    t.keys(&["Tab", "F7"]);
    t.wait_for("the chart", LONG, |s| s.contains("chart · over minute"));
    // ← lands on the newest bucket, a second ← on the one before.
    t.keys(&["Left", "Left"]);
    t.wait_for("a bucket chosen", LONG, |s| {
        s.contains("Enter narrows the time to it")
    });
    t.keys(&["Enter"]);
    // The status bar holds the whole range; the editor's line may be cut
    // at the pane's edge, so its start is what is checked there.
    let range = regex::Regex::new(
        r"│ time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \.\. (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)",
    )
    .unwrap();
    // Both on one screen: tmux may capture a frame half drawn.
    let s = t.wait_for(
        "the bucket's range on the status bar and in the WHERE",
        LONG,
        |s| {
            range.captures(s).is_some_and(|c| {
                s.contains(&format!("WHERE timestamp BETWEEN toDateTime('{}')", &c[1]))
            })
        },
    );
    let c = range.captures(&s).expect("a range");
    let (from, to) = (c[1].to_string(), c[2].to_string());
    // One minute's bucket: HH:MM:00 .. HH:MM:59, written into the WHERE.
    assert!(
        from.ends_with(":00") && to.ends_with(":59"),
        "{from} .. {to}"
    );
    assert_eq!(from[..16], to[..16], "one minute: {from} .. {to}");
    assert!(
        s.contains(&format!("WHERE timestamp BETWEEN toDateTime('{from}')")),
        "{s}"
    );
    // The narrowed query ran: one bucket left (the grid, back from the
    // chart, counts it).
    t.keys(&["F7"]);
    t.wait_for("one bucket", LONG, |s| s.contains(" 1 row · "));
    quit(&t);
}
