//! The explorer's keys as data for every pane, typing to filter the tree,
//! the help layout, editor clicks and prefetch through a sorted/filtered
//! grid: `update` on state plus TestBackend frames.

use crate::tui_support;

use std::time::Duration;

use aepipe::tui::action::Action;
use aepipe::tui::app::{App, Bottom, Focus, Scope};
use aepipe::tui::chart::ChartKind;
use aepipe::tui::effects::Effect;
use aepipe::tui::keymap::{Command, Context};
use aepipe::tui::send_form::SendForm;
use aepipe::tui::tail::LevelFilter;
use aepipe::tui::ui::{help, layout};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use serde_json::json;
use tui_support::*;
use unicode_width::UnicodeWidthStr;

fn with_result(rows: usize) -> App {
    let mut app = new_app(120, 32);
    aepipe::tui::update::choose_logstore(
        &mut app,
        Scope {
            project: "shop".into(),
            logstore: "api".into(),
        },
    );
    let effects = press(&mut app, [key(KeyCode::F(5))]);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a RunQuery effect");
    press(
        &mut app,
        [Action::QueryFinished {
            id,
            result: Ok(sample_result(rows)),
            elapsed: Duration::from_millis(5),
        }],
    );
    app
}

fn click(col: u16, row: u16) -> Action {
    Action::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn a_user_keymap_rebinds_detail_keys() {
    let mut app = new_app(120, 32);
    app.keymap
        .apply_toml("[detail]\n\"x\" = \"fold_all\"\n\"Z\" = \"none\"\n")
        .unwrap();
    app.detail
        .show_json("t", json!({"a": {"b": 1}, "c": [1, 2]}));
    app.focus = Focus::Detail;
    press(&mut app, [key(KeyCode::Char('Z'))]);
    assert!(!app.detail.tree().any_folded(), "Z is unbound now");
    press(&mut app, [key(KeyCode::Char('x'))]);
    assert!(app.detail.tree().any_folded(), "x folds all");
}

#[test]
fn a_user_keymap_rebinds_tail_keys_and_the_tail_hint_follows() {
    let mut app = new_app(120, 32);
    app.keymap
        .apply_toml("[tail]\n\"L\" = \"level_filter\"\n\"l\" = \"none\"\n")
        .unwrap();
    app.focus = Focus::Results;
    app.bottom = Bottom::Tail;
    press(&mut app, [key(KeyCode::Char('l'))]);
    assert_eq!(app.tail.filter().level, LevelFilter::All);
    press(&mut app, [key(KeyCode::Char('L'))]);
    assert_ne!(app.tail.filter().level, LevelFilter::All);
    press(&mut app, [key(KeyCode::Esc)]);
    let shot = screen(&app);
    assert!(shot.contains("L level"), "{shot}");
    assert!(!shot.contains("l level"), "{shot}");
}

#[test]
fn tail_esc_without_a_filter_still_cancels_zoom() {
    let mut app = new_app(120, 32);
    app.focus = Focus::Results;
    app.bottom = Bottom::Tail;
    press(&mut app, [key(KeyCode::Char('z'))]);
    assert!(app.layout.zoomed);
    press(&mut app, [key(KeyCode::Esc)]);
    assert!(!app.layout.zoomed, "Esc fell through to cancel");
}

#[test]
fn a_user_keymap_rebinds_chart_keys() {
    let mut app = with_result(30);
    app.keymap
        .apply_toml("[chart]\n\"x\" = \"chart_kind\"\n\"b\" = \"none\"\n")
        .unwrap();
    app.focus = Focus::Results;
    press(&mut app, [key(KeyCode::F(7))]);
    assert_eq!(app.bottom, Bottom::Chart);
    let kind = |app: &App| app.chart.as_ref().map(|c| c.kind);
    press(&mut app, [key(KeyCode::Char('b'))]);
    assert_eq!(kind(&app), Some(ChartKind::Line));
    press(&mut app, [key(KeyCode::Char('x'))]);
    assert_eq!(kind(&app), Some(ChartKind::Bar));
    press(&mut app, [key(KeyCode::Char('c'))]);
    assert_eq!(app.bottom, Bottom::Grid, "c closes the chart as bound");
}

#[test]
fn a_user_keymap_rebinds_send_form_keys() {
    let mut app = new_app(120, 32);
    app.keymap
        .apply_toml(
            "[send_form]\n\"ctrl-x\" = \"send\"\n\"ctrl-s\" = \"none\"\n\"enter\" = \"none\"\n",
        )
        .unwrap();
    app.open(aepipe::tui::pane::Popup::SendForm(SendForm::new(
        "shop", "api",
    )));
    // The message field has the focus; Space types there.
    press(&mut app, chars("hello world"));
    let effects = press(&mut app, [key(KeyCode::Enter)]);
    assert!(effects.is_empty(), "Enter is unbound: {effects:?}");
    let effects = press(
        &mut app,
        [Action::Key(KeyEvent::new(
            KeyCode::Char('x'),
            KeyModifiers::CONTROL,
        ))],
    );
    assert!(
        matches!(effects.as_slice(), [Effect::Send { .. }]),
        "{effects:?}"
    );
    let shot = screen(&app);
    assert!(shot.contains("Ctrl-x sends"), "{shot}");
}

#[test]
fn help_lists_every_pane_table_including_chart_and_send_form() {
    let mut app = new_app(120, 40);
    app.keymap
        .apply_toml("[chart]\n\"x\" = \"next_series\"\n")
        .unwrap();
    let text: Vec<String> = help::lines(&app).iter().map(|l| l.to_string()).collect();
    for heading in ["Detail", "Live tail", "Chart", "Send form"] {
        assert!(
            text.iter().any(|l| l.starts_with(heading)),
            "{heading}: {text:#?}"
        );
    }
    for (ctx, cmd) in [
        (Context::Chart, Command::NextSeries),
        (Context::SendForm, Command::Send),
        (Context::Tail, Command::LevelFilter),
        (Context::Detail, Command::FoldAll),
    ] {
        assert!(app.keymap.key_for(ctx, cmd).is_some());
        assert!(
            text.iter().any(|l| l.ends_with(cmd.description())),
            "{cmd:?}: {text:#?}"
        );
    }
    assert!(
        text.iter()
            .any(|l| l.contains("n, x") && l.ends_with("one series at a time / all")),
        "{text:#?}"
    );
}

/// Every key line's description starts in one column, after a space, and
/// nothing is wider than the box.
#[test]
fn help_key_column_fits_the_longest_key_list_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut app = new_app(w, h);
        app.focus = Focus::Tree;
        press(&mut app, [key(KeyCode::Char('?'))]);
        let shot = screen(&app);
        let run = shot
            .lines()
            .find(|l| l.contains("Ctrl-Enter") && l.contains("run query"))
            .unwrap_or_else(|| panic!("run query line at {w}x{h}:\n{shot}"));
        assert!(
            run.contains("Ctrl-Enter run query") || run.contains("Ctrl-Enter  "),
            "{run}"
        );
        let inner = w.min(78) - 2;
        let lines = help::lines_for_width(&app, inner);
        let mut columns = std::collections::BTreeSet::new();
        for line in &lines {
            let text = line.to_string();
            assert!(
                text.width() <= usize::from(inner),
                "too wide at {w}x{h}: {text:?}"
            );
            if line.spans.len() == 2 && line.spans[0].content.starts_with("  ") {
                let keys = &line.spans[0].content;
                if keys.trim().is_empty() {
                    continue; // a description under a long key list
                }
                assert!(keys.ends_with(' '), "{text:?}");
                columns.insert(keys.width());
            }
        }
        assert_eq!(columns.len(), 1, "one key column at {w}x{h}: {columns:?}");
    }
}

