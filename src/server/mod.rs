//! `newskg serve`: the store over the SPARQL 1.1 Protocol, read-only, on the paths Oxigraph's
//! own server uses, so that clients configured for `oxigraph serve` work unchanged.
//!
//! Input: a store directory (a consistent [`Snapshot`] of it) and [`ServeOptions`]. Output: an
//! HTTP server (`oxhttp`, one thread per connection up to `--max-connections`) answering
//! - `GET|POST /query`: SPARQL 1.1 Query (`query=` in the URL or a form, or an
//!   `application/sparql-query` body; `default-graph-uri`/`named-graph-uri`), results in SPARQL
//!   JSON, XML, CSV or TSV, graphs in Turtle, N-Triples, RDF/XML, N-Quads or TriG, chosen by
//!   `Accept` or `format=`; the default graph is the union of all graphs, as in `newskg query`;
//! - `/update`: refused (403), the server is read-only;
//! - `GET /store?graph=IRI|?default`: SPARQL 1.1 Graph Store reads (no parameter: the dataset);
//! - `GET /queries`, `GET /queries/NAME?param=value&format=csv`: the canned queries, with
//!   parameters bound as typed terms by [`CannedQuery::bind`];
//! - `GET /`: an HTML page listing them, with a query box;
//! - `POST /reload`: read the store again (also done by itself every `--reload-every` seconds
//!   when the manifest changed).
//!
//! Safety: loopback bind by default, a per-query timeout that cancels evaluation, a cap on
//! result rows, a request body limit, `SERVICE` only to `--allow-service` endpoints.

pub mod page;
mod protocol;
pub mod snapshot;

use crate::mapper::Vocabulary;
use crate::queries::{CannedQuery, Catalog, QueryError};
use crate::results::{ResultsError, ResultsFormat, Table};
use oxhttp::model::header::RETRY_AFTER;
use oxhttp::model::{Body, HeaderValue, Method, Request, Response, StatusCode};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use protocol::{form_pairs, read_body, single, text_response, url_params, HttpError};
pub use snapshot::{Snapshot, SnapshotError};
use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The flags of `newskg serve` (the store directory and base IRI are global flags).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but a loopback address exposes the store to the network.
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub bind: SocketAddr,
    /// Cancel a query after this many seconds (answer 503).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// At most this many result rows (or triples) per answer; more are cut, with the header
    /// `X-Newskg-Truncated: true`.
    #[arg(long, default_value_t = 10_000)]
    pub max_rows: usize,
    /// Largest request body accepted, in bytes (413 beyond).
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
    /// A SPARQL endpoint that `SERVICE` may call (repeatable). Without it, `SERVICE` is refused.
    #[arg(long = "allow-service", value_name = "URL")]
    pub allow_service: Vec<String>,
    /// Check the store manifest every SECS seconds and serve the new snapshot after a build
    /// committed (0: only on `POST /reload`).
    #[arg(long, default_value_t = 2.0, value_name = "SECS")]
    pub reload_every: f64,
    /// Most connections served at once (one thread each).
    #[arg(long, default_value_t = 64)]
    pub max_connections: usize,
}

