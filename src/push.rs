//! `newskg push`: copies the store's named graphs into an external triple store with the
//! SPARQL 1.1 Graph Store HTTP Protocol, and checks that they arrived whole.
//!
//! Input: a consistent [`Snapshot`] of the store, a remote Graph Store endpoint (and its SPARQL
//! query endpoint), the push state of earlier runs. Output: each changed graph sent as
//! `PUT <graph-store>?graph=IRI` with a Turtle body, so a re-push replaces instead of
//! duplicating; graphs gone from the store deleted remotely; a [`PushReport`].
//!
//! - Only graphs whose content hash (the store manifest's) changed since the last successful
//!   push to the same remote are sent. The push state lives in `STORE/push/<remote>.json`,
//!   written atomically after every batch, so an interrupted push resumes where it stopped.
//! - Graphs are sent `--parallel` at a time; 5xx answers, 408/429 and network errors are
//!   retried with exponential back-off; any other 4xx (bad credentials, a refused format)
//!   stops the push, since every later request would fail the same way.
//! - HTTP Basic or Digest authentication (Virtuoso's `/sparql-graph-crud-auth`), whichever the
//!   server asks for in its first 401 answer.
//! - At the end, one `SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g {…} GRAPH ?g {…} } GROUP BY
//!   ?g` per hundred graphs compares remote triple counts with local ones; a graph that does not
//!   match is dropped from the push state, so the next push sends it again.

use crate::server::snapshot::{Snapshot, SnapshotError};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use oxhttp::model::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Term, Triple};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const STATE_FORMAT: &str = "newskg-push/1";
/// Graphs per count-check query.
const VERIFY_CHUNK: usize = 100;

/// The flags of `newskg push` (the store directory and base IRI are global flags).
#[derive(Debug, Clone, clap::Args)]
pub struct PushArgs {
    /// SPARQL query endpoint of the remote store, for the final count check
    /// (`http://host:7878/query` for Oxigraph, `http://host:8890/sparql` for Virtuoso).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// Graph Store endpoint. Default: from --endpoint, `…/query` → `…/store` (Oxigraph),
    /// `…/sparql` → `…/sparql-graph-crud` (Virtuoso; `…/sparql-graph-crud-auth` with --user).
    #[arg(long, value_name = "URL")]
    pub graph_store: Option<String>,
    /// User name for HTTP Basic or Digest authentication.
    #[arg(long, requires = "password_file")]
    pub user: Option<String>,
    /// File holding the password (first line), so it is not on the command line.
    #[arg(long, value_name = "FILE", requires = "user")]
    pub password_file: Option<PathBuf>,
    /// Graphs sent between two saves of the push state.
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Graphs sent at the same time.
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// Retries of a graph after a 5xx answer, a 408/429 or a network error.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// Seconds before a request times out.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Send every graph, even those unchanged since the last push.
    #[arg(long)]
    pub all: bool,
    /// Skip the final check of remote triple counts.
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("reading store {path}: {source}")]
    Snapshot { path: String, source: SnapshotError },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: corrupt push state: {message}")]
    State { path: String, message: String },
    #[error("{flag} {url:?}: {message}")]
    Url {
        flag: &'static str,
        url: String,
        message: String,
    },
    #[error("{url}: {status}: {message}")]
    Refused {
        url: String,
        status: StatusCode,
        message: String,
    },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: the count check could not read the answer: {message}")]
    Results { url: String, message: String },
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushReport {
    /// The Graph Store endpoint.
    pub graph_store: String,
    /// Graphs sent, and their triples and Turtle bytes.
    pub sent: usize,
    pub triples: usize,
    pub bytes: usize,
    /// Graphs skipped because the remote already has their content.
    pub unchanged: usize,
    /// Graphs deleted remotely because they are gone from the store.
    pub deleted: usize,
    /// Requests retried.
    pub retries: usize,
    /// Time spent sending.
    pub elapsed: Duration,
    /// Graphs that could not be sent, with the reason.
    pub failed: Vec<String>,
    /// The count check: graphs checked and the ones that differ (`graph: remote n, local m`).
    pub checked: usize,
    pub mismatches: Vec<String>,
}