#[test]
fn help_pages_and_stops_at_the_end() {
    let mut app = new_app(80, 24);
    app.focus = Focus::Tree;
    press(&mut app, [key(KeyCode::Char('?')), key(KeyCode::End)]);
    let max = help::max_scroll(&app);
    assert!(max > 0);
    assert_eq!(app.help(), Some(&max));
    press(&mut app, [key(KeyCode::Down), key(KeyCode::Up)]);
    assert_eq!(
        app.help(),
        Some(&(max - 1)),
        "Up moves at once after the end"
    );
    press(&mut app, [key(KeyCode::Home), key(KeyCode::PageDown)]);
    assert!(app.help().is_some_and(|&scroll| scroll > 1));
}

fn tree_app() -> App {
    let mut app = new_app(120, 32);
    let effects = aepipe::tui::update::start(&mut app);
    let id = match effects.as_slice() {
        [Effect::LoadProjects { id }] => *id,
        other => panic!("{other:?}"),
    };
    press(
        &mut app,
        [Action::ProjectsLoaded {
            id,
            result: Ok(vec!["billing".into(), "shop".into(), "web".into()]),
        }],
    );
    app.focus = Focus::Tree;
    app
}

#[test]
fn typing_in_the_tree_filters_while_bound_keys_keep_working() {
    let mut app = tree_app();
    press(&mut app, chars("bi"));
    assert_eq!(app.tree.filter, "bi");
    assert!(!app.tree.filtering, "no / needed");
    assert_eq!(app.tree.visible_rows().len(), 1);
    // Once a filter has started, letters that are keys (j, k, r) type too;
    // arrows still move.
    press(&mut app, chars("jr"));
    assert_eq!(app.tree.filter, "bijr");
    press(&mut app, [key(KeyCode::Backspace), key(KeyCode::Backspace)]);
    assert_eq!(app.tree.filter, "bi");
    press(&mut app, [key(KeyCode::Down)]);
    assert_eq!(app.tree.filter, "bi");
    press(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.tree.filter, "b");
    press(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.tree.filter, "");
    assert_eq!(app.tree.visible_rows().len(), 3);
    // With no filter, j, k, r keep their meaning.
    let effects = press(&mut app, chars("r"));
    assert!(app.tree.filter.is_empty());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadProjects { .. })),
        "r refreshes: {effects:?}"
    );
    // `/` still types every key, bound or not.
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("web"));
    assert_eq!(app.tree.filter, "web");
    assert_eq!(app.tree.visible_rows().len(), 1);
}

