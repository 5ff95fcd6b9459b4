//! The canned queries are plain SPARQL: run unchanged on another engine (pyoxigraph) over the
//! exported Turtle, they give the same answers as `newskg query` on the store.

mod common;

use common::*;
use std::collections::BTreeMap;

type Rows = Vec<BTreeMap<String, String>>;

/// SPARQL JSON results → rows of lexical forms, sorted so that row order does not matter
/// (queries without ORDER BY may list rows in any order).
fn rows_of(json: &str) -> Rows {
    let v: serde_json::Value = serde_json::from_str(json).expect("SPARQL JSON results");
    let mut rows: Rows = v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b.as_object()
                .expect("binding object")
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        t["value"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn canned_queries_give_the_same_answers_on_pyoxigraph_over_the_turtle_export() {
    if !require_tool("python3", &["-c", "import pyoxigraph"]) {
        return;
    }
    let s = Scratch::new();
    s.build_seeds();
    let ttl = s.path("kg.ttl");
    s.ok(&["export", "--format", "turtle", "-o", ttl.to_str().unwrap()]);
    let mut queries: Vec<_> = std::fs::read_dir(repo().join("queries"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    queries.sort();
    assert!(queries.len() >= 8, "the canned queries");
    let out = std::process::Command::new("python3")
        .arg(repo().join("tests/py/run_queries.py"))
        .arg(&ttl)
        .args(&queries)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: BTreeMap<String, Vec<BTreeMap<String, String>>> =
        serde_json::from_slice(&out.stdout).expect("script output");
    for q in &queries {
        let name = q.file_stem().unwrap().to_str().unwrap();
        let ours = rows_of(&s.ok(&["query", q.to_str().unwrap(), "--format", "json"]));
        let mut other = theirs[name].clone();
        other.sort();
        assert!(!ours.is_empty(), "{name} has answers on the seeds");
        assert_eq!(ours, other, "{name}: newskg and pyoxigraph disagree");
    }
}