/// Everything the server needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub args: ServeArgs,
    pub store: PathBuf,
    pub base: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("--bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("--allow-service {url}: {message}")]
    Service { url: String, message: String },
    #[error("reading store {path}: {source}")]
    Snapshot { path: String, source: SnapshotError },
    #[error(transparent)]
    Queries(#[from] QueryError),
    #[error("--base: {0}")]
    Base(String),
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    listening: oxhttp::ListeningServer,
    state: Arc<State>,
}

struct State {
    dir: PathBuf,
    base: String,
    vocab: Vocabulary,
    catalog: Catalog,
    timeout: Duration,
    max_rows: usize,
    max_body: usize,
    /// `--allow-service` endpoints.
    services: Vec<String>,
    loopback: bool,
    current: RwLock<Arc<Snapshot>>,
    reloading: Mutex<()>,
}

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reload {
    Unchanged,
    Reloaded { graphs: usize, quads: usize },
}

impl Server {
    /// Reads the store (waiting up to a minute for a running build to commit), binds and starts
    /// serving in background threads.
    pub fn start(options: ServeOptions) -> Result<Self, ServeError> {
        let args = &options.args;
        let vocab = Vocabulary::new(&options.base).map_err(|e| ServeError::Base(e.to_string()))?;
        // Checked once here; each query gets its own handler (it keeps answers per query).
        allowed_services(&args.allow_service, state_timeout(args)).map_err(|e| {
            ServeError::Service {
                url: args.allow_service.join(" "),
                message: e.to_string(),
            }
        })?;
        let snapshot =
            Snapshot::load_waiting(&options.store, &options.base, Duration::from_secs(60))
                .map_err(|source| ServeError::Snapshot {
                    path: options.store.display().to_string(),
                    source,
                })?;
        let state = Arc::new(State {
            dir: options.store.clone(),
            base: options.base.clone(),
            vocab,
            catalog: Catalog::builtin()?,
            timeout: state_timeout(args),
            max_rows: args.max_rows,
            max_body: args.max_body,
            services: args.allow_service.clone(),
            loopback: args.bind.ip().is_loopback(),
            current: RwLock::new(Arc::new(snapshot)),
            reloading: Mutex::new(()),
        });
        // oxhttp binds by address: port 0 is resolved here to a free port first.
        let mut addr = args.bind;
        if addr.port() == 0 {
            let probe =
                TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
            addr = probe
                .local_addr()
                .map_err(|source| ServeError::Bind { addr, source })?;
        }
        let handler_state = Arc::clone(&state);
        let server = oxhttp::Server::new(move |request| handle(&handler_state, request))
            .bind(addr)
            .with_global_timeout(state.timeout + Duration::from_secs(30))
            .with_max_concurrent_connections(args.max_connections.max(1));
        let listening = server
            .spawn()
            .map_err(|source| ServeError::Bind { addr, source })?;
        if args.reload_every > 0.0 {
            let watched = Arc::downgrade(&state);
            let every = Duration::from_secs_f64(args.reload_every);
            std::thread::spawn(move || loop {
                std::thread::sleep(every);
                let Some(state) = watched.upgrade() else {
                    return;
                };
                match state.reload(false) {
                    Ok(Reload::Reloaded { graphs, quads }) => {
                        eprintln!("newskg serve: store changed, now serving {graphs} graphs, {quads} quads");
                    }
                    Ok(Reload::Unchanged) | Err(SnapshotError::Busy { .. }) => {}
                    Err(e) => {
                        eprintln!("newskg serve: reload failed, serving the previous snapshot: {e}")
                    }
                }
            });
        }
        Ok(Server {
            addr,
            listening,
            state,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Graphs and quads of the snapshot being served.
    pub fn size(&self) -> (usize, usize) {
        let s = self.state.snapshot();
        (s.graphs, s.quads)
    }

    /// Blocks while the server runs.
    pub fn join(self) -> std::io::Result<()> {
        self.listening.join()
    }
}

impl State {
    fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the store again if its manifest changed (or always with `force`), and swaps the
    /// new snapshot in: requests already running finish on the old one.
    fn reload(&self, force: bool) -> Result<Reload, SnapshotError> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        if !force && snapshot::manifest_stamp(&self.dir)? == self.snapshot().stamp {
            return Ok(Reload::Unchanged);
        }
        let fresh = Snapshot::load(&self.dir, &self.base)?;
        let size = Reload::Reloaded {
            graphs: fresh.graphs,
            quads: fresh.quads,
        };
        match self.current.write() {
            Ok(mut s) => *s = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(size)
    }
}

fn handle(state: &State, request: &mut Request<Body>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let head = method == Method::HEAD;
    let result = match (path.as_str(), &method) {
        ("/", &Method::GET | &Method::HEAD) => Ok(home(state)),
        ("/query", _) => query_endpoint(state, request),
        ("/update", _) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "this endpoint is read-only: SPARQL Update is refused. Change the data with \
             `newskg build` or `newskg map`; the server picks the new snapshot up by itself",
        )),
        ("/store", &Method::GET | &Method::HEAD) => graph_store(state, request),
        ("/store", _) => Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "the Graph Store is read-only here: only GET and HEAD are served",
        )),
        ("/queries", &Method::GET | &Method::HEAD) => Ok(list_queries(state)),
        ("/reload", &Method::POST) => reload_endpoint(state),
        (p, &Method::GET | &Method::HEAD) if p.starts_with("/queries/") => {
            canned_query(state, request, &p["/queries/".len()..])
        }
        ("/reload", _) | ("/queries", _) => Err(HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}"),
        )),
        (p, _) if p.starts_with("/queries/") => Err(HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}: canned queries are GET"),
        )),
        _ => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            format!("no such path {path}; see / for what this server offers"),
        )),
    };
    let mut response = result.unwrap_or_else(|e| {
        if e.status.is_server_error() {
            eprintln!("newskg serve: {method} {path}: {} {}", e.status, e.message);
        }
        e.into_response()
    });
    if head {
        *response.body_mut() = Body::empty();
    }
    response
}

