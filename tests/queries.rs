//! The canned queries on a store built from hand-made extractions: the rows users rely on.

mod handmade;

use handmade::{catalog, corpus, run, store, Row};
use newskg::mapper::Vocabulary;

const SUDANI: &str = "https://w3id.org/newskg/id/person/محمد_شياع_السوداني";

fn statement(article: &str, id: &str) -> String {
    format!("https://w3id.org/newskg/id/statement/{article}/{id}")
}

fn col<'a>(rows: &'a [Row], column: &str) -> Vec<&'a str> {
    rows.iter()
        .map(|r| r.get(column).map(String::as_str).unwrap_or(""))
        .collect()
}

/// The queries over extracted data; others (links, federated) need graphs this corpus lacks.
const CORE: [&str; 8] = [
    "statements",
    "who-said-what",
    "timeline",
    "entities",
    "events",
    "roles",
    "troop-counts",
    "sources",
];

#[test]
fn every_canned_query_parses_and_runs_with_its_defaults() {
    let store = store(&corpus(), &Vocabulary::default());
    for q in catalog().iter() {
        if q.sparql.contains("SERVICE") {
            continue; // needs the network
        }
        let rows = run(&store, q, &[]);
        if CORE.contains(&q.name.as_str()) {
            assert!(
                !rows.is_empty(),
                "{} gives no rows on the hand-made corpus",
                q.name
            );
        }
    }
}

#[test]
fn statements_have_the_documented_columns_in_order() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let expected = [
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
    for name in ["statements", "who-said-what"] {
        let q = catalog.get(name).expect(name);
        assert_eq!(handmade::columns(&store, q), expected, "{name}");
    }
}

#[test]
fn statements_lists_every_statement_with_its_speaker_date_and_topics() {
    let store = store(&corpus(), &Vocabulary::default());
    let rows = run(&store, catalog().get("statements").unwrap(), &[]);
    assert_eq!(rows.len(), 5);
    let s1 = rows
        .iter()
        .find(|r| r["statement"] == statement("a1", "s1"))
        .expect("a1/s1");
    assert_eq!(s1["speaker"], SUDANI);
    assert_eq!(s1["speakerLabel"], "محمد شياع السوداني");
    assert_eq!(s1["speakerLabelEn"], "Mohammed Shia al-Sudani");
    assert_eq!(s1["verb"], "أعلن");
    assert_eq!(s1["direct"], "false");
    assert_eq!(s1["date"], "2024-01-05");
    assert_eq!(s1["source"], "a1");
    let mut topics: Vec<&str> = s1["topics"].split(' ').collect();
    topics.sort();
    assert_eq!(topics, ["coalition-mission", "withdrawal"]);
    assert_eq!(s1["stance"], "supports");
    // The statement with no known speaker and no date is there, last.
    let last = rows.last().unwrap();
    assert_eq!(last["statement"], statement("a2", "s2"));
    assert!(!last.contains_key("speaker") && !last.contains_key("date"));
}

#[test]
fn who_said_what_gives_withdrawal_statements_in_date_order() {
    let store = store(&corpus(), &Vocabulary::default());
    let rows = run(&store, catalog().get("who-said-what").unwrap(), &[]);
    assert_eq!(
        col(&rows, "date"),
        ["2023", "2024-01-05", "2024-01-05", "2024-02", ""]
    );
    // The Prime Minister spoke in both articles: one IRI, one label.
    assert_eq!(col(&rows, "speaker")[..3], [SUDANI, SUDANI, SUDANI]);
    assert_eq!(rows[3]["speakerLabel"], "أبو حسين الحميداوي");
    assert_eq!(rows[3]["stance"], "opposes");
    // Same date: text order within the article.
    assert_eq!(rows[1]["statement"], statement("a1", "s1"));
    assert_eq!(rows[2]["statement"], statement("a1", "s2"));
    assert_eq!(rows[2]["direct"], "true");
}

#[test]
fn who_said_what_takes_another_topic() {
    let store = store(&corpus(), &Vocabulary::default());
    let q = catalog();
    let q = q.get("who-said-what").unwrap();
    let rows = run(&store, q, &[("topic", "negotiations")]);
    assert_eq!(col(&rows, "statement"), [statement("a2", "s1")]);
    assert!(run(&store, q, &[("topic", "strikes")]).is_empty());
}

