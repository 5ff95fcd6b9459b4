//! PLACEHOLDER interface for the extractor (being written by the extractor engineer).
use crate::corpus::Article;
use crate::model::{ArticleMeta, Extraction};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{file}:{line}: {message}")]
    Syntax { file: String, line: usize, message: String },
    #[error("{file}: {source}")]
    Io { file: String, source: std::io::Error },
}

/// All linguistic knowledge the extractor uses, from `lexicon/` plus user directories.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {}

impl Lexicon {
    /// The lexicon embedded in the binary (`lexicon/` at build time).
    pub fn builtin() -> Result<Self, LexiconError> {
        Ok(Lexicon {})
    }
    /// Adds the files of a user lexicon directory (same layout as `lexicon/`).
    pub fn add_dir(&mut self, _dir: &Path) -> Result<(), LexiconError> {
        Ok(())
    }
    /// A fingerprint of the lexicon content, part of the article content hash.
    pub fn fingerprint(&self) -> String {
        String::new()
    }
}

/// Extracts one article; an article with an appended «read also» article yields two or more.
pub fn extract(article: &Article, _lexicon: &Lexicon) -> Vec<Extraction> {
    vec![Extraction::new(ArticleMeta {
        id: article.id.clone(),
        url: article.url.clone(),
        published: article.published.map(|d| d.to_string()),
        publisher: article.publisher.clone(),
        title: article.title.clone(),
        parent: None,
        language: "ar".into(),
        text: article.text.clone(),
    })]
}
