//! The explorer's panic hook gives the terminal back before the previous
//! hook prints the message. A panic hook is global to the process, so the
//! check runs in a child process of this test binary, where no other test
//! can panic meanwhile.

use std::panic;
use std::process::Command;
use std::sync::{Arc, Mutex};

use aepipe::tui::terminal::restore_then;

const CHILD_ENV: &str = "AEPIPE_PANIC_HOOK_CHILD";

#[test]
fn restore_runs_before_the_previous_hook_and_both_run_once() {
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([
            "tui_panic_hook::hook_order_child",
            "--exact",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
}

/// The check itself; only meaningful in the child process started above.
#[test]
#[ignore = "the child process of restore_runs_before_the_previous_hook_and_both_run_once"]
fn hook_order_child() {
    assert_eq!(
        std::env::var(CHILD_ENV).as_deref(),
        Ok("1"),
        "run through its parent test"
    );
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let (on_restore, on_previous) = (calls.clone(), calls.clone());
    let original = panic::take_hook();
    panic::set_hook(restore_then(
        move || on_restore.lock().unwrap().push("restore".into()),
        Box::new(move |info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map_or("?".to_string(), |s| s.to_string());
            on_previous
                .lock()
                .unwrap()
                .push(format!("previous: {message}"));
        }),
    ));
    let outcome = panic::catch_unwind(|| panic!("boom"));
    panic::set_hook(original);

    assert!(outcome.is_err(), "the panic still unwinds");
    assert_eq!(
        *calls.lock().unwrap(),
        vec!["restore".to_string(), "previous: boom".to_string()]
    );
}
