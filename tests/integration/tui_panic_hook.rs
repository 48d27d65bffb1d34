//! The explorer's panic hook gives the terminal back before the previous
//! hook prints the message. Its own test binary: a panic hook is global to
//! the process, so no other test may panic meanwhile.

use std::panic;
use std::sync::{Arc, Mutex};

use aepipe::tui::terminal::restore_then;

#[test]
fn restore_runs_before_the_previous_hook_and_both_run_once() {
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
