//! The links named graph: every Wikidata identity of our entities, with how it was made.
//!
//! Input: the store (curated `owl:sameAs` written by the mapper from the lexicon's verified
//! QIDs, links found by `newskg link`). Output: the graph `<base>graph/links`, store key
//! `_links`, rewritten atomically, and an SSSOM-style mapping table.
//!
//! Each link is the asserted triple `<entity> owl:sameAs wd:Q…` (so every query sees it) plus
//! a node that reifies it the OWL 2 way, annotated with SSSOM and PROV terms:
//!
//! ```turtle
//! <base>link/3f2a…  a owl:Axiom ;
//!     owl:annotatedSource person:سليم_حسين ; owl:annotatedProperty owl:sameAs ;
//!     owl:annotatedTarget wd:Q900000001 ;
//!     sssom:mapping_justification semapv:CompositeMatching ;   # or semapv:ManualMappingCuration
//!     sssom:confidence 0.95 ; sssom:subject_label "سليم حسين"@ar ; sssom:object_label "…" ;
//!     sssom:mapping_tool "newskg 0.1.0" ; rdfs:comment "name 1.00, P27 agrees, P39 agrees" ;
//!     dcterms:source <http://127.0.0.1:7878/query> ;
//!     prov:generatedAtTime "2026-11-23T15:00:00Z"^^xsd:dateTime .
//! ```
//!
//! Dropping the graph drops every link `newskg link` made; a user reviews them with
//! `newskg links --format tsv` or the `links` canned query. Curated identities stay in the
//! article graphs as well (they are part of the extraction), and are mirrored here with
//! justification `semapv:ManualMappingCuration` so that the table lists every identity.

use super::{is_qid, links_graph, qid_of};
use crate::mapper::{Vocabulary, OWL, PROV, WIKIDATA};
use crate::store::{content_hash, Change, Store, StoreError};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// The store key of the links graph.
pub const LINKS_KEY: &str = "_links";
pub const SSSOM: &str = "https://w3id.org/sssom/";
pub const SEMAPV: &str = "https://w3id.org/semapv/vocab/";
const DCTERMS: &str = "http://purl.org/dc/terms/";

/// How a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Justification {
    /// A verified QID of the lexicon (`semapv:ManualMappingCuration`).
    Curated,
    /// Found at an endpoint by label, type and context (`semapv:CompositeMatching`).
    Endpoint,
}

impl Justification {
    pub fn curie(self) -> &'static str {
        match self {
            Justification::Curated => "semapv:ManualMappingCuration",
            Justification::Endpoint => "semapv:CompositeMatching",
        }
    }

    fn iri(self) -> NamedNode {
        let local = self.curie().trim_start_matches("semapv:");
        NamedNode::new_unchecked(format!("{SEMAPV}{local}"))
    }
}

/// One identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub subject: NamedNode,
    pub qid: String,
    pub justification: Justification,
    pub confidence: f64,
    /// `xsd:dateTime` lexical form.
    pub date: String,
    /// The endpoint it was found at.
    pub source: Option<String>,
    pub subject_label: Option<String>,
    pub object_label: Option<String>,
    pub comment: Option<String>,
    /// A user said no (`sssom:predicate_modifier "Not"`): no `owl:sameAs`, and the linker never
    /// proposes this item for this entity again.
    pub rejected: bool,
}

impl Link {
    pub fn object(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{WIKIDATA}{}", self.qid))
    }

    /// The reifying node: one per (entity, item) pair, stable across runs.
    fn node(&self, v: &Vocabulary) -> NamedNode {
        let digest = Sha256::digest(format!("{}\n{}", self.subject.as_str(), self.qid).as_bytes());
        let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        NamedNode::new_unchecked(format!("{}link/{short}", v.base()))
    }
}

fn owl(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{OWL}{local}"))
}
fn sssom(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SSSOM}{local}"))
}
fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{PROV}{local}"))
}
fn dcterms(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{DCTERMS}{local}"))
}

