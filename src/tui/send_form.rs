//! The send form: write one log entry or one event to the selected logstore,
//! to check a pipeline end to end. It builds the request, checks it with the
//! SDK's own validation before anything is sent, and shows the answer.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};
use serde_json::{Map, Value};

use crate::client::{validate, DataPoint, LogEntry};
use crate::tui::keymap::{Command, Context, Keymap};
use crate::tui::theme::Theme;

/// What to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendKind {
    #[default]
    Log,
    Event,
}

/// A validated request for the host to send with `client.log` / `client.ingest`.
#[derive(Debug, Clone, PartialEq)]
pub enum SendItem {
    Log(LogEntry),
    Point(DataPoint),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SendRequest {
    pub project: String,
    pub logstore: String,
    pub item: SendItem,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Ignored,
    Handled,
    /// Send this; answer with `on_sent`.
    Send(SendRequest),
    /// The user closed the form.
    Close,
}

/// The form's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Kind,
    Message,
    Level,
    /// Log: `key=value` pairs. Event: blobs.
    Extra,
    /// Event only: numbers.
    Doubles,
    Payload,
}

const LOG_FIELDS: [Field; 5] = [
    Field::Kind,
    Field::Message,
    Field::Level,
    Field::Extra,
    Field::Payload,
];
const EVENT_FIELDS: [Field; 6] = [
    Field::Kind,
    Field::Message,
    Field::Level,
    Field::Extra,
    Field::Doubles,
    Field::Payload,
];

/// Log entry fields the server sets itself; a form field may not name them.
const RESERVED: [&str; 4] = ["project", "logstore", "level", "message"];

/// A one-line text input; the cursor is a char index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub cursor: usize,
}

impl Input {
    pub fn with(text: &str) -> Self {
        Self {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }
    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(i, _)| i)
    }
    /// The text split for drawing a cursor: what stands before it, the
    /// character under it (a space at the end) and what follows that.
    pub fn split_at_cursor(&self) -> (&str, String, &str) {
        let (before, after) = self.text.split_at(self.byte_at(self.cursor));
        let mut rest = after.chars();
        let under = rest.next().map_or(" ".to_string(), String::from);
        (before, under, rest.as_str())
    }
    /// Edit with `key`; false when the key is not an editing key.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

