//! `newskg push` into real triple stores on loopback (`oxigraph serve`, Virtuoso with Digest
//! authentication) and into a scripted Graph Store that fails on purpose: only changed graphs
//! are sent, a re-push replaces instead of duplicating, 5xx answers are retried, an interrupted
//! push resumes, remote triple counts are checked, and the canned queries answer the same
//! remotely as locally.

mod common;
mod handmade;
mod serving;

use common::{stderr, Scratch};
use serving::{handmade_store, post, sorted_rows};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn push(s: &Scratch, args: &[&str]) -> std::process::Output {
    let mut all = vec!["push"];
    all.extend_from_slice(args);
    s.run(&all)
}

fn push_ok(s: &Scratch, args: &[&str]) -> String {
    let out = push(s, args);
    assert!(
        out.status.success(),
        "push {args:?} failed: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Remote triple count over all named graphs.
fn remote_triples(endpoint: &str) -> usize {
    let q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let a = post(endpoint, "application/sparql-query", q, "text/csv");
    assert_eq!(a.0, 200, "{}", a.2);
    sorted_rows(&a.2)[0][0].parse().expect("a count")
}

/// Number of named graphs in the local store (articles, ontology, …).
fn local_graphs(s: &Scratch) -> usize {
    let csv = s.ok(&[
        "query",
        "--sparql",
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
    ]);
    sorted_rows(&csv)[0][0].parse().expect("a count")
}

fn local_triples(s: &Scratch) -> usize {
    let csv = s.ok(&[
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
    ]);
    sorted_rows(&csv)[0][0].parse().expect("a count")
}

#[test]
fn a_push_to_oxigraph_sends_changed_graphs_only_and_replaces_on_repush() {
    let Some(remote) = serving::oxigraph_serve() else {
        return;
    };
    let s = Scratch::new();
    handmade_store(&s);
    let endpoint = format!("{}/query", remote.url);
    let n = local_graphs(&s);
    let out = push_ok(&s, &["--endpoint", &endpoint]);
    assert!(out.contains(&format!(": {n} graphs sent")), "{out}");
    assert!(
        out.contains(&format!("count check: {n} graphs, 0 differ")),
        "{out}"
    );
    assert_eq!(remote_triples(&endpoint), local_triples(&s));

    let again = push_ok(&s, &["--endpoint", &endpoint]);
    assert!(
        again.contains(": 0 graphs sent") && again.contains(&format!("{n} unchanged")),
        "{again}"
    );
    let forced = push_ok(&s, &["--endpoint", &endpoint, "--all"]);
    assert!(forced.contains(&format!(": {n} graphs sent")), "{forced}");
    assert_eq!(
        remote_triples(&endpoint),
        local_triples(&s),
        "PUT replaces, never duplicates"
    );

    // One article changes: only its graph goes.
    let mut changed = handmade::sudani_announces();
    changed.article.title = Some("عنوان جديد".into());
    let file = s.write(
        "changed.json",
        serde_json::to_string(&changed).expect("JSON"),
    );
    s.ok(&["map", file.to_str().expect("path")]);
    let out = push_ok(&s, &["--endpoint", &endpoint]);
    assert!(
        out.contains(": 1 graphs sent") && out.contains(&format!("{} unchanged", n - 1)),
        "{out}"
    );
    assert_eq!(remote_triples(&endpoint), local_triples(&s));
}

#[test]
fn canned_queries_give_the_same_answers_on_the_remote_oxigraph() {
    let Some(remote) = serving::oxigraph_serve() else {
        return;
    };
    let s = Scratch::new();
    handmade_store(&s);
    let endpoint = format!("{}/query", remote.url);
    push_ok(&s, &["--endpoint", &endpoint]);
    let catalog = newskg::queries::Catalog::builtin().expect("catalog");
    for q in catalog.iter() {
        if q.sparql.contains("SERVICE") {
            continue; // federated with an outside endpoint: not on loopback
        }
        // The query text unchanged: parameters unbound mean their defaults on any engine.
        let a = post(&endpoint, "application/sparql-query", &q.sparql, "text/csv");
        assert_eq!(a.0, 200, "{}: {}", q.name, a.2);
        let mut remote_rows = common::csv_rows(&a.2);
        let header = remote_rows.remove(0);
        let keep: Vec<usize> = (0..header.len())
            .filter(|&i| !header[i].starts_with("param_"))
            .collect();
        let mut remote_rows: Vec<Vec<String>> = remote_rows
            .into_iter()
            .map(|r| {
                keep.iter()
                    .map(|&i| r.get(i).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        remote_rows.sort();
        let local = sorted_rows(&s.ok(&["query", &q.name, "--format", "csv"]));
        assert_eq!(remote_rows, local, "{}", q.name);
    }
}

#[test]
fn a_push_to_virtuoso_uses_digest_auth_and_checks_counts() {
    let Some(remote) = serving::virtuoso() else {
        return;
    };
    let s = Scratch::new();
    handmade_store(&s);
    let endpoint = format!("{}/sparql", remote.url);
    let wrong = s.write("wrong-password", "not-the-password\n");
    let out = push(
        &s,
        &[
            "--endpoint",
            &endpoint,
            "--user",
            "dba",
            "--password-file",
            wrong.to_str().expect("path"),
        ],
    );
    assert!(
        !out.status.success(),
        "a wrong password is refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains("authentication failed"),
        "{}",
        stderr(&out)
    );

    let password = s.write("password", "dba\n");
    let args = [
        "--endpoint",
        &endpoint,
        "--user",
        "dba",
        "--password-file",
        password.to_str().expect("path"),
    ];
    let n = local_graphs(&s);
    let out = push_ok(&s, &args);
    assert!(
        out.contains(&format!("sparql-graph-crud-auth: {n} graphs sent")),
        "{out}"
    );
    assert!(
        out.contains(&format!("count check: {n} graphs, 0 differ")),
        "{out}"
    );
    let mut forced = args.to_vec();
    forced.push("--all");
    let out = push_ok(&s, &forced);
    assert!(
        out.contains(&format!("count check: {n} graphs, 0 differ")),
        "a re-push replaces: {out}"
    );
}

/// A Graph Store that answers PUT number `n` (from 1) as `script(n)` says: `Some(status)`, or
/// `None` to never answer. Returns its URL and the request lines it saw.
fn scripted_store(
    script: impl Fn(usize) -> Option<u16> + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let script = Arc::new(script);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = Arc::clone(&log);
            let script = Arc::clone(&script);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let n = {
                    let mut l = log.lock().expect("lock");
                    l.push(line.trim().to_owned());
                    l.len()
                };
                match script(n) {
                    Some(status) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                    None => std::thread::sleep(Duration::from_secs(600)),
                }
            });
        }
    });
    (url, seen)
}