#[test]
fn who_said_what_filters_on_dates_of_mixed_precision() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let q = catalog.get("who-said-what").unwrap();
    let dates = |params: &[(&str, &str)]| -> Vec<String> {
        run(&store, q, params)
            .iter()
            .map(|r| r.get("date").cloned().unwrap_or_default())
            .collect()
    };
    // A month matches the days in it and itself; a year before it does not; undated never.
    assert_eq!(
        dates(&[("from", "2024-01")]),
        ["2024-01-05", "2024-01-05", "2024-02"]
    );
    assert_eq!(dates(&[("from", "2024-01-06")]), ["2024-02"]);
    assert_eq!(
        dates(&[("to", "2024-01")]),
        ["2023", "2024-01-05", "2024-01-05"]
    );
    assert_eq!(
        dates(&[("from", "2024-02-15"), ("to", "2024-02-20")]),
        ["2024-02"]
    );
    // A year-precision statement may fall in any month of its year.
    assert_eq!(dates(&[("from", "2023-06"), ("to", "2023-07")]), ["2023"]);
    assert!(dates(&[("from", "2025")]).is_empty());
}

#[test]
fn who_said_what_finds_a_speaker_by_iri_or_by_name() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let q = catalog.get("who-said-what").unwrap();
    let sudani = [
        statement("a2", "s3"),
        statement("a1", "s1"),
        statement("a1", "s2"),
    ];
    for speaker in [
        SUDANI,
        "محمد شياع السوداني",
        "السوداني",
        "Mohammed Shia al-Sudani",
        "mohammed shia AL-SUDANI",
    ] {
        let rows = run(&store, q, &[("speaker", speaker)]);
        assert_eq!(col(&rows, "statement"), sudani, "speaker={speaker}");
    }
    // Folded like the match keys: «أبو» with a hamza or without.
    let rows = run(&store, q, &[("speaker", "ابو حسين الحميداوي")]);
    assert_eq!(col(&rows, "statement"), [statement("a2", "s1")]);
    // Whole words only.
    assert!(run(&store, q, &[("speaker", "سودان")]).is_empty());
}

#[test]
fn a_hostile_value_is_just_a_value_that_matches_nothing() {
    let store = store(&corpus(), &Vocabulary::default());
    let before = store.len().unwrap();
    let catalog = catalog();
    let hostile = "x\" } ; DROP ALL ; #";
    assert!(run(
        &store,
        catalog.get("who-said-what").unwrap(),
        &[("speaker", hostile)]
    )
    .is_empty());
    assert!(run(
        &store,
        catalog.get("roles").unwrap(),
        &[("person", hostile)]
    )
    .is_empty());
    assert!(run(
        &store,
        catalog.get("sources").unwrap(),
        &[("publisher", hostile)]
    )
    .is_empty());
    assert!(run(&store, catalog.get("events").unwrap(), &[("type", hostile)]).is_empty());
    assert_eq!(store.len().unwrap(), before);
}

#[test]
fn timeline_puts_events_and_statements_in_date_order() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let q = catalog.get("timeline").unwrap();
    let rows = run(&store, q, &[]);
    assert_eq!(
        col(&rows, "kind"),
        [
            "statement",
            "event",
            "statement",
            "statement",
            "statement",
            "statement"
        ]
    );
    assert_eq!(rows[1]["date"], "2024-01-04");
    assert_eq!(rows[1]["type"], "drone-strike");
    assert_eq!(rows[1]["place"], "بغداد");
    assert_eq!(rows[1]["who"], "الولايات المتحدة");
    let strikes = run(&store, q, &[("topic", "strikes")]);
    assert_eq!(col(&strikes, "type"), ["drone-strike"]);
    let january = run(&store, q, &[("from", "2024-01"), ("to", "2024-01")]);
    assert_eq!(january.len(), 3);
}

#[test]
fn entities_count_mentions_across_articles() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let q = catalog.get("entities").unwrap();
    let rows = run(&store, q, &[("type", "person")]);
    let sudani = rows.iter().find(|r| r["entity"] == SUDANI).expect("Sudani");
    assert_eq!(sudani["mentions"], "3");
    assert_eq!(sudani["articles"], "2");
    assert_eq!(sudani["labelEn"], "Mohammed Shia al-Sudani");
    assert_eq!(
        sudani["wikidata"],
        "http://www.wikidata.org/entity/Q16889186"
    );
    assert!(rows.iter().all(|r| r["type"] == "person"));
    let iraq = run(&store, q, &[("type", "place")])
        .into_iter()
        .find(|r| r["label"] == "العراق")
        .expect("Iraq");
    assert_eq!(iraq["articles"], "2");
    assert_eq!(iraq["sources"].split(' ').count(), 2);
}

