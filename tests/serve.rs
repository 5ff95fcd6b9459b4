//! `newskg serve` driven over HTTP on loopback, the way a SPARQL client uses it: the SPARQL 1.1
//! Protocol, content negotiation, canned queries as URLs, Graph Store reads, the read-only and
//! size limits, concurrent clients, and snapshots that stay whole while a build rewrites the
//! store.

mod common;
mod handmade;
mod serving;

use common::{csv_rows, isomorphic, parse_ntriples, parse_turtle, Scratch};
use handmade::Article;
use newskg::model::EntityKind;
use oxhttp::model::Method;
use serving::{encode, form, get, handmade_store, newskg_serve, post, request};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const COUNT_GRAPHS: &str =
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g";

#[test]
fn queries_by_get_form_post_and_direct_post_give_one_answer_in_each_result_format() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &[]);
    let url = format!("{}/query", server.url);
    let by_get = get(&format!("{url}?query={}", encode(COUNT_GRAPHS)), "text/csv");
    let by_form = post(
        &url,
        "application/x-www-form-urlencoded",
        &form("query", COUNT_GRAPHS),
        "text/csv",
    );
    let direct = post(&url, "application/sparql-query", COUNT_GRAPHS, "text/csv");
    assert_eq!(by_get.0, 200, "{}", by_get.2);
    assert!(by_get.1.starts_with("text/csv"), "{}", by_get.1);
    assert_eq!(by_get.2, by_form.2);
    assert_eq!(by_get.2, direct.2);
    let rows = csv_rows(&by_get.2);
    assert_eq!(rows[0], ["g", "n"]);
    // The ontology, the two articles, and whatever else the store keeps (the links graph).
    assert!(rows.len() > 3, "{rows:?}");

    for (accept, media, marker) in [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            "\"bindings\"",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<sparql",
        ),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            "?g\t?n",
        ),
        (
            "text/html;q=0.9, */*;q=0.1",
            "application/sparql-results+json",
            "\"bindings\"",
        ),
    ] {
        let a = direct_query(&url, COUNT_GRAPHS, accept);
        assert_eq!(a.0, 200, "{accept}: {}", a.2);
        assert!(a.1.starts_with(media), "{accept} gave {}", a.1);
        assert!(a.2.contains(marker), "{accept}: {}", a.2);
    }
    // format= overrides Accept (browsers cannot set Accept from a link).
    let a = get(
        &format!("{url}?query={}&format=tsv", encode(COUNT_GRAPHS)),
        "text/csv",
    );
    assert!(a.1.starts_with("text/tab-separated-values"), "{}", a.1);
    let ask = direct_query(&url, "ASK { ?s a ?t }", "application/sparql-results+json");
    assert!(ask.2.contains("true"), "{}", ask.2);
}

fn direct_query(url: &str, query: &str, accept: &str) -> serving::Answer {
    post(url, "application/sparql-query", query, accept)
}

#[test]
fn construct_answers_are_rdf_in_the_negotiated_syntax_and_match_the_export() {
    let s = Scratch::new();
    handmade_store(&s);
    let exported = parse_ntriples(&s.ok(&["export", "--format", "ntriples"]));
    let server = newskg_serve(&s, &[]);
    let url = format!("{}/query", server.url);
    let all = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }";
    let nt = direct_query(&url, all, "application/n-triples");
    assert_eq!(nt.0, 200, "{}", nt.2);
    assert!(nt.1.starts_with("application/n-triples"), "{}", nt.1);
    assert!(isomorphic(&parse_ntriples(&nt.2), &exported));
    let ttl = direct_query(&url, all, "text/turtle");
    assert!(ttl.1.starts_with("text/turtle"), "{}", ttl.1);
    assert!(isomorphic(&parse_turtle(&ttl.2), &exported));
    let not_offered = direct_query(&url, all, "application/sparql-results+json");
    assert_eq!(not_offered.0, 406, "{}", not_offered.2);
}

