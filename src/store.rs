//! The knowledge-graph store: Oxigraph, one named graph per article, plus a manifest of content
//! hashes so that re-running a build on unchanged input does nothing.
//!
//! Two backends behind one interface:
//! - default: Oxigraph's in-memory store, persisted to the store directory as one N-Quads file
//!   per article graph (`graphs/*.nq`) plus `manifest.json`. Every file is written to a temporary
//!   name and renamed, so a reader or a crash sees either the old or the new graph, never a torn
//!   one. The manifest is the commit point: a graph file not listed in it is ignored.
//! - feature `rocksdb`: Oxigraph's persistent RocksDB store in `DIR/oxigraph`, the manifest
//!   beside it.
//!
//! Writers take `DIR/LOCK`; a second concurrent build on the same store is refused with a clear
//! message instead of interleaving writes. Queries see the default graph as the union of all
//! named graphs, so canned queries need no `GRAPH` clauses.

#[cfg(not(feature = "rocksdb"))]
use oxigraph::io::RdfParser;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{
    CancellationToken, DefaultServiceHandler, QueryResults, SparqlEvaluator, Variable,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spargebra::algebra::GraphPattern;
use spargebra::term::{GroundTerm, NamedNodePattern};
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

const MANIFEST: &str = "manifest.json";
const LOCK: &str = "LOCK";
const STORE_FORMAT: &str = "newskg-store/1";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: corrupt store manifest: {message}")]
    Manifest { path: String, message: String },
    #[error("{path}: {message}")]
    Graph { path: String, message: String },
    #[error("store {path} is being written by another newskg process (pid {pid}); wait for it to finish, or remove {path}/LOCK if that process is gone")]
    Locked { path: String, pid: String },
    #[error("store {path} was built with the {found} backend; this binary uses {expected}")]
    Backend {
        path: String,
        found: String,
        expected: String,
    },
    #[error("store {path} uses base IRI {found}, not {expected}; rebuild it into a new directory to change the base IRI")]
    BaseIri {
        path: String,
        found: String,
        expected: String,
    },
    #[error("Oxigraph: {0}")]
    Oxigraph(#[from] oxigraph::store::StorageError),
    #[error("SPARQL syntax {0}")]
    Syntax(String),
    #[error("query failed: {0}")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    #[error("query cancelled after the {0:?} timeout")]
    Timeout(Duration),
}

/// What the store knows about one named graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEntry {
    /// The named graph IRI.
    pub graph: String,
    /// Content hash of what the graph was made from (article + lexicon + tool version).
    pub hash: String,
    /// Number of quads in the graph.
    pub quads: usize,
    /// Graph file, relative to the store directory (in-memory backend only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    format: String,
    backend: String,
    base_iri: String,
    /// Article id (or `_ontology`, `_links`) → graph entry.
    graphs: BTreeMap<String, GraphEntry>,
}

/// What putting a graph did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Replaced,
    Unchanged,
}

#[cfg(feature = "rocksdb")]
const BACKEND: &str = "rocksdb";
#[cfg(not(feature = "rocksdb"))]
const BACKEND: &str = "memory";

/// The Oxigraph store with its manifest.
pub struct Store {
    db: oxigraph::store::Store,
    dir: Option<PathBuf>,
    manifest: Manifest,
    lock: Option<PathBuf>,
    dirty: bool,
}

impl Store {
    /// A store that lives in memory only (tests, `extract`-then-query pipelines).
    pub fn in_memory(base_iri: &str) -> Result<Self, StoreError> {
        Ok(Store {
            db: oxigraph::store::Store::new()?,
            dir: None,
            manifest: Manifest::new(base_iri),
            lock: None,
            dirty: false,
        })
    }