/// Where the last send stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendStatus {
    Editing,
    /// Rejected before sending.
    Invalid(String),
    Sending,
    Sent(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct SendForm {
    pub project: String,
    pub logstore: String,
    pub kind: SendKind,
    focus: Field,
    pub message: Input,
    pub level: Input,
    pub extra: Input,
    pub doubles: Input,
    pub payload: Input,
    status: SendStatus,
}

impl SendForm {
    pub fn new(project: &str, logstore: &str) -> Self {
        Self {
            project: project.to_string(),
            logstore: logstore.to_string(),
            kind: SendKind::Log,
            focus: Field::Message,
            message: Input::default(),
            // Empty (the server's default, info) rather than pre-filled
            // text that typing would append to ("infohello").
            level: Input::default(),
            extra: Input::default(),
            doubles: Input::default(),
            payload: Input::default(),
            status: SendStatus::Editing,
        }
    }

    pub fn focus(&self) -> Field {
        self.focus
    }
    pub fn status(&self) -> &SendStatus {
        &self.status
    }
    pub fn fields(&self) -> &'static [Field] {
        match self.kind {
            SendKind::Log => &LOG_FIELDS,
            SendKind::Event => &EVENT_FIELDS,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        match field {
            Field::Kind => None,
            Field::Message => Some(&mut self.message),
            Field::Level => Some(&mut self.level),
            Field::Extra => Some(&mut self.extra),
            Field::Doubles => Some(&mut self.doubles),
            Field::Payload => Some(&mut self.payload),
        }
    }

    pub fn input(&self, field: Field) -> Option<&Input> {
        match field {
            Field::Kind => None,
            Field::Message => Some(&self.message),
            Field::Level => Some(&self.level),
            Field::Extra => Some(&self.extra),
            Field::Doubles => Some(&self.doubles),
            Field::Payload => Some(&self.payload),
        }
    }

    /// A key under the built-in keymap (the tests).
    #[cfg(any(test, feature = "internals"))]
    pub fn handle_key(&mut self, key: KeyEvent) -> SendOutcome {
        self.handle_key_with(Keymap::builtin(), key)
    }

    /// A key through the `[send_form]` table; what it does not bind types
    /// into the focused field (and so does `toggle_kind` off the kind field,
    /// so Space and ←/→ still edit text).
    pub fn handle_key_with(&mut self, keymap: &Keymap, key: KeyEvent) -> SendOutcome {
        if key.kind == KeyEventKind::Release {
            return SendOutcome::Ignored;
        }
        match keymap.lookup_in(Context::SendForm, &key) {
            Some(Command::Close) => return SendOutcome::Close,
            Some(Command::Send) => return self.submit(),
            Some(Command::NextField) => self.move_focus(1),
            Some(Command::PrevField) => self.move_focus(-1),
            Some(Command::ToggleKind) if self.focus == Field::Kind => {
                self.kind = match self.kind {
                    SendKind::Log => SendKind::Event,
                    SendKind::Event => SendKind::Log,
                };
            }
            _ => {
                let focus = self.focus;
                let edited = self.input_mut(focus).is_some_and(|i| i.handle(&key));
                if !edited {
                    return SendOutcome::Ignored;
                }
            }
        }
        if self.status != SendStatus::Sending {
            self.status = SendStatus::Editing;
        }
        SendOutcome::Handled
    }

    fn move_focus(&mut self, delta: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = fields.len() as isize;
        let next = (at as isize + delta).rem_euclid(n) as usize;
        self.focus = fields[next];
    }

    /// Build and validate; on success the form waits for `on_sent`.
    fn submit(&mut self) -> SendOutcome {
        if self.status == SendStatus::Sending {
            return SendOutcome::Handled;
        }
        match self.build() {
            Ok(item) => {
                self.status = SendStatus::Sending;
                SendOutcome::Send(SendRequest {
                    project: self.project.clone(),
                    logstore: self.logstore.clone(),
                    item,
                })
            }
            Err(message) => {
                self.status = SendStatus::Invalid(message);
                SendOutcome::Handled
            }
        }
    }

    /// The request the form describes, checked like the SDK checks it.
    pub fn build(&self) -> Result<SendItem, String> {
        validate::names(&self.project, &self.logstore).map_err(|e| e.to_string())?;
        let message = self.message.text.trim();
        let level = self.level.text.trim();
        let payload = parse_payload(&self.payload.text)?;
        match self.kind {
            SendKind::Log => {
                if message.is_empty() {
                    return Err("a log entry needs a message".into());
                }
                let mut entry = LogEntry::new(message);
                if !level.is_empty() {
                    entry = entry.level(level);
                }
                let mut fields = parse_pairs(&self.extra.text)?;
                if let Some(p) = payload {
                    fields.extend(p);
                }
                if let Some(k) = fields.keys().find(|k| RESERVED.contains(&k.as_str())) {
                    return Err(format!(
                        "{k:?} is set by the server; use another field name"
                    ));
                }
                entry.fields = fields;
                validate::logs(std::slice::from_ref(&entry)).map_err(|e| e.to_string())?;
                Ok(SendItem::Log(entry))
            }
            SendKind::Event => {
                if message.is_empty() {
                    return Err("an event needs a name".into());
                }
                let mut point = DataPoint::new(message)
                    .blobs(split_words(&self.extra.text)?)
                    .doubles(parse_doubles(&self.doubles.text)?);
                if !level.is_empty() {
                    point = point.level(level);
                }
                point.payload = payload;
                validate::points(&self.project, &self.logstore, std::slice::from_ref(&point))
                    .map_err(|e| e.to_string())?;
                Ok(SendItem::Point(point))
            }
        }
    }

    /// The answer to a `Send`: how many were written, or why it failed.
    /// A sent event reaches queries only later on a real deployment: say so
    /// after a successful send there (`remote`).
    pub fn on_sent_to(&mut self, result: Result<u64, String>, remote: bool) {
        self.on_sent(result);
        if let (SendStatus::Sent(text), true) = (&mut self.status, remote) {
            text.push_str(" · ");
            text.push_str(crate::client::deployment::WRITE_DELAY_NOTE);
        }
    }

    pub fn on_sent(&mut self, result: Result<u64, String>) {
        self.status = match result {
            Ok(0) => SendStatus::Failed("the server skipped it (written: 0)".into()),
            Ok(n) => SendStatus::Sent(format!(
                "sent to {}/{} (written: {n})",
                self.project, self.logstore
            )),
            Err(message) => SendStatus::Failed(message),
        };
    }
}

/// `a=1 b="two words" c=true` → {"a":1,"b":"two words","c":true}: values that
/// read as JSON keep their type, anything else is a string.
fn parse_pairs(text: &str) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for word in split_words(text)? {
        let (k, v) = word
            .split_once('=')
            .ok_or_else(|| format!("{word:?} is not key=value"))?;
        if k.is_empty() {
            return Err(format!("{word:?} has no key"));
        }
        let value = serde_json::from_str::<Value>(v).unwrap_or_else(|_| Value::String(v.into()));
        out.insert(k.to_string(), value);
    }
    Ok(out)
}

