//! The build: articles → extractions → quads → store, skipping what is already current.
//!
//! Input: a stream of articles (or of extractions made by another tool), the lexicon, the
//! vocabulary and an open [`Store`]. Output: a [`BuildReport`]. Extraction and mapping are pure
//! and run on all cores, a batch of articles at a time; the store is written from one thread, an
//! article graph at a time, so each graph is replaced atomically. A bad article is reported and
//! skipped; the others still go through and nothing stored before is lost.

use crate::corpus::{Article, CorpusError};
use crate::extract::{extract, Lexicon};
use crate::mapper::{self, Vocabulary};
use crate::model::Extraction;
use crate::store::{content_hash, Change, Store, StoreError};
use oxigraph::model::Quad;
use std::path::Path;

/// Articles extracted in parallel before their graphs are written.
const BATCH: usize = 256;
/// How often (in articles) the manifest is committed during a long build.
const COMMIT_EVERY: usize = 2_000;

/// What a build did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BuildReport {
    /// Articles read from the inputs.
    pub articles: usize,
    /// Article graphs added, replaced, or left as they were.
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
    /// Statements and quads in the graphs written by this build.
    pub statements: usize,
    pub quads: usize,
    /// One line per input that failed, naming it.
    pub errors: Vec<String>,
}

impl BuildReport {
    fn count(&mut self, change: Change) {
        match change {
            Change::Added => self.added += 1,
            Change::Replaced => self.replaced += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

/// The content hash that decides whether an article must be extracted again: the article, the
/// lexicon and the tool version.
pub fn article_hash(article: &Article, lexicon_fingerprint: &str) -> String {
    let published = article.published.map(|d| d.to_string());
    let opt = |o: &Option<String>| o.as_deref().unwrap_or("\u{0}").as_bytes().to_vec();
    let parts: [Vec<u8>; 8] = [
        env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
        lexicon_fingerprint.as_bytes().to_vec(),
        article.id.as_bytes().to_vec(),
        article.text.as_bytes().to_vec(),
        opt(&article.url),
        opt(&published),
        opt(&article.publisher),
        opt(&article.title),
    ];
    content_hash(parts.iter().map(Vec::as_slice))
}

/// Makes sure the store holds the current ontology graph.
pub fn ensure_ontology(store: &mut Store) -> Result<(), BuildError> {
    let quads = mapper::ontology_quads().map_err(|e| BuildError::Ontology(e.to_string()))?;
    let text: Vec<String> = quads.iter().map(|q| q.to_string()).collect();
    let hash = content_hash([text.join("\n").as_bytes()]);
    let graph = mapper::ontology_graph();
    store.put_graph("_ontology", graph.as_ref(), &hash, &quads)?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the embedded ontology does not parse: {0}")]
    Ontology(String),
}

/// Extracts, maps and stores `articles`. `progress` is called once per article read.
pub fn build(
    store: &mut Store,
    articles: impl Iterator<Item = Result<Article, CorpusError>>,
    lexicon: &Lexicon,
    vocabulary: &Vocabulary,
    mut progress: impl FnMut(&BuildReport),
) -> Result<BuildReport, BuildError> {
    ensure_ontology(store)?;
    let fingerprint = lexicon.fingerprint();
    let mut report = BuildReport::default();
    let mut batch: Vec<(Article, String)> = Vec::with_capacity(BATCH);
    let mut since_commit = 0;
    let mut articles = articles.peekable();
    while articles.peek().is_some() {
        batch.clear();
        for item in articles.by_ref() {
            report.articles += item.is_ok() as usize;
            match item {
                Err(e) => report.errors.push(e.to_string()),
                Ok(article) => {
                    let hash = article_hash(&article, &fingerprint);
                    if store.is_current(&article.id, &hash) {
                        report.unchanged += 1;
                    } else {
                        batch.push((article, hash));
                    }
                }
            }
            progress(&report);
            if batch.len() >= BATCH {
                break;
            }
        }
        let mapped = extract_and_map(&batch, lexicon, vocabulary);
        for ((article, hash), graphs) in batch.iter().zip(mapped) {
            // The parent article's key carries the hash; split-off articles are written with it
            // so that an unchanged parent skips them too.
            for (x, quads) in graphs {
                let graph = vocabulary.article_graph(&x.article.id);
                let key = if x.article.id == article.id {
                    article.id.clone()
                } else {
                    format!("{}\u{1f}{}", article.id, x.article.id)
                };
                let change = store.put_graph(&key, graph.as_ref(), hash, &quads)?;
                if x.article.id == article.id {
                    report.count(change);
                }
                report.statements += x.statements.len();
                report.quads += quads.len();
            }
            since_commit += 1;
        }
        if since_commit >= COMMIT_EVERY {
            store.commit()?;
            since_commit = 0;
        }
    }
    // The links graph mirrors the curated identities of the graphs just written.
    crate::link::graph::refresh(store, vocabulary, Vec::new())?;
    store.commit()?;
    Ok(report)
}

/// Extraction and mapping of a batch, on all cores. Pure: no I/O.
fn extract_and_map(
    batch: &[(Article, String)],
    lexicon: &Lexicon,
    vocabulary: &Vocabulary,
) -> Vec<Vec<(Extraction, Vec<Quad>)>> {
    let work = |(article, _): &(Article, String)| {
        extract(article, lexicon)
            .into_iter()
            .map(|x| {
                let quads = mapper::map(&x, vocabulary);
                (x, quads)
            })
            .collect::<Vec<_>>()
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(batch.len().max(1));
    if threads <= 1 {
        return batch.iter().map(work).collect();
    }
    let chunk = batch.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(work).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Why an extraction file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: article {id}: {source}")]
    Invalid {
        path: String,
        id: String,
        source: Box<crate::model::ValidationError>,
    },
}

/// Reads extractions from a `.json` file (one object or an array) or a `.jsonl` file (one per
/// line), and validates each one against its own text.
pub fn read_extractions(path: &Path) -> Vec<Result<Extraction, LoadError>> {
    let shown = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(b) => match crate::corpus::decode_text(&shown, b) {
            Ok(t) => t,
            Err(e) => {
                return vec![Err(LoadError::Io {
                    path: shown,
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
                })]
            }
        },
        Err(source) => {
            return vec![Err(LoadError::Io {
                path: shown,
                source,
            })]
        }
    };
    let json_err = |line_base: usize, e: serde_json::Error| LoadError::Json {
        path: shown.clone(),
        line: line_base + e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let parsed: Vec<Result<Extraction, LoadError>> =
        if path.extension().and_then(|e| e.to_str()) == Some("jsonl") {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| serde_json::from_str(l).map_err(|e| json_err(i, e)))
                .collect()
        } else {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Err(e) => vec![Err(json_err(0, e))],
                Ok(serde_json::Value::Array(items)) => items
                    .into_iter()
                    .map(|v| serde_json::from_value(v).map_err(|e| json_err(0, e)))
                    .collect(),
                Ok(v) => vec![serde_json::from_value(v).map_err(|e| json_err(0, e))],
            }
        };
    parsed
        .into_iter()
        .map(|r| {
            let x = r?;
            x.validate().map_err(|source| LoadError::Invalid {
                path: shown.clone(),
                id: x.article.id.clone(),
                source: Box::new(source),
            })?;
            Ok(x)
        })
        .collect()
}

/// Maps and stores extractions made by any tool; each one's hash is that of its JSON.
pub fn load_extractions(
    store: &mut Store,
    extractions: impl Iterator<Item = Result<Extraction, LoadError>>,
    vocabulary: &Vocabulary,
) -> Result<BuildReport, BuildError> {
    ensure_ontology(store)?;
    let mut report = BuildReport::default();
    for item in extractions {
        let x = match item {
            Ok(x) => x,
            Err(e) => {
                report.errors.push(e.to_string());
                continue;
            }
        };
        report.articles += 1;
        let json = serde_json::to_vec(&x).unwrap_or_default();
        let hash = content_hash([env!("CARGO_PKG_VERSION").as_bytes(), json.as_slice()]);
        let quads = mapper::map(&x, vocabulary);
        let graph = vocabulary.article_graph(&x.article.id);
        let change = store.put_graph(&x.article.id, graph.as_ref(), &hash, &quads)?;
        report.count(change);
        report.statements += x.statements.len();
        report.quads += quads.len();
    }
    crate::link::graph::refresh(store, vocabulary, Vec::new())?;
    store.commit()?;
    Ok(report)
}
