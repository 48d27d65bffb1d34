//! The real binary in tmux: field names from fields.toml show in the grid,
//! the detail pane and the live tail, a column named with `n` is saved there, and drilling down from a cell
//! writes `AND blob6 = '…'` into the editor and runs it. Needs tmux, as the
//! other end-to-end tests.

use crate::tmux_support::{tmux_required, wait_for_file, Tmux};

use std::time::Duration;

#[test]
fn field_names_and_drill_down_in_tmux() {
    if !tmux_required("field_names_and_drill_down_in_tmux") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let config = h.join("config/aepipe");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("fields.toml"),
        "[local.shop.api]\nblob6 = \"path\"\ndouble1 = \"latency_ms\"\n",
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_aepipe");
    let script = format!(
        "cd {dir} && env -u AEPIPE_URL -u AEPIPE_TOKEN -u AEPIPE_PROFILE -u NO_COLOR HOME={dir} XDG_DATA_HOME={dir}/data XDG_CONFIG_HOME={dir}/config TERM=xterm-256color {bin}; echo EXITED:$?; sleep 60",
        dir = h.display(),
    );
    let t = Tmux::start("drill", 150, 40, &script);
    let long = Duration::from_secs(60);
    t.open_shop_api(long);

    t.keys(&["C-l"]);
    for (i, line) in [
        "SELECT timestamp, blob6, double1 FROM aepipe",
        "WHERE blob3 = 'http_request'",
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
    // Named headers, with the positional column under each.
    let header = s
        .lines()
        .find(|l| l.contains("timestamp") && l.contains("path"))
        .unwrap_or_else(|| panic!("a header naming path:\n{s}"));
    assert!(header.contains("latency_ms"), "{header}");
    assert!(s.contains("blob6") && s.contains("double1"), "{s}");

    // To the grid, the path column, and drill in.
    t.keys(&["Tab", "Right"]);
    t.keys(&["="]);
    let s = t.wait_for("narrowed query", long, |s| {
        s.contains("WHERE blob3 = 'http_request' AND blob6 = '/")
    });
    let path = regex::Regex::new(r"AND blob6 = '(/[^']*)'")
        .unwrap()
        .captures(&s)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| panic!("a path in:\n{s}"));
    // The narrowed rows replace the others: every row shown has that path.
    let row = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +(/\S*)").unwrap();
    let paths = |s: &str| -> Vec<String> {
        s.lines()
            .filter_map(|l| row.captures(l).map(|c| c[1].to_string()))
            .collect()
    };
    t.wait_for("only the drilled path", long, |s| {
        let shown = paths(s);
        !shown.is_empty() && shown.iter().all(|p| *p == path)
    });

    // The detail pane labels the selected row's fields by name too.
    t.wait_for("named detail fields", long, |s| {
        s.contains("path (blob6)") && s.contains("latency_ms (double1)")
    });

    // Rename double1 from the grid: the header changes and the file keeps it.
    t.keys(&["Right", "n", "C-u"]);
    t.text("ms");
    t.keys(&["Enter"]);
    t.wait_for("renamed header", long, |s| {
        s.lines()
            .any(|l| l.contains("timestamp") && l.contains("path") && l.contains(" ms"))
            && !s.contains("latency_ms")
    });
    let fields = config.join("fields.toml");
    wait_for_file(&fields, "the new name", long, |t| {
        t.contains("double1 = \"ms\"")
    });

    // The live tail writes the demo's new requests with the same names.
    t.keys(&["F4"]);
    t.wait_for("a named tail line", long, |s| {
        s.lines()
            .any(|l| l.contains("http_request path=/") && !l.contains("blobs=["))
    });

    t.keys(&["q"]);
    let s = t.wait_for("exit", long, |s| s.contains("EXITED:"));
    assert!(s.contains("EXITED:0"), "{s}");
}