/// Words separated by spaces; double quotes group, `\"` is a quote.
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn parse_doubles(text: &str) -> Result<Vec<f64>, String> {
    text.split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| format!("{w:?} is not a number"))
        })
        .collect()
}

fn parse_payload(text: &str) -> Result<Option<Map<String, Value>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err("the payload must be a JSON object, e.g. {\"k\": 1}".into()),
        Err(e) => Err(format!("the payload is not valid JSON: {e}")),
    }
}

#[cfg(any(test, feature = "internals"))]
pub fn render(form: &SendForm, area: Rect, buf: &mut Buffer, theme: &Theme) {
    render_with_keys(form, area, buf, theme, Keymap::builtin());
}

/// As [`render`], with the hint line taken from `keymap`.
pub fn render_with_keys(
    form: &SendForm,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    keymap: &Keymap,
) {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.border_focused)
        .title(Span::styled(
            format!(
                " send to {}/{} ",
                crate::sanitize::line(&form.project),
                crate::sanitize::line(&form.logstore)
            ),
            theme.title,
        ));
    let inner = block.inner(area);
    block.render(area, buf);
    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    let label_w = 9usize;
    for field in form.fields() {
        if y >= bottom {
            return;
        }
        let focused = form.focus() == *field;
        let label = match (field, form.kind) {
            (Field::Kind, _) => "kind",
            (Field::Message, SendKind::Log) => "message",
            (Field::Message, SendKind::Event) => "event",
            (Field::Level, _) => "level",
            (Field::Extra, SendKind::Log) => "fields",
            (Field::Extra, SendKind::Event) => "blobs",
            (Field::Doubles, _) => "doubles",
            (Field::Payload, _) => "payload",
        };
        let mut spans = vec![Span::styled(
            format!("{label:<label_w$}"),
            if focused { theme.key } else { theme.dim },
        )];
        match form.input(*field) {
            None => {
                let radio = |on: bool, text: &'static str| {
                    Span::styled(
                        format!("{} {text}  ", if on { "(•)" } else { "( )" }),
                        if on { theme.header } else { theme.dim },
                    )
                };
                spans.push(radio(form.kind == SendKind::Log, "log entry"));
                spans.push(radio(form.kind == SendKind::Event, "event"));
            }
            Some(input) if input.text.is_empty() && !focused => {
                spans.push(Span::styled(placeholder(*field, form.kind), theme.comment));
            }
            Some(input) if focused => {
                let (before, under, after) = input.split_at_cursor();
                spans.push(Span::raw(before));
                spans.push(Span::styled(under, theme.selected));
                spans.push(Span::raw(after));
            }
            Some(input) => spans.push(Span::raw(input.text.as_str())),
        }
        if *field == Field::Level {
            spans.extend(level_offer(form, focused, theme));
        }
        buf.set_line(inner.x, y, &Line::from(spans), inner.width);
        y += 1;
    }
    y += 1;
    if y < bottom {
        let (text, style) = match form.status() {
            SendStatus::Editing => (String::new(), theme.dim),
            SendStatus::Invalid(m) => (format!("✖ {m}"), theme.error),
            SendStatus::Sending => ("sending…".to_string(), theme.dim),
            SendStatus::Sent(m) => (format!("✔ {m}"), theme.ok),
            SendStatus::Failed(m) => (format!("✖ {m}"), theme.error),
        };
        let text = crate::sanitize::line(&text).into_owned();
        buf.set_line(inner.x, y, &Line::styled(text, style), inner.width);
    }
    if bottom > inner.y && bottom - 1 > y {
        buf.set_line(
            inner.x,
            bottom - 1,
            &Line::styled(
                keymap.hints(
                    Context::SendForm,
                    &[
                        (Command::Send, "sends"),
                        (Command::NextField, "next field"),
                        (Command::ToggleKind, "kind"),
                        (Command::Close, "closes"),
                    ],
                ),
                theme.dim,
            ),
            inner.width,
        );
    }
}

