//! Linking to Wikidata as a user does it: `newskg build`, `newskg link --endpoint URL`,
//! `newskg links --format tsv`, the `links` and `speakers-wikidata` canned queries, against a
//! real SPARQL server (`oxigraph serve-read-only` on loopback) loaded with
//! `tests/fixtures/wikidata/wikidata.ttl`, a fixture in Wikidata's RDF shape with traps:
//! namesakes of another country or type («سليم حسين» ×3), a football club sharing an
//! organization's name («الفجر»), a person with only an English label, a namesake of a seed
//! entity (Donald Trump Jr.), a village named «بغداد», and entities absent from it.

mod common;

use common::{repo, Scratch};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `oxigraph serve-read-only` over the fixture, on a free loopback port; killed on drop (also
/// when a test fails).
struct Wikidata {
    child: Child,
    /// `http://127.0.0.1:PORT/query`
    endpoint: String,
    _data: tempfile::TempDir,
}

impl Drop for Wikidata {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the fixture server, or `None` (with a message) when `oxigraph` is not installed
/// outside CI; in CI (`CI` set) a missing server is a failure, since scripts/test.sh installs it.
fn wikidata() -> Option<Wikidata> {
    let installed = Command::new("oxigraph")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "oxigraph is missing: scripts/test.sh installs it (pip install oxigraph)"
        );
        eprintln!("skipping: oxigraph not installed (run scripts/test.sh)");
        return None;
    }
    let data = tempfile::tempdir().expect("temp dir");
    let loaded = Command::new("oxigraph")
        .args(["load", "--location"])
        .arg(data.path())
        .arg("--file")
        .arg(repo().join("tests/fixtures/wikidata/wikidata.ttl"))
        .output()
        .expect("oxigraph load runs");
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("oxigraph")
        .args(["serve-read-only", "--location"])
        .arg(data.path())
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("oxigraph serve-read-only starts");
    let server = Wikidata {
        child,
        endpoint: format!("http://127.0.0.1:{port}/query"),
        _data: data,
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "oxigraph did not listen in 30s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(server)
}

/// `{"start", "end", "text"}` of the `nth` (from 0) occurrence of `needle` in `text`, in
/// characters.
fn span(text: &str, needle: &str, nth: usize) -> Value {
    let byte = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in the article"))
        .0;
    let start = text[..byte].chars().count();
    json!({"start": start, "end": start + needle.chars().count(), "text": needle})
}

/// An article written for the traps, as a hand-made extraction: an Iraqi foreign minister
/// «سليم حسين» (role and country known) who speaks about withdrawal, another «حسين» with no
/// context, the organization «الفجر», «دانا ويتفيلد» (Wikidata knows her only in English) and
/// «كريم المجهول» (unknown to Wikidata). Iraq carries its curated QID.
fn traps_extraction() -> Value {
    let text = "قال وزير الخارجية العراقي سليم حسين إن انسحاب القوات الأجنبية من العراق ضروري. \
                وقال حسين آخر إن الأمر مختلف. وأعلنت الفجر موقفها. \
                وقالت دانا ويتفيلد إن الانسحاب قريب. والتقى كريم المجهول بالوفد.";
    json!({
        "format": "newskg-extraction/1",
        "generator": "tests/link.rs",
        "article": {"id": "traps", "language": "ar", "published": "2024-01-08", "text": text},
        "entities": [
            {"id": "e1", "type": "person", "name_ar": "سليم حسين", "name_en": "Salim Hussein",
             "mentions": [span(text, "سليم حسين", 0)]},
            {"id": "e2", "type": "place", "name_ar": "العراق", "name_en": "Iraq",
             "mentions": [span(text, "العراق", 1)], "ids": {"wikidata": "Q796"}},
            {"id": "e3", "type": "person", "name_ar": "حسين", "mentions": [span(text, "حسين", 1)]},
            {"id": "e4", "type": "organization", "name_ar": "الفجر", "mentions": [span(text, "الفجر", 0)]},
            {"id": "e5", "type": "person", "name_ar": "دانا ويتفيلد", "name_en": "Dana Whitfield",
             "mentions": [span(text, "دانا ويتفيلد", 0)]},
            {"id": "e6", "type": "person", "name_ar": "كريم المجهول", "mentions": [span(text, "كريم المجهول", 0)]}
        ],
        "roles": [{"holder": "e1", "title": "وزير الخارجية", "title_en": "foreign minister", "of": "e2",
                   "span": span(text, "وزير الخارجية العراقي", 0)}],
        "statements": [{"id": "s1", "speaker": "e1", "direct": false, "topics": ["withdrawal"],
                        "verb": span(text, "قال", 0),
                        "content": span(text, "إن انسحاب القوات الأجنبية من العراق ضروري", 0)}]
    })
}

/// A store holding the traps article.
fn traps_store() -> Scratch {
    let s = Scratch::new();
    let file = s.write(
        "traps.json",
        serde_json::to_vec(&traps_extraction()).unwrap(),
    );
    s.ok(&["map", file.to_str().unwrap()]);
    s
}

/// `newskg link --endpoint URL --rate 0 EXTRA…`, its standard output.
fn link(s: &Scratch, w: &Wikidata, extra: &[&str]) -> String {
    let mut args = vec!["link", "--endpoint", &w.endpoint, "--rate", "0"];
    args.extend_from_slice(extra);
    s.ok(&args)
}

/// The rows of `newskg links --format tsv` as (subject label, object id, justification).
fn links(s: &Scratch) -> BTreeSet<(String, String, String)> {
    let tsv = s.ok(&["links", "--format", "tsv"]);
    let mut lines = tsv.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    let (label, object, how) = (
        col("subject_label"),
        col("object_id"),
        col("mapping_justification"),
    );
    for required in ["subject_id", "predicate_id", "confidence"] {
        col(required);
    }
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[label].to_owned(), f[object].to_owned(), f[how].to_owned())
        })
        .collect()
}