    /// Opens (creating if needed) the store in `dir` for reading and writing. Takes the writer
    /// lock; fails with [`StoreError::Locked`] when another process holds it.
    pub fn open(dir: &Path, base_iri: &str) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let lock = take_lock(dir)?;
        let mut store = Self::open_inner(dir, base_iri, true).inspect_err(|_| {
            let _ = fs::remove_file(&lock);
        })?;
        store.lock = Some(lock);
        Ok(store)
    }

    /// Opens an existing store for queries and exports; takes no lock. A store directory that
    /// does not exist yet reads as empty.
    pub fn open_read_only(dir: &Path, base_iri: &str) -> Result<Self, StoreError> {
        Self::open_inner(dir, base_iri, false)
    }

    fn open_inner(dir: &Path, base_iri: &str, write: bool) -> Result<Self, StoreError> {
        let manifest_path = dir.join(MANIFEST);
        let manifest = match fs::read(&manifest_path) {
            Ok(bytes) => {
                let m: Manifest =
                    serde_json::from_slice(&bytes).map_err(|e| StoreError::Manifest {
                        path: manifest_path.display().to_string(),
                        message: e.to_string(),
                    })?;
                if m.format != STORE_FORMAT {
                    return Err(StoreError::Manifest {
                        path: manifest_path.display().to_string(),
                        message: format!("unknown format {:?}", m.format),
                    });
                }
                if m.backend != BACKEND {
                    return Err(StoreError::Backend {
                        path: dir.display().to_string(),
                        found: m.backend,
                        expected: BACKEND.into(),
                    });
                }
                if write && m.base_iri != base_iri {
                    return Err(StoreError::BaseIri {
                        path: dir.display().to_string(),
                        found: m.base_iri,
                        expected: base_iri.into(),
                    });
                }
                m
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Manifest::new(base_iri),
            Err(e) => return Err(io_error(&manifest_path, e)),
        };
        let mut manifest = manifest;
        let db = open_backend(dir, &mut manifest, write)?;
        Ok(Store {
            db,
            dir: Some(dir.to_owned()),
            manifest,
            lock: None,
            dirty: false,
        })
    }

    /// The Oxigraph store, for queries and exports.
    pub fn oxigraph(&self) -> &oxigraph::store::Store {
        &self.db
    }

    /// The base IRI the data was minted under.
    pub fn base_iri(&self) -> &str {
        &self.manifest.base_iri
    }

    /// True when `key` is stored with exactly this content hash: a rebuild can skip it.
    pub fn is_current(&self, key: &str, hash: &str) -> bool {
        self.manifest
            .graphs
            .get(key)
            .is_some_and(|g| g.hash == hash)
    }

    /// The graphs the store holds, by key (article id, `_ontology`, `_links`).
    pub fn graphs(&self) -> impl Iterator<Item = (&str, &GraphEntry)> {
        self.manifest.graphs.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Replaces the named graph `graph` (recorded under `key`) by `quads`, atomically: queries
    /// see the old graph or the new one. `quads` must all be in `graph`. Call [`Store::commit`]
    /// to make the change durable in the manifest.
    pub fn put_graph(
        &mut self,
        key: &str,
        graph: NamedNodeRef<'_>,
        hash: &str,
        quads: &[Quad],
    ) -> Result<Change, StoreError> {
        if self.is_current(key, hash) {
            return Ok(Change::Unchanged);
        }
        if let Some(q) = quads
            .iter()
            .find(|q| q.graph_name != GraphNameRef::NamedNode(graph).into())
        {
            return Err(StoreError::Graph {
                path: key.to_owned(),
                message: format!("quad {q} is not in graph {graph}"),
            });
        }
        let previous = self.manifest.graphs.get(key).cloned();
        let file = match (&self.dir, BACKEND) {
            (Some(dir), "memory") => {
                let name = graph_file_name(key);
                let path = dir.join("graphs").join(&name);
                replace_file(&path, false, |w| {
                    let mut s = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(w);
                    for q in quads {
                        s.serialize_quad(q)?;
                    }
                    s.finish().map(drop)
                })?;
                Some(format!("graphs/{name}"))
            }
            _ => None,
        };
        let mut tx = self.db.start_transaction()?;
        if let Some(prev) = &previous {
            if let Ok(old) = NamedNode::new(&prev.graph) {
                tx.remove_named_graph(&old)?;
            }
        }
        tx.remove_named_graph(graph)?;
        tx.insert_named_graph(graph);
        tx.extend(quads);
        tx.commit()?;
        if let (Some(dir), Some(prev_file)) =
            (&self.dir, previous.as_ref().and_then(|p| p.file.as_ref()))
        {
            if Some(prev_file) != file.as_ref() {
                let _ = fs::remove_file(dir.join(prev_file));
            }
        }
        self.manifest.graphs.insert(
            key.to_owned(),
            GraphEntry {
                graph: graph.as_str().to_owned(),
                hash: hash.to_owned(),
                quads: quads.len(),
                file,
            },
        );
        self.dirty = true;
        Ok(if previous.is_some() {
            Change::Replaced
        } else {
            Change::Added
        })
    }

    /// Writes the manifest (atomically) if anything changed since the last commit.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        if !self.dirty {
            return Ok(());
        }
        #[cfg(feature = "rocksdb")]
        self.db.flush()?;
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(|e| StoreError::Manifest {
            path: dir.join(MANIFEST).display().to_string(),
            message: e.to_string(),
        })?;
        write_atomically(&dir.join(MANIFEST), |w| w.write_all(&json))?;
        self.dirty = false;
        Ok(())
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.db.len()?)
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.db.is_empty()?)
    }

    /// Runs a SPARQL query over the union of all graphs, with `bindings` given as typed terms
    /// (never spliced into the text) and an optional timeout.
    ///
    /// A bound variable is set in the query's `VALUES` blocks that list it (the canned queries
    /// start their `WHERE` group with `VALUES (?param_… ) { (UNDEF …) }`), so FILTER and BIND see
    /// it and the optimizer stays on. A variable with no such block falls back to Oxigraph's
    /// `substitute_variable` with the optimizer off: the optimizer otherwise folds `BOUND(?v)`
    /// of a variable the pattern never binds to false.
    pub fn query(
        &self,
        sparql: &str,
        bindings: Vec<(Variable, Term)>,
        timeout: Option<Duration>,
    ) -> Result<QueryResults<'static>, StoreError> {
        self.query_with(sparql, bindings, timeout, SparqlEvaluator::new())
    }

    /// [`Store::query`] with `SERVICE` calls handed to `services`, which decides which
    /// endpoints it calls (see `link::service::AllowedServices`).
    pub fn query_with_services(
        &self,
        sparql: &str,
        bindings: Vec<(Variable, Term)>,
        timeout: Option<Duration>,
        services: impl DefaultServiceHandler + 'static,
    ) -> Result<QueryResults<'static>, StoreError> {
        let evaluator = SparqlEvaluator::new().with_default_service_handler(services);
        self.query_with(sparql, bindings, timeout, evaluator)
    }

    fn query_with(
        &self,
        sparql: &str,
        bindings: Vec<(Variable, Term)>,
        timeout: Option<Duration>,
        evaluator: SparqlEvaluator,
    ) -> Result<QueryResults<'static>, StoreError> {
        evaluate_on(&self.db, sparql, bindings, timeout, evaluator)
    }
}

