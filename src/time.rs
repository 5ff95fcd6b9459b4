//! PLACEHOLDER interface for time expressions (being written by the time engineer).
//!
//! Input: article text (original and [`Normalized`]), the time lexicon and the publication
//! date if known. Output: [`TimeMention`]s in text order, each with original character offsets,
//! a value of known precision (or none) and how it was resolved.

use crate::arabic::Normalized;
use crate::dates::DateValue;
use crate::model::Resolution;
use chrono::NaiveDate;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum TimeLexiconError {
    #[error("{file}:{line}: {message}")]
    Syntax { file: String, line: usize, message: String },
    #[error("{file}: {source}")]
    Io { file: String, source: std::io::Error },
}

/// Month names (both systems), weekdays, ordinal day words, relative words, dateline cues.
#[derive(Debug, Clone, Default)]
pub struct TimeLexicon {}

impl TimeLexicon {
    /// Embedded from `lexicon/time/`.
    pub fn builtin() -> Result<Self, TimeLexiconError> {
        Ok(TimeLexicon {})
    }
    /// Adds `DIR/time/*.tsv` files of a user lexicon directory, if present.
    pub fn add_dir(&mut self, _dir: &Path) -> Result<(), TimeLexiconError> {
        Ok(())
    }
}

/// One time expression in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeMention {
    /// Character offsets into the original text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The value, when it could be determined.
    pub value: Option<DateValue>,
    pub resolution: Resolution,
}

/// Finds and normalizes time expressions of `text`, in text order. Relative and year-less
/// expressions resolve against `published` when given, else against the narrative anchor
/// (latest explicit date before them), else stay unresolved.
pub fn find_times(
    _text: &str,
    _normalized: &Normalized,
    _lexicon: &TimeLexicon,
    _published: Option<NaiveDate>,
) -> Vec<TimeMention> {
    Vec::new()
}

/// The publication date stated by a dateline in the text («26-سبتمبر-2023», «تاريخ النشر: 9th,
/// February 2024 GMT», «الجمعة 9 فبراير 2024», ISO forms), with its character offsets.
pub fn dateline(
    _text: &str,
    _normalized: &Normalized,
    _lexicon: &TimeLexicon,
) -> Option<(NaiveDate, usize, usize)> {
    None
}
