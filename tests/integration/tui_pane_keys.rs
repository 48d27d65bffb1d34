//! Every pane takes its keys from its own table of the merged keymap: a
//! user file that rebinds a tree, editor or grid key changes what the key
//! does through `update()`, and a pane's own binding of a chord wins over
//! the `global` table's in every pane alike.

use crate::tui_support;

use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Bottom, Focus};
use aepipe::tui::effects::Effect;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use tui_support::*;

/// Scoped to shop/api with a 20-row result in the grid, focused.
fn with_rows() -> App {
    let mut app = scoped(120, 32);
    crate::tui_tabs::run(&mut app, "SELECT * FROM aepipe", sample_result(20));
    app.focus = Focus::Results;
    app
}

fn runs_query(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::RunQuery { .. }))
}

#[test]
fn grid_keys_come_from_the_grid_table() {
    let mut app = with_rows();
    app.keymap
        .apply_toml("[grid]\n\"x\" = \"down\"\n\"j\" = \"none\"\n\"s\" = \"none\"\n\"o\" = \"sort\"\n\"u\" = \"toggle_chart\"\n")
        .unwrap();
    press(&mut app, [key(KeyCode::Char('j'))]);
    assert_eq!(app.grid.row, 0, "j is unbound now");
    press(&mut app, [key(KeyCode::Char('x'))]);
    assert_eq!(app.grid.row, 1, "x moves down");
    press(&mut app, [key(KeyCode::Char('s'))]);
    assert_eq!(app.grid.sort, None, "s is unbound now");
    press(&mut app, [key(KeyCode::Char('o'))]);
    assert!(app.grid.sort.is_some(), "o sorts");
    // A global command bound in the grid's table.
    press(&mut app, [key(KeyCode::Char('u'))]);
    assert_eq!(app.bottom, Bottom::Chart);
}

#[test]
fn tree_keys_and_its_typing_come_from_the_tree_table() {
    let mut app = scoped(120, 32);
    app.keymap
        .apply_toml("[tree]\n\"x\" = \"up\"\n\"k\" = \"none\"\n\"up\" = \"none\"\n\"R\" = \"refresh\"\n\"r\" = \"none\"\n")
        .unwrap();
    app.focus = Focus::Tree;
    let before = app.tree.cursor;
    assert!(before > 0, "the cursor is on a logstore");
    press(&mut app, [key(KeyCode::Up)]);
    assert_eq!(app.tree.cursor, before, "↑ is unbound now");
    press(&mut app, [key(KeyCode::Char('x'))]);
    assert_eq!(app.tree.cursor, before - 1, "x moves up");
    // k is no tree key now: typing it filters the tree.
    press(&mut app, [key(KeyCode::Char('k'))]);
    assert_eq!(app.tree.filter, "k");
    press(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.tree.filter, "");
    let effects = press(&mut app, [key(KeyCode::Char('R'))]);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadProjects { .. })),
        "R refreshes: {effects:?}"
    );
    assert_eq!(app.tree.filter, "");
}

#[test]
fn editor_keys_come_from_the_editor_table() {
    let mut app = scoped(120, 32);
    app.keymap
        .apply_toml("[editor]\n\"ctrl-x\" = \"clear_editor\"\n\"alt-up\" = \"none\"\n")
        .unwrap();
    assert_eq!(app.focus, Focus::Editor);
    assert!(!app.editor.text().is_empty(), "the starter query");
    press(&mut app, [ctrl('x')]);
    assert_eq!(app.editor.text(), "", "Ctrl-x clears");
    press(&mut app, chars("SELECT 1"));
    assert_eq!(app.editor.text(), "SELECT 1", "unbound keys type");
}

#[test]
fn a_panes_own_chord_wins_over_the_global_table_in_every_pane() {
    // Ctrl-R runs the query (global) unless the focused pane binds it.
    let mut app = with_rows();
    app.keymap
        .apply_toml(
            "[editor]\n\"ctrl-r\" = \"clear_editor\"\n\
             [grid]\n\"ctrl-r\" = \"sort\"\n\
             [detail]\n\"ctrl-r\" = \"fold_all\"\n",
        )
        .unwrap();
    let effects = press(&mut app, [ctrl('r')]);
    assert!(!runs_query(&effects), "{effects:?}");
    assert!(app.grid.sort.is_some(), "the grid sorts");

    app.focus = Focus::Editor;
    let effects = press(&mut app, [ctrl('r')]);
    assert!(!runs_query(&effects), "{effects:?}");
    assert_eq!(app.editor.text(), "", "the editor clears");

    app.detail.show_json("t", json!({"a": {"b": 1}}));
    app.focus = Focus::Detail;
    let effects = press(&mut app, [ctrl('r')]);
    assert!(!runs_query(&effects), "{effects:?}");
    assert!(app.detail.tree().any_folded(), "the detail pane folds");

    // Where the pane does not bind it, the global key works as before.
    app.focus = Focus::Tree;
    app.editor.set_text("SELECT 1");
    let effects = press(
        &mut app,
        [Action::Key(KeyEvent::new(
            KeyCode::Char('r'),
            KeyModifiers::CONTROL,
        ))],
    );
    assert!(runs_query(&effects), "{effects:?}");
}