#[test]
fn canned_query_urls_answer_as_the_cli_does_with_typed_parameters() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &[]);
    let catalog = newskg::queries::Catalog::builtin().expect("catalog");
    for q in catalog.iter() {
        if q.sparql.contains("SERVICE") {
            continue; // federated with an outside endpoint: not on loopback
        }
        let web = get(
            &format!("{}/queries/{}?format=csv", server.url, q.name),
            "*/*",
        );
        assert_eq!(web.0, 200, "{}: {}", q.name, web.2);
        let cli = s.ok(&["query", &q.name, "--format", "csv"]);
        assert_eq!(csv_rows(&web.2), csv_rows(&cli), "{}", q.name);
    }
    let strikes = get(
        &format!(
            "{}/queries/who-said-what?topic=strikes&format=csv",
            server.url
        ),
        "*/*",
    );
    let cli = s.ok(&[
        "query",
        "who-said-what",
        "--param",
        "topic=strikes",
        "--format",
        "csv",
    ]);
    assert_eq!(csv_rows(&strikes.2), csv_rows(&cli));
    let withdrawal = get(
        &format!("{}/queries/who-said-what?format=csv", server.url),
        "*/*",
    );
    assert!(csv_rows(&withdrawal.2).len() > 1, "{}", withdrawal.2);
    // A hostile value is one string literal that matches nothing, and the store is intact.
    let hostile = encode("x\" } ; DROP ALL ; #");
    let a = get(
        &format!(
            "{}/queries/who-said-what?speaker={hostile}&format=csv",
            server.url
        ),
        "*/*",
    );
    assert_eq!(a.0, 200, "{}", a.2);
    assert_eq!(csv_rows(&a.2).len(), 1, "header only: {}", a.2);
    assert_eq!(
        get(
            &format!("{}/queries/who-said-what?format=csv", server.url),
            "*/*"
        )
        .2,
        withdrawal.2
    );
    // An HTML form sends untouched fields empty: they count as not given.
    let empty = get(
        &format!(
            "{}/queries/who-said-what?speaker=&from=&to=&format=csv",
            server.url
        ),
        "*/*",
    );
    assert_eq!(empty.2, withdrawal.2);
}

#[test]
fn bad_requests_get_a_clear_4xx() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &["--max-body", "1000"]);
    let u = &server.url;
    let cases: Vec<(serving::Answer, u16, &str)> = vec![
        (
            get(
                &format!("{u}/query?query={}", encode("SELECT * WHERE { ?s ?p")),
                "*/*",
            ),
            400,
            "syntax",
        ),
        (get(&format!("{u}/query"), "*/*"), 400, "missing the query"),
        (
            get(&format!("{u}/queries/no-such-query"), "*/*"),
            404,
            "no canned query",
        ),
        (
            get(&format!("{u}/queries/who-said-what?colour=red"), "*/*"),
            400,
            "no parameter \"colour\"",
        ),
        (
            get(&format!("{u}/queries/who-said-what?from=yesterday"), "*/*"),
            400,
            "is not a date",
        ),
        (
            get(&format!("{u}/queries/who-said-what?format=turtle"), "*/*"),
            400,
            "format",
        ),
        (
            get(
                &format!("{u}/query?query={}", encode("ASK {}")),
                "image/png",
            ),
            406,
            "offered",
        ),
        (
            post(&format!("{u}/query"), "text/plain", "ASK {}", "*/*"),
            415,
            "application/sparql-query",
        ),
        (
            post(
                &format!("{u}/query"),
                "application/sparql-query",
                &"#".repeat(2000),
                "*/*",
            ),
            413,
            "--max-body",
        ),
        (get(&format!("{u}/nowhere"), "*/*"), 404, "no such path"),
        (
            get(
                &format!("{u}/store?graph={}", encode("https://example.org/none")),
                "*/*",
            ),
            404,
            "no graph",
        ),
    ];
    for (answer, status, needle) in cases {
        assert_eq!(answer.0, status, "{needle}: {}", answer.2);
        assert!(
            answer.2.contains(needle),
            "expected {needle:?} in {:?}",
            answer.2
        );
        assert!(answer.1.starts_with("text/plain"), "{}", answer.1);
    }
}