fn home(state: &State) -> Response<Body> {
    let s = state.snapshot();
    text_response(
        StatusCode::OK,
        "text/html; charset=utf-8",
        page::home(&state.catalog, s.graphs, s.quads),
    )
}

fn list_queries(state: &State) -> Response<Body> {
    let list: Vec<serde_json::Value> = state
        .catalog
        .iter()
        .map(|q| {
            serde_json::json!({
                "name": q.name,
                "description": q.description,
                "url": format!("/queries/{}", q.name),
                "params": q.params.iter().map(|p| serde_json::json!({
                    "name": p.name, "kind": p.kind.as_str(), "default": p.default, "description": p.description,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    text_response(
        StatusCode::OK,
        "application/json",
        serde_json::Value::Array(list).to_string(),
    )
}

fn reload_endpoint(state: &State) -> Result<Response<Body>, HttpError> {
    if !state.loopback {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "POST /reload is only served on a loopback bind; the server reloads by itself (--reload-every)",
        ));
    }
    match state.reload(false) {
        Ok(outcome) => {
            let s = state.snapshot();
            let body = serde_json::json!({
                "reloaded": matches!(outcome, Reload::Reloaded { .. }),
                "graphs": s.graphs,
                "quads": s.quads,
            });
            Ok(text_response(
                StatusCode::OK,
                "application/json",
                body.to_string(),
            ))
        }
        Err(e @ SnapshotError::Busy { .. }) => {
            let mut r = HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{e}; still serving the previous snapshot"),
            )
            .into_response();
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
            Ok(r)
        }
        Err(e) => Err(HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("reload failed, still serving the previous snapshot: {e}"),
        )),
    }
}

/// The SPARQL 1.1 Protocol query operation.
fn query_endpoint(state: &State, request: &mut Request<Body>) -> Result<Response<Body>, HttpError> {
    let mut params = url_params(request);
    let text = match *request.method() {
        Method::GET | Method::HEAD => single(&params, "query")?
            .ok_or_else(|| HttpError::bad_request("missing the query parameter (GET /query?query=…)"))?
            .to_owned(),
        Method::POST => match protocol::content_type(request).as_deref() {
            Some("application/sparql-query") => {
                let body = read_body(request, state.max_body)?;
                String::from_utf8(body)
                    .map_err(|_| HttpError::bad_request("the query is not valid UTF-8"))?
            }
            Some("application/x-www-form-urlencoded") => {
                let form = form_pairs(&read_body(request, state.max_body)?);
                if form.iter().any(|(k, _)| k == "update") {
                    return Err(HttpError::new(
                        StatusCode::FORBIDDEN,
                        "this endpoint is read-only: SPARQL Update is refused",
                    ));
                }
                params.extend(form);
                single(&params, "query")?
                    .ok_or_else(|| HttpError::bad_request("missing the query field in the form"))?
                    .to_owned()
            }
            Some("application/sparql-update") => {
                return Err(HttpError::new(
                    StatusCode::FORBIDDEN,
                    "this endpoint is read-only: SPARQL Update is refused",
                ))
            }
            other => {
                return Err(HttpError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "POST /query takes application/sparql-query or application/x-www-form-urlencoded, not {}",
                        other.unwrap_or("a body without Content-Type")
                    ),
                ))
            }
        },
        _ => {
            return Err(HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "/query takes GET or POST",
            ))
        }
    };
    let graphs = |name: &str| -> Result<Vec<NamedNode>, HttpError> {
        params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| {
                NamedNode::new(v).map_err(|e| HttpError::bad_request(format!("{name} {v:?}: {e}")))
            })
            .collect()
    };
    let default_graphs = graphs("default-graph-uri")?;
    let named_graphs = graphs("named-graph-uri")?;
    let format = single(&params, "format")?.map(str::to_owned);
    let snapshot = state.snapshot();
    let mut evaluator = SparqlEvaluator::new();
    if !state.services.is_empty() {
        let services = allowed_services(&state.services, state.timeout)
            .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        evaluator = evaluator.with_default_service_handler(services);
    }
    let token = CancellationToken::new();
    let mut prepared = evaluator
        .with_cancellation_token(token.clone())
        .parse_query(&text)
        .map_err(|e| HttpError::bad_request(format!("SPARQL syntax error: {e}")))?;
    let dataset = prepared.dataset_mut();
    if !default_graphs.is_empty() || !named_graphs.is_empty() {
        dataset.set_default_graph(default_graphs.into_iter().map(GraphName::from).collect());
        dataset.set_available_named_graphs(
            named_graphs
                .into_iter()
                .map(NamedOrBlankNode::from)
                .collect(),
        );
    } else if dataset.is_default_dataset() {
        dataset.set_default_graph_as_union();
    }
    let watchdog = crate::store::Watchdog::start(state.timeout, token);
    let results = prepared
        .on_store(snapshot.store.oxigraph())
        .execute()
        .map_err(|e| evaluation_error(e, state.timeout))?;
    let response = write_answer(state, request, format.as_deref(), results);
    drop(watchdog);
    response
}