impl PushReport {
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.mismatches.is_empty()
    }

    pub fn triples_per_second(&self) -> f64 {
        self.triples as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// What the remote holds, as far as earlier pushes know.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PushState {
    format: String,
    graph_store: String,
    /// Store key (article id, `_ontology`, …) → what was pushed.
    graphs: BTreeMap<String, Pushed>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pushed {
    graph: String,
    hash: String,
    quads: usize,
}

/// One graph to send.
struct Job {
    key: String,
    graph: NamedNode,
    hash: String,
    quads: usize,
}

/// Pushes the store in `dir` to the remote; `progress` is told after each batch (graphs done,
/// graphs to do).
pub fn push(
    dir: &Path,
    base: &str,
    args: &PushArgs,
    mut progress: impl FnMut(usize, usize),
) -> Result<PushReport, PushError> {
    let graph_store = match &args.graph_store {
        Some(url) => url.clone(),
        None => derive_graph_store(&args.endpoint, args.user.is_some())?,
    };
    check_url("--graph-store", &graph_store)?;
    check_url("--endpoint", &args.endpoint)?;
    let password = match &args.password_file {
        Some(path) => Some(
            fs::read_to_string(path)
                .map_err(|source| PushError::Io {
                    path: path.display().to_string(),
                    source,
                })?
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
        ),
        None => None,
    };
    let remote = Remote {
        client: oxhttp::Client::new().with_global_timeout(Duration::from_secs(args.timeout.max(1))),
        credentials: args.user.clone().zip(password),
        challenge: Mutex::new(None),
        retries: args.retries,
        retried: AtomicUsize::new(0),
    };
    let snapshot =
        Snapshot::load_waiting(dir, base, Duration::from_secs(60)).map_err(|source| {
            PushError::Snapshot {
                path: dir.display().to_string(),
                source,
            }
        })?;
    let state_path = state_path(dir, &graph_store);
    let mut state = PushState::read(&state_path, &graph_store)?;
    let mut report = PushReport {
        graph_store: graph_store.clone(),
        ..Default::default()
    };

    let mut jobs = Vec::new();
    for (key, entry) in snapshot.store.graphs() {
        let current = Pushed {
            graph: entry.graph.clone(),
            hash: entry.hash.clone(),
            quads: entry.quads,
        };
        if !args.all && state.graphs.get(key) == Some(&current) {
            report.unchanged += 1;
            continue;
        }
        let graph = NamedNode::new(&entry.graph).map_err(|e| PushError::State {
            path: dir.display().to_string(),
            message: format!("graph {:?} of {key}: {e}", entry.graph),
        })?;
        jobs.push(Job {
            key: key.to_owned(),
            graph,
            hash: entry.hash.clone(),
            quads: entry.quads,
        });
    }
    let local: BTreeMap<&str, &str> = snapshot
        .store
        .graphs()
        .map(|(k, e)| (k, e.graph.as_str()))
        .collect();
    // Graphs pushed before under a key the store no longer has, or under another IRI.
    let gone: Vec<(String, String)> = state
        .graphs
        .iter()
        .filter(|(k, p)| local.get(k.as_str()) != Some(&p.graph.as_str()))
        .map(|(k, p)| (k.clone(), p.graph.clone()))
        .collect();

    let started = Instant::now();
    for (key, graph) in gone {
        let url = graph_url(&graph_store, &graph);
        match remote.send(Method::DELETE, &url, None) {
            Ok(_) => {}
            Err(PushError::Refused { status, .. }) if status == StatusCode::NOT_FOUND => {}
            Err(e) => return Err(e),
        }
        // Still in the store under the same key (with a new IRI): it is sent below.
        state.graphs.remove(&key);
        report.deleted += 1;
    }
    state.write(&state_path)?;

    let total = jobs.len();
    let stop = AtomicBool::new(false);
    let mut fatal = None;
    for (done, batch) in jobs.chunks(args.batch.max(1)).enumerate() {
        let next = AtomicUsize::new(0);
        let results = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..args.parallel.clamp(1, batch.len()) {
                scope.spawn(|| loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = batch.get(i) else { return };
                    let outcome = send_graph(&snapshot, &remote, &graph_store, job);
                    if matches!(outcome, Err(PushError::Refused { .. })) {
                        stop.store(true, Ordering::Relaxed);
                    }
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((i, outcome));
                });
            }
        });
        for (i, outcome) in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
            let job = &batch[i];
            match outcome {
                Ok((triples, bytes)) => {
                    report.sent += 1;
                    report.triples += triples;
                    report.bytes += bytes;
                    state.graphs.insert(
                        job.key.clone(),
                        Pushed {
                            graph: job.graph.as_str().to_owned(),
                            hash: job.hash.clone(),
                            quads: job.quads,
                        },
                    );
                }
                Err(e @ PushError::Refused { .. }) => fatal = Some(e),
                Err(e) => report.failed.push(format!("{}: {e}", job.graph.as_str())),
            }
        }
        state.write(&state_path)?;
        progress((done * args.batch.max(1) + batch.len()).min(total), total);
        if let Some(e) = fatal.take() {
            report.elapsed = started.elapsed();
            return Err(e);
        }
    }
    report.elapsed = started.elapsed();
    report.retries = remote.retried.load(Ordering::Relaxed);

    if !args.no_verify {
        verify(&snapshot, &remote, &args.endpoint, &mut state, &mut report)?;
        state.write(&state_path)?;
    }
    Ok(report)
}

