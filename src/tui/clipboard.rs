//! Copying: the system clipboard through the usual command-line tools when
//! one works (pbcopy, wl-copy, xclip, xsel), else the terminal's OSC 52
//! sequence. Every failure is a message, never a panic.

use std::io::Write;
use std::process::{Command, Stdio};

/// (program, arguments, when it can work).
const TOOLS: &[(&str, &[&str], Env)] = &[
    ("pbcopy", &[], Env::MacOs),
    ("wl-copy", &[], Env::Wayland),
    ("xclip", &["-selection", "clipboard"], Env::X11),
    ("xsel", &["--clipboard", "--input"], Env::X11),
];

#[derive(Clone, Copy)]
enum Env {
    MacOs,
    Wayland,
    X11,
}

impl Env {
    fn present(self) -> bool {
        let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
        match self {
            Env::MacOs => cfg!(target_os = "macos"),
            Env::Wayland => set("WAYLAND_DISPLAY"),
            Env::X11 => set("DISPLAY"),
        }
    }
}

/// Put `text` on the system clipboard with the first tool that works;
/// returns the tool's name. Blocking: run it off the UI thread.
pub fn copy_with_system_tool(text: &str) -> Result<&'static str, String> {
    let mut tried = Vec::new();
    for (program, args, env) in TOOLS {
        if !env.present() {
            continue;
        }
        match run(program, args, text) {
            Ok(()) => return Ok(program),
            Err(e) => tried.push(format!("{program}: {e}")),
        }
    }
    if tried.is_empty() {
        Err("no system clipboard (no display)".into())
    } else {
        Err(tried.join("; "))
    }
}

fn run(program: &str, args: &[&str], text: &str) -> Result<(), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exited with {status}"))
    }
}
