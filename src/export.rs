//! Serializing the store: Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML, and RDFC-1.0
//! canonical N-Quads.
//!
//! Input: the store, a format, an optional graph, prefixes. Output: bytes on a writer.
//! Triple formats (Turtle, N-Triples, RDF/XML) flatten all graphs into one, without duplicates;
//! the canned queries give the same answers on that flattened graph because they never join on
//! graph names. Output is sorted so that two exports of the same data are byte-identical;
//! `--canonical` goes further and relabels blank nodes with RDFC-1.0 so that two builds can be
//! diffed and hashed whatever order they were made in.

use crate::store::Store;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxigraph::model::{Dataset, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use std::collections::HashSet;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Turtle,
    Trig,
    Nquads,
    Ntriples,
    Jsonld,
    Rdfxml,
}

impl ExportFormat {
    fn rdf_format(self) -> RdfFormat {
        match self {
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Nquads => RdfFormat::NQuads,
            ExportFormat::Ntriples => RdfFormat::NTriples,
            ExportFormat::Jsonld => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            ExportFormat::Rdfxml => RdfFormat::RdfXml,
        }
    }

    /// True for formats that hold one graph only.
    pub fn is_triples(self) -> bool {
        matches!(
            self,
            ExportFormat::Turtle | ExportFormat::Ntriples | ExportFormat::Rdfxml
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("reading the store: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    #[error("no graph {0} in the store")]
    NoSuchGraph(String),
}

/// Writes the whole store, or one graph of it, in `format`.
pub fn export(
    store: &Store,
    format: ExportFormat,
    graph: Option<&NamedNode>,
    prefixes: &[(&str, &str)],
    mut out: impl Write,
) -> Result<(), ExportError> {
    let quads = collect(store, graph)?;
    let candidates = match format {
        ExportFormat::Turtle | ExportFormat::Trig | ExportFormat::Rdfxml | ExportFormat::Jsonld => {
            used_prefixes(&quads, prefixes)
        }
        _ => Vec::new(),
    };
    let first = serialize(format, &quads, &candidates)?;
    if !matches!(format, ExportFormat::Turtle | ExportFormat::Trig) {
        out.write_all(&first)?;
        out.flush()?;
        return Ok(());
    }
    // A namespace some IRI starts with may still go unused: `rdf:type` is written `a`, and an
    // IRI whose rest is not a valid local name is written in full. Keep the prefixes the
    // serialized body really uses, and serialize again with only those.
    let text = String::from_utf8_lossy(&first);
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("@prefix") && !l.starts_with("PREFIX"))
        .collect::<Vec<_>>()
        .join("\n");
    let used: Vec<(&str, &str)> = candidates
        .into_iter()
        .filter(|(p, _)| uses_prefix(&body, p))
        .collect();
    out.write_all(&serialize(format, &quads, &used)?)?;
    out.flush()?;
    Ok(())
}

/// Does `body` contain `prefix:` as a prefixed name (not inside a longer name)?
fn uses_prefix(body: &str, prefix: &str) -> bool {
    let needle = format!("{prefix}:");
    body.match_indices(&needle).any(|(i, _)| {
        body[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
    })
}

fn serialize(
    format: ExportFormat,
    quads: &[Quad],
    prefixes: &[(&str, &str)],
) -> Result<Vec<u8>, ExportError> {
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    for (prefix, namespace) in prefixes {
        // Prefixes come from our own vocabulary: a bad one is a programming error that
        // oxigraph reports; skipping it only makes the output longer.
        if let Ok(s) = serializer.clone().with_prefix(*prefix, *namespace) {
            serializer = s;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    if format.is_triples() {
        // `quads` is sorted by graph first: keep the first of each triple, then sort again by
        // subject so that Turtle groups a subject's triples.
        let mut seen = HashSet::new();
        let mut triples: Vec<Triple> = quads
            .iter()
            .cloned()
            .map(Triple::from)
            .filter(|t| seen.insert(t.clone()))
            .collect();
        triples.sort_unstable_by_key(|t| {
            (
                t.subject.to_string(),
                t.predicate.as_str().to_owned(),
                t.object.to_string(),
            )
        });
        for t in &triples {
            writer.serialize_triple(t)?;
        }
    } else {
        for q in quads {
            writer.serialize_quad(q)?;
        }
    }
    Ok(writer.finish()?)
}

/// RDFC-1.0 canonical N-Quads (SHA-256) of the store or one graph: sorted lines, canonical blank
/// node labels, so equal datasets give equal bytes.
pub fn export_canonical(
    store: &Store,
    graph: Option<&NamedNode>,
    mut out: impl Write,
) -> Result<(), ExportError> {
    let mut dataset: Dataset = collect(store, graph)?.into_iter().collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort_unstable();
    for line in lines {
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// All quads of the named graphs (or of `graph`), sorted for stable output.
fn collect(store: &Store, graph: Option<&NamedNode>) -> Result<Vec<Quad>, ExportError> {
    let db = store.oxigraph();
    let mut quads = match graph {
        Some(g) => {
            if !db.contains_named_graph(g)? {
                return Err(ExportError::NoSuchGraph(g.to_string()));
            }
            db.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g.as_ref())))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => db.iter().collect::<Result<Vec<_>, _>>()?,
    };
    quads.sort_unstable_by(|a, b| {
        (
            a.graph_name.to_string(),
            a.subject.to_string(),
            a.predicate.as_str(),
            a.object.to_string(),
        )
            .cmp(&(
                b.graph_name.to_string(),
                b.subject.to_string(),
                b.predicate.as_str(),
                b.object.to_string(),
            ))
    });
    Ok(quads)
}

/// The prefixes some IRI of `quads` starts with: Turtle output declares only those.
fn used_prefixes<'a>(quads: &[Quad], prefixes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut used = vec![false; prefixes.len()];
    let mut mark = |iri: &str| {
        for (i, (_, ns)) in prefixes.iter().enumerate() {
            if !used[i] && iri.starts_with(ns) && iri.len() > ns.len() {
                used[i] = true;
            }
        }
    };
    for q in quads {
        if let NamedOrBlankNode::NamedNode(n) = &q.subject {
            mark(n.as_str());
        }
        mark(q.predicate.as_str());
        match &q.object {
            Term::NamedNode(n) => mark(n.as_str()),
            Term::Literal(l) => mark(l.datatype().as_str()),
            _ => {}
        }
    }
    prefixes
        .iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(p, _)| *p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode};

    fn store_with(quads: &[Quad]) -> Store {
        let mut store = Store::in_memory("https://example.org/id/").unwrap();
        let g = NamedNode::new("https://example.org/g").unwrap();
        store.put_graph("g", g.as_ref(), "h", quads).unwrap();
        store
    }

    fn sample(bnode: &str) -> Vec<Quad> {
        let g = NamedNode::new("https://example.org/g").unwrap();
        let s = NamedNode::new("https://example.org/ns#s").unwrap();
        let p = NamedNode::new("https://example.org/ns#p").unwrap();
        let b = BlankNode::new(bnode).unwrap();
        vec![
            Quad::new(s.clone(), p.clone(), b.clone(), g.clone()),
            Quad::new(
                b,
                p,
                Literal::new_language_tagged_literal_unchecked("قال", "ar"),
                g,
            ),
        ]
    }

    #[test]
    fn turtle_declares_only_the_prefixes_it_uses() {
        let store = store_with(&sample("b1"));
        let mut out = Vec::new();
        let prefixes = [
            ("ex", "https://example.org/ns#"),
            ("unused", "https://unused.example/"),
        ];
        export(&store, ExportFormat::Turtle, None, &prefixes, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("@prefix ex:"), "{text}");
        assert!(!text.contains("unused"), "{text}");
    }

    #[test]
    fn canonical_export_ignores_blank_node_labels() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        export_canonical(&store_with(&sample("x1")), None, &mut a).unwrap();
        export_canonical(&store_with(&sample("other")), None, &mut b).unwrap();
        assert_eq!(a, b);
        assert!(String::from_utf8(a).unwrap().contains("_:c14n0"));
    }
}
