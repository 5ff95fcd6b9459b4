//! Reading articles: `.txt` files (with an optional `NAME.meta.json` sidecar), directories of
//! them, and JSON Lines files (one article per line).
//!
//! Input: paths from the command line. Output: a stream of [`Article`]s or [`CorpusError`]s, one
//! per input that could not be read, naming the file (and line for JSON Lines); one bad input
//! never stops the others. Directories are walked recursively in name order so that a build is
//! deterministic.

use crate::dates::parse_published;
use chrono::NaiveDate;
use serde::Deserialize;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Articles larger than this are refused: no news article is 16 MiB of text, and a file that
/// large is far more likely a mistake (a dump, a binary) than an article.
pub const MAX_ARTICLE_BYTES: usize = 16 * 1024 * 1024;

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

/// Why one input could not be read. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})")]
    InvalidUtf8 { path: String, offset: usize },
    #[error("{path}: binary file (NUL byte at offset {offset}), not an article")]
    Binary { path: String, offset: usize },
    #[error("{path}: empty article")]
    Empty { path: String },
    #[error(
        "{path}: {size} bytes, larger than the {MAX_ARTICLE_BYTES}-byte limit for one article"
    )]
    TooLarge { path: String, size: usize },
    #[error("{path}:{line}:{column}: malformed JSON: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: not an article file (expected .txt, .jsonl or a directory)")]
    UnknownKind { path: String },
}

/// The optional metadata of an article, from a `.meta.json` sidecar or a JSON Lines record.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// One file to read: an article or a JSON Lines file.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Text(PathBuf),
    JsonLines(PathBuf),
}

/// Reads all articles below `inputs`, lazily: JSON Lines files are streamed line by line.
pub fn read(inputs: &[PathBuf]) -> impl Iterator<Item = Result<Article, CorpusError>> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        collect_sources(input, true, &mut sources, &mut errors);
    }
    errors
        .into_iter()
        .map(Err)
        .chain(
            sources
                .into_iter()
                .flat_map(|s| -> Box<dyn Iterator<Item = _>> {
                    match s {
                        Source::Text(p) => Box::new(std::iter::once(read_text(&p))),
                        Source::JsonLines(p) => Box::new(JsonLines::open(p)),
                    }
                }),
        )
}

fn collect_sources(
    path: &Path,
    explicit: bool,
    out: &mut Vec<Source>,
    errors: &mut Vec<CorpusError>,
) {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(source) => {
            errors.push(CorpusError::Io {
                path: path.display().to_string(),
                source,
            });
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(source) => {
                errors.push(CorpusError::Io {
                    path: path.display().to_string(),
                    source,
                });
                return;
            }
        };
        entries.sort();
        for entry in entries {
            collect_sources(&entry, false, out, errors);
        }
        return;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".meta.json") {
        return; // a sidecar, read with its article
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("txt") => out.push(Source::Text(path.to_owned())),
        Some("jsonl") => out.push(Source::JsonLines(path.to_owned())),
        // A file named on the command line is read as an article whatever its name; files met
        // while walking a directory are only read when they look like articles.
        _ if explicit => out.push(Source::Text(path.to_owned())),
        _ => {}
    }
}

