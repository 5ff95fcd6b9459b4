//! The command line as a user drives it: build, extract, map, queries, query, export.

mod common;

use common::*;
use sophia::api::graph::Graph;
use std::fs;

const STATEMENT_COLUMNS: [&str; 11] = [
    "statement",
    "speaker",
    "speakerLabel",
    "speakerLabelEn",
    "verb",
    "quote",
    "direct",
    "date",
    "source",
    "topics",
    "stance",
];

/// A short article of our own, not from the seeds.
const OWN_ARTICLE: &str = "بغداد - قال وزير الدفاع العراقي إن القوات الأجنبية ستغادر البلاد.\n\
وأضاف في مؤتمر صحفي أن الحكومة ملتزمة بجدولة الانسحاب.\n";

fn seed_stems() -> Vec<String> {
    let mut stems: Vec<String> = fs::read_dir(seeds())
        .expect("seeds")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "txt").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    stems.sort();
    stems
}

#[test]
fn build_on_the_seeds_prints_a_summary_and_who_said_what() {
    let s = Scratch::new();
    let out = s.build_seeds();
    let n = seed_stems().len();
    assert!(
        out.contains(&format!("articles: {n} read, {n} new")),
        "{out}"
    );
    assert!(
        out.contains("Statement"),
        "summary counts statements: {out}"
    );
    assert!(out.contains("triples: "), "{out}");
    assert!(out.contains("who-said-what"), "{out}");
    let rows_line = out
        .lines()
        .rev()
        .find(|l| l.ends_with(" rows)"))
        .expect("row count");
    let rows: usize = rows_line
        .trim_start_matches('(')
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number");
    assert!(rows >= 5, "who-said-what on the seeds has answers: {out}");
}

#[test]
fn the_statements_query_has_the_documented_columns_and_sources() {
    let s = Scratch::new();
    s.build_seeds();
    let csv = s.ok(&["query", "statements", "--format", "csv"]);
    let rows = csv_rows(&csv);
    assert_eq!(rows[0], STATEMENT_COLUMNS, "column order");
    assert!(rows.len() > 10, "the seeds carry many statements");
    let stems = seed_stems();
    for row in &rows[1..] {
        let source = &row[8];
        assert!(
            stems
                .iter()
                .any(|s| source == s || source.starts_with(&format!("{s}-"))),
            "source {source:?} is an article id"
        );
        assert!(!row[5].trim().is_empty(), "every statement has content");
        assert!(row[6] == "true" || row[6] == "false", "direct is a boolean");
        let date = &row[7];
        assert!(
            date.is_empty() || [4, 7, 10].contains(&date.len()),
            "date {date:?} is an ISO form of its precision"
        );
    }
}

#[test]
fn rebuilding_skips_unchanged_articles_and_replaces_a_changed_one() {
    let s = Scratch::new();
    let input = s.path("in");
    fs::create_dir_all(&input).unwrap();
    for stem in seed_stems() {
        fs::copy(
            seeds().join(format!("{stem}.txt")),
            input.join(format!("{stem}.txt")),
        )
        .unwrap();
    }
    let input_arg = input.to_str().unwrap();
    s.ok(&["build", input_arg]);
    let first = s.ok(&["export", "--canonical"]);
    let out = s.ok(&["build", input_arg]);
    let n = seed_stems().len();
    assert!(
        out.contains(&format!("0 new, 0 changed, {n} unchanged")),
        "{out}"
    );
    assert_eq!(
        first,
        s.ok(&["export", "--canonical"]),
        "a no-op rebuild changes nothing"
    );

    let changed = input.join(format!("{}.txt", seed_stems()[0]));
    let mut text = fs::read_to_string(&changed).unwrap();
    text.push_str("\nوقال المتحدث باسم الحكومة العراقية إن بغداد ترفض أي وجود عسكري أجنبي.\n");
    fs::write(&changed, text).unwrap();
    let out = s.ok(&["build", input_arg]);
    assert!(
        out.contains(&format!("0 new, 1 changed, {} unchanged", n - 1)),
        "{out}"
    );
    let after = s.ok(&["export", "--canonical"]);
    assert_ne!(first, after);
    assert!(
        after.contains("ترفض أي وجود عسكري أجنبي"),
        "the new sentence is in the graph"
    );
}

