//! Reading articles: `.txt` files (with an optional `NAME.meta.json` sidecar), directories of
//! them, and JSON Lines files (one article per line).
//!
//! Input: paths from the command line. Output: [`Article`]s, or a [`CorpusError`] per input that
//! could not be read, naming the file (and line for JSON Lines); one bad input never stops the
//! others.

use chrono::NaiveDate;

/// One news article as read from the corpus.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    /// File stem or the JSON Lines `id`.
    pub id: String,
    pub text: String,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
    pub publisher: Option<String>,
    pub title: Option<String>,
    /// Where it was read from, for messages: `seeds/000.txt` or `corpus.jsonl:12`.
    pub origin: String,
}