/// Serializes one graph as Turtle and PUTs it. Returns its triples and bytes.
fn send_graph(
    snapshot: &Snapshot,
    remote: &Remote,
    graph_store: &str,
    job: &Job,
) -> Result<(usize, usize), PushError> {
    let mut body = Vec::new();
    let mut triples = 0;
    let io_error = |e: io::Error| PushError::Io {
        path: job.key.clone(),
        source: e,
    };
    let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle);
    for (p, ns) in crate::mapper::prefixes() {
        if let Ok(s) = serializer.clone().with_prefix(*p, *ns) {
            serializer = s;
        }
    }
    let mut w = serializer.for_writer(&mut body);
    let db = snapshot.store.oxigraph();
    for q in db.quads_for_pattern(
        None,
        None,
        None,
        Some(GraphNameRef::NamedNode(job.graph.as_ref())),
    ) {
        let q = q.map_err(|e| PushError::Io {
            path: job.key.clone(),
            source: io::Error::other(e),
        })?;
        w.serialize_triple(&Triple::from(q)).map_err(io_error)?;
        triples += 1;
    }
    w.finish().map_err(io_error)?;
    let bytes = body.len();
    let url = graph_url(graph_store, job.graph.as_str());
    remote.send(Method::PUT, &url, Some(body))?;
    Ok((triples, bytes))
}

/// Compares remote triple counts with local ones for every graph of the store.
fn verify(
    snapshot: &Snapshot,
    remote: &Remote,
    endpoint: &str,
    state: &mut PushState,
    report: &mut PushReport,
) -> Result<(), PushError> {
    let graphs: Vec<(String, String, usize)> = snapshot
        .store
        .graphs()
        .map(|(k, e)| (k.to_owned(), e.graph.clone(), e.quads))
        .collect();
    for chunk in graphs.chunks(VERIFY_CHUNK) {
        let values: Vec<String> = chunk.iter().map(|(_, g, _)| format!("<{g}>")).collect();
        let query = format!(
            "SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
            values.join(" ")
        );
        let counts = remote.count_query(endpoint, &query)?;
        for (key, graph, local) in chunk {
            let remote_n = counts.get(graph).copied().unwrap_or(0);
            report.checked += 1;
            if remote_n != *local {
                report
                    .mismatches
                    .push(format!("{graph}: remote {remote_n} triples, local {local}"));
                state.graphs.remove(key);
            }
        }
    }
    Ok(())
}

/// The Graph Store endpoint that usually sits beside a query endpoint.
fn derive_graph_store(endpoint: &str, auth: bool) -> Result<String, PushError> {
    let trimmed = endpoint.trim_end_matches('/');
    if let Some(root) = trimmed.strip_suffix("/query") {
        return Ok(format!("{root}/store"));
    }
    if let Some(root) = trimmed.strip_suffix("/sparql") {
        let crud = if auth {
            "sparql-graph-crud-auth"
        } else {
            "sparql-graph-crud"
        };
        return Ok(format!("{root}/{crud}"));
    }
    Err(PushError::Url {
        flag: "--endpoint",
        url: endpoint.to_owned(),
        message: "cannot tell where its Graph Store endpoint is; give --graph-store".into(),
    })
}

fn check_url(flag: &'static str, url: &str) -> Result<(), PushError> {
    let uri: oxhttp::model::Uri = url.parse().map_err(|e| PushError::Url {
        flag,
        url: url.to_owned(),
        message: format!("{e}"),
    })?;
    if uri.scheme_str() != Some("http") {
        return Err(PushError::Url {
            flag,
            url: url.to_owned(),
            message: "only http:// URLs are supported (no TLS in this build)".into(),
        });
    }
    Ok(())
}