/// After the level: the known levels while it is being typed, and a
/// warning (sending is still allowed) for one aepipe does not know.
fn level_offer<'a>(form: &SendForm, focused: bool, theme: &Theme) -> Vec<Span<'a>> {
    match validate::level_warning(&form.level.text) {
        Some(_) => vec![Span::styled(
            format!(
                "  ⚠ not a known level: {}",
                validate::KNOWN_LEVELS.join(" · ")
            ),
            theme.warning,
        )],
        None if focused => vec![Span::styled(
            format!("  {}", validate::KNOWN_LEVELS.join(" · ")),
            theme.comment,
        )],
        None => Vec::new(),
    }
}

fn placeholder(field: Field, kind: SendKind) -> &'static str {
    match (field, kind) {
        (Field::Message, SendKind::Log) => "what happened",
        (Field::Message, SendKind::Event) => "event name, e.g. checkout",
        (Field::Level, _) => "info",
        (Field::Extra, SendKind::Log) => "key=value key2=\"two words\"",
        (Field::Extra, SendKind::Event) => "blob6 blob7 … (space-separated, quotes group)",
        (Field::Doubles, _) => "1.5 2 … (double1, double2, …)",
        (Field::Payload, _) => "optional JSON object, e.g. {\"order\": 42}",
        (Field::Kind, _) => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn type_text(f: &mut SendForm, text: &str) {
        for c in text.chars() {
            f.handle_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn builds_a_log_entry_with_typed_fields() {
        let mut f = SendForm::new("shop", "web");
        type_text(&mut f, "payment failed");
        f.handle_key(key(KeyCode::Tab));
        f.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        type_text(&mut f, "error");
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "order=42 user=\"ada l\" retry=true");
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "{\"card\": \"visa\"}");
        let SendOutcome::Send(req) = f.handle_key(key(KeyCode::Enter)) else {
            panic!("{:?}", f.status())
        };
        let SendItem::Log(entry) = req.item else {
            panic!()
        };
        assert_eq!(entry.message, "payment failed");
        assert_eq!(entry.level.as_deref(), Some("error"));
        assert_eq!(
            Value::Object(entry.fields),
            json!({"order": 42, "user": "ada l", "retry": true, "card": "visa"})
        );
        assert_eq!(f.status(), &SendStatus::Sending);
        f.on_sent(Ok(1));
        assert!(matches!(f.status(), SendStatus::Sent(m) if m.contains("written: 1")));
    }

    #[test]
    fn builds_an_event_with_blobs_doubles_and_payload() {
        let mut f = SendForm::new("shop", "web");
        f.handle_key(key(KeyCode::BackTab));
        assert_eq!(f.focus(), Field::Kind);
        f.handle_key(key(KeyCode::Right));
        assert_eq!(f.kind, SendKind::Event);
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "checkout");
        f.handle_key(key(KeyCode::Tab));
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "eu \"two words\"");
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "1.5, 2");
        f.handle_key(key(KeyCode::Tab));
        type_text(&mut f, "{\"items\": [1]}");
        let Ok(SendItem::Point(p)) = f.build() else {
            panic!("{:?}", f.build())
        };
        assert_eq!(p.event, "checkout");
        assert_eq!(p.blobs, ["eu", "two words"]);
        assert_eq!(p.doubles, [1.5, 2.0]);
        assert_eq!(p.payload.map(Value::Object), Some(json!({"items": [1]})));
    }

    #[test]
    fn rejects_bad_input_before_sending() {
        let mut f = SendForm::new("shop", "web");
        assert_eq!(f.handle_key(key(KeyCode::Enter)), SendOutcome::Handled);
        assert_eq!(
            f.status(),
            &SendStatus::Invalid("a log entry needs a message".into())
        );
        type_text(&mut f, "hi");
        f.payload = Input::with("[1]");
        assert!(f.build().is_err_and(|e| e.contains("JSON object")));
        f.payload = Input::with("{oops");
        assert!(f.build().is_err_and(|e| e.contains("not valid JSON")));
        f.payload = Input::default();
        f.extra = Input::with("project=other");
        assert!(f.build().is_err_and(|e| e.contains("set by the server")));
        f.extra = Input::with("novalue");
        assert!(f.build().is_err_and(|e| e.contains("not key=value")));
        f.extra = Input::with("a=\"open");
        assert!(f.build().is_err_and(|e| e.contains("quote")));
    }

    #[test]
    fn uses_the_sdk_limits() {
        let mut f = SendForm::new("shop", "web");
        f.kind = SendKind::Event;
        f.message = Input::with("e");
        f.extra = Input::with(&vec!["b"; 16].join(" "));
        assert!(
            f.build().is_err_and(|e| e.contains("16 blobs")),
            "{:?}",
            f.build()
        );
        f.extra = Input::default();
        f.doubles = Input::with("1 x");
        assert!(f
            .build()
            .is_err_and(|e| e.contains("\"x\" is not a number")));
        let bad = SendForm::new("bad name", "web");
        assert!(bad
            .build()
            .is_err_and(|e| e.contains("invalid project name")));
    }

    #[test]
    fn input_edits_at_the_cursor_with_unicode() {
        let mut i = Input::with("héllo");
        i.handle(&key(KeyCode::Left));
        i.handle(&key(KeyCode::Left));
        i.handle(&key(KeyCode::Backspace));
        assert_eq!(i.text, "hélo");
        i.handle(&key(KeyCode::Home));
        i.handle(&key(KeyCode::Delete));
        i.handle(&key(KeyCode::Char('H')));
        assert_eq!(i.text, "Hélo");
        assert_eq!(i.cursor, 1);
    }

    #[test]
    fn a_failed_send_says_why_and_esc_closes() {
        let mut f = SendForm::new("shop", "web");
        type_text(&mut f, "x");
        assert!(matches!(
            f.handle_key(key(KeyCode::Enter)),
            SendOutcome::Send(_)
        ));
        assert_eq!(
            f.handle_key(key(KeyCode::Enter)),
            SendOutcome::Handled,
            "no double send"
        );
        f.on_sent(Err("aepipe answered 401: unauthorized".into()));
        assert_eq!(
            f.status(),
            &SendStatus::Failed("aepipe answered 401: unauthorized".into())
        );
        assert_eq!(f.handle_key(key(KeyCode::Esc)), SendOutcome::Close);
    }
}
