//! Serving and pushing on loopback: push throughput (triples/s) into `oxigraph serve`, and the
//! latency (p50, p99) of the canned queries through `newskg serve` under concurrent clients.
//!
//! `cargo bench --bench serve` (or `scripts/bench-serve.sh ARTICLES`). Environment:
//! `NEWSKG_BENCH_ARTICLES` (default 2000), `NEWSKG_BENCH_CORPUS` (a make_corpus.py directory;
//! made when missing), `NEWSKG_SHARED` (where `bench/make_corpus.py` is, default `../shared`),
//! `NEWSKG_BENCH_SECONDS` (per concurrency level, default 10), `NEWSKG_BENCH_CLIENTS` (default
//! `1,4,16`). Bounded in time: every level runs for the given seconds; each request has a 60 s
//! client timeout.

use oxhttp::model::header::ACCEPT;
use oxhttp::model::{Body, Request};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_newskg");

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn newskg(store: &Path, args: &[&str]) -> (String, Duration) {
    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("--quiet")
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("newskg runs");
    let elapsed = started.elapsed();
    assert!(
        out.status.success() || args[0] == "build",
        "newskg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), elapsed)
}

fn get(client: &oxhttp::Client, url: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let request = Request::builder()
        .uri(url)
        .header(ACCEPT, "application/sparql-results+json")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let response = client.request(request).map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.into_body().to_vec().map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
    }
    Ok(started.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // then it only checks that it was built.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let articles: usize = env_or("NEWSKG_BENCH_ARTICLES", 2000);
    let seconds: f64 = env_or("NEWSKG_BENCH_SECONDS", 10.0);
    let clients: Vec<usize> = std::env::var("NEWSKG_BENCH_CLIENTS")
        .unwrap_or_else(|_| "1,4,16".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var("NEWSKG_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("newskg-bench-{articles}")));
    if !corpus.exists() {
        let shared = std::env::var("NEWSKG_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|_| repo.join("../shared"));
        let status = Command::new("python3")
            .arg(shared.join("bench/make_corpus.py"))
            .arg(repo.join("seeds"))
            .arg(&corpus)
            .args(["--articles", &articles.to_string()])
            .status()
            .expect("python3 runs make_corpus.py");
        assert!(status.success(), "make_corpus.py failed");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("store");
    let corpus_arg = corpus.to_str().expect("UTF-8 path");
    let (_, build_time) = newskg(&store, &["build", corpus_arg]);
    let (counts, _) = newskg(
        &store,
        &[
            "query",
            "--sparql",
            "SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "tsv",
        ],
    );
    let sizes: Vec<&str> = counts
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split('\t')
        .collect();
    let graph_of = |s: &str| {
        s.split('^')
            .next()
            .unwrap_or_default()
            .trim_matches('"')
            .to_owned()
    };
    println!("# newskg serve/push benchmark");
    println!(
        "corpus: {} ({articles} articles requested); store: {} graphs, {} quads; build {:.1}s",
        corpus.display(),
        graph_of(sizes.first().copied().unwrap_or_default()),
        graph_of(sizes.get(1).copied().unwrap_or_default()),
        build_time.as_secs_f64()
    );

    // Push into a local Oxigraph server.
    if Command::new("oxigraph").arg("--version").output().is_ok() {
        let port = free_port();
        let _oxigraph = Guard(
            Command::new("oxigraph")
                .args([
                    "serve",
                    "--bind",
                    &format!("127.0.0.1:{port}"),
                    "--union-default-graph",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("oxigraph serve"),
        );
        let client = oxhttp::Client::new().with_global_timeout(Duration::from_secs(60));
        let endpoint = format!("http://127.0.0.1:{port}/query");
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(&client, &format!("{endpoint}?query=ASK%7B%7D")).is_err() {
            assert!(Instant::now() < deadline, "oxigraph serve did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        println!("\n## push into oxigraph serve (in memory) on loopback");
        for (label, extra) in [
            ("first push, 4 parallel", vec![]),
            ("re-push (--all: PUT replaces), 4 parallel", vec!["--all"]),
            ("re-push, 1 at a time", vec!["--all", "--parallel", "1"]),
            ("re-push, 8 parallel", vec!["--all", "--parallel", "8"]),
            ("no-op push (nothing changed)", vec![]),
        ] {
            let mut args = vec!["push", "--endpoint", &endpoint];
            args.extend(extra);
            let (out, total) = newskg(&store, &args);
            let line = out.lines().next().unwrap_or_default();
            let check = out.lines().nth(1).unwrap_or_default();
            println!(
                "{label}: {} | {check} | wall {:.2}s",
                line.split(": ").nth(1).unwrap_or(line),
                total.as_secs_f64()
            );
        }
    } else {
        println!("\n(push skipped: `oxigraph` not installed; pip install oxigraph)");
    }

    // Canned queries through newskg serve.
    let mut server = Command::new(BIN)
        .arg("--quiet")
        .arg("--store")
        .arg(&store)
        .args(["serve", "--bind", "127.0.0.1:0", "--reload-every", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("newskg serve");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("serve prints its address");
    let _server = Guard(server);
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("address")
        .trim_end_matches('/')
        .to_owned();
    let catalog = newskg::queries::Catalog::builtin().expect("catalog");
    let urls: Vec<(String, String)> = catalog
        .iter()
        .filter(|q| !q.sparql.contains("SERVICE"))
        .map(|q| {
            (
                q.name.clone(),
                format!("{base}/queries/{}?format=json", q.name),
            )
        })
        .collect();
    let client = oxhttp::Client::new().with_global_timeout(Duration::from_secs(60));
    println!("\n## canned queries through newskg serve, one client, 3 runs each after a warm-up");
    println!("| query | p50 ms | max ms |\n|---|---|---|");
    for (name, url) in &urls {
        let _ = get(&client, url);
        let mut times: Vec<Duration> = (0..3).filter_map(|_| get(&client, url).ok()).collect();
        times.sort();
        println!(
            "| {name} | {} | {} |",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 1.0))
        );
    }
    let light = format!(
        "{base}/query?query={}",
        form_urlencoded::byte_serialize(
            b"PREFIX nkg: <https://w3id.org/newskg/ontology#> SELECT ?s WHERE { ?s a nkg:Statement } LIMIT 10"
        )
        .collect::<String>()
    );
    load(
        "a light query (10 statements; the server's own overhead)",
        &[("light".to_owned(), light)],
        &clients,
        seconds,
    );
    load("all canned queries round-robin", &urls, &clients, seconds);
}

/// `clients` threads hit `urls` round-robin for `seconds` per level; prints p50/p99.
fn load(title: &str, urls: &[(String, String)], clients: &[usize], seconds: f64) {
    println!("\n## {title}, {seconds}s per level (loopback, Connection: close)");
    println!(
        "| clients | requests | errors | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|"
    );
    for &c in clients {
        let latencies = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        let stop = Instant::now() + Duration::from_secs_f64(seconds);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for worker in 0..c {
                let (latencies, errors) = (&latencies, &errors);
                scope.spawn(move || {
                    let client = oxhttp::Client::new().with_global_timeout(Duration::from_secs(60));
                    let mut i = worker;
                    while Instant::now() < stop {
                        match get(&client, &urls[i % urls.len()].1) {
                            Ok(d) => latencies.lock().expect("lock").push(d),
                            Err(e) => errors.lock().expect("lock").push(e),
                        }
                        i += 1;
                    }
                });
            }
        });
        let elapsed = started.elapsed();
        let mut l = latencies.into_inner().expect("lock");
        l.sort();
        let errors = errors.into_inner().expect("lock");
        println!(
            "| {c} | {} | {} | {:.1} | {} | {} |",
            l.len(),
            errors.len(),
            l.len() as f64 / elapsed.as_secs_f64(),
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99))
        );
        if let Some(e) = errors.first() {
            println!("  first error: {e}");
        }
    }
}
