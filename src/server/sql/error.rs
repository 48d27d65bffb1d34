//! The one error of the SQL pipeline: a message fit for a 400 answer.

use sqlparser::ast::Spanned;

/// A query we cannot run; always a 400 with this message, never a 500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    pub message: String,
}

impl SqlError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Add "at line L, column C" from the node's position, when the parser kept one.
pub fn at(mut err: SqlError, node: &impl Spanned) -> SqlError {
    let start = node.span().start;
    if start.line > 0 {
        err.message = format!(
            "{} (at line {}, column {})",
            err.message, start.line, start.column
        );
    }
    err
}

/// An error about `node`, with its position.
pub fn err_at<T>(node: &impl Spanned, message: impl Into<String>) -> Result<T, SqlError> {
    Err(at(SqlError::new(message), node))
}