fn graph_url(graph_store: &str, graph: &str) -> String {
    let sep = if graph_store.contains('?') { '&' } else { '?' };
    let encoded: String = form_urlencoded::byte_serialize(graph.as_bytes()).collect();
    format!("{graph_store}{sep}graph={encoded}")
}

/// `STORE/push/<host-port>-<hash of the URL>.json`.
fn state_path(dir: &Path, graph_store: &str) -> PathBuf {
    let readable: String = graph_store
        .split("://")
        .nth(1)
        .unwrap_or(graph_store)
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let digest = Sha256::digest(graph_store.as_bytes());
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    dir.join("push").join(format!("{readable}-{short}.json"))
}

impl PushState {
    fn read(path: &Path, graph_store: &str) -> Result<Self, PushError> {
        match fs::read(path) {
            Ok(bytes) => {
                let state: PushState =
                    serde_json::from_slice(&bytes).map_err(|e| PushError::State {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                if state.format != STATE_FORMAT || state.graph_store != graph_store {
                    return Err(PushError::State {
                        path: path.display().to_string(),
                        message: format!(
                            "expected {STATE_FORMAT} for {graph_store}; delete the file to push everything again"
                        ),
                    });
                }
                Ok(state)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(PushState {
                format: STATE_FORMAT.into(),
                graph_store: graph_store.into(),
                graphs: BTreeMap::new(),
            }),
            Err(source) => Err(PushError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Written to a temporary file and renamed: an interrupted push leaves the old or the new
    /// state, never half of one.
    fn write(&self, path: &Path) -> Result<(), PushError> {
        let io_error = |source| PushError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| PushError::State {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_data()?;
            fs::rename(&tmp, path)
        })();
        result.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_error(e)
        })
    }
}

/// The remote store: an HTTP client with credentials, retries and the last Digest challenge.
struct Remote {
    client: oxhttp::Client,
    credentials: Option<(String, String)>,
    challenge: Mutex<Option<Scheme>>,
    retries: u32,
    retried: AtomicUsize,
}

/// The authentication scheme the server asked for.
#[derive(Debug, Clone)]
enum Scheme {
    Basic,
    Digest(Challenge),
}

/// A Digest challenge from `WWW-Authenticate`, and how many times its nonce was used.
#[derive(Debug, Clone)]
struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    qop_auth: bool,
    stale: bool,
    count: u32,
}

impl Remote {
    /// Sends a request, retrying 5xx, 408, 429 and network errors with back-off, answering
    /// authentication challenges. A final 4xx is [`PushError::Refused`].
    fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response<Body>, PushError> {
        self.send_typed(method, url, body, "text/turtle; charset=utf-8", "*/*")
    }

    fn send_typed(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
        content_type: &str,
        accept: &str,
    ) -> Result<Response<Body>, PushError> {
        let mut attempt = 0;
        // A 401 is answered once after the server named its scheme, and once more when it
        // only says the Digest nonce went stale; a third is a wrong password.
        let mut auth_rounds = 0;
        loop {
            let mut builder = Request::builder()
                .method(method.clone())
                .uri(url)
                .header(ACCEPT, accept);
            if body.is_some() {
                builder = builder.header(CONTENT_TYPE, content_type);
            }
            let authorization = self.authorization(&method, url);
            let sent_auth = authorization.is_some();
            if let Some(h) = authorization {
                builder = builder.header(AUTHORIZATION, h);
            }
            let request = builder
                .body(body.clone().unwrap_or_default())
                .map_err(|e| PushError::Http {
                    url: url.to_owned(),
                    message: e.to_string(),
                })?;
            let retryable = match self.client.request(request) {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) if response.status() == StatusCode::UNAUTHORIZED => {
                    let (fresh, stale) = self.take_challenge(&response);
                    let again = !sent_auth && fresh || stale && auth_rounds < 2;
                    if self.credentials.is_none() || !again {
                        return Err(refused(url, response));
                    }
                    auth_rounds += 1;
                    continue;
                }
                Ok(response)
                    if response.status().is_server_error()
                        || response.status() == StatusCode::REQUEST_TIMEOUT
                        || response.status() == StatusCode::TOO_MANY_REQUESTS =>
                {
                    refused(url, response)
                }
                Ok(response) => return Err(refused(url, response)),
                Err(e) => PushError::Http {
                    url: url.to_owned(),
                    message: e.to_string(),
                },
            };
            if attempt >= self.retries {
                return Err(match retryable {
                    // Out of retries on a server error: not a configuration problem, so the
                    // push goes on with other graphs.
                    PushError::Refused {
                        url,
                        status,
                        message,
                    } => PushError::Http {
                        url,
                        message: format!("{status} after {} retries: {message}", self.retries),
                    },
                    e => e,
                });
            }
            attempt += 1;
            self.retried.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(200u64 << attempt.min(6)));
        }
    }