/// How every newskg query runs, on any Oxigraph store: over the union of all graphs, with
/// `bindings` set in the query's `VALUES` blocks (see [`Store::query`]) and an optional timeout.
pub fn evaluate_on(
    db: &oxigraph::store::Store,
    sparql: &str,
    bindings: Vec<(Variable, Term)>,
    timeout: Option<Duration>,
    evaluator: SparqlEvaluator,
) -> Result<QueryResults<'static>, StoreError> {
    let mut parsed = spargebra::SparqlParser::new()
        .parse_query(sparql)
        .map_err(|e| StoreError::Syntax(one_line_syntax_error(&e.to_string())))?;
    let mut rest = Vec::new();
    for (variable, term) in bindings {
        if !bind_in_values(query_pattern(&mut parsed), &variable, &term)? {
            rest.push((variable, term));
        }
    }
    let token = CancellationToken::new();
    // oxigraph is built without its HTTP client: SERVICE calls fail instead of making this
    // process fetch from arbitrary hosts, unless `query_with_services` allowed some.
    let mut evaluator = evaluator.with_cancellation_token(token.clone());
    if !rest.is_empty() {
        evaluator = evaluator.without_optimizations();
    }
    let mut prepared = evaluator.for_query(parsed);
    for (variable, term) in rest {
        prepared = prepared.substitute_variable(variable, term);
    }
    prepared.dataset_mut().set_default_graph_as_union();
    let _guard = timeout.map(|t| Watchdog::start(t, token));
    match prepared.on_store(db).execute() {
        Err(oxigraph::sparql::QueryEvaluationError::Cancelled) => {
            Err(StoreError::Timeout(timeout.unwrap_or_default()))
        }
        other => Ok(other?),
    }
}

