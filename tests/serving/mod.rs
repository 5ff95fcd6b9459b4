//! Fixtures for the server and push tests: real servers on loopback (`newskg serve`,
//! `oxigraph serve`, Virtuoso), each stopped when its guard drops (also when a test fails), an
//! HTTP client, and stores loaded from hand-made extractions with `newskg map`.
#![allow(dead_code)]

use crate::common::Scratch;
use crate::handmade;
use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A server process; killed and reaped on drop.
pub struct Running {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// Kept alive as long as the server (its data directory).
    _dir: Option<tempfile::TempDir>,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Is `cmd` installed (does `cmd probe` start)? Outside CI a missing server skips the test
/// (with a message); in CI (`CI` set) it is a failure, since scripts/test.sh installs it.
pub fn have(cmd: &str, probe: &str) -> bool {
    let found = Command::new(cmd)
        .arg(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{cmd} is missing: scripts/test.sh installs it");
        }
        eprintln!("skipping: {cmd} not installed (run scripts/test.sh)");
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// `newskg --quiet --store <scratch store>` as a process to spawn (not waited for).
pub fn newskg_process(scratch: &Scratch) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("newskg"));
    cmd.current_dir(crate::common::repo())
        .env_remove("NEWSKG_STORE")
        .env_remove("NEWSKG_BASE")
        .arg("--quiet")
        .arg("--store")
        .arg(scratch.store());
    cmd
}

/// `newskg --store <scratch store> serve --bind 127.0.0.1:0 EXTRA…`, once it listens.
pub fn newskg_serve(scratch: &Scratch, extra: &[&str]) -> Running {
    let mut child = newskg_process(scratch)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("newskg serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let mut running = Running {
        child,
        url: String::new(),
        _dir: None,
    };
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("newskg serve prints its address within a minute");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    running.url = url;
    running
}

/// Waits until `GET url` answers 200.
fn wait_ready(url: &str, patience: Duration) {
    let start = Instant::now();
    while start.elapsed() < patience {
        if get(url, "*/*").0 == 200 {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("{url} not ready after {patience:?}");
}

/// `oxigraph serve` (PyPI package `oxigraph`), in memory, default graph = union of graphs
/// (as in newskg), on a free loopback port.
pub fn oxigraph_serve() -> Option<Running> {
    if !have("oxigraph", "--version") {
        return None;
    }
    let port = free_port();
    let child = Command::new("oxigraph")
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--union-default-graph",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("oxigraph serve starts");
    let running = Running {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: None,
    };
    wait_ready(
        &format!("{}/query?query=ASK%7B%7D", running.url),
        Duration::from_secs(30),
    );
    Some(running)
}

/// Virtuoso (Debian package `virtuoso-opensource`) with a fresh database in a temporary
/// directory, SQL and HTTP ports free on loopback; user `dba`, password `dba`.
pub fn virtuoso() -> Option<Running> {
    if !have("virtuoso-t", "+help") {
        return None;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().display();
    let (sql, http) = (free_port(), free_port());
    let ini = format!(
        "[Database]\nDatabaseFile = {d}/virtuoso.db\nErrorLogFile = {d}/virtuoso.log\n\
LockFile = {d}/virtuoso.lck\nTransactionFile = {d}/virtuoso.trx\nxa_persistent_file = {d}/virtuoso.pxa\n\
ErrorLogLevel = 7\nFileExtend = 200\nStriping = 0\nTempStorage = TempDatabase\n\
[TempDatabase]\nDatabaseFile = {d}/virtuoso-temp.db\nTransactionFile = {d}/virtuoso-temp.trx\n\
[Parameters]\nServerPort = 127.0.0.1:{sql}\nDisableUnixSocket = 1\nCheckpointInterval = 60\n\
DirsAllowed = .\nNumberOfBuffers = 10000\nMaxDirtyBuffers = 6000\n\
[HTTPServer]\nServerPort = 127.0.0.1:{http}\nServerRoot = {d}\nServerThreads = 10\nCharset = UTF-8\n\
[SPARQL]\nResultSetMaxRows = 100000\nMaxQueryExecutionTime = 60\n"
    );
    let config = dir.path().join("virtuoso.ini");
    std::fs::write(&config, ini).expect("write virtuoso.ini");
    let child = Command::new("virtuoso-t")
        .arg("+foreground")
        .arg("+configfile")
        .arg(&config)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("virtuoso-t starts");
    let running = Running {
        child,
        url: format!("http://127.0.0.1:{http}"),
        _dir: Some(dir),
    };
    wait_ready(
        &format!("{}/sparql?query=ASK%7B%7D", running.url),
        Duration::from_secs(120),
    );
    Some(running)
}

fn client() -> oxhttp::Client {
    oxhttp::Client::new().with_global_timeout(Duration::from_secs(60))
}

/// (status, Content-Type, body, the `x-newskg-truncated` header)
pub type Answer = (u16, String, String, bool);

fn send(request: Request<Body>) -> Answer {
    match client().request(request) {
        Ok(r) => {
            let status = r.status().as_u16();
            let header = |name: &str| {
                r.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let ct = header("content-type");
            let truncated = header("x-newskg-truncated") == "true";
            let body = r.into_body().to_string().unwrap_or_default();
            (status, ct, body, truncated)
        }
        Err(e) => (0, String::new(), e.to_string(), false),
    }
}

pub fn get(url: &str, accept: &str) -> Answer {
    send(
        Request::builder()
            .uri(url)
            .header(ACCEPT, accept)
            .body(Body::empty())
            .expect("request"),
    )
}

pub fn request(method: Method, url: &str, content_type: &str, body: &str, accept: &str) -> Answer {
    send(
        Request::builder()
            .method(method)
            .uri(url)
            .header(ACCEPT, accept)
            .header(CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .expect("request"),
    )
}

pub fn post(url: &str, content_type: &str, body: &str, accept: &str) -> Answer {
    request(Method::POST, url, content_type, body, accept)
}

/// `query=…` form-encoded.
pub fn form(name: &str, value: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish()
}

pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A store holding the hand-made extractions (two articles) and the ontology, loaded with
/// `newskg map` the way a user loads another tool's output.
pub fn handmade_store(scratch: &Scratch) {
    let json = serde_json::to_string(&handmade::corpus()).expect("extractions serialize");
    let file = scratch.write("handmade.json", json);
    scratch.ok(&["map", file.to_str().expect("path")]);
}

/// CSV rows without the header, sorted: engines may order ties differently.
pub fn sorted_rows(csv: &str) -> Vec<Vec<String>> {
    let mut rows = crate::common::csv_rows(csv);
    if !rows.is_empty() {
        rows.remove(0);
    }
    rows.sort();
    rows
}