#[test]
fn clicking_in_the_editor_moves_the_cursor_there() {
    let mut app = new_app(120, 32);
    app.editor
        .set_text("SELECT blob1\nFROM api\nWHERE double1 > 3");
    app.focus = Focus::Tree;
    let _ = screen(&app);
    let editor = layout::compute(&app).editor;
    // Unfocused: the highlighted text was on screen.
    press(&mut app, [click(editor.x + 1 + 5, editor.y + 1 + 1)]);
    assert_eq!(app.focus, Focus::Editor);
    assert_eq!(app.editor.textarea.cursor(), (1, 5));
    let _ = screen(&app);
    // Focused: the textarea was on screen.
    press(&mut app, [click(editor.x + 1 + 2, editor.y + 1 + 2)]);
    assert_eq!(app.editor.textarea.cursor(), (2, 2));
    // Past the end of a line: the end of that line.
    let _ = screen(&app);
    press(&mut app, [click(editor.x + 60, editor.y + 1)]);
    assert_eq!(app.editor.textarea.cursor(), (0, 12));
}

#[test]
fn clicking_in_a_scrolled_editor_accounts_for_the_scroll() {
    let mut app = new_app(120, 32);
    let text: Vec<String> = (0..40).map(|i| format!("-- line {i}")).collect();
    app.editor.set_text(&text.join("\n"));
    app.focus = Focus::Editor;
    let _ = screen(&app);
    let editor = layout::compute(&app).editor;
    let inner_h = editor.height - 2;
    press(&mut app, [click(editor.x + 1 + 3, editor.y + 1)]);
    assert_eq!(
        app.editor.textarea.cursor(),
        (40 - usize::from(inner_h), 3),
        "the top line on screen, not line 0"
    );
}

