//! The mapped graphs conform to `ontology/shapes.ttl`, checked by a real SHACL validator
//! (pySHACL): the hand-made extractions, and the seeds as the extractor sees them today. A
//! broken graph must not conform, so that this test can fail.
//!
//! Without python3 + pyshacl the test is skipped with a message, except when the `CI`
//! environment variable is set: there it must run (`scripts/test.sh` installs pyshacl).

mod handmade;

use newskg::mapper::{self, Vocabulary};
use newskg::model::Extraction;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{NamedNode, Quad};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether pySHACL can run; panics in CI when it cannot.
fn pyshacl_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyshacl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 -m pyshacl is not available (pip install pyshacl)"
        );
        eprintln!("SKIPPED: python3 with pyshacl not found; `pip install pyshacl` to run the SHACL checks");
    }
    ok
}

/// Writes the quads as N-Triples (the graphs flattened, as `newskg export` does) to a temp file.
fn write_ntriples(dir: &Path, name: &str, quads: &[Quad]) -> PathBuf {
    let path = dir.join(name);
    let mut out = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for q in quads {
        out.serialize_triple(q.as_ref()).expect("serialize");
    }
    std::fs::write(&path, out.finish().expect("finish")).expect("write data");
    path
}

/// Runs pySHACL on a data file; returns whether it conforms and the report.
fn validate(data: &Path) -> (bool, String) {
    pyshacl(data, false)
}

/// `meta`: check the shapes themselves against the SHACL-SHACL shapes first (slower).
fn pyshacl(data: &Path, meta: bool) -> (bool, String) {
    let shapes = repo().join("ontology/shapes.ttl");
    let out = Command::new("python3")
        .args(["-m", "pyshacl"])
        .args(meta.then_some("-m"))
        .arg("-s")
        .arg(&shapes)
        .args(["-sf", "turtle", "-df", "nt"])
        .arg(data)
        .output()
        .expect("run python3 -m pyshacl");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // pySHACL exits 0 when the data conforms, 1 when it does not, and 2 or more on errors.
    match out.status.code() {
        Some(0) => (true, report),
        Some(1) => (false, report),
        other => panic!(
            "pyshacl failed ({other:?}) on {}:\n{report}",
            data.display()
        ),
    }
}

fn mapped(extractions: &[Extraction]) -> Vec<Quad> {
    let v = Vocabulary::default();
    extractions
        .iter()
        .flat_map(|x| mapper::map(x, &v))
        .collect()
}

/// The seeds through the current extractor.
fn seeds() -> Vec<Extraction> {
    let lexicon = newskg::extract::Lexicon::builtin().expect("builtin lexicon");
    let mut out = Vec::new();
    for article in newskg::corpus::read(&[repo().join("seeds")]) {
        let article = article.unwrap_or_else(|e| panic!("{e}"));
        for x in newskg::extract::extract(&article, &lexicon) {
            if let Err(e) = x.validate() {
                panic!("extraction of {} is invalid: {e}", article.origin);
            }
            out.push(x);
        }
    }
    assert!(!out.is_empty(), "no seeds read");
    out
}

#[test]
fn hand_made_extractions_conform_to_the_shapes() {
    if !pyshacl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = write_ntriples(dir.path(), "handmade.nt", &mapped(&handmade::corpus()));
    let (conforms, report) = pyshacl(&data, true);
    assert!(conforms, "hand-made extractions do not conform:\n{report}");
}

#[test]
fn the_seeds_conform_to_the_shapes() {
    if !pyshacl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = write_ntriples(dir.path(), "seeds.nt", &mapped(&seeds()));
    let (conforms, report) = validate(&data);
    assert!(conforms, "the seeds do not conform:\n{report}");
}

#[test]
fn broken_graphs_do_not_conform() {
    if !pyshacl_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nkg = |local: &str| format!("{}{local}", mapper::NKG);
    let good = mapped(&handmade::corpus());
    type Keep<'a> = Box<dyn Fn(&Quad) -> bool + 'a>;
    let broken: Vec<(&str, Keep)> = vec![
        // A statement that says nothing.
        (
            "no-content",
            Box::new(|q: &Quad| q.predicate.as_str() != nkg("content")),
        ),
        // A statement from no article.
        (
            "no-source",
            Box::new(|q: &Quad| {
                !(q.predicate.as_str() == nkg("sourceArticle")
                    && q.subject.to_string().contains("/statement/"))
            }),
        ),
        // Entities without their Arabic label.
        (
            "no-label",
            Box::new(|q: &Quad| {
                q.predicate.as_str() != "http://www.w3.org/2000/01/rdf-schema#label"
            }),
        ),
    ];
    for (name, keep) in broken {
        let quads: Vec<Quad> = good.iter().filter(|q| keep(q)).cloned().collect();
        assert!(quads.len() < good.len(), "{name}: nothing removed");
        let data = write_ntriples(dir.path(), &format!("{name}.nt"), &quads);
        let (conforms, _) = validate(&data);
        assert!(!conforms, "{name}: a broken graph conforms");
    }
    // A date of the wrong datatype.
    let mut quads = good.clone();
    let date = quads
        .iter_mut()
        .find(|q| q.predicate.as_str() == nkg("date"))
        .expect("a dated statement");
    date.object = oxigraph::model::Literal::new_simple_literal("last Friday").into();
    let data = write_ntriples(dir.path(), "bad-date.nt", &quads);
    assert!(!validate(&data).0, "a string date conforms");
    // A stance outside the vocabulary.
    let mut quads = good;
    let stance = quads
        .iter_mut()
        .find(|q| q.predicate.as_str() == nkg("stance"))
        .expect("a statement with a stance");
    stance.object = NamedNode::new_unchecked(format!("{}maybe", mapper::STANCE)).into();
    let data = write_ntriples(dir.path(), "bad-stance.nt", &quads);
    assert!(!validate(&data).0, "an unknown stance conforms");
}
