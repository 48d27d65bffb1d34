//! Which cell of a result row names a payload: the one detector the grid
//! (what Enter and the detail pane fetch) and the detail pane share, so
//! both agree on which rows have a payload.

use crate::client::QueryResult;

/// Whether a column holds ref_ids: `blob5` (where ingest writes them) or a
/// column a query named `ref_id`. SQL names are case-insensitive, so
/// `BLOB5` or `Ref_Id` count too.
pub fn is_ref_id_column(name: &str) -> bool {
    name.eq_ignore_ascii_case("blob5") || name.eq_ignore_ascii_case("ref_id")
}

/// A ref_id as ingest stores it: a hyphenated UUID (36 characters,
/// 8-4-4-4-12 hex digits, either case). An empty blob5 ("", a row with no
/// payload) or any other text is not one.
pub fn looks_like_ref_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The ref_id of a result row: the first ref_id column whose cell is a
/// ref_id.
pub fn row_ref_id(result: &QueryResult, row: usize) -> Option<String> {
    result
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| is_ref_id_column(&c.name))
        .find_map(|(i, _)| result.get_str(row, i).filter(|s| looks_like_ref_id(s)))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Cell, Column};

    const ID_A: &str = "123e4567-e89b-12d3-a456-426614174000";
    const ID_B: &str = "ABCDEF01-2345-6789-ABCD-EF0123456789";

    fn text_columns(names: &[&str]) -> Vec<Column> {
        names
            .iter()
            .map(|n| Column {
                name: (*n).into(),
                type_name: "String".into(),
            })
            .collect()
    }

    #[test]
    fn a_ref_id_is_a_hyphenated_uuid_of_either_case() {
        assert!(looks_like_ref_id(ID_A));
        assert!(looks_like_ref_id(ID_B));
        assert!(!looks_like_ref_id("123e4567e89b12d3a456426614174000"));
        assert!(!looks_like_ref_id("{123e4567-e89b-12d3-a456-42661417400}"));
        assert!(!looks_like_ref_id("123e4567-e89b-12d3-a456-42661417400g"));
        assert!(!looks_like_ref_id("123e4567+e89b-12d3-a456-426614174000"));
        assert!(!looks_like_ref_id(""));
    }

    #[test]
    fn ref_id_columns_are_blob5_or_ref_id_in_any_case() {
        for name in ["blob5", "BLOB5", "ref_id", "Ref_Id"] {
            assert!(is_ref_id_column(name), "{name}");
        }
        for name in ["blob4", "ref", "note", ""] {
            assert!(!is_ref_id_column(name), "{name}");
        }
    }

    #[test]
    fn a_row_ref_id_is_a_uuid_in_a_ref_id_column() {
        let r = QueryResult::from_parts(
            text_columns(&["blob5", "note"]),
            vec![
                vec![Cell::Text(ID_A.into()), Cell::Text(ID_B.into())],
                vec![Cell::Text("not-a-uuid".into()), Cell::Text(ID_B.into())],
                vec![Cell::Text("".into()), Cell::Text("".into())],
            ],
        );
        assert_eq!(row_ref_id(&r, 0).as_deref(), Some(ID_A));
        assert_eq!(row_ref_id(&r, 1), None, "only ref_id/blob5 columns count");
        assert_eq!(row_ref_id(&r, 2), None, "an empty blob5 has no payload");
        assert_eq!(row_ref_id(&r, 9), None, "past the last row");
    }

    #[test]
    fn the_first_ref_id_column_with_a_ref_id_wins() {
        let r = QueryResult::from_parts(
            text_columns(&["blob5", "REF_ID"]),
            vec![
                vec![Cell::Text("".into()), Cell::Text(ID_B.into())],
                vec![Cell::Text(ID_A.into()), Cell::Text(ID_B.into())],
            ],
        );
        assert_eq!(row_ref_id(&r, 0).as_deref(), Some(ID_B));
        assert_eq!(row_ref_id(&r, 1).as_deref(), Some(ID_A));
    }
}