/// `requests: N sent` of a link report.
fn requests_sent(report: &str) -> usize {
    report
        .lines()
        .find_map(|l| l.strip_prefix("requests: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in {report}"))
}

fn linked_by_endpoint(s: &Scratch) -> BTreeSet<(String, String)> {
    links(s)
        .into_iter()
        .filter(|(_, _, how)| how == "semapv:CompositeMatching")
        .map(|(label, q, _)| (label, q))
        .collect()
}

#[test]
fn curated_identities_carry_owl_same_as_and_sit_in_the_links_graph_after_a_plain_build() {
    let s = Scratch::new();
    s.build_seeds();
    let ttl = s.ok(&["export", "--format", "turtle"]);
    let graph = common::parse_turtle(&ttl);
    use sophia::api::prelude::*;
    let iraq = sophia::iri::Iri::new_unchecked("https://w3id.org/newskg/id/place/العراق");
    let same_as = sophia::iri::Iri::new_unchecked("http://www.w3.org/2002/07/owl#sameAs");
    let q796 = sophia::iri::Iri::new_unchecked("http://www.wikidata.org/entity/Q796");
    assert!(
        graph.contains(iraq, same_as, q796).unwrap(),
        "Iraq owl:sameAs wd:Q796"
    );
    let rows = links(&s);
    assert!(
        rows.contains(&(
            "العراق".into(),
            "wd:Q796".into(),
            "semapv:ManualMappingCuration".into()
        )),
        "{rows:?}"
    );
    assert!(rows
        .iter()
        .all(|(_, _, how)| how == "semapv:ManualMappingCuration"));
    // A rebuild changes nothing, the links graph included.
    let again = s.ok(&["build"]);
    assert!(again.contains("0 new, 0 changed, 5 unchanged"), "{again}");
    let table = s.ok(&["query", "links", "--format", "csv"]);
    assert!(
        table.contains("http://www.wikidata.org/entity/Q796"),
        "{table}"
    );
}