    /// The `Authorization` header for a request: Digest once challenged, else Basic.
    fn authorization(&self, method: &Method, url: &str) -> Option<String> {
        let (user, password) = self.credentials.as_ref()?;
        let mut guard = self.challenge.lock().unwrap_or_else(|p| p.into_inner());
        // Nothing is sent before the server says which scheme it wants: Virtuoso answers a
        // Basic attempt on its Digest endpoint with a 401 that carries no challenge.
        let c = match guard.as_mut()? {
            Scheme::Basic => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                return Some(format!("Basic {token}"));
            }
            Scheme::Digest(c) => c,
        };
        c.count += 1;
        let uri: oxhttp::model::Uri = url.parse().ok()?;
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let md5 = |s: String| -> String {
            Md5::digest(s.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let ha1 = md5(format!("{user}:{}:{password}", c.realm));
        let ha2 = md5(format!("{method}:{path}"));
        let nc = format!("{:08x}", c.count);
        let cnonce: String =
            md5(format!("{}{:?}{}", c.nonce, Instant::now(), c.count))[..16].to_owned();
        let mut header = format!(
            "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{path}\", algorithm=MD5",
            c.realm, c.nonce
        );
        if c.qop_auth {
            let response = md5(format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce));
            header.push_str(&format!(
                ", qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\""
            ));
        } else {
            let response = md5(format!("{ha1}:{}:{ha2}", c.nonce));
            header.push_str(&format!(", response=\"{response}\""));
        }
        if let Some(opaque) = &c.opaque {
            header.push_str(&format!(", opaque=\"{opaque}\""));
        }
        Some(header)
    }

    /// Remembers the scheme (and Digest challenge) a 401 answer asks for. Returns whether it is
    /// new, and whether the server said the previous nonce was merely stale.
    fn take_challenge(&self, response: &Response<Body>) -> (bool, bool) {
        let offered: Vec<&str> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let scheme = match offered.iter().find_map(|h| parse_digest_challenge(h)) {
            Some(c) => Scheme::Digest(c),
            None if offered
                .iter()
                .any(|h| h.trim_start().to_ascii_lowercase().starts_with("basic")) =>
            {
                Scheme::Basic
            }
            None => return (false, false),
        };
        let stale = matches!(&scheme, Scheme::Digest(c) if c.stale);
        let mut guard = self.challenge.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = match (guard.as_ref(), &scheme) {
            (Some(Scheme::Digest(old)), Scheme::Digest(new)) => old.nonce != new.nonce,
            (Some(Scheme::Basic), Scheme::Basic) => false,
            _ => true,
        };
        if fresh {
            *guard = Some(scheme);
        }
        (fresh, stale)
    }

    /// Runs `SELECT ?g ?n …` and reads the counts by graph IRI.
    fn count_query(
        &self,
        endpoint: &str,
        query: &str,
    ) -> Result<BTreeMap<String, usize>, PushError> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .finish();
        let response = self.send_typed(
            Method::POST,
            endpoint,
            Some(body.into_bytes()),
            "application/x-www-form-urlencoded",
            "application/sparql-results+json",
        )?;
        let results_error = |message: String| PushError::Results {
            url: endpoint.to_owned(),
            message,
        };
        let media = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/sparql-results+json")
            .to_owned();
        let format = QueryResultsFormat::from_media_type(&media)
            .ok_or_else(|| results_error(format!("unexpected Content-Type {media:?}")))?;
        let ReaderQueryResultsParserOutput::Solutions(solutions) =
            QueryResultsParser::from_format(format)
                .for_reader(response.into_body())
                .map_err(|e| results_error(e.to_string()))?
        else {
            return Err(results_error("not a SELECT answer".into()));
        };
        let mut counts = BTreeMap::new();
        for solution in solutions {
            let solution = solution.map_err(|e| results_error(e.to_string()))?;
            let (Some(Term::NamedNode(g)), Some(Term::Literal(n))) =
                (solution.get("g"), solution.get("n"))
            else {
                continue;
            };
            let n: usize = n
                .value()
                .parse()
                .map_err(|_| results_error(format!("count {:?} is not a number", n.value())))?;
            counts.insert(g.as_str().to_owned(), n);
        }
        Ok(counts)
    }
}