/// Serializes any query answer in the negotiated format, cutting at the row cap.
fn write_answer(
    state: &State,
    request: &Request<Body>,
    format: Option<&str>,
    results: QueryResults<'_>,
) -> Result<Response<Body>, HttpError> {
    let io_error =
        |e: std::io::Error| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut out = Vec::new();
    let mut truncated = false;
    let media = match results {
        QueryResults::Solutions(solutions) => {
            let f = protocol::results_format(request, format)?;
            let mut s = QueryResultsSerializer::from_format(f)
                .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())
                .map_err(io_error)?;
            for (i, solution) in solutions.enumerate() {
                if i >= state.max_rows {
                    truncated = true;
                    break;
                }
                let solution = solution.map_err(|e| evaluation_error(e, state.timeout))?;
                s.serialize(&solution).map_err(io_error)?;
            }
            s.finish().map_err(io_error)?;
            f.media_type()
        }
        QueryResults::Boolean(b) => {
            let f = protocol::results_format(request, format)?;
            QueryResultsSerializer::from_format(f)
                .serialize_boolean_to_writer(&mut out, b)
                .map_err(io_error)?;
            f.media_type()
        }
        QueryResults::Graph(triples) => {
            let f = protocol::rdf_format(request, format, false)?;
            let mut s = serializer(state, f).for_writer(&mut out);
            for (i, t) in triples.enumerate() {
                if i >= state.max_rows {
                    truncated = true;
                    break;
                }
                let t = t.map_err(|e| evaluation_error(e, state.timeout))?;
                s.serialize_triple(&t).map_err(io_error)?;
            }
            s.finish().map_err(io_error)?;
            f.media_type()
        }
    };
    let mut response = text_response(StatusCode::OK, media, out);
    if truncated {
        response
            .headers_mut()
            .insert("x-newskg-truncated", HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn serializer(state: &State, format: RdfFormat) -> RdfSerializer {
    let mut s = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        for (p, ns) in state.vocab.prefixes() {
            if let Ok(with) = s.clone().with_prefix(&p, &ns) {
                s = with;
            }
        }
    }
    s
}

fn evaluation_error(e: QueryEvaluationError, timeout: Duration) -> HttpError {
    match e {
        QueryEvaluationError::Cancelled => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("query cancelled after the {}s timeout (--timeout)", timeout.as_secs()),
        ),
        QueryEvaluationError::UnsupportedService(name) => HttpError::new(
            StatusCode::FORBIDDEN,
            format!("SERVICE <{}> is not allowed: this server only calls the endpoints given with --allow-service", name.as_str()),
        ),
        e @ (QueryEvaluationError::UnboundService | QueryEvaluationError::InvalidServiceName(_)) => {
            HttpError::bad_request(e.to_string())
        }
        QueryEvaluationError::Service(e) if e.to_string().contains("is not allowed") => {
            HttpError::new(StatusCode::FORBIDDEN, e.to_string())
        }
        QueryEvaluationError::Service(e) => HttpError::new(StatusCode::BAD_GATEWAY, e.to_string()),
        e => HttpError::bad_request(format!("query failed: {e}")),
    }
}