#[test]
fn server_errors_are_retried_with_back_off() {
    let s = Scratch::new();
    handmade_store(&s);
    let (url, seen) = scripted_store(|n| Some(if n <= 2 { 503 } else { 204 }));
    let out = push_ok(
        &s,
        &[
            "--endpoint",
            &format!("{url}/query"),
            "--no-verify",
            "--parallel",
            "1",
        ],
    );
    let n = local_graphs(&s);
    assert!(
        out.contains(&format!(": {n} graphs sent")) && out.contains("2 retries"),
        "{out}"
    );
    assert_eq!(seen.lock().expect("lock").len(), n + 2);
}

#[test]
fn a_refused_push_stops_and_the_next_one_sends_only_the_rest() {
    let s = Scratch::new();
    handmade_store(&s);
    // Two graphs are taken, the third is refused (a 4xx is not retried), then all are taken.
    let (url, seen) = scripted_store(|n| {
        Some(match n {
            1 | 2 => 201,
            3 => 400,
            _ => 204,
        })
    });
    let store = format!("{url}/store");
    let args = [
        "--endpoint",
        "http://127.0.0.1:9/query",
        "--graph-store",
        &store,
        "--no-verify",
        "--parallel",
        "1",
    ];
    let out = push(&s, &args);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("400"), "{}", stderr(&out));
    assert_eq!(
        seen.lock().expect("lock").len(),
        3,
        "a refusal is not retried"
    );
    let n = local_graphs(&s);
    let out = push_ok(&s, &args);
    let rest = format!(": {} graphs sent", n - 2);
    assert!(out.contains(&rest) && out.contains("2 unchanged"), "{out}");
}

#[test]
fn an_interrupted_push_resumes_where_it_stopped() {
    let s = Scratch::new();
    handmade_store(&s);
    // The third PUT never gets an answer: the push is killed while waiting for it.
    let (url, seen) = scripted_store(|n| if n == 3 { None } else { Some(201) });
    let store = format!("{url}/store");
    let args = [
        "--endpoint",
        "http://127.0.0.1:9/query",
        "--graph-store",
        &store,
        "--no-verify",
        "--parallel",
        "1",
        "--batch",
        "1",
    ];
    let mut child = serving::newskg_process(&s)
        .arg("push")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("push starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.lock().expect("lock").len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the push never reached its third graph"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill the push");
    let _ = child.wait();
    // The same remote, answering again: the graph that was in flight and the rest are sent.
    let n = local_graphs(&s);
    let out = push_ok(&s, &args);
    let rest = format!(": {} graphs sent", n - 2);
    assert!(out.contains(&rest) && out.contains("2 unchanged"), "{out}");
    assert_eq!(seen.lock().expect("lock").len(), n + 1);
}