fn refused(url: &str, response: Response<Body>) -> PushError {
    let status = response.status();
    let mut message = response.into_body().to_string().unwrap_or_default();
    message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if message.chars().count() > 300 {
        message = message.chars().take(300).collect::<String>() + "…";
    }
    if status == StatusCode::UNAUTHORIZED {
        message = format!("authentication failed (check --user and --password-file) {message}");
    }
    PushError::Refused {
        url: url.to_owned(),
        status,
        message,
    }
}

/// `Digest realm="…", nonce="…", qop="auth", opaque="…"` → a [`Challenge`].
fn parse_digest_challenge(header: &str) -> Option<Challenge> {
    let rest = header.trim().strip_prefix("Digest")?.trim_start();
    let mut fields = BTreeMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',')).collect();
        if key.is_empty() {
            break;
        }
        chars.next_if_eq(&'=');
        let value: String = if chars.next_if_eq(&'"').is_some() {
            let v = std::iter::from_fn(|| chars.next_if(|c| *c != '"')).collect();
            chars.next();
            v
        } else {
            std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect()
        };
        fields.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    Some(Challenge {
        realm: fields.get("realm").cloned().unwrap_or_default(),
        nonce: fields.get("nonce")?.clone(),
        opaque: fields.get("opaque").cloned(),
        qop_auth: fields
            .get("qop")
            .is_some_and(|q| q.split(',').any(|x| x.trim() == "auth")),
        stale: fields
            .get("stale")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        count: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graph_store_sits_beside_the_query_endpoint() {
        assert_eq!(
            derive_graph_store("http://127.0.0.1:7878/query", false).unwrap(),
            "http://127.0.0.1:7878/store"
        );
        assert_eq!(
            derive_graph_store("http://h:8890/sparql/", true).unwrap(),
            "http://h:8890/sparql-graph-crud-auth"
        );
        assert!(derive_graph_store("http://h/elsewhere", false).is_err());
    }

    #[test]
    fn graph_iris_are_percent_encoded_in_the_url() {
        assert_eq!(
            graph_url("http://h/store", "https://w3id.org/newskg/id/graph/a1?x=1"),
            "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fnewskg%2Fid%2Fgraph%2Fa1%3Fx%3D1"
        );
    }

    #[test]
    fn a_digest_challenge_is_read_with_quoted_commas() {
        let c = parse_digest_challenge(
            r#"Digest realm="virtuoso, db", domain="/", nonce="abc123", opaque="5ccc", stale="false", qop="auth""#,
        )
        .unwrap();
        assert_eq!(c.realm, "virtuoso, db");
        assert_eq!(c.nonce, "abc123");
        assert_eq!(c.opaque.as_deref(), Some("5ccc"));
        assert!(c.qop_auth);
        assert!(parse_digest_challenge(r#"Basic realm="x""#).is_none());
    }

    proptest::proptest! {
        /// A server's `WWW-Authenticate` header is read or ignored, never a panic.
        #[test]
        fn any_challenge_header_is_read_or_ignored(tail in "\\PC{0,120}") {
            let _ = parse_digest_challenge(&format!("Digest {tail}"));
            let _ = parse_digest_challenge(&tail);
        }
    }

    #[test]
    fn rfc_2617_digest_example() {
        // RFC 2617 section 3.5: Mufasa / Circle Of Life, without qop for a fixed answer.
        let remote = Remote {
            client: oxhttp::Client::new(),
            credentials: Some(("Mufasa".into(), "Circle Of Life".into())),
            challenge: Mutex::new(Some(Scheme::Digest(Challenge {
                realm: "testrealm@host.com".into(),
                nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
                opaque: None,
                qop_auth: false,
                stale: false,
                count: 0,
            }))),
            retries: 0,
            retried: AtomicUsize::new(0),
        };
        let h = remote
            .authorization(&Method::GET, "http://www.nowhere.org/dir/index.html")
            .unwrap();
        // HA1 = MD5(Mufasa:testrealm@host.com:Circle Of Life), HA2 = MD5(GET:/dir/index.html).
        assert!(
            h.contains("response=\"670fd8c2df070c60b045671b8b24ff02\""),
            "{h}"
        );
    }
}