/// Graph Store Protocol reads: `?graph=IRI`, `?default` (the union of all graphs), or nothing
/// (the whole dataset, as N-Quads or TriG).
fn graph_store(state: &State, request: &Request<Body>) -> Result<Response<Body>, HttpError> {
    let params = url_params(request);
    let graph = single(&params, "graph")?;
    let default = params.iter().any(|(k, _)| k == "default");
    let format = single(&params, "format")?;
    let snapshot = state.snapshot();
    let db = snapshot.store.oxigraph();
    let storage = |e: oxigraph::store::StorageError| {
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    };
    let io_error =
        |e: std::io::Error| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut out = Vec::new();
    let f = match (graph, default) {
        (Some(_), true) => {
            return Err(HttpError::bad_request(
                "give either ?graph=IRI or ?default, not both",
            ))
        }
        (Some(iri), false) => {
            let name = NamedNode::new(iri)
                .map_err(|e| HttpError::bad_request(format!("graph {iri:?}: {e}")))?;
            if !db.contains_named_graph(&name).map_err(storage)? {
                return Err(HttpError::new(
                    StatusCode::NOT_FOUND,
                    format!("no graph <{iri}> in this store"),
                ));
            }
            let f = protocol::rdf_format(request, format, false)?;
            let mut s = serializer(state, f).for_writer(&mut out);
            for q in db.quads_for_pattern(
                None,
                None,
                None,
                Some(GraphNameRef::NamedNode(name.as_ref())),
            ) {
                let q = q.map_err(storage)?;
                if f.supports_datasets() {
                    s.serialize_quad(&q).map_err(io_error)?;
                } else {
                    s.serialize_triple(&Triple::from(q)).map_err(io_error)?;
                }
            }
            s.finish().map_err(io_error)?;
            f
        }
        (None, true) => {
            let f = protocol::rdf_format(request, format, false)?;
            let mut s = serializer(state, f).for_writer(&mut out);
            let mut seen = HashSet::new();
            for q in db.iter() {
                let t = Triple::from(q.map_err(storage)?);
                if seen.insert(t.clone()) {
                    s.serialize_triple(&t).map_err(io_error)?;
                }
            }
            s.finish().map_err(io_error)?;
            f
        }
        (None, false) => {
            let f = protocol::rdf_format(request, format, true)?;
            let mut s = serializer(state, f).for_writer(&mut out);
            for q in db.iter() {
                s.serialize_quad(&q.map_err(storage)?).map_err(io_error)?;
            }
            s.finish().map_err(io_error)?;
            f
        }
    };
    Ok(text_response(StatusCode::OK, f.media_type(), out))
}