#[test]
fn events_roles_troop_counts_and_sources() {
    let store = store(&corpus(), &Vocabulary::default());
    let catalog = catalog();
    let events = run(
        &store,
        catalog.get("events").unwrap(),
        &[("place", "Baghdad")],
    );
    assert_eq!(col(&events, "type"), ["drone-strike"]);
    assert_eq!(events[0]["date"], "2024-01-04");
    assert_eq!(events[0]["actors"], "الولايات المتحدة");
    assert!(run(&store, catalog.get("events").unwrap(), &[("type", "talks")]).is_empty());

    let roles = run(
        &store,
        catalog.get("roles").unwrap(),
        &[("person", "السوداني")],
    );
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0]["post"], "رئيس الوزراء");
    assert_eq!(roles[0]["postEn"], "prime minister");
    assert_eq!(roles[0]["ofLabel"], "العراق");
    assert_eq!(roles[0]["source"], "a1");

    let troops = run(&store, catalog.get("troop-counts").unwrap(), &[]);
    assert_eq!(troops.len(), 1);
    assert_eq!(troops[0]["value"], "2500");
    assert_eq!(troops[0]["approximate"], "true");
    assert_eq!(troops[0]["text"], "نحو 2500 جندي");
    assert_eq!(troops[0]["source"], "a1");
    assert!(run(
        &store,
        catalog.get("troop-counts").unwrap(),
        &[("counts", "casualties")]
    )
    .is_empty());

    let sources = run(&store, catalog.get("sources").unwrap(), &[]);
    assert_eq!(col(&sources, "source"), ["a1", "a2"]);
    assert_eq!(sources[0]["statements"], "2");
    assert_eq!(sources[0]["events"], "1");
    assert_eq!(sources[0]["publisher"], "Example News");
    assert_eq!(sources[1]["statements"], "3");
    let feb = run(
        &store,
        catalog.get("sources").unwrap(),
        &[("from", "2024-02")],
    );
    assert_eq!(col(&feb, "source"), ["a2"]);
}

/// Loads N-Quads into rdflib (`Dataset(default_union=True)`), runs each query file unchanged
/// with its parameters unbound, prints one JSON list of rows (lists of lexical forms) per query.
const RDFLIB: &str = r#"
import json, sys
from rdflib import Dataset
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
out = {}
for path in sys.argv[2:]:
    result = ds.query(open(path, encoding="utf-8").read())
    names = [str(v) for v in result.vars]
    out[path] = [{n: str(row[n]) for n in names if row[n] is not None and not n.startswith("param_")}
                 for row in result]
print(json.dumps(out))
"#;

#[test]
fn the_core_queries_give_the_same_rows_on_rdflib() {
    let rdflib = std::process::Command::new("python3")
        .args(["-c", "import rdflib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !rdflib {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 with rdflib is not available (pip install rdflib)"
        );
        eprintln!(
            "SKIPPED: python3 with rdflib not found; `pip install rdflib` to compare engines"
        );
        return;
    }
    let v = Vocabulary::default();
    let store = store(&corpus(), &v);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("handmade.nq");
    let nquads = store
        .dump_to_writer(oxigraph::io::RdfFormat::NQuads, Vec::new())
        .unwrap();
    std::fs::write(&data, nquads).unwrap();
    let catalog = catalog();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<String> = CORE
        .iter()
        .map(|name| {
            root.join(format!("queries/{name}.rq"))
                .display()
                .to_string()
        })
        .collect();
    let out = std::process::Command::new("python3")
        .args(["-c", RDFLIB])
        .arg(&data)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rdflib: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: std::collections::BTreeMap<String, Vec<Row>> =
        serde_json::from_slice(&out.stdout).unwrap();
    for (name, file) in CORE.iter().zip(&files) {
        let ours = run(&store, catalog.get(name).unwrap(), &[]);
        assert_eq!(theirs[file], ours, "{name}: rdflib and Oxigraph disagree");
    }
}