/// Checks that raw bytes are article text: not binary, valid UTF-8, not empty, not huge.
pub fn decode_text(path: &str, bytes: Vec<u8>) -> Result<String, CorpusError> {
    if bytes.len() > MAX_ARTICLE_BYTES {
        return Err(CorpusError::TooLarge {
            path: path.to_owned(),
            size: bytes.len(),
        });
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(CorpusError::Binary {
            path: path.to_owned(),
            offset,
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| CorpusError::InvalidUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CorpusError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(text)
}

fn read_text(path: &Path) -> Result<Article, CorpusError> {
    let shown = path.display().to_string();
    let io_err = |source| CorpusError::Io {
        path: shown.clone(),
        source,
    };
    let size = fs::metadata(path).map_err(io_err)?.len();
    if size > MAX_ARTICLE_BYTES as u64 {
        return Err(CorpusError::TooLarge {
            path: shown,
            size: size as usize,
        });
    }
    let text = decode_text(&shown, fs::read(path).map_err(io_err)?)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    let sidecar = path.with_file_name(format!("{stem}.meta.json"));
    let meta = if sidecar.exists() {
        let shown_meta = sidecar.display().to_string();
        let raw = fs::read_to_string(&sidecar).map_err(|source| CorpusError::Io {
            path: shown_meta.clone(),
            source,
        })?;
        serde_json::from_str::<Meta>(&raw).map_err(|e| json_error(&shown_meta, 0, &e))?
    } else {
        Meta::default()
    };
    if meta.text.is_some() {
        return Err(CorpusError::Invalid {
            path: sidecar.display().to_string(),
            message: "a sidecar carries metadata only; the text is the .txt file".into(),
        });
    }
    let id = meta.id.clone().unwrap_or(stem);
    article(id, text, meta, shown)
}

fn article(id: String, text: String, meta: Meta, origin: String) -> Result<Article, CorpusError> {
    let id = id.trim().to_owned();
    if id.is_empty() || id.chars().any(|c| c.is_control()) {
        return Err(CorpusError::Invalid {
            path: origin,
            message: format!("unusable article id {id:?}"),
        });
    }
    let published = match meta.published.as_deref() {
        None => None,
        Some(p) => Some(parse_published(p).ok_or_else(|| CorpusError::Invalid {
            path: origin.clone(),
            message: format!("`published` {p:?} is not an ISO date (YYYY-MM-DD)"),
        })?),
    };
    Ok(Article {
        id,
        text,
        url: meta.url,
        published,
        publisher: meta.publisher,
        title: meta.title,
        origin,
    })
}

fn json_error(path: &str, line_offset: usize, e: &serde_json::Error) -> CorpusError {
    CorpusError::Json {
        path: path.to_owned(),
        line: line_offset + e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// Streams the articles of a JSON Lines file.
struct JsonLines {
    path: PathBuf,
    reader: Option<BufReader<fs::File>>,
    open_error: Option<CorpusError>,
    line: usize,
    buf: Vec<u8>,
}

impl JsonLines {
    fn open(path: PathBuf) -> Self {
        let (reader, open_error) = match fs::File::open(&path) {
            Ok(f) => (Some(BufReader::new(f)), None),
            Err(source) => (
                None,
                Some(CorpusError::Io {
                    path: path.display().to_string(),
                    source,
                }),
            ),
        };
        JsonLines {
            path,
            reader,
            open_error,
            line: 0,
            buf: Vec::new(),
        }
    }
}

impl Iterator for JsonLines {
    type Item = Result<Article, CorpusError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.open_error.take() {
            return Some(Err(e));
        }
        let reader = self.reader.as_mut()?;
        loop {
            self.buf.clear();
            self.line += 1;
            let shown = format!("{}:{}", self.path.display(), self.line);
            match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    self.reader = None;
                    return Some(Err(CorpusError::Io {
                        path: shown,
                        source,
                    }));
                }
            }
            if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let raw = std::mem::take(&mut self.buf);
            let line = match decode_text(&shown, raw) {
                Ok(l) => l,
                Err(e) => return Some(Err(e)),
            };
            let meta: Meta = match serde_json::from_str(&line) {
                Ok(m) => m,
                Err(e) => {
                    return Some(Err(CorpusError::Json {
                        path: self.path.display().to_string(),
                        line: self.line,
                        column: e.column(),
                        message: e.to_string(),
                    }))
                }
            };
            let Some(id) = meta.id.clone() else {
                return Some(Err(CorpusError::Invalid {
                    path: shown,
                    message: "record has no `id`".into(),
                }));
            };
            let text = match meta.text.clone() {
                Some(t) if !t.trim().is_empty() => t,
                Some(_) => return Some(Err(CorpusError::Empty { path: shown })),
                None => {
                    return Some(Err(CorpusError::Invalid {
                        path: shown,
                        message: "record has no `text`".into(),
                    }))
                }
            };
            return Some(article(id, text, meta, shown));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn bad_files_are_reported_and_good_ones_still_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "قال الوزير إن".as_bytes());
        write(dir.path(), "b.txt", b"\xff\xfe bad");
        write(dir.path(), "c.txt", b"\x00\x01\x02");
        write(dir.path(), "d.txt", b"  \n");
        write(
            dir.path(),
            "a.meta.json",
            br#"{"published": "2024-02-09", "url": "https://example.org/a"}"#,
        );
        let results: Vec<_> = read(&[dir.path().to_owned()]).collect();
        assert_eq!(results.len(), 4);
        let ok = results[0].as_ref().unwrap();
        assert_eq!(ok.id, "a");
        assert_eq!(ok.published, NaiveDate::from_ymd_opt(2024, 2, 9));
        assert!(matches!(results[1], Err(CorpusError::InvalidUtf8 { .. })));
        assert!(matches!(results[2], Err(CorpusError::Binary { .. })));
        assert!(matches!(results[3], Err(CorpusError::Empty { .. })));
    }

    #[test]
    fn json_lines_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "c.jsonl",
            "{\"id\": \"x1\", \"text\": \"نص\"}\n{\"id\": \"x2\", \"text\": \n\n{\"id\": \"x3\", \"text\": \"نص آخر\", \"published\": \"2024-01-05T08:00:00Z\"}\n".as_bytes(),
        );
        let results: Vec<_> = read(&[p]).collect();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().unwrap().id, "x1");
        let err = results[1].as_ref().unwrap_err().to_string();
        assert!(err.contains("c.jsonl:2:"), "{err}");
        let third = results[2].as_ref().unwrap();
        assert_eq!(third.published, NaiveDate::from_ymd_opt(2024, 1, 5));
    }
}