/// `/queries/NAME?param=value&format=csv`: a canned query with typed parameters. Empty values
/// (as an HTML form sends for untouched fields) count as not given.
fn canned_query(
    state: &State,
    request: &Request<Body>,
    name: &str,
) -> Result<Response<Body>, HttpError> {
    let query: &CannedQuery = state.catalog.get(name).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            QueryError::UnknownQuery {
                name: name.to_owned(),
                known: state
                    .catalog
                    .iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
            .to_string(),
        )
    })?;
    let params = url_params(request);
    let format = single(&params, "format")?;
    let values: Vec<(String, String)> = params
        .iter()
        .filter(|(k, v)| k != "format" && !v.trim().is_empty())
        .cloned()
        .collect();
    let bindings = query
        .bind(&values, &state.vocab)
        .map_err(|e| HttpError::bad_request(e.to_string()))?;
    let f = protocol::results_format(request, format)?;
    let snapshot = state.snapshot();
    let started = Instant::now();
    let results = snapshot
        .store
        .query_with_services(
            &query.sparql,
            bindings,
            Some(state.timeout),
            allowed_services(&state.services, state.timeout)
                .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?,
        )
        .map_err(|e| match e {
            crate::store::StoreError::Timeout(_) => {
                evaluation_error(QueryEvaluationError::Cancelled, state.timeout)
            }
            crate::store::StoreError::Evaluation(e) => evaluation_error(e, state.timeout),
            e => HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("query {name}: {e}"),
            ),
        })?;
    let QueryResults::Solutions(solutions) = results else {
        return Err(HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("query {name} is not a SELECT"),
        ));
    };
    let mut table = Table::collect(solutions, Some(state.max_rows + 1)).map_err(|e| match e {
        ResultsError::Evaluation(e) => evaluation_error(e, state.timeout),
        e => HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("query {name}: {e}"),
        ),
    })?;
    if started.elapsed() > state.timeout {
        return Err(evaluation_error(
            QueryEvaluationError::Cancelled,
            state.timeout,
        ));
    }
    let truncated = table.rows.len() > state.max_rows;
    table.rows.truncate(state.max_rows);
    let mut out = Vec::new();
    let rf = match f {
        QueryResultsFormat::Csv => ResultsFormat::Csv,
        QueryResultsFormat::Tsv => ResultsFormat::Tsv,
        QueryResultsFormat::Xml => ResultsFormat::Xml,
        _ => ResultsFormat::Json,
    };
    table
        .write(rf, &[], &mut out)
        .map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut response = text_response(StatusCode::OK, f.media_type(), out);
    if truncated {
        response
            .headers_mut()
            .insert("x-newskg-truncated", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The `SERVICE` handler for the allowed endpoints (the linker's: one request per distinct
/// pattern, retries, a User-Agent); with none allowed it refuses every `SERVICE`.
fn allowed_services(
    urls: &[String],
    timeout: Duration,
) -> Result<crate::link::service::AllowedServices, crate::link::LinkError> {
    let politeness = crate::link::client::Politeness {
        timeout,
        ..Default::default()
    };
    crate::link::service::AllowedServices::new(urls, politeness)
}

fn state_timeout(args: &ServeArgs) -> Duration {
    Duration::from_secs(args.timeout.max(1))
}