#[test]
fn bad_inputs_get_one_error_line_each_and_good_ones_still_go_through() {
    let s = Scratch::new();
    s.build_seeds();
    let before = s.ok(&["query", "sources", "--format", "csv"]);
    s.write("bad/good.txt", OWN_ARTICLE);
    s.write("bad/binary.txt", [0x7fu8, 0x45, 0x4c, 0x46, 0, 0, 1, 2]);
    s.write("bad/latin1.txt", b"caf\xe9 au lait");
    s.write("bad/empty.txt", "  \n\n");
    s.write("bad/broken.meta.json", "{\"published\": ");
    s.write("bad/broken.txt", OWN_ARTICLE);
    s.write("bad/huge.txt", "قال ".repeat(3 * 1024 * 1024));
    let out = s.run(&["build", s.path("bad").to_str().unwrap()]);
    assert!(!out.status.success(), "bad input makes a non-zero exit");
    let err = stderr(&out);
    for (file, what) in [
        ("binary.txt", "binary"),
        ("latin1.txt", "UTF-8"),
        ("empty.txt", "empty"),
        ("broken.meta.json", "JSON"),
        ("huge.txt", "limit"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("no error line for {file}: {err}"));
        assert!(line.contains(what), "{line}");
    }
    assert!(!err.contains("panicked"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 new"), "good.txt is stored: {stdout}");
    let after = s.ok(&["query", "sources", "--format", "csv"]);
    assert_eq!(
        csv_rows(&after).len(),
        csv_rows(&before).len() + 1,
        "the seeds are still there and good.txt was added"
    );
}

#[test]
fn json_lines_input_carries_metadata_and_reports_a_broken_line() {
    let s = Scratch::new();
    let line = |id: &str, published: &str| {
        serde_json::json!({"id": id, "text": OWN_ARTICLE, "published": published,
                           "publisher": "وكالة تجريبية", "url": format!("https://news.example/{id}")})
        .to_string()
    };
    let body = format!(
        "{}\n{{\"id\": \"x2\", \"text\": \n{}\n",
        line("x1", "2024-03-02"),
        line("x3", "2024-03-04")
    );
    let file = s.write("corpus.jsonl", body);
    let out = s.run(&["build", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("corpus.jsonl:2:"), "{}", stderr(&out));
    let csv = s.ok(&["query", "sources", "--format", "csv"]);
    assert!(csv.contains("x1") && csv.contains("x3"), "{csv}");
    assert!(
        csv.contains("2024-03-02"),
        "published date from the record: {csv}"
    );
}

#[test]
fn a_txt_sidecar_gives_the_publication_date() {
    let s = Scratch::new();
    s.write("in/story.txt", OWN_ARTICLE);
    s.write(
        "in/story.meta.json",
        r#"{"published": "2024-05-06", "publisher": "Example News", "url": "https://news.example/story"}"#,
    );
    s.ok(&["build", s.path("in").to_str().unwrap()]);
    let csv = s.ok(&["query", "sources", "--format", "csv"]);
    assert!(csv.contains("story") && csv.contains("2024-05-06"), "{csv}");
}

#[test]
fn extract_then_map_gives_the_same_graph_as_build() {
    let built = Scratch::new();
    built.build_seeds();
    let expected = built.ok(&["export", "--canonical"]);

    let mapped = Scratch::new();
    let x = mapped.path("x.jsonl");
    mapped.ok(&[
        "extract",
        seeds().to_str().unwrap(),
        "--format",
        "jsonl",
        "-o",
        x.to_str().unwrap(),
    ]);
    for line in fs::read_to_string(&x).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["format"], "newskg-extraction/1");
    }
    mapped.ok(&["map", x.to_str().unwrap()]);
    assert_eq!(expected, mapped.ok(&["export", "--canonical"]));
}

#[test]
fn map_refuses_wrong_offsets_and_malformed_json_and_keeps_what_was_stored() {
    let s = Scratch::new();
    let seed = seeds().join(format!("{}.txt", seed_stems()[0]));
    let json = s.ok(&["extract", seed.to_str().unwrap()]);
    let mut x: serde_json::Value = serde_json::from_str(&json).unwrap();
    let good = s.write("good.json", &json);
    s.ok(&["map", good.to_str().unwrap()]);
    let stored = s.ok(&["export", "--canonical"]);

    // Shift one mention by a character: the text no longer matches the offsets.
    x["article"]["id"] = "shifted".into();
    let mention = &mut x["entities"][0]["mentions"][0];
    let start = mention["start"].as_u64().unwrap();
    mention["start"] = (start + 1).into();
    let shifted = s.write("shifted.json", x.to_string());
    let malformed = s.write(
        "malformed.json",
        "{\"format\": \"newskg-extraction/1\",\n  \"article\": [}",
    );
    let out = s.run(&[
        "map",
        shifted.to_str().unwrap(),
        malformed.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.contains("shifted.json") && l.contains("mention")),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l.contains("malformed.json:2:")),
        "{err}"
    );
    assert_eq!(
        stored,
        s.ok(&["export", "--canonical"]),
        "nothing stored is lost"
    );
}