#[test]
fn every_seed_entity_with_a_verified_item_is_linked_to_it_and_nothing_else_is_linked() {
    let Some(w) = wikidata() else { return };
    // The seeds' extractions without their curated QIDs: the endpoint must find them all.
    let s = Scratch::new();
    let jsonl = s.ok(&["extract", "--format", "jsonl", "seeds"]);
    let stripped: Vec<String> = jsonl
        .lines()
        .map(|l| {
            let mut x: Value = serde_json::from_str(l).unwrap();
            for e in x["entities"].as_array_mut().unwrap() {
                e.as_object_mut().unwrap().remove("ids");
            }
            x.to_string()
        })
        .collect();
    let file = s.write("seeds.jsonl", stripped.join("\n"));
    s.ok(&["map", file.to_str().unwrap()]);
    let report = link(&s, &w, &[]);
    let expected: BTreeSet<(String, String)> = [
        ("الجمعية العامة للأمم المتحدة", "Q47423"),
        ("القوات الجوية الأمريكية", "Q11223"),
        ("تنظيم الدولة الإسلامية", "Q2429253"),
        ("حركة حماس", "Q38799"),
        ("حلف شمال الأطلسي", "Q7184"),
        ("رويترز", "Q130879"), // only an English label in the fixture
        ("وزارة الخارجية الأمريكية", "Q789915"),
        ("وزارة الدفاع الأمريكية", "Q11209"),
        ("الحرس الثوري الإيراني", "Q271110"),
        ("بنيامين نتنياهو", "Q43723"),
        ("جو بايدن", "Q6279"),
        ("محمد شياع السوداني", "Q3700793"),
        ("البرلمان العراقي", "Q1973075"), // through its alias «مجلس النواب العراقي»
        ("واشنطن بوست", "Q166032"),
        ("الشرق الأوسط", "Q7204"),
        ("دونالد ترمب", "Q22686"), // not Donald Trump Jr.
        ("إسبانيا", "Q29"),
        ("إسرائيل", "Q801"),
        ("أصفهان", "Q42053"),
        ("الأردن", "Q810"),
        ("العراق", "Q796"),
        ("القاهرة", "Q85"),
        ("الولايات المتحدة", "Q30"),
        ("إيران", "Q794"),
        ("بروكسل", "Q239"),
        ("بريطانيا", "Q145"),
        ("بغداد", "Q1530"), // not the village
        ("سوريا", "Q858"),
        ("طهران", "Q3616"),
        ("فرنسا", "Q142"),
        ("قطاع غزة", "Q39760"),
        ("واشنطن", "Q61"),
    ]
    .into_iter()
    .map(|(l, q)| (l.to_owned(), format!("wd:{q}")))
    .collect();
    assert_eq!(linked_by_endpoint(&s), expected, "{report}");
    assert!(
        report.contains(&format!("{} linked", expected.len())),
        "{report}"
    );
    // «فؤاد حسين» shares only a surname with the fixture's «سليم حسين»: no link.
    assert!(report.contains("below       فؤاد حسين"), "{report}");
}

#[test]
fn traps_are_avoided_and_a_namesake_without_context_is_an_abstention() {
    let Some(w) = wikidata() else { return };
    let s = traps_store();
    let report = link(&s, &w, &["--verbose"]);
    let linked = linked_by_endpoint(&s);
    let expected: BTreeSet<(String, String)> = [
        // The Iraqi foreign minister, not the Jordanian footballer nor the film.
        ("سليم حسين", "Q900000001"),
        // The organization, not the football club of the same name.
        ("الفجر", "Q900000005"),
        // Found by her English name.
        ("دانا ويتفيلد", "Q900000004"),
    ]
    .into_iter()
    .map(|(l, q)| (l.to_owned(), format!("wd:{q}")))
    .collect();
    assert_eq!(linked, expected, "{report}");
    let abstention = report
        .lines()
        .find(|l| l.starts_with("abstained   حسين:"))
        .unwrap_or_else(|| panic!("no abstention for «حسين» in {report}"));
    assert!(
        abstention.contains("Q900000001") && abstention.contains("Q900000002"),
        "{abstention}"
    );
    assert!(report.contains("no match    كريم المجهول"), "{report}");
    assert!(
        report.contains("3 linked, 1 abstained, 0 below threshold, 1 no candidate"),
        "{report}"
    );
}

#[test]
fn the_cache_makes_a_second_run_send_no_request() {
    let Some(w) = wikidata() else { return };
    let s = traps_store();
    let first = link(&s, &w, &["--dry-run"]);
    assert!(requests_sent(&first) > 0, "{first}");
    // Two batches: labels, then facts about the candidates.
    assert!(requests_sent(&first) <= 2, "batched: {first}");
    assert!(
        linked_by_endpoint(&s).is_empty(),
        "a dry run writes no link"
    );
    let second = link(&s, &w, &["--dry-run"]);
    assert_eq!(requests_sent(&second), 0, "{second}");
    assert!(second.contains("3 linked, 1 abstained"), "{second}");
    // The real run after the dry ones asks nothing either, and writes the links.
    let third = link(&s, &w, &[]);
    assert_eq!(requests_sent(&third), 0, "{third}");
    assert_eq!(linked_by_endpoint(&s).len(), 3);
    // --refresh asks again.
    let fresh = link(&s, &w, &["--refresh", "--dry-run"]);
    assert!(requests_sent(&fresh) > 0, "{fresh}");
}