#[test]
fn the_server_is_read_only_and_calls_no_service_it_was_not_given() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &[]);
    let u = &server.url;
    let before = direct_query(&format!("{u}/query"), COUNT_GRAPHS, "text/csv").2;
    let update = "DROP ALL";
    for a in [
        post(
            &format!("{u}/update"),
            "application/sparql-update",
            update,
            "*/*",
        ),
        post(
            &format!("{u}/update"),
            "application/x-www-form-urlencoded",
            &form("update", update),
            "*/*",
        ),
        post(
            &format!("{u}/query"),
            "application/x-www-form-urlencoded",
            &form("update", update),
            "*/*",
        ),
        post(
            &format!("{u}/query"),
            "application/sparql-update",
            update,
            "*/*",
        ),
        request(
            Method::PUT,
            &format!("{u}/store?default"),
            "text/turtle",
            "<a:a> <a:b> <a:c> .",
            "*/*",
        ),
        request(
            Method::DELETE,
            &format!("{u}/store?default"),
            "text/turtle",
            "",
            "*/*",
        ),
    ] {
        assert_eq!(a.0, 403, "{}", a.2);
        assert!(a.2.contains("read-only"), "{}", a.2);
    }
    assert_eq!(
        direct_query(&format!("{u}/query"), COUNT_GRAPHS, "text/csv").2,
        before
    );
    // SERVICE to a host the operator did not allow: refused before any request is made.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = format!("http://{}/sparql", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    let q = format!("SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}");
    let a = direct_query(&format!("{u}/query"), &q, "*/*");
    assert_eq!(a.0, 403, "{}", a.2);
    assert!(a.2.contains("--allow-service"), "{}", a.2);
    assert!(
        listener.accept().is_err(),
        "the server must not have connected"
    );
}

#[test]
fn an_allowed_service_is_called() {
    let Some(remote) = serving::oxigraph_serve() else {
        return;
    };
    let s = Scratch::new();
    handmade_store(&s);
    let endpoint = format!("{}/query", remote.url);
    let insert = "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> \"remote\" } }";
    let a = post(
        &format!("{}/update", remote.url),
        "application/sparql-update",
        insert,
        "*/*",
    );
    assert!(a.0 == 200 || a.0 == 204, "{}", a.2);
    let server = newskg_serve(&s, &["--allow-service", &endpoint]);
    let q =
        format!("SELECT ?o WHERE {{ SERVICE <{endpoint}> {{ ?s <https://example.org/p> ?o }} }}");
    let a = direct_query(&format!("{}/query", server.url), &q, "text/csv");
    assert_eq!(a.0, 200, "{}", a.2);
    assert_eq!(csv_rows(&a.2), vec![vec!["o"], vec!["remote"]]);
    // Another endpoint is still refused.
    let other = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }";
    let a = direct_query(&format!("{}/query", server.url), other, "*/*");
    assert_eq!(a.0, 403, "{}", a.2);
}

#[test]
fn results_are_capped_and_slow_queries_cancelled() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &["--max-rows", "3", "--timeout", "1"]);
    let u = format!("{}/query", server.url);
    let a = direct_query(&u, "SELECT * WHERE { ?s ?p ?o }", "text/csv");
    assert_eq!(a.0, 200);
    assert!(a.3, "the truncation header is set");
    assert_eq!(csv_rows(&a.2).len(), 1 + 3);
    let canned = get(
        &format!("{}/queries/entities?format=csv", server.url),
        "*/*",
    );
    assert!(
        canned.3 && csv_rows(&canned.2).len() == 1 + 3,
        "{}",
        canned.2
    );
    let started = Instant::now();
    // Oxigraph checks for cancellation when it reads the store: here once per inner scan.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f \
                FILTER NOT EXISTS { ?g ?h ?i FILTER(?i = ?c && ?i = ?f) } }";
    let a = direct_query(&u, slow, "text/csv");
    assert_eq!(a.0, 503, "{}", a.2);
    assert!(a.2.contains("timeout"), "{}", a.2);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // The server is still there.
    assert_eq!(direct_query(&u, "ASK {}", "text/csv").0, 200);
}

#[test]
fn graph_store_reads_give_each_graph_as_exported() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &[]);
    let graphs =
        csv_rows(&direct_query(&format!("{}/query", server.url), COUNT_GRAPHS, "text/csv").2);
    for row in &graphs[1..] {
        let g = &row[0];
        let a = get(
            &format!("{}/store?graph={}", server.url, encode(g)),
            "application/n-triples",
        );
        assert_eq!(a.0, 200, "{g}: {}", a.2);
        let exported = s.ok(&["export", "--format", "ntriples", "--graph", g]);
        assert!(
            isomorphic(&parse_ntriples(&a.2), &parse_ntriples(&exported)),
            "{g}"
        );
        let lines = a.2.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(lines.to_string(), row[1], "{g}");
    }
    let default = get(&format!("{}/store?default", server.url), "text/turtle");
    let all = parse_ntriples(&s.ok(&["export", "--format", "ntriples"]));
    assert!(isomorphic(&parse_turtle(&default.2), &all));
    let dataset = get(&format!("{}/store", server.url), "application/n-quads");
    assert_eq!(dataset.0, 200);
    assert!(
        dataset.1.starts_with("application/n-quads"),
        "{}",
        dataset.1
    );
}