#[test]
fn payloads_of_the_visible_rows_are_prefetched_when_the_grid_is_filtered() {
    let mut app = with_result(60);
    app.focus = Focus::Results;
    // Rows with "error" are 2, 6, 10, …; of those 6, 18, 30, 42, 54 have a ref_id.
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("error"));
    press(&mut app, [key(KeyCode::Enter), key(KeyCode::Char('s'))]);
    assert_eq!(app.grid.selected_row(), Some(2));
    std::thread::sleep(Duration::from_millis(200));
    let effects = press(&mut app, [Action::Tick]);
    let ids: Vec<String> = effects
        .iter()
        .find_map(|e| match e {
            Effect::FetchDetail { request, .. } => Some(request.ref_ids.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a prefetch: {effects:?}"));
    for row in [6, 18, 30] {
        let id = format!("00000000-0000-4000-8000-{row:012}");
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let unshown = format!("00000000-0000-4000-8000-{:012}", 3);
    assert!(!ids.contains(&unshown), "row 3 is filtered out: {ids:?}");
}

#[test]
fn at_80x24_hints_wrap_and_the_detail_title_keeps_the_row_count() {
    let mut app = new_app(80, 24);
    let shot = screen(&app);
    assert!(
        shot.contains("to see it") && shot.contains("here."),
        "{shot}"
    );
    assert!(shot.contains("(F5)."), "the results hint is whole: {shot}");
    app = with_result(100);
    press(&mut app, [Action::Resize(80, 24)]);
    let shot = screen(&app);
    assert!(shot.contains(" row 1 of 100 "), "{shot}");
}

#[test]
fn at_80x24_the_footer_keeps_help_and_quit_and_the_count_keeps_shown() {
    let mut app = with_result(100);
    press(&mut app, [Action::Resize(80, 24)]);
    app.focus = Focus::Results;
    press(&mut app, [key(KeyCode::Char('/'))]);
    press(&mut app, chars("error"));
    press(&mut app, [key(KeyCode::Enter)]);
    let shot = screen(&app);
    let footer = shot.lines().last().unwrap_or("");
    assert!(
        footer.contains("? help") && footer.contains("q quit"),
        "{footer}"
    );
    assert!(shot.contains("100 rows · 25 shown"), "{shot}");
}

#[test]
fn a_tree_filter_loads_unloaded_logstores_once_and_matches_their_names() {
    let mut app = tree_app();
    let effects = press(&mut app, chars("c"));
    let mut loads: Vec<(u64, String)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadLogstores { id, project } => Some((*id, project.clone())),
            _ => None,
        })
        .collect();
    loads.sort_by(|a, b| a.1.cmp(&b.1));
    let projects: Vec<&str> = loads.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        projects,
        ["billing", "shop", "web"],
        "every unloaded project"
    );
    // A second key asks again for none: they are loading already.
    let again = press(&mut app, chars("h"));
    assert!(
        !again
            .iter()
            .any(|e| matches!(e, Effect::LoadLogstores { .. })),
        "{again:?}"
    );
    for (id, project) in loads {
        let stores = match project.as_str() {
            "shop" => vec!["api".to_string(), "checkout".to_string()],
            _ => vec!["main".to_string()],
        };
        press(
            &mut app,
            [Action::LogstoresLoaded {
                id,
                project,
                result: Ok(stores),
            }],
        );
    }
    // "ch" matches no project name, but shop's logstore "checkout": the
    // project shows with just that child.
    assert_eq!(app.tree.visible_rows().len(), 2);
    let text = screen(&app);
    assert!(text.contains("checkout"), "{text}");
    assert!(!text.contains("api"), "{text}");
}
