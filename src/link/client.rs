//! The HTTP side of linking: SELECT queries to one SPARQL endpoint (SPARQL 1.1 Protocol, POST,
//! JSON or XML results), politely.
//!
//! Input: an endpoint URL and the politeness settings. Output: solutions, and counters of the
//! requests sent and retried. Every request carries an honest `User-Agent`
//! (`newskg/<version> (+<project url>)`, as Wikimedia's policy asks); requests are spaced by at
//! least `1 / rate` seconds; 5xx, 408, 429 and network errors are retried with exponential
//! back-off (a `Retry-After` in seconds is honoured, up to a minute); each request has a timeout.
//! Same HTTP stack as `push` and `serve` (`oxhttp`).

use super::LinkError;
use oxhttp::model::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{QuerySolution, Variable};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the project lives, for the `User-Agent`.
pub const PROJECT_URL: &str = "https://w3id.org/newskg";

/// `newskg/<version> (+<project url>)`.
pub fn user_agent() -> String {
    format!("newskg/{} (+{PROJECT_URL})", env!("CARGO_PKG_VERSION"))
}

/// How hard to push an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Politeness {
    /// Requests per second at most; 0 for no limit.
    pub rate: f64,
    /// Retries of a request after a 5xx, 408, 429 or network error.
    pub retries: u32,
    /// Per request.
    pub timeout: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            rate: 2.0,
            retries: 4,
            timeout: Duration::from_secs(60),
        }
    }
}

/// One SPARQL endpoint and its counters.
pub struct Endpoint {
    url: String,
    client: oxhttp::Client,
    politeness: Politeness,
    last: Mutex<Option<Instant>>,
    sent: AtomicUsize,
    retried: AtomicUsize,
}

/// One SELECT answer: its variables and rows.
pub struct Solutions {
    pub variables: Vec<Variable>,
    pub rows: Vec<QuerySolution>,
}

impl Endpoint {
    pub fn new(url: &str, politeness: Politeness) -> Result<Self, LinkError> {
        let bad = |message: String| LinkError::Endpoint {
            url: url.to_owned(),
            message,
        };
        let uri: oxhttp::model::Uri = url.parse().map_err(|e| bad(format!("{e}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") if cfg!(feature = "tls") => {}
            Some("https") => {
                return Err(bad(
                    "https:// needs TLS, which this build of newskg does not include: build with `--features tls`, or use a local copy over http:// (see docs/linking.md)".into(),
                ))
            }
            _ => return Err(bad("not an http:// or https:// URL".into())),
        }
        let client = oxhttp::Client::new()
            .with_global_timeout(politeness.timeout)
            .with_user_agent(user_agent())
            .map_err(|e| bad(e.to_string()))?
            .with_redirection_limit(3);
        Ok(Endpoint {
            url: url.to_owned(),
            client,
            politeness,
            last: Mutex::new(None),
            sent: AtomicUsize::new(0),
            retried: AtomicUsize::new(0),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests sent so far (retries included).
    pub fn requests(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn retries(&self) -> usize {
        self.retried.load(Ordering::Relaxed)
    }

    /// Runs a SELECT query.
    pub fn select(&self, query: &str) -> Result<Solutions, LinkError> {
        let response = self.post(query)?;
        let error = |message: String| LinkError::Endpoint {
            url: self.url.clone(),
            message,
        };
        let media = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/sparql-results+json")
            .to_owned();
        let format = QueryResultsFormat::from_media_type(&media).ok_or_else(|| {
            error(format!(
                "answered with Content-Type {media:?}, not SPARQL results"
            ))
        })?;
        let ReaderQueryResultsParserOutput::Solutions(reader) =
            QueryResultsParser::from_format(format)
                .for_reader(response.into_body())
                .map_err(|e| error(format!("unreadable results: {e}")))?
        else {
            return Err(error("answered a boolean to a SELECT query".into()));
        };
        let variables = reader.variables().to_vec();
        let rows = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(format!("unreadable results: {e}")))?;
        Ok(Solutions { variables, rows })
    }

    /// POSTs a query (form-encoded), spacing requests and retrying transient failures.
    fn post(&self, query: &str) -> Result<Response<Body>, LinkError> {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .finish();
        let mut attempt: u32 = 0;
        loop {
            self.wait_turn();
            let request = Request::builder()
                .method(Method::POST)
                .uri(&self.url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(
                    ACCEPT,
                    "application/sparql-results+json, application/sparql-results+xml;q=0.9",
                )
                .body(body.clone().into_bytes())
                .map_err(|e| LinkError::Endpoint {
                    url: self.url.clone(),
                    message: e.to_string(),
                })?;
            self.sent.fetch_add(1, Ordering::Relaxed);
            let (message, retry_after) = match self.client.request(request) {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r)
                    if r.status().is_server_error()
                        || r.status() == StatusCode::TOO_MANY_REQUESTS
                        || r.status() == StatusCode::REQUEST_TIMEOUT =>
                {
                    let after = r
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(60)));
                    (answer_text(r), after)
                }
                Ok(r) => {
                    return Err(LinkError::Endpoint {
                        url: self.url.clone(),
                        message: answer_text(r),
                    })
                }
                Err(e) => (e.to_string(), None),
            };
            if attempt >= self.politeness.retries {
                return Err(LinkError::Endpoint {
                    url: self.url.clone(),
                    message: format!("{message} (after {attempt} retries)"),
                });
            }
            attempt += 1;
            self.retried.fetch_add(1, Ordering::Relaxed);
            let backoff = Duration::from_millis(250u64 << attempt.min(8));
            std::thread::sleep(retry_after.unwrap_or(backoff));
        }
    }

    /// Sleeps until `1 / rate` seconds have passed since the previous request.
    fn wait_turn(&self) {
        if self.politeness.rate <= 0.0 || !self.politeness.rate.is_finite() {
            return;
        }
        let gap = Duration::from_secs_f64(1.0 / self.politeness.rate);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = *last {
            let next = previous + gap;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        *last = Some(Instant::now());
    }
}

/// `503 Service Unavailable: <first 300 characters of the body>`.
fn answer_text(response: Response<Body>) -> String {
    let status = response.status();
    let body = response.into_body().to_string().unwrap_or_default();
    let mut body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.chars().count() > 300 {
        body = body.chars().take(300).collect::<String>() + "…";
    }
    format!("answered {status}: {body}")
}