/// The parser's message lists every character class it expected, over several lines; keep the
/// position and the readable part: `error at 1:38: expected one of "$", "(", ":", "<", "?", …`.
pub fn one_line_syntax_error(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let cut = first
        .find(" [")
        .or_else(|| first.find(", ["))
        .unwrap_or(first.len());
    let mut short: String = first[..cut]
        .trim_end_matches([',', ' '])
        .chars()
        .take(200)
        .collect();
    if cut < first.len() || message.lines().nth(1).is_some() {
        short.push_str(", …");
    }
    short
}

fn query_pattern(query: &mut spargebra::Query) -> &mut GraphPattern {
    match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    }
}

/// Sets `variable` to `term` in every `VALUES` block of `pattern` that lists it. Returns whether
/// there was one.
fn bind_in_values(
    pattern: &mut GraphPattern,
    variable: &Variable,
    term: &Term,
) -> Result<bool, StoreError> {
    Ok(match pattern {
        GraphPattern::Values {
            variables,
            bindings,
        } => match variables.iter().position(|v| v == variable) {
            Some(i) => {
                let ground = match term {
                    Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
                    Term::Literal(l) => GroundTerm::Literal(l.clone()),
                    other => {
                        return Err(StoreError::Graph {
                            path: variable.to_string(),
                            message: format!("cannot bind {other} in VALUES"),
                        })
                    }
                };
                for row in bindings.iter_mut() {
                    row[i] = Some(ground.clone());
                }
                true
            }
            None => false,
        },
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right }
        | GraphPattern::LeftJoin { left, right, .. } => {
            let a = bind_in_values(left, variable, term)?;
            bind_in_values(right, variable, term)? || a
        }
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Graph { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Group { inner, .. } => bind_in_values(inner, variable, term)?,
        GraphPattern::Service { name, inner, .. } => {
            // `SERVICE ?param_endpoint`: Oxigraph needs the endpoint before it evaluates the
            // group, so a bound service name is written into the algebra.
            let named = matches!(name, NamedNodePattern::Variable(v) if v == variable);
            if let (true, Term::NamedNode(n)) = (named, term) {
                *name = NamedNodePattern::NamedNode(n.clone());
            }
            bind_in_values(inner, variable, term)? || named
        }
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => false,
    })
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(lock) = &self.lock {
            let _ = fs::remove_file(lock);
        }
    }
}

impl Manifest {
    fn new(base_iri: &str) -> Self {
        Manifest {
            format: STORE_FORMAT.into(),
            backend: BACKEND.into(),
            base_iri: base_iri.into(),
            graphs: BTreeMap::new(),
        }
    }
}

/// Cancels a query when its time is up; dropping it (the query finished) stops the timer.
pub(crate) struct Watchdog {
    stop: Option<mpsc::Sender<()>>,
}

impl Watchdog {
    pub(crate) fn start(timeout: Duration, token: CancellationToken) -> Self {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                token.cancel();
            }
        });
        Watchdog { stop: Some(tx) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(not(feature = "rocksdb"))]