#[test]
fn the_federated_query_fetches_english_labels_and_positions_of_withdrawal_speakers() {
    let Some(w) = wikidata() else { return };
    let s = traps_store();
    link(&s, &w, &[]);
    let param = format!("endpoint={}", w.endpoint);
    let out = s.ok(&[
        "query",
        "speakers-wikidata",
        "--param",
        &param,
        "--allow-service",
        &w.endpoint,
        "--format",
        "csv",
    ]);
    let rows = common::csv_rows(&out);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[col("item")] == "http://www.wikidata.org/entity/Q900000001")
        .unwrap_or_else(|| panic!("the minister's row in {out}"));
    assert_eq!(row[col("labelEn")], "Salim Hussein");
    assert_eq!(row[col("positions")], "Minister of Foreign Affairs of Iraq");
    // Without --allow-service the store calls nobody.
    let refused = s.run(&["query", "speakers-wikidata", "--param", &param]);
    assert!(!refused.status.success());
    assert!(
        common::stderr(&refused).contains("127.0.0.1"),
        "{}",
        common::stderr(&refused)
    );
}

#[test]
fn a_rejected_link_stays_as_a_negative_mapping_and_is_never_proposed_again() {
    let Some(w) = wikidata() else { return };
    let s = traps_store();
    link(&s, &w, &[]);
    let minister = "https://w3id.org/newskg/id/person/سليم_حسين";
    s.ok(&["links", "--reject", minister]);
    let tsv = s.ok(&["links", "--format", "tsv"]);
    let row = tsv
        .lines()
        .find(|l| l.contains("wd:Q900000001"))
        .unwrap_or_else(|| panic!("the rejection is listed: {tsv}"));
    assert!(row.contains("\towl:sameAs\tNot\t"), "{row}");
    let nt = s.ok(&["export", "--format", "ntriples"]);
    assert!(
        !nt.contains(&format!(
            "<{minister}> <http://www.w3.org/2002/07/owl#sameAs>"
        )),
        "no owl:sameAs left for a rejected link"
    );
    // The linker looks at him again, and the only other human «سليم حسين» is Jordanian.
    let again = link(&s, &w, &[]);
    assert!(
        again.contains("below       سليم حسين: best Q900000002"),
        "{again}"
    );
    assert!(!linked_by_endpoint(&s)
        .iter()
        .any(|(_, q)| q == "wd:Q900000001"));
    // Curated links are the lexicon's business.
    let refused = s.run(&[
        "links",
        "--reject",
        "https://w3id.org/newskg/id/place/العراق",
    ]);
    assert!(!refused.status.success());
    assert!(common::stderr(&refused).contains("curated links are changed in the lexicon"));
}

/// A scripted endpoint: answers every request with 503 and keeps the request heads.
fn failing_endpoint() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/sparql", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = tx.send(head);
            let mut stream = reader.into_inner();
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy",
            );
        }
    });
    (url, rx)
}

#[test]
fn a_failing_endpoint_is_retried_with_an_honest_user_agent_then_reported() {
    let s = traps_store();
    let (url, heads) = failing_endpoint();
    let out = s.run(&["link", "--endpoint", &url, "--retries", "2", "--rate", "0"]);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains(&url) && err.contains("503"), "{err}");
    let heads: Vec<String> = heads.try_iter().collect();
    assert_eq!(heads.len(), 3, "one request and two retries");
    let agent = format!(
        "user-agent: newskg/{} (+https://w3id.org/newskg)",
        env!("CARGO_PKG_VERSION")
    );
    assert!(
        heads
            .iter()
            .all(|h| h.to_ascii_lowercase().contains(&agent)),
        "{heads:?}"
    );
    // Nothing was linked, nothing stored before was lost.
    assert!(linked_by_endpoint(&s).is_empty());
}

#[test]
#[cfg(not(feature = "tls"))]
fn an_https_endpoint_is_refused_with_a_clear_message_in_this_build() {
    let s = traps_store();
    let out = s.run(&["link", "--endpoint", "https://query.wikidata.org/sparql"]);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(
        err.contains("https:// needs TLS") && err.contains("--features tls"),
        "{err}"
    );
}