/// Now, as an `xsd:dateTime` lexical form (UTC, whole seconds).
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The links stored in the links graph.
pub fn read_links(store: &Store, v: &Vocabulary) -> Result<Vec<Link>, StoreError> {
    let graph = links_graph(v);
    let mut nodes: BTreeMap<String, BTreeMap<String, Term>> = BTreeMap::new();
    for q in store.oxigraph().quads_for_pattern(
        None,
        None,
        None,
        Some(GraphNameRef::NamedNode(graph.as_ref())),
    ) {
        let q = q?;
        nodes
            .entry(q.subject.to_string())
            .or_default()
            .insert(q.predicate.as_str().to_owned(), q.object.clone());
    }
    let mut links = Vec::new();
    for props in nodes.values() {
        let get = |iri: String| props.get(&iri);
        let (Some(Term::NamedNode(subject)), Some(Term::NamedNode(target))) = (
            get(format!("{OWL}annotatedSource")),
            get(format!("{OWL}annotatedTarget")),
        ) else {
            continue;
        };
        let Some(qid) = qid_of(target.as_str()) else {
            continue;
        };
        let literal = |iri: String| match get(iri) {
            Some(Term::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        };
        let justification = match get(format!("{SSSOM}mapping_justification")) {
            Some(Term::NamedNode(j)) if j.as_str().ends_with("ManualMappingCuration") => {
                Justification::Curated
            }
            _ => Justification::Endpoint,
        };
        links.push(Link {
            subject: subject.clone(),
            qid: qid.to_owned(),
            justification,
            confidence: literal(format!("{SSSOM}confidence"))
                .and_then(|c| c.parse().ok())
                .unwrap_or(0.0),
            date: literal(format!("{PROV}generatedAtTime")).unwrap_or_default(),
            source: match get(format!("{DCTERMS}source")) {
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                Some(Term::Literal(l)) => Some(l.value().to_owned()),
                _ => None,
            },
            subject_label: literal(format!("{SSSOM}subject_label")),
            object_label: literal(format!("{SSSOM}object_label")),
            comment: literal(rdfs::COMMENT.as_str().to_owned()),
            rejected: literal(format!("{SSSOM}predicate_modifier")).as_deref() == Some("Not"),
        });
    }
    links.sort_by(|a, b| (a.subject.as_str(), &a.qid).cmp(&(b.subject.as_str(), &b.qid)));
    Ok(links)
}

/// Rebuilds the links graph from the curated identities now in the article graphs, the
/// endpoint links already there and `new` ones. Curated identities win over endpoint links of
/// the same entity; links of entities no longer in the store are dropped; an endpoint link keeps
/// the date it was made; curated links carry none, so that a build is reproducible. Call
/// [`Store::commit`] afterwards.
pub fn refresh(store: &mut Store, v: &Vocabulary, new: Vec<Link>) -> Result<Change, StoreError> {
    let graph = links_graph(v);
    let previous = read_links(store, v)?;

    // Curated: owl:sameAs wd:… asserted in any graph but this one.
    let same_as = owl("sameAs");
    let mut curated: BTreeMap<NamedNode, BTreeSet<String>> = BTreeMap::new();
    for q in store
        .oxigraph()
        .quads_for_pattern(None, Some(same_as.as_ref()), None, None)
    {
        let q = q?;
        if q.graph_name == GraphName::NamedNode(graph.clone()) {
            continue;
        }
        if let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&q.subject, &q.object) {
            if let Some(qid) = qid_of(o.as_str()) {
                curated.entry(s.clone()).or_default().insert(qid.to_owned());
            }
        }
    }
    let label = |s: &NamedNode| -> Option<String> {
        let mut best: Option<String> = None;
        for q in store
            .oxigraph()
            .quads_for_pattern(Some(s.as_ref().into()), Some(rdfs::LABEL), None, None)
            .flatten()
        {
            if let Term::Literal(l) = q.object {
                if l.language() == Some("ar") || best.is_none() {
                    best = Some(l.value().to_owned());
                }
            }
        }
        best
    };
    let exists = |s: &NamedNode| {
        store
            .oxigraph()
            .quads_for_pattern(Some(s.as_ref().into()), Some(rdf::TYPE), None, None)
            .any(|q| q.is_ok_and(|q| q.graph_name != GraphName::NamedNode(graph.clone())))
    };

    let mut links: Vec<Link> = Vec::new();
    for (subject, qids) in &curated {
        for qid in qids {
            // No date: a build must give the same graph whenever it runs (canonical exports
            // of two builds are identical); the lexicon's source column is the evidence.
            links.push(Link {
                subject: subject.clone(),
                qid: qid.clone(),
                justification: Justification::Curated,
                confidence: 1.0,
                date: String::new(),
                source: Some("lexicon/gazetteer.tsv".into()),
                subject_label: label(subject),
                object_label: None,
                comment: Some("verified QID of the lexicon (see its source column)".into()),
                rejected: false,
            });
        }
    }
    let rejected: BTreeSet<(&str, &str)> = previous
        .iter()
        .chain(new.iter())
        .filter(|l| l.rejected)
        .map(|l| (l.subject.as_str(), l.qid.as_str()))
        .collect();
    let is_rejected =
        |l: &Link| !l.rejected && rejected.contains(&(l.subject.as_str(), l.qid.as_str()));
    let replaced: BTreeSet<&str> = new
        .iter()
        .filter(|l| !l.rejected)
        .map(|l| l.subject.as_str())
        .collect();
    for l in previous
        .iter()
        .filter(|l| l.justification == Justification::Endpoint || l.rejected)
    {
        let kept = if l.rejected {
            !new.iter()
                .any(|n| n.rejected && n.subject == l.subject && n.qid == l.qid)
        } else {
            !curated.contains_key(&l.subject) && !replaced.contains(l.subject.as_str())
        };
        if kept && !is_rejected(l) && exists(&l.subject) {
            links.push(l.clone());
        }
    }
    for l in &new {
        if (l.rejected || !curated.contains_key(&l.subject)) && is_qid(&l.qid) && !is_rejected(l) {
            links.push(l.clone());
        }
    }
    links.sort_by(|a, b| (a.subject.as_str(), &a.qid).cmp(&(b.subject.as_str(), &b.qid)));
    links.dedup_by(|a, b| a.subject == b.subject && a.qid == b.qid);

    let quads = quads(&links, v);
    let mut text: Vec<String> = quads.iter().map(|q| q.to_string()).collect();
    text.sort();
    let hash = content_hash([text.join("\n").as_bytes()]);
    store.put_graph(LINKS_KEY, graph.as_ref(), &hash, &quads)
}