fn open_backend(
    dir: &Path,
    manifest: &mut Manifest,
    _write: bool,
) -> Result<oxigraph::store::Store, StoreError> {
    let db = oxigraph::store::Store::new()?;
    let mut loader = db.bulk_loader();
    let mut damaged = Vec::new();
    for (key, entry) in &manifest.graphs {
        let Some(file) = &entry.file else { continue };
        let path = dir.join(file);
        // Graph files are written without fsync (the manifest is synced): after a power cut
        // one may be missing or cut short. Its article is then dropped from the manifest, and
        // the next build extracts it again.
        let quads: Option<Vec<Quad>> = fs::File::open(&path).ok().and_then(|f| {
            RdfParser::from_format(RdfFormat::NQuads)
                .for_reader(io::BufReader::new(f))
                .collect::<Result<Vec<_>, _>>()
                .ok()
        });
        match quads {
            Some(quads) if quads.len() == entry.quads => loader.load_quads(quads)?,
            _ => damaged.push(key.clone()),
        }
    }
    loader.commit()?;
    for key in damaged {
        manifest.graphs.remove(&key);
    }
    Ok(db)
}

#[cfg(feature = "rocksdb")]
fn open_backend(
    dir: &Path,
    _manifest: &mut Manifest,
    write: bool,
) -> Result<oxigraph::store::Store, StoreError> {
    let path = dir.join("oxigraph");
    if write {
        Ok(oxigraph::store::Store::open(&path)?)
    } else if path.exists() {
        Ok(oxigraph::store::Store::open_read_only(&path)?)
    } else {
        Ok(oxigraph::store::Store::new()?)
    }
}

fn io_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn take_lock(dir: &Path) -> Result<PathBuf, StoreError> {
    let lock = dir.join(LOCK);
    for _ in 0..2 {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(mut f) => {
                let _ = write!(f, "{}", std::process::id());
                return Ok(lock);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let pid = fs::read_to_string(&lock).unwrap_or_default();
                let pid = pid.trim().to_owned();
                // A lock left by a process that no longer exists (killed, crashed) is stale.
                let alive = !pid.is_empty() && Path::new("/proc").join(&pid).exists();
                if alive || !Path::new("/proc/self").exists() {
                    return Err(StoreError::Locked {
                        path: dir.display().to_string(),
                        pid,
                    });
                }
                let _ = fs::remove_file(&lock);
            }
            Err(e) => return Err(io_error(&lock, e)),
        }
    }
    Err(StoreError::Locked {
        path: dir.display().to_string(),
        pid: String::new(),
    })
}

/// Writes `path` through a temporary file in the same directory and renames it into place
/// (also used for the link cache).
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), StoreError> {
    replace_file(path, true, write)
}

/// Writes `path` through a temporary file and renames it into place; `sync` flushes it to disk
/// first (the manifest, caches), which graph files skip: see `open_backend`.
fn replace_file(
    path: &Path,
    sync: bool,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), StoreError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let file = fs::File::create(&tmp)?;
        let mut w = io::BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        if sync {
            file.sync_data()?;
        }
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_error(path, e)
    })
}

/// A file name for an article graph: readable, safe on every file system, unique by hash.
fn graph_file_name(key: &str) -> String {
    let safe: String = key
        .chars()
        .take(48)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let digest = Sha256::digest(key.as_bytes());
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{safe}-{short}.nq")
}

