//! Which Analytics Engine columns a raw record was written to, so a tail
//! line can be pivoted on ("every row with this user id"). Only an ingested
//! point has a row: its `event` went to blob3, `level` to blob4, `blobs` to
//! blob6… and `doubles` to double1… (docs/api.md). A log entry has none.

use serde_json::Value;

use crate::client::{Cell, Column};
use crate::tui::fields::FieldNames;

/// Longest value offered (a blob holds at most a few KiB; a label needs less).
const MAX_LABEL_VALUE_CHARS: usize = 60;

/// One column of the record with its value, ready for a WHERE.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnValue {
    pub column: Column,
    pub cell: Cell,
}

impl ColumnValue {
    /// "user_id (blob9) = u-42", cut to a reasonable width.
    pub fn label(&self, names: &FieldNames) -> String {
        let value = match &self.cell {
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        let mut value: String = value.chars().take(MAX_LABEL_VALUE_CHARS).collect();
        if value.len() < self.cell_text_len() {
            value.push('…');
        }
        match names.name_of(&self.column.name) {
            Some(name) => format!("{name} ({}) = {value}", self.column.name),
            None => format!("{} = {value}", self.column.name),
        }
    }

    fn cell_text_len(&self) -> usize {
        match &self.cell {
            Cell::Text(s) => s.len(),
            _ => 0,
        }
    }
}

/// The record's columns that hold something (AE stores `""` and 0 for
/// unset ones, which make no useful pivot), in column order.
pub fn columns_of(data: &Value) -> Vec<ColumnValue> {
    let Some(obj) = data.as_object() else {
        return Vec::new();
    };
    if !obj.get("event").is_some_and(Value::is_string) {
        return Vec::new();
    }
    let text = |name: String, s: &str| ColumnValue {
        column: Column {
            name,
            type_name: "String".into(),
        },
        cell: Cell::Text(s.into()),
    };
    let mut out = Vec::new();
    for (key, column) in [("event", "blob3"), ("level", "blob4")] {
        if let Some(s) = obj
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.push(text(column.into(), s));
        }
    }
    if let Some(blobs) = obj.get("blobs").and_then(Value::as_array) {
        // blob6..blob20: 15 of them.
        for (i, b) in blobs.iter().enumerate().take(15) {
            if let Some(s) = b.as_str().filter(|s| !s.is_empty()) {
                out.push(text(format!("blob{}", 6 + i), s));
            }
        }
    }
    if let Some(doubles) = obj.get("doubles").and_then(Value::as_array) {
        for (i, d) in doubles.iter().enumerate().take(20) {
            if let Some(n) = d.as_f64().filter(|n| *n != 0.0 && n.is_finite()) {
                out.push(ColumnValue {
                    column: Column {
                        name: format!("double{}", 1 + i),
                        type_name: "Float64".into(),
                    },
                    cell: Cell::Number(n),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_maps_to_its_columns_and_a_log_entry_to_none() {
        let data = json!({"event": "req", "level": "info", "blobs": ["/a", "", "u-42"],
            "doubles": [12.5, 0], "project": "p"});
        let cols: Vec<_> = columns_of(&data)
            .into_iter()
            .map(|c| c.column.name)
            .collect();
        assert_eq!(cols, ["blob3", "blob4", "blob6", "blob8", "double1"]);
        assert!(columns_of(&json!({"message": "hi", "user": "u"})).is_empty());
        assert!(columns_of(&json!("text")).is_empty());
    }

    #[test]
    fn labels_use_names_and_stay_short() {
        let names = FieldNames::new(
            "t",
            &[("blob8".to_string(), "user_id".to_string())]
                .into_iter()
                .collect(),
        )
        .unwrap();
        let long = "x".repeat(100);
        let data = json!({"event": "e", "blobs": ["", "", "u-42", long]});
        let labels: Vec<_> = columns_of(&data).iter().map(|c| c.label(&names)).collect();
        assert_eq!(labels[1], "user_id (blob8) = u-42");
        assert_eq!(labels[2].chars().count(), "blob9 = ".len() + 61);
    }
}