/// The quads of the links graph.
pub fn quads(links: &[Link], v: &Vocabulary) -> Vec<Quad> {
    let graph = GraphName::NamedNode(links_graph(v));
    let mut out = Vec::new();
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
        out.push(Quad::new(s.clone(), p, o, graph.clone()));
    };
    let tool = Literal::new_simple_literal(format!("newskg {}", env!("CARGO_PKG_VERSION")));
    for l in links {
        let node = l.node(v);
        let object = l.object();
        if l.rejected {
            add(
                &node,
                sssom("predicate_modifier"),
                Literal::new_simple_literal("Not").into(),
            );
        } else {
            add(&l.subject, owl("sameAs"), object.clone().into());
        }
        add(&node, rdf::TYPE.into_owned(), owl("Axiom").into());
        add(&node, owl("annotatedSource"), l.subject.clone().into());
        add(&node, owl("annotatedProperty"), owl("sameAs").into());
        add(&node, owl("annotatedTarget"), object.into());
        add(
            &node,
            sssom("mapping_justification"),
            l.justification.iri().into(),
        );
        add(
            &node,
            sssom("confidence"),
            Literal::new_typed_literal(format!("{}", l.confidence), xsd::DOUBLE).into(),
        );
        add(&node, sssom("mapping_tool"), tool.clone().into());
        if !l.date.is_empty() {
            add(
                &node,
                prov("generatedAtTime"),
                Literal::new_typed_literal(l.date.clone(), xsd::DATE_TIME).into(),
            );
        }
        if let Some(s) = &l.subject_label {
            add(
                &node,
                sssom("subject_label"),
                Literal::new_simple_literal(s).into(),
            );
        }
        if let Some(o) = &l.object_label {
            add(
                &node,
                sssom("object_label"),
                Literal::new_simple_literal(o).into(),
            );
        }
        if let Some(c) = &l.comment {
            add(
                &node,
                rdfs::COMMENT.into_owned(),
                Literal::new_simple_literal(c).into(),
            );
        }
        match l.source.as_deref().map(NamedNode::new) {
            Some(Ok(iri)) if l.justification == Justification::Endpoint => {
                add(&node, dcterms("source"), iri.into())
            }
            Some(_) => add(
                &node,
                dcterms("source"),
                Literal::new_simple_literal(l.source.clone().unwrap_or_default()).into(),
            ),
            None => {}
        }
    }
    out
}