/// Hex SHA-256 of the given parts, each length-prefixed so that boundaries cannot shift.
pub fn content_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode, Quad};

    const BASE: &str = "https://example.org/id/";

    fn quads(g: &str, n: usize) -> (NamedNode, Vec<Quad>) {
        let g = NamedNode::new(g).unwrap();
        let s = NamedNode::new("https://example.org/s").unwrap();
        let p = NamedNode::new("https://example.org/p").unwrap();
        let q = (0..n)
            .map(|i| Quad::new(s.clone(), p.clone(), Literal::from(i as i64), g.clone()))
            .collect();
        (g, q)
    }

    #[test]
    fn a_persisted_store_reopens_with_its_graphs_and_skips_unchanged_ones() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path(), BASE).unwrap();
            let (g, q) = quads("https://example.org/g/a", 3);
            assert_eq!(
                store.put_graph("a", g.as_ref(), "h1", &q).unwrap(),
                Change::Added
            );
            assert_eq!(
                store.put_graph("a", g.as_ref(), "h1", &q).unwrap(),
                Change::Unchanged
            );
            store.commit().unwrap();
        }
        let mut store = Store::open(dir.path(), BASE).unwrap();
        assert_eq!(store.len().unwrap(), 3);
        assert!(store.is_current("a", "h1"));
        let (g, q) = quads("https://example.org/g/a", 2);
        assert_eq!(
            store.put_graph("a", g.as_ref(), "h2", &q).unwrap(),
            Change::Replaced
        );
        assert_eq!(store.len().unwrap(), 2);
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path(), BASE).unwrap();
        let second = Store::open(dir.path(), BASE);
        assert!(matches!(second, Err(StoreError::Locked { .. })));
    }

    #[cfg(not(feature = "rocksdb"))]
    #[test]
    fn a_graph_file_cut_short_by_a_crash_is_dropped_and_rebuilt_later() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path(), BASE).unwrap();
            for (key, g) in [
                ("a", "https://example.org/g/a"),
                ("b", "https://example.org/g/b"),
            ] {
                let (g, q) = quads(g, 3);
                store.put_graph(key, g.as_ref(), "h1", &q).unwrap();
            }
            store.commit().unwrap();
        }
        let graphs = dir.path().join("graphs");
        let victim = fs::read_dir(&graphs)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let text = fs::read_to_string(&victim).unwrap();
        fs::write(&victim, &text[..text.len() / 2]).unwrap();
        let store = Store::open(dir.path(), BASE).unwrap();
        assert_eq!(store.len().unwrap(), 3, "the intact graph is loaded");
        assert_eq!(
            store.graphs().count(),
            1,
            "the damaged one must be extracted again"
        );
    }

    #[test]
    fn uncommitted_graphs_are_not_seen_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path(), BASE).unwrap();
            let (g, q) = quads("https://example.org/g/a", 3);
            store.put_graph("a", g.as_ref(), "h1", &q).unwrap();
            // no commit: as if the process died here
        }
        let store = Store::open(dir.path(), BASE).unwrap();
        assert!(!store.is_current("a", "h1"));
    }

    #[test]
    fn queries_bind_parameters_as_terms_and_see_the_union_of_graphs() {
        let mut store = Store::in_memory(BASE).unwrap();
        let (g, q) = quads("https://example.org/g/a", 3);
        store.put_graph("a", g.as_ref(), "h", &q).unwrap();
        let hostile = Literal::new_simple_literal("x\" } ; DROP ALL ; #");
        let r = store
            .query(
                "SELECT ?o ?v WHERE { ?s ?p ?o FILTER(?o = ?v || !BOUND(?v)) }",
                vec![(Variable::new_unchecked("v"), hostile.into())],
                Some(Duration::from_secs(5)),
            )
            .unwrap();
        let QueryResults::Solutions(rows) = r else {
            panic!("not solutions")
        };
        assert_eq!(rows.count(), 0);
        assert_eq!(store.len().unwrap(), 3);
    }

    #[test]
    fn values_blocks_take_bound_parameters_and_filters_see_them() {
        let mut store = Store::in_memory(BASE).unwrap();
        let (g, q) = quads("https://example.org/g/a", 5);
        store.put_graph("a", g.as_ref(), "h", &q).unwrap();
        let sparql = "SELECT ?o WHERE { VALUES (?param_min) { (UNDEF) } ?s ?p ?o FILTER(!BOUND(?param_min) || ?o >= ?param_min) }";
        let count = |b: Vec<(Variable, Term)>| match store.query(sparql, b, None).unwrap() {
            QueryResults::Solutions(rows) => rows.count(),
            _ => panic!("not solutions"),
        };
        assert_eq!(count(vec![]), 5);
        assert_eq!(
            count(vec![(
                Variable::new_unchecked("param_min"),
                Literal::from(3).into()
            )]),
            2
        );
    }
}