#[test]
fn queries_lists_every_canned_query_with_its_parameters() {
    let s = Scratch::new();
    let out = s.ok(&["queries"]);
    for name in [
        "statements",
        "who-said-what",
        "timeline",
        "entities",
        "events",
        "roles",
        "troop-counts",
        "sources",
    ] {
        assert!(out.lines().any(|l| l == name), "{name} listed: {out}");
    }
    assert!(
        out.contains("--param topic=") && out.contains("withdrawal"),
        "{out}"
    );
}

#[test]
fn query_mistakes_get_one_clear_error_line() {
    let s = Scratch::new();
    s.build_seeds();
    let bad_rq = s.write("bad.rq", "SELECT ?x WHERE {\n  ?x ?y \n");
    let bad_header = s.write(
        "header.rq",
        "# name: Bad Name\n# description: x\nSELECT ?x WHERE { ?x ?y ?z }\n",
    );
    for (args, expected) in [
        (vec!["query", "no-such-query"], "unknown canned query"),
        (
            vec!["query", "who-said-what", "--param", "colour=red"],
            "colour",
        ),
        (
            vec!["query", "who-said-what", "--param", "from=last week"],
            "from",
        ),
        (
            vec!["query", "who-said-what", "--param", "topic"],
            "NAME=VALUE",
        ),
        (
            vec!["query", bad_rq.to_str().unwrap()],
            "bad.rq: SPARQL syntax error at 3:",
        ),
        (vec!["query", bad_header.to_str().unwrap()], "header.rq:1:"),
        (vec!["query", "--sparql", "SELEC ?x WHERE {}"], "SPARQL"),
    ] {
        let out = s.run(&args);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line for {args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
}

#[test]
fn a_hostile_parameter_is_only_a_value() {
    let s = Scratch::new();
    s.build_seeds();
    let before = s.ok(&["export", "--canonical"]);
    for param in [
        "speaker=x\" } ; DROP ALL ; #",
        "speaker=<http://x> } DELETE WHERE { ?s ?p ?o } #",
    ] {
        let csv = s.ok(&[
            "query",
            "who-said-what",
            "--param",
            param,
            "--format",
            "csv",
        ]);
        assert_eq!(csv_rows(&csv).len(), 1, "header only for {param}: {csv}");
    }
    let out = s.run(&[
        "query",
        "who-said-what",
        "--param",
        "topic=x> } ; DROP ALL ; #",
    ]);
    assert!(!out.status.success(), "a topic must be a topic name");
    assert_eq!(before, s.ok(&["export", "--canonical"]));
}

#[test]
fn who_said_what_filters_by_topic_date_and_speaker() {
    let s = Scratch::new();
    s.build_seeds();
    let all = csv_rows(&s.ok(&["query", "who-said-what", "--format", "csv"]));
    assert_eq!(all[0], STATEMENT_COLUMNS);
    assert!(all[1..]
        .iter()
        .all(|r| r[9].split(' ').any(|t| t == "withdrawal")));
    let dates: Vec<&str> = all[1..]
        .iter()
        .map(|r| r[7].as_str())
        .filter(|d| !d.is_empty())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "ordered by date");

    let from = csv_rows(&s.ok(&[
        "query",
        "who-said-what",
        "-p",
        "from=2024-01",
        "--format",
        "csv",
    ]));
    assert!(from.len() > 1, "there are 2024 statements");
    assert!(
        from[1..].iter().all(|r| r[7].as_str() >= "2024-01"),
        "{from:?}"
    );

    // Pick a speaker that has a withdrawal statement and ask for it by IRI.
    let speaker = all[1..]
        .iter()
        .find(|r| !r[1].is_empty())
        .map(|r| r[1].clone())
        .expect("a speaker");
    let by_iri = csv_rows(&s.ok(&[
        "query",
        "who-said-what",
        "-p",
        &format!("speaker={speaker}"),
        "--format",
        "csv",
    ]));
    assert!(
        by_iri.len() > 1 && by_iri[1..].iter().all(|r| r[1] == speaker),
        "{by_iri:?}"
    );
}

#[test]
fn results_come_in_the_w3c_formats() {
    let s = Scratch::new();
    s.build_seeds();
    let json = s.ok(&["query", "statements", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("SPARQL JSON results");
    let vars: Vec<&str> = v["head"]["vars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(vars, STATEMENT_COLUMNS);
    assert!(!v["results"]["bindings"].as_array().unwrap().is_empty());
    let xml = s.ok(&["query", "statements", "--format", "xml"]);
    assert!(
        xml.contains("<sparql") && xml.contains("<variable name=\"speakerLabel\"/>"),
        "{}",
        &xml[..200.min(xml.len())]
    );
    let tsv = s.ok(&["query", "statements", "--format", "tsv"]);
    assert!(
        tsv.starts_with("?statement\t?speaker\t?speakerLabel"),
        "{}",
        &tsv[..100.min(tsv.len())]
    );
    let ask = s.ok(&["query", "--sparql", "ASK { ?s ?p ?o }"]);
    assert_eq!(ask.trim(), "true");
}

#[test]
fn turtle_export_parses_with_rapper_and_round_trips_isomorphically() {
    let s = Scratch::new();
    s.build_seeds();
    let ttl_path = s.path("kg.ttl");
    s.ok(&[
        "export",
        "--format",
        "turtle",
        "-o",
        ttl_path.to_str().unwrap(),
    ]);
    let ttl = file_text(&ttl_path);
    let ours = parse_turtle(&ttl);
    let nt = parse_ntriples(&s.ok(&["export", "--format", "ntriples"]));
    assert!(
        isomorphic(&ours, &nt),
        "Turtle and N-Triples exports hold the same graph"
    );

    // Only the prefixes the data uses are declared.
    for line in ttl
        .lines()
        .filter(|l| l.starts_with("@prefix") || l.starts_with("PREFIX"))
    {
        let prefix = line.split_whitespace().nth(1).expect("prefix name");
        let used = ttl
            .lines()
            .filter(|l| !l.starts_with("@prefix") && !l.starts_with("PREFIX"))
            .any(|l| l.contains(prefix));
        assert!(used, "{prefix} declared but not used");
    }
    assert!(ttl.contains("@prefix nkg:") || ttl.contains("PREFIX nkg:"));

    if require_tool("rapper", &["--version"]) {
        let out = std::process::Command::new("rapper")
            .args([
                "-q",
                "-i",
                "turtle",
                "-o",
                "ntriples",
                ttl_path.to_str().unwrap(),
                "http://base.example/",
            ])
            .output()
            .expect("rapper runs");
        assert!(
            out.status.success(),
            "rapper rejects our Turtle: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = parse_ntriples(&String::from_utf8(out.stdout).unwrap());
        assert!(isomorphic(&ours, &theirs), "rapper reads the same graph");
    }
}

#[test]
fn every_export_format_is_read_back_by_an_independent_parser() {
    let s = Scratch::new();
    s.build_seeds();
    let triples = parse_ntriples(&s.ok(&["export", "--format", "ntriples"]))
        .triples()
        .count();
    assert!(triples > 100);
    if !require_tool("rapper", &["--version"]) {
        return;
    }
    for (format, syntax) in [
        ("rdfxml", "rdfxml"),
        ("trig", "trig"),
        ("nquads", "nquads"),
        ("turtle", "turtle"),
    ] {
        let path = s.path(&format!("kg.{format}"));
        s.ok(&["export", "--format", format, "-o", path.to_str().unwrap()]);
        let out = std::process::Command::new("rapper")
            .args([
                "-q",
                "-c",
                "-i",
                syntax,
                path.to_str().unwrap(),
                "http://base.example/",
            ])
            .output()
            .expect("rapper runs");
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let jsonld = s.ok(&["export", "--format", "jsonld"]);
    let v: serde_json::Value = serde_json::from_str(&jsonld).expect("JSON-LD is JSON");
    assert!(v.is_object() || v.is_array());
}

#[test]
fn canonical_exports_of_two_builds_are_identical() {
    let a = Scratch::new();
    let b = Scratch::new();
    a.build_seeds();
    // The second build reads the articles one by one, in reverse order.
    let mut stems = seed_stems();
    stems.reverse();
    for stem in stems {
        let p = seeds().join(format!("{stem}.txt"));
        b.ok(&["build", p.to_str().unwrap()]);
    }
    let ca = a.ok(&["export", "--canonical"]);
    assert_eq!(ca, b.ok(&["export", "--canonical"]));
    let mut lines: Vec<&str> = ca.lines().collect();
    let n = lines.len();
    lines.sort();
    lines.dedup();
    assert_eq!(n, lines.len(), "canonical N-Quads are sorted and unique");
}

#[test]
fn one_graph_can_be_exported_and_the_base_iri_is_configurable() {
    let s = Scratch::new();
    let stem = &seed_stems()[0];
    let seed = seeds().join(format!("{stem}.txt"));
    s.ok(&[
        "--base",
        "https://kg.example.org/",
        "build",
        seed.to_str().unwrap(),
    ]);
    let graph = format!("https://kg.example.org/graph/{stem}");
    let nq = s.ok(&[
        "--base",
        "https://kg.example.org/",
        "export",
        "--format",
        "nquads",
        "--graph",
        &graph,
    ]);
    assert!(!nq.is_empty());
    assert!(
        nq.lines()
            .all(|l| l.trim_end().ends_with(&format!("<{graph}> ."))),
        "only that graph"
    );
    let out = s.run(&[
        "--base",
        "https://kg.example.org/",
        "export",
        "--graph",
        "https://kg.example.org/graph/nope",
    ]);
    assert!(!out.status.success());
    let out = s.run(&["--base", "not an iri", "build", seed.to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("base"));
}

#[test]
fn a_store_being_written_by_another_process_is_not_touched() {
    let s = Scratch::new();
    s.build_seeds();
    let before = s.ok(&["export", "--canonical"]);
    // Our own pid is alive: the lock looks held by a running writer.
    fs::write(s.store().join("LOCK"), std::process::id().to_string()).unwrap();
    let out = s.run(&["build", seeds().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("being written by another newskg process"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        before,
        s.ok(&["export", "--canonical"]),
        "readers still work"
    );
}