/// The links as an SSSOM TSV mapping table: a `#` metadata block (curie map), then one row per
/// link, CURIEs where a prefix fits.
pub fn write_tsv(
    links: &[Link],
    prefixes: &[(String, String)],
    mut out: impl Write,
) -> io::Result<()> {
    let mut curie_map: Vec<(String, String)> = vec![
        ("owl".into(), OWL.into()),
        ("semapv".into(), SEMAPV.into()),
        ("wd".into(), WIKIDATA.into()),
    ];
    for (p, ns) in prefixes {
        if links
            .iter()
            .any(|l| l.subject.as_str().starts_with(ns.as_str()))
            && !curie_map.iter().any(|(q, _)| q == p)
        {
            curie_map.push((p.clone(), ns.clone()));
        }
    }
    // The longest namespace that fits gives the CURIE (person: before nkgd:).
    curie_map.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let curie = |iri: &str| -> String {
        for (p, ns) in &curie_map {
            if let Some(local) = iri.strip_prefix(ns.as_str()) {
                if !local.is_empty() && !local.contains(['/', '#', '\t']) {
                    return format!("{p}:{local}");
                }
            }
        }
        iri.to_owned()
    };
    writeln!(out, "#mapping_set_id: newskg-links")?;
    writeln!(out, "#mapping_tool: newskg {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "#curie_map:")?;
    let mut sorted = curie_map.clone();
    sorted.sort();
    for (p, ns) in &sorted {
        writeln!(out, "#  {p}: {ns}")?;
    }
    writeln!(
        out,
        "subject_id\tsubject_label\tpredicate_id\tpredicate_modifier\tobject_id\tobject_label\tmapping_justification\tconfidence\tmapping_date\tmapping_provider\tcomment"
    )?;
    let clean = |s: Option<&str>| s.unwrap_or_default().replace(['\t', '\n', '\r'], " ");
    for l in links {
        writeln!(
            out,
            "{}\t{}\towl:sameAs\t{}\twd:{}\t{}\t{}\t{}\t{}\t{}\t{}",
            curie(l.subject.as_str()),
            clean(l.subject_label.as_deref()),
            if l.rejected { "Not" } else { "" },
            l.qid,
            clean(l.object_label.as_deref()),
            l.justification.curie(),
            l.confidence,
            l.date,
            clean(l.source.as_deref()),
            clean(l.comment.as_deref()),
        )?;
    }
    Ok(())
}

/// The link `newskg link` makes for a decision.
pub fn endpoint_link(
    subject: NamedNodeRef<'_>,
    subject_label: &str,
    candidate: &super::Candidate,
    endpoint: &str,
    date: &str,
) -> Link {
    Link {
        subject: subject.into_owned(),
        qid: candidate.qid.clone(),
        justification: Justification::Endpoint,
        confidence: candidate.score,
        date: date.to_owned(),
        source: Some(endpoint.to_owned()),
        subject_label: Some(subject_label.to_owned()),
        object_label: candidate.label.clone(),
        comment: Some(candidate.why.clone()),
        rejected: false,
    }
}

/// Turns the endpoint links of `subject` into rejections (a user's decision, dated now).
/// Returns how many; call [`refresh`] with them.
pub fn rejections(
    store: &Store,
    v: &Vocabulary,
    subject: &NamedNode,
) -> Result<Vec<Link>, StoreError> {
    let date = now();
    Ok(read_links(store, v)?
        .into_iter()
        .filter(|l| {
            &l.subject == subject && l.justification == Justification::Endpoint && !l.rejected
        })
        .map(|l| Link {
            justification: Justification::Curated,
            confidence: 1.0,
            date: date.clone(),
            comment: Some(format!(
                "rejected by a user; it was proposed by {} ({})",
                l.source.as_deref().unwrap_or("an endpoint"),
                l.comment.as_deref().unwrap_or_default()
            )),
            rejected: true,
            ..l
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::GraphName;

    const BASE: &str = "https://example.org/id/";

    fn node(s: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{BASE}{s}"))
    }

    /// An article graph in which `entity` is a place, with a curated QID when given.
    fn article(store: &mut Store, id: &str, entity: &str, qid: Option<&str>) {
        let g = node(&format!("graph/{id}"));
        let gn = GraphName::NamedNode(g.clone());
        let mut quads = vec![Quad::new(
            node(entity),
            rdf::TYPE.into_owned(),
            NamedNode::new_unchecked("https://w3id.org/newskg/ontology#Place"),
            gn.clone(),
        )];
        if let Some(q) = qid {
            quads.push(Quad::new(
                node(entity),
                owl("sameAs"),
                NamedNode::new_unchecked(format!("{WIKIDATA}{q}")),
                gn,
            ));
        }
        store
            .put_graph(id, g.as_ref(), &format!("{quads:?}"), &quads)
            .unwrap();
    }

    fn found(entity: &str, qid: &str) -> Link {
        Link {
            subject: node(entity),
            qid: qid.into(),
            justification: Justification::Endpoint,
            confidence: 0.8,
            date: "2026-01-01T00:00:00Z".into(),
            source: Some("http://127.0.0.1:7878/query".into()),
            subject_label: None,
            object_label: None,
            comment: Some("name 1.00".into()),
            rejected: false,
        }
    }

    #[test]
    fn curated_identities_win_and_links_of_vanished_entities_go() {
        // «بغداد» curated in the lexicon; «البصرة» found at an endpoint.
        let v = Vocabulary::new(BASE).unwrap();
        let mut store = Store::in_memory(BASE).unwrap();
        article(&mut store, "a1", "place/بغداد", Some("Q1530"));
        article(&mut store, "a2", "place/البصره", None);
        refresh(
            &mut store,
            &v,
            vec![
                found("place/البصره", "Q900000050"),
                found("place/بغداد", "Q900000051"),
            ],
        )
        .unwrap();
        let pairs = |store: &Store| -> Vec<(String, String, Justification)> {
            read_links(store, &v)
                .unwrap()
                .into_iter()
                .map(|l| {
                    (
                        l.subject.as_str().trim_start_matches(BASE).to_owned(),
                        l.qid,
                        l.justification,
                    )
                })
                .collect()
        };
        assert_eq!(
            pairs(&store),
            vec![
                (
                    "place/البصره".to_owned(),
                    "Q900000050".to_owned(),
                    Justification::Endpoint
                ),
                (
                    "place/بغداد".to_owned(),
                    "Q1530".to_owned(),
                    Justification::Curated
                ),
            ]
        );
        // A build that no longer has «البصرة» drops its link.
        article(&mut store, "a2", "place/الموصل", None);
        refresh(&mut store, &v, Vec::new()).unwrap();
        assert_eq!(
            pairs(&store),
            vec![(
                "place/بغداد".to_owned(),
                "Q1530".to_owned(),
                Justification::Curated
            )]
        );
    }

    #[test]
    fn the_same_links_give_the_same_graph() {
        let v = Vocabulary::new(BASE).unwrap();
        let mut store = Store::in_memory(BASE).unwrap();
        article(&mut store, "a1", "place/بغداد", Some("Q1530"));
        assert_eq!(refresh(&mut store, &v, Vec::new()).unwrap(), Change::Added);
        assert_eq!(
            refresh(&mut store, &v, Vec::new()).unwrap(),
            Change::Unchanged
        );
    }
}