#[test]
fn the_home_page_lists_every_canned_query_without_external_assets() {
    let s = Scratch::new();
    let server = newskg_serve(&s, &[]);
    let page = get(&format!("{}/", server.url), "text/html");
    assert_eq!(page.0, 200);
    assert!(page.1.starts_with("text/html"));
    for q in newskg::queries::Catalog::builtin().expect("catalog").iter() {
        assert!(
            page.2.contains(&format!("action=\"/queries/{}\"", q.name)),
            "{}",
            q.name
        );
    }
    assert!(page.2.contains("<textarea name=\"query\""));
    for external in ["src=", "href=\"http", "@import", "url("] {
        assert!(!page.2.contains(external), "{external}");
    }
    let list: serde_json::Value =
        serde_json::from_str(&get(&format!("{}/queries", server.url), "*/*").2).expect("JSON");
    assert!(list
        .as_array()
        .is_some_and(|l| l.iter().any(|q| q["name"] == "who-said-what")));
}

#[test]
fn concurrent_clients_get_the_same_answers() {
    let s = Scratch::new();
    handmade_store(&s);
    let server = newskg_serve(&s, &[]);
    let expected = get(
        &format!("{}/queries/statements?format=csv", server.url),
        "*/*",
    )
    .2;
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for i in 0..15 {
                    let a = if i % 2 == 0 {
                        get(
                            &format!("{}/queries/statements?format=csv", server.url),
                            "*/*",
                        )
                    } else {
                        direct_query(&format!("{}/query", server.url), COUNT_GRAPHS, "text/csv")
                    };
                    assert_eq!(a.0, 200, "{}", a.2);
                    if i % 2 == 0 {
                        assert_eq!(a.2, expected);
                    }
                }
            });
        }
    });
}

/// Five articles whose headlines all say `version-N`.
fn versioned(n: usize) -> String {
    let xs: Vec<_> = (1..=5)
        .map(|i| {
            Article::new(
                &format!("v{i}"),
                Some("2024-03-01"),
                "أعلن رئيس الوزراء بدء الانسحاب.",
            )
            .meta(|m| m.title = Some(format!("version-{n}")))
            .entity(
                "e1",
                EntityKind::Person,
                "رئيس الوزراء",
                None,
                &["رئيس الوزراء"],
            )
            .build()
        })
        .collect();
    serde_json::to_string(&xs).expect("serialize")
}

const VERSIONS: &str = "SELECT DISTINCT ?t WHERE { ?a <http://schema.org/headline> ?t FILTER(STRSTARTS(STR(?t), \"version-\")) }";

#[test]
fn builds_during_serving_are_seen_whole_after_a_reload_never_torn() {
    let s = Scratch::new();
    let v1 = s.write("v1.json", versioned(1));
    let v2 = s.write("v2.json", versioned(2));
    s.ok(&["map", v1.to_str().expect("path")]);
    let server = newskg_serve(&s, &["--reload-every", "0.05"]);
    let u = format!("{}/query", server.url);
    let seen = std::sync::Mutex::new(BTreeSet::new());
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let a = direct_query(&u, VERSIONS, "text/csv");
                    assert_eq!(a.0, 200, "{}", a.2);
                    let rows = csv_rows(&a.2);
                    // Every answer comes from one committed manifest: all five headlines agree.
                    assert_eq!(rows.len(), 2, "a torn snapshot: {rows:?}");
                    seen.lock().expect("lock").insert(rows[1][0].clone());
                }
            });
        }
        for round in 0..6 {
            let file = if round % 2 == 0 { &v2 } else { &v1 };
            // A build that starts while the server reads a snapshot is refused with a clear
            // message (the store lock); it is simply run again.
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let out = s.run(&["map", file.to_str().expect("path")]);
                if out.status.success() {
                    break;
                }
                let err = common::stderr(&out);
                assert!(
                    err.contains("being written by another newskg process"),
                    "{err}"
                );
                assert!(Instant::now() < deadline, "the store stayed locked: {err}");
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let seen = seen.into_inner().expect("lock");
    assert_eq!(
        seen,
        BTreeSet::from(["version-1".to_owned(), "version-2".to_owned()]),
        "the server reloaded the new snapshots"
    );
    // POST /reload answers with what is served now.
    let r = post(&format!("{}/reload", server.url), "text/plain", "", "*/*");
    assert_eq!(r.0, 200, "{}", r.2);
    assert!(r.2.contains("\"quads\""), "{}", r.2);
}
