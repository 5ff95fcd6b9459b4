//! From an [`Extraction`] to RDF quads under the newskg ontology (`ontology/newskg.ttl`).
//!
//! Input: one extraction and a [`Vocabulary`] (the base IRI of the data). Output: the quads of
//! one named graph per article, `<base>graph/<article id>`, so that a changed article is replaced
//! by swapping one graph. [`map`] is a pure function: no I/O, no clock, no blank nodes, and the
//! same extraction always gives the same quads in the same order.
//!
//! IRI scheme (documented in `docs/ONTOLOGY.md`):
//! - entities `<base><type>/<name>`, the canonical Arabic name folded with
//!   [`arabic::normalize`](crate::arabic::normalize), spaces as `_`: the same person in two
//!   articles is the same node (`<base>person/حيدر_جواد_البهادلي`);
//! - the article `<base>article/<id>`, its graph `<base>graph/<id>`, its extraction run
//!   `<base>run/<id>`;
//! - per-article records `<base>statement/<id>/<local id>`, `event/…`, `claim/…`,
//!   `role/<id>/r<n>`, `mention/<id>/<entity local id>` and its occurrences
//!   `mention/<id>/<entity local id>/<start>-<end>`.
//!
//! Path segments keep Arabic letters as they are (IRIs allow them) and percent-encode only what
//! an IRI forbids or what would change the path (`/ ? # % _` in names, spaces in ids, controls,
//! bidi marks), so hostile ids cannot escape their segment.
//!
//! The mapper trusts its input: call [`Extraction::validate`] first. A reference to an unknown
//! local id is skipped, never an error, because [`map`] cannot fail.

use crate::arabic;
use crate::dates::{self, DateValue};
use crate::model::{EntityKind, Extraction, Resolution, Span, TimeExpression};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::{BTreeMap, HashSet};

/// The project ontology namespace.
pub const NKG: &str = "https://w3id.org/newskg/ontology#";
/// Topic concepts (`topic:withdrawal`).
pub const TOPIC: &str = "https://w3id.org/newskg/topic/";
/// Event type concepts (`etype:air-strike`).
pub const EVENT_TYPE: &str = "https://w3id.org/newskg/event-type/";
/// Stance individuals (`stance:opposes`).
pub const STANCE: &str = "https://w3id.org/newskg/stance/";
/// Venue individuals (`venue:press-conference`).
pub const VENUE: &str = "https://w3id.org/newskg/venue/";
/// How a date was resolved (`dateres:publication`).
pub const DATE_RESOLUTION: &str = "https://w3id.org/newskg/resolution/";
pub const SCHEMA: &str = "http://schema.org/";
pub const PROV: &str = "http://www.w3.org/ns/prov#";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
pub const WIKIDATA: &str = "http://www.wikidata.org/entity/";
/// The default base IRI of the data.
pub const DEFAULT_BASE: &str = "https://w3id.org/newskg/id/";
/// The named graph the ontology and its concept schemes are loaded into.
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/newskg/ontology";
/// The ontology, embedded at build time.
pub const ONTOLOGY_TTL: &str = include_str!("../ontology/newskg.ttl");
/// The SHACL shapes for mapped data, embedded at build time.
pub const SHAPES_TTL: &str = include_str!("../ontology/shapes.ttl");

/// Why a vocabulary could not be built or the ontology could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("base IRI {base:?} is not an absolute IRI: {message}")]
    InvalidBase { base: String, message: String },
    #[error("base IRI {base:?} must end with '/' or '#' so that names can be appended to it")]
    BaseEnd { base: String },
    #[error("{file}: {message}")]
    Ontology { file: &'static str, message: String },
}

/// The IRIs of the data: where entities, articles and statements live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    base: String,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            base: DEFAULT_BASE.to_owned(),
        }
    }
}

/// The kinds of record that get an IRI `<base><kind>/…`, for [`Vocabulary::prefixes`].
const DATA_KINDS: &[(&str, &str)] = &[
    ("person", "person/"),
    ("organization", "organization/"),
    ("place", "place/"),
    ("article", "article/"),
    ("graph", "graph/"),
    ("publisher", "publisher/"),
];

impl Vocabulary {
    /// A vocabulary for data under `base`, an absolute IRI ending with `/` or `#`.
    pub fn new(base: &str) -> Result<Self, MapError> {
        NamedNode::new(base).map_err(|e| MapError::InvalidBase {
            base: base.to_owned(),
            message: e.to_string(),
        })?;
        if !(base.ends_with('/') || base.ends_with('#')) {
            return Err(MapError::BaseEnd {
                base: base.to_owned(),
            });
        }
        Ok(Vocabulary {
            base: base.to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `<base><path segments…>`, each segment already encoded.
    fn node(&self, segments: &[&str]) -> NamedNode {
        let mut iri = self.base.clone();
        for (i, s) in segments.iter().enumerate() {
            if i > 0 {
                iri.push('/');
            }
            iri.push_str(s);
        }
        // The base was checked and every segment is encoded, so the IRI is valid.
        NamedNode::new_unchecked(iri)
    }

    /// The IRI of an entity: its type and canonical Arabic name, folded.
    pub fn entity(&self, kind: EntityKind, name_ar: &str) -> NamedNode {
        self.node(&[kind.as_str(), &name_segment(name_ar)])
    }

    /// The IRI of an unnamed source («مسؤول أميركي»): its description means nothing beyond its
    /// article, so the article is part of its identity.
    pub fn unnamed_entity(&self, article: &str, kind: EntityKind, name_ar: &str) -> NamedNode {
        self.node(&[
            kind.as_str(),
            "unnamed",
            &iri_segment(article),
            &name_segment(name_ar),
        ])
    }

    /// The IRI of an extracted entity of article `article`.
    pub fn entity_of(&self, article: &str, e: &crate::model::Entity) -> NamedNode {
        if e.unnamed {
            self.unnamed_entity(article, e.kind, &e.name_ar)
        } else {
            self.entity(e.kind, &e.name_ar)
        }
    }

    pub fn article(&self, id: &str) -> NamedNode {
        self.node(&["article", &iri_segment(id)])
    }

    /// The named graph holding everything mapped from one article.
    pub fn article_graph(&self, id: &str) -> NamedNode {
        self.node(&["graph", &iri_segment(id)])
    }

    /// The extraction run (a `prov:Activity`) that produced an article's graph.
    pub fn run(&self, article: &str) -> NamedNode {
        self.node(&["run", &iri_segment(article)])
    }

    pub fn statement(&self, article: &str, local: &str) -> NamedNode {
        self.node(&["statement", &iri_segment(article), &iri_segment(local)])
    }

    pub fn event(&self, article: &str, local: &str) -> NamedNode {
        self.node(&["event", &iri_segment(article), &iri_segment(local)])
    }

    pub fn claim(&self, article: &str, local: &str) -> NamedNode {
        self.node(&["claim", &iri_segment(article), &iri_segment(local)])
    }

    /// The `index`-th role (from 0) of an article; roles have no local id.
    pub fn role(&self, article: &str, index: usize) -> NamedNode {
        self.node(&["role", &iri_segment(article), &format!("r{}", index + 1)])
    }

    /// That an article mentions an entity (its local id in the extraction).
    pub fn mention(&self, article: &str, entity: &str) -> NamedNode {
        self.node(&["mention", &iri_segment(article), &iri_segment(entity)])
    }

    fn occurrence(&self, article: &str, entity: &str, span: &Span) -> NamedNode {
        let range = format!("{}-{}", span.start, span.end);
        self.node(&[
            "mention",
            &iri_segment(article),
            &iri_segment(entity),
            &range,
        ])
    }

    fn publisher(&self, name: &str) -> NamedNode {
        self.node(&["publisher", &name_segment(name)])
    }

    fn agent(&self, generator: &str) -> NamedNode {
        self.node(&["agent", &name_segment(generator)])
    }

    /// Prefix → namespace pairs for Turtle output: the vocabularies of [`prefixes`] and the data
    /// namespaces under this base.
    pub fn prefixes(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = VOCABULARY_PREFIXES
            .iter()
            .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
            .collect();
        out.push(("nkgd".to_owned(), self.base.clone()));
        for (prefix, path) in DATA_KINDS {
            out.push(((*prefix).to_owned(), format!("{}{path}", self.base)));
        }
        out
    }
}

/// Vocabulary namespaces, independent of the data base IRI.
const VOCABULARY_PREFIXES: &[(&str, &str)] = &[
    ("nkg", NKG),
    ("topic", TOPIC),
    ("etype", EVENT_TYPE),
    ("stance", STANCE),
    ("venue", VENUE),
    ("dateres", DATE_RESOLUTION),
    ("schema", SCHEMA),
    ("prov", PROV),
    ("skos", SKOS),
    ("owl", OWL),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("wd", WIKIDATA),
];

/// Prefix → namespace pairs for Turtle export with the default base: the vocabularies
/// (nkg, topic, etype, stance, venue, dateres, schema, prov, skos, owl, rdf, rdfs, xsd, dcterms,
/// wd) and the data namespaces (nkgd, person, organization, place, article, graph, publisher).
/// With another base, use [`Vocabulary::prefixes`].
pub fn prefixes() -> &'static [(&'static str, &'static str)] {
    &[
        ("nkg", NKG),
        ("topic", TOPIC),
        ("etype", EVENT_TYPE),
        ("stance", STANCE),
        ("venue", VENUE),
        ("dateres", DATE_RESOLUTION),
        ("schema", SCHEMA),
        ("prov", PROV),
        ("skos", SKOS),
        ("owl", OWL),
        ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("wd", WIKIDATA),
        ("nkgd", DEFAULT_BASE),
        ("person", "https://w3id.org/newskg/id/person/"),
        ("organization", "https://w3id.org/newskg/id/organization/"),
        ("place", "https://w3id.org/newskg/id/place/"),
        ("article", "https://w3id.org/newskg/id/article/"),
        ("graph", "https://w3id.org/newskg/id/graph/"),
        ("publisher", "https://w3id.org/newskg/id/publisher/"),
    ]
}

/// The ontology and its concept schemes, as quads in the graph [`ONTOLOGY_GRAPH`].
pub fn ontology_quads() -> Result<Vec<Quad>, MapError> {
    let graph = NamedNode::new_unchecked(ONTOLOGY_GRAPH);
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(graph)
        .for_slice(ONTOLOGY_TTL)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| MapError::Ontology {
            file: "ontology/newskg.ttl",
            message: e.to_string(),
        })
}

/// The IRI of the ontology graph.
pub fn ontology_graph() -> NamedNode {
    NamedNode::new_unchecked(ONTOLOGY_GRAPH)
}

/// A concept of one of the controlled vocabularies: `namespace` + local name. A local name that
/// is not kebab-case is percent-encoded rather than refused, so that the mapper never fails.
pub fn concept(namespace: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{namespace}{}", iri_segment(local)))
}

/// Whether `s` is a well-formed local name of our vocabularies: lower-case ASCII letters and
/// digits in hyphen-separated words (`withdrawal`, `coalition-mission`, `air-strike`).
pub fn is_local_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A path segment from an entity or publisher name: folded with [`arabic::normalize`] so that
/// spelling variants meet, spaces as `_` (a literal `_` is encoded, so no two names collide).
pub fn name_segment(name: &str) -> String {
    let folded = arabic::normalize(name);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            ' ' => out.push('_'),
            '_' => out.push_str("%5F"),
            c => push_iri_char(&mut out, c),
        }
    }
    finish_segment(out)
}

/// A path segment from an id, as it is: only what an IRI forbids or what would change the path
/// is percent-encoded (`/`, `?`, `#`, `%`, spaces, quotes, brackets, controls, bidi marks).
pub fn iri_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        push_iri_char(&mut out, c);
    }
    finish_segment(out)
}

/// `.` and `..` would be removed by IRI resolution, and an empty segment would merge two paths.
fn finish_segment(s: String) -> String {
    match s.as_str() {
        "" => "%20".to_owned(),
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => s,
    }
}

fn push_iri_char(out: &mut String, c: char) {
    let allowed = match c {
        'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' => true,
        // sub-delims, ':' and '@' are allowed in a path segment.
        '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' | ':' | '@' => true,
        c if c.is_ascii() => false,
        c => is_ucschar(c) && !is_format_or_space(c),
    };
    if allowed {
        out.push(c);
    } else {
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// RFC 3987 `ucschar`: the non-ASCII characters an IRI may carry unencoded.
fn is_ucschar(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF)
        || ((0x10000..=0xDFFFD).contains(&u) && (u & 0xFFFF) <= 0xFFFD)
        || (0xE1000..=0xEFFFD).contains(&u)
}

/// Bidi controls, zero-width and space characters: allowed by the IRI grammar in places but
/// invisible or misleading, so always encoded (RFC 3987 §4.1).
fn is_format_or_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn nkg(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{NKG}{local}"))
}

fn schema(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SCHEMA}{local}"))
}

fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{PROV}{local}"))
}

fn skos(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{local}"))
}

fn typed(value: impl Into<String>, datatype: oxigraph::model::NamedNodeRef<'_>) -> Literal {
    Literal::new_typed_literal(value, datatype)
}

fn integer(n: usize) -> Literal {
    typed(n.to_string(), xsd::INTEGER)
}

/// A typed literal of the date's precision: `xsd:date`, `xsd:gYearMonth` or `xsd:gYear`.
pub fn date_literal(d: DateValue) -> Literal {
    let datatype = match d {
        DateValue::Day(_) => xsd::DATE,
        DateValue::Month(..) => xsd::G_YEAR_MONTH,
        DateValue::Year(_) => xsd::G_YEAR,
    };
    typed(d.iso(), datatype)
}

/// A number as an `xsd:decimal` lexical form (Rust never prints `f64` with an exponent).
fn decimal(value: f64) -> Option<Literal> {
    value
        .is_finite()
        .then(|| typed(format!("{value}"), xsd::DECIMAL))
}

/// The quads of one graph, without duplicates, in the order they were added.
struct GraphWriter {
    graph: GraphName,
    quads: Vec<Quad>,
    seen: HashSet<Quad>,
}

impl GraphWriter {
    fn add(&mut self, subject: &NamedNode, predicate: NamedNode, object: impl Into<Term>) {
        let quad = Quad::new(
            NamedOrBlankNode::from(subject.clone()),
            predicate,
            object.into(),
            self.graph.clone(),
        );
        if self.seen.insert(quad.clone()) {
            self.quads.push(quad);
        }
    }
}

/// Maps one article's extraction to the quads of its named graph,
/// [`Vocabulary::article_graph`].
pub fn map(x: &Extraction, v: &Vocabulary) -> Vec<Quad> {
    Mapper::new(x, v).run()
}

struct Mapper<'a> {
    x: &'a Extraction,
    v: &'a Vocabulary,
    out: GraphWriter,
    article: NamedNode,
    run: NamedNode,
    /// Entity local id → IRI.
    entities: BTreeMap<&'a str, NamedNode>,
    lang: Option<String>,
}

impl<'a> Mapper<'a> {
    fn new(x: &'a Extraction, v: &'a Vocabulary) -> Self {
        let id = x.article.id.as_str();
        let entities = x
            .entities
            .iter()
            .map(|e| (e.id.as_str(), v.entity_of(id, e)))
            .collect();
        let lang = Literal::new_language_tagged_literal("", x.article.language.as_str())
            .ok()
            .and_then(|l| l.language().map(str::to_owned));
        Mapper {
            x,
            v,
            out: GraphWriter {
                graph: GraphName::NamedNode(v.article_graph(id)),
                quads: Vec::new(),
                seen: HashSet::new(),
            },
            article: v.article(id),
            run: v.run(id),
            entities,
            lang,
        }
    }

    /// Text in the article's language; a plain string if its tag is not valid BCP 47.
    fn text(&self, s: &str) -> Literal {
        match &self.lang {
            Some(lang) => Literal::new_language_tagged_literal_unchecked(s, lang.as_str()),
            None => Literal::new_simple_literal(s),
        }
    }

    fn entity(&self, id: Option<&str>) -> Option<NamedNode> {
        id.and_then(|id| self.entities.get(id).cloned())
    }

    fn run(mut self) -> Vec<Quad> {
        self.article_node();
        self.entity_nodes();
        self.statements();
        self.events();
        self.roles();
        self.claims();
        self.out.quads
    }

    fn article_node(&mut self) {
        let a = &self.x.article;
        let node = self.article.clone();
        let out = &mut self.out;
        out.add(&node, rdf::TYPE.into_owned(), schema("NewsArticle"));
        out.add(&node, rdf::TYPE.into_owned(), nkg("Article"));
        out.add(
            &node,
            schema("identifier"),
            Literal::new_simple_literal(&a.id),
        );
        out.add(
            &node,
            schema("inLanguage"),
            Literal::new_simple_literal(&a.language),
        );
        if let Some(url) = &a.url {
            match NamedNode::new(url.trim()) {
                Ok(iri) => out.add(&node, schema("url"), iri),
                Err(_) => out.add(&node, schema("url"), typed(url.as_str(), xsd::ANY_URI)),
            }
        }
        if let Some(d) = a.published.as_deref().and_then(dates::parse_published) {
            out.add(
                &node,
                schema("datePublished"),
                date_literal(DateValue::Day(d)),
            );
        }
        if let Some(title) = &a.title {
            let title = self.text(title);
            self.out.add(&node, schema("headline"), title);
        }
        let out = &mut self.out;
        if let Some(publisher) = a.publisher.as_deref().filter(|p| !p.trim().is_empty()) {
            let p = self.v.publisher(publisher);
            out.add(&node, schema("publisher"), p.clone());
            out.add(&p, rdf::TYPE.into_owned(), schema("Organization"));
            out.add(
                &p,
                schema("name"),
                Literal::new_simple_literal(publisher.trim()),
            );
        }
        if let Some(parent) = &a.parent {
            out.add(&node, nkg("parentArticle"), self.v.article(parent));
        }
        // Provenance: the article's description was generated by this extraction run, which
        // used the article and was carried out by the extractor.
        let run = self.run.clone();
        out.add(&node, prov("wasGeneratedBy"), run.clone());
        out.add(&run, rdf::TYPE.into_owned(), nkg("ExtractionRun"));
        out.add(&run, rdf::TYPE.into_owned(), prov("Activity"));
        out.add(&run, prov("used"), node.clone());
        if let Some(generator) = self.x.generator.as_deref().filter(|g| !g.trim().is_empty()) {
            let agent = self.v.agent(generator);
            out.add(&run, prov("wasAssociatedWith"), agent.clone());
            out.add(&agent, rdf::TYPE.into_owned(), nkg("Extractor"));
            out.add(&agent, rdf::TYPE.into_owned(), prov("SoftwareAgent"));
            out.add(
                &agent,
                rdfs::LABEL.into_owned(),
                Literal::new_simple_literal(generator.trim()),
            );
        }
    }

    /// Common provenance of every extracted record.
    fn provenance(&mut self, node: &NamedNode, local_id: &str) {
        let article = self.article.clone();
        let run = self.run.clone();
        self.out.add(node, nkg("sourceArticle"), article.clone());
        self.out.add(node, prov("wasDerivedFrom"), article);
        self.out.add(node, prov("wasGeneratedBy"), run);
        self.out
            .add(node, nkg("localId"), Literal::new_simple_literal(local_id));
    }

    fn offsets(&mut self, node: &NamedNode, span: &Span) {
        self.out.add(node, nkg("start"), integer(span.start));
        self.out.add(node, nkg("end"), integer(span.end));
    }

    fn entity_nodes(&mut self) {
        let aid = self.x.article.id.as_str();
        for e in &self.x.entities {
            let node = self.v.entity_of(aid, e);
            let (class, schema_class) = match e.kind {
                EntityKind::Person => ("Person", "Person"),
                EntityKind::Organization => ("Organization", "Organization"),
                EntityKind::Place => ("Place", "Place"),
            };
            let name_ar = e.name_ar.trim();
            let out = &mut self.out;
            out.add(&node, rdf::TYPE.into_owned(), nkg(class));
            out.add(&node, rdf::TYPE.into_owned(), schema(schema_class));
            if e.unnamed {
                out.add(&node, rdf::TYPE.into_owned(), nkg("UnnamedSource"));
            }
            let ar = Literal::new_language_tagged_literal_unchecked(name_ar, "ar");
            out.add(&node, rdfs::LABEL.into_owned(), ar.clone());
            out.add(&node, schema("name"), ar);
            let mut keys = vec![arabic::normalize(name_ar)];
            if let Some(en) = e
                .name_en
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let en_lit = Literal::new_language_tagged_literal_unchecked(en, "en");
                out.add(&node, rdfs::LABEL.into_owned(), en_lit.clone());
                out.add(&node, schema("name"), en_lit);
                keys.push(arabic::normalize(en));
            }
            for alias in e.aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
                out.add(
                    &node,
                    skos("altLabel"),
                    Literal::new_language_tagged_literal_unchecked(alias, "ar"),
                );
                keys.push(arabic::normalize(alias));
            }
            for key in keys.iter().filter(|k| !k.is_empty()) {
                out.add(&node, nkg("matchKey"), Literal::new_simple_literal(key));
            }
            if let Some(q) = e.ids.get("wikidata").map(|q| q.trim()) {
                if is_qid(q) {
                    out.add(
                        &node,
                        NamedNode::new_unchecked(format!("{OWL}sameAs")),
                        NamedNode::new_unchecked(format!("{WIKIDATA}{q}")),
                    );
                }
            }

            let mention = self.v.mention(aid, &e.id);
            self.out
                .add(&mention, rdf::TYPE.into_owned(), nkg("EntityMention"));
            self.out.add(&mention, nkg("entity"), node.clone());
            self.provenance(&mention, &e.id);
            self.out
                .add(&mention, nkg("mentionCount"), integer(e.mentions.len()));
            for span in &e.mentions {
                let occurrence = self.v.occurrence(aid, &e.id, span);
                self.out
                    .add(&mention, nkg("occurrence"), occurrence.clone());
                self.out
                    .add(&occurrence, rdf::TYPE.into_owned(), nkg("Span"));
                self.offsets(&occurrence, span);
                let text = self.text(&span.text);
                self.out.add(&occurrence, nkg("text"), text);
            }
        }
    }

    /// Date, original text and resolution of a statement or event.
    fn time(&mut self, node: &NamedNode, time: Option<&TimeExpression>) {
        let Some(t) = time else { return };
        if let Some(d) = t.value.as_deref().and_then(dates::parse_iso) {
            self.out.add(node, nkg("date"), date_literal(d));
        }
        if let Some(span) = &t.span {
            let text = self.text(&span.text);
            self.out.add(node, nkg("dateText"), text);
        }
        let resolution = match t.resolution {
            Resolution::Explicit => "explicit",
            Resolution::Publication => "publication",
            Resolution::Narrative => "narrative",
            Resolution::Unresolved => "unresolved",
        };
        self.out.add(
            node,
            nkg("dateResolution"),
            concept(DATE_RESOLUTION, resolution),
        );
    }

    fn topics(&mut self, node: &NamedNode, topics: &[String]) {
        for t in topics.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            self.out.add(node, nkg("topic"), concept(TOPIC, t));
        }
    }

    fn link(&mut self, node: &NamedNode, predicate: &str, entity: Option<&str>) {
        if let Some(e) = self.entity(entity) {
            self.out.add(node, nkg(predicate), e);
        }
    }

    fn statements(&mut self) {
        let aid = self.x.article.id.as_str();
        for s in &self.x.statements {
            let node = self.v.statement(aid, &s.id);
            self.out
                .add(&node, rdf::TYPE.into_owned(), nkg("Statement"));
            self.provenance(&node, &s.id);
            self.link(&node, "speaker", s.speaker.as_deref());
            let content = self.text(&s.content.text);
            self.out.add(&node, nkg("content"), content);
            self.offsets(&node, &s.content);
            let verb = self.text(&s.verb.text);
            self.out.add(&node, nkg("speechVerb"), verb);
            self.out.add(&node, nkg("direct"), Literal::from(s.direct));
            self.time(&node, self.x.time(s.time.as_deref()));
            self.topics(&node, &s.topics);
            if let Some(stance) = s.stance {
                self.out
                    .add(&node, nkg("stance"), concept(STANCE, stance.as_str()));
            }
            self.link(&node, "via", s.via.as_deref());
            if let Some(venue) = s.venue.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                self.out.add(&node, nkg("venue"), concept(VENUE, venue));
            }
            self.link(&node, "addressee", s.addressee.as_deref());
        }
    }

    fn events(&mut self) {
        let aid = self.x.article.id.as_str();
        for ev in &self.x.events {
            let node = self.v.event(aid, &ev.id);
            self.out.add(&node, rdf::TYPE.into_owned(), nkg("Event"));
            self.out.add(&node, rdf::TYPE.into_owned(), schema("Event"));
            self.provenance(&node, &ev.id);
            self.out
                .add(&node, nkg("eventType"), concept(EVENT_TYPE, ev.kind.trim()));
            let trigger = self.text(&ev.trigger.text);
            self.out.add(&node, nkg("trigger"), trigger);
            self.offsets(&node, &ev.trigger);
            for a in &ev.actors {
                self.link(&node, "actor", Some(a));
            }
            for t in &ev.targets {
                self.link(&node, "target", Some(t));
            }
            self.link(&node, "place", ev.place.as_deref());
            self.time(&node, self.x.time(ev.time.as_deref()));
            self.topics(&node, &ev.topics);
        }
    }

    fn roles(&mut self) {
        let aid = self.x.article.id.as_str();
        for (i, r) in self.x.roles.iter().enumerate() {
            let node = self.v.role(aid, i);
            self.out.add(&node, rdf::TYPE.into_owned(), nkg("Role"));
            self.provenance(&node, &format!("r{}", i + 1));
            self.link(&node, "holder", Some(&r.holder));
            let title = self.text(&r.title);
            self.out.add(&node, nkg("post"), title);
            if let Some(en) = r
                .title_en
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                self.out.add(
                    &node,
                    nkg("post"),
                    Literal::new_language_tagged_literal_unchecked(en, "en"),
                );
            }
            self.link(&node, "roleOf", r.of.as_deref());
            self.offsets(&node, &r.span);
        }
    }

    fn claims(&mut self) {
        let aid = self.x.article.id.as_str();
        for n in &self.x.numbers {
            let node = self.v.claim(aid, &n.id);
            self.out
                .add(&node, rdf::TYPE.into_owned(), nkg("NumericClaim"));
            self.provenance(&node, &n.id);
            if let Some(value) = decimal(n.value) {
                self.out.add(&node, nkg("value"), value);
            }
            self.out.add(
                &node,
                nkg("counts"),
                Literal::new_simple_literal(n.counts.trim()),
            );
            self.out
                .add(&node, nkg("approximate"), Literal::from(n.approximate));
            self.link(&node, "countOf", n.of.as_deref());
            self.link(&node, "place", n.place.as_deref());
            let text = self.text(&n.span.text);
            self.out.add(&node, nkg("text"), text);
            self.offsets(&node, &n.span);
        }
    }
}

/// A Wikidata item id: `Q` and digits.
fn is_qid(s: &str) -> bool {
    s.len() > 1 && s.starts_with('Q') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArticleMeta, Entity, Precision, Stance, Statement};
    use oxigraph::io::RdfSerializer;
    use std::collections::HashSet;

    /// «قال البهادلي إن القوات ستنسحب»: one speaker, one statement dated to a month.
    fn said() -> Extraction {
        let text = "قال البهادلي إن القوات ستنسحب";
        let span = |a, b| crate::model::span_of(text, a, b).unwrap();
        let mut x = Extraction::new(ArticleMeta {
            id: "t1".into(),
            published: Some("2024-01-05".into()),
            language: "ar".into(),
            text: text.into(),
            ..Default::default()
        });
        x.generator = Some("test".into());
        x.entities.push(Entity {
            id: "e1".into(),
            kind: EntityKind::Person,
            name_ar: "البهادلي".into(),
            name_en: None,
            aliases: vec![],
            mentions: vec![span(4, 12)],
            ids: BTreeMap::new(),
            unnamed: false,
        });
        x.times.push(TimeExpression {
            id: "t1".into(),
            span: None,
            value: Some("2024-01".into()),
            precision: Some(Precision::Month),
            resolution: Resolution::Publication,
        });
        x.statements.push(Statement {
            id: "s1".into(),
            speaker: Some("e1".into()),
            verb: span(0, 3),
            content: span(16, 29),
            direct: false,
            time: Some("t1".into()),
            topics: vec!["withdrawal".into()],
            stance: Some(Stance::Supports),
            via: None,
            venue: None,
            addressee: None,
        });
        x.validate().unwrap();
        x
    }

    fn trig(text: &str) -> HashSet<Quad> {
        RdfParser::from_format(RdfFormat::TriG)
            .for_slice(text)
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn an_unnamed_source_is_one_node_per_article_and_a_named_entity_one_node_in_all() {
        let v = Vocabulary::new("https://example.org/id/").unwrap();
        let mut named = said();
        let mut unnamed = said();
        unnamed.entities[0].name_ar = "مسؤول أميركي".into();
        unnamed.entities[0].unnamed = true;
        let in_a = v.entity_of(&unnamed.article.id, &unnamed.entities[0]);
        let in_b = v.entity_of("another-article", &unnamed.entities[0]);
        assert_ne!(in_a, in_b);
        assert_eq!(
            v.entity_of("a", &named.entities[0]),
            v.entity_of("b", &named.entities[0])
        );
        // The unnamed source carries its own type, which `newskg link` skips.
        let quads = map(&unnamed, &v);
        assert!(quads.iter().any(|q| q.subject == in_a.clone().into()
            && q.object == NamedNode::new_unchecked(format!("{NKG}UnnamedSource")).into()));
        named.entities[0].unnamed = false;
        assert!(!map(&named, &v)
            .iter()
            .any(|q| q.object == NamedNode::new_unchecked(format!("{NKG}UnnamedSource")).into()));
    }

    #[test]
    fn a_statement_maps_to_the_expected_graph() {
        let expected = trig(
            r#"
            @base <https://w3id.org/newskg/id/> .
            @prefix nkg: <https://w3id.org/newskg/ontology#> .
            @prefix schema: <http://schema.org/> .
            @prefix prov: <http://www.w3.org/ns/prov#> .
            @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
            @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
            <graph/t1> {
              <article/t1> a schema:NewsArticle , nkg:Article ;
                  schema:identifier "t1" ; schema:inLanguage "ar" ;
                  schema:datePublished "2024-01-05"^^xsd:date ;
                  prov:wasGeneratedBy <run/t1> .
              <run/t1> a nkg:ExtractionRun , prov:Activity ;
                  prov:used <article/t1> ; prov:wasAssociatedWith <agent/test> .
              <agent/test> a nkg:Extractor , prov:SoftwareAgent ; rdfs:label "test" .
              <person/البهادلي> a nkg:Person , schema:Person ;
                  rdfs:label "البهادلي"@ar ; schema:name "البهادلي"@ar ;
                  nkg:matchKey "البهادلي" .
              <mention/t1/e1> a nkg:EntityMention ;
                  nkg:entity <person/البهادلي> ;
                  nkg:sourceArticle <article/t1> ; prov:wasDerivedFrom <article/t1> ;
                  prov:wasGeneratedBy <run/t1> ; nkg:localId "e1" ;
                  nkg:mentionCount 1 ; nkg:occurrence <mention/t1/e1/4-12> .
              <mention/t1/e1/4-12> a nkg:Span ; nkg:start 4 ; nkg:end 12 ; nkg:text "البهادلي"@ar .
              <statement/t1/s1> a nkg:Statement ;
                  nkg:sourceArticle <article/t1> ; prov:wasDerivedFrom <article/t1> ;
                  prov:wasGeneratedBy <run/t1> ; nkg:localId "s1" ;
                  nkg:speaker <person/البهادلي> ;
                  nkg:content "القوات ستنسحب"@ar ; nkg:start 16 ; nkg:end 29 ;
                  nkg:speechVerb "قال"@ar ; nkg:direct false ;
                  nkg:date "2024-01"^^xsd:gYearMonth ;
                  nkg:dateResolution <https://w3id.org/newskg/resolution/publication> ;
                  nkg:topic <https://w3id.org/newskg/topic/withdrawal> ;
                  nkg:stance <https://w3id.org/newskg/stance/supports> .
            }
            "#,
        );
        let actual: HashSet<Quad> = map(&said(), &Vocabulary::default()).into_iter().collect();
        let missing: Vec<_> = expected.difference(&actual).collect();
        let extra: Vec<_> = actual.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing {missing:#?}\nextra {extra:#?}"
        );
    }

    #[test]
    fn mapping_is_deterministic_and_has_no_blank_nodes() {
        let v = Vocabulary::default();
        let a = map(&said(), &v);
        assert_eq!(a, map(&said(), &v));
        assert!(a
            .iter()
            .all(|q| !q.subject.is_blank_node() && !q.object.is_blank_node()));
        let graph = GraphName::NamedNode(v.article_graph("t1"));
        assert!(a.iter().all(|q| q.graph_name == graph));
    }

    #[test]
    fn the_same_person_in_two_articles_is_one_iri() {
        let v = Vocabulary::default();
        let mut first = said();
        first.entities[0].name_ar = "حيدر جواد البهادلي".into();
        let mut second = said();
        second.article.id = "t2".into();
        // Written with a shadda and a double space: the IRI folds them.
        second.entities[0].name_ar = "حيدر  جواد البهادليّ".into();
        let speaker = |x: &Extraction| {
            map(x, &v)
                .into_iter()
                .find(|q| q.predicate.as_str() == format!("{NKG}speaker"))
                .map(|q| q.object)
                .unwrap()
        };
        let iri = Term::from(NamedNode::new_unchecked(
            "https://w3id.org/newskg/id/person/حيدر_جواد_البهادلي",
        ));
        assert_eq!(speaker(&first), iri);
        assert_eq!(speaker(&second), iri);
        assert_ne!(v.article_graph("t1"), v.article_graph("t2"));
    }

    #[test]
    fn dates_are_typed_by_their_precision() {
        let v = Vocabulary::default();
        for (value, datatype) in [
            ("2024", xsd::G_YEAR),
            ("2024-01", xsd::G_YEAR_MONTH),
            ("2024-01-05", xsd::DATE),
        ] {
            let mut x = said();
            x.times[0].value = Some(value.into());
            let date = map(&x, &v)
                .into_iter()
                .find(|q| q.predicate.as_str() == format!("{NKG}date"))
                .map(|q| q.object)
                .unwrap();
            assert_eq!(
                date,
                Term::from(Literal::new_typed_literal(value, datatype))
            );
        }
        // An unresolved time keeps its resolution but has no date.
        let mut x = said();
        x.times[0].value = None;
        x.times[0].resolution = Resolution::Unresolved;
        let quads = map(&x, &v);
        assert!(!quads
            .iter()
            .any(|q| q.predicate.as_str() == format!("{NKG}date")));
        assert!(quads
            .iter()
            .any(|q| q.object == Term::from(concept(DATE_RESOLUTION, "unresolved"))));
    }

    #[test]
    fn hostile_ids_and_text_stay_inside_their_segment() {
        let hostile = "x\" } ; DROP ALL ; #/../?a=%41 <b>\u{202E}";
        let mut x = said();
        x.article.id = hostile.into();
        x.statements[0].id = hostile.into();
        x.entities[0].name_ar = format!("البهادلي {hostile}");
        x.statements[0].topics = vec!["not a/topic".into()];
        let v = Vocabulary::default();
        let quads = map(&x, &v);
        for q in &quads {
            for term in [q.subject.to_string(), q.object.to_string()] {
                if let Some(iri) = term.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
                    NamedNode::new(iri).unwrap_or_else(|e| panic!("{iri}: {e}"));
                }
            }
        }
        let article = v.article(hostile);
        let rest = &article.as_str()[DEFAULT_BASE.len() + "article/".len()..];
        assert!(
            !rest.contains(['/', '#', '?', ' ', '"', '<', '>', '\u{202E}']),
            "{rest}"
        );
        assert!(!v.statement(hostile, hostile).as_str().contains("/../"));
        // The graph survives a round trip through N-Quads unchanged.
        let mut out = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
        for q in &quads {
            out.serialize_quad(q).unwrap();
        }
        let text = out.finish().unwrap();
        let back: HashSet<Quad> = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(&text)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, quads.into_iter().collect::<HashSet<_>>());
    }

    #[test]
    fn name_segments_fold_spelling_and_encode_only_what_iris_forbid() {
        assert_eq!(name_segment("حيدر جواد البهادلي"), "حيدر_جواد_البهادلي");
        assert_eq!(name_segment("الأمم المتحدة"), "الامم_المتحده");
        assert_eq!(name_segment("a_b"), "a%5Fb");
        assert_eq!(iri_segment("000_a7ec"), "000_a7ec");
        assert_eq!(iri_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(iri_segment(".."), "%2E%2E");
        assert_eq!(iri_segment("\u{200F}x"), "%E2%80%8Fx");
    }

    #[test]
    fn the_base_iri_is_checked_and_used() {
        assert!(matches!(
            Vocabulary::new("not an iri"),
            Err(MapError::InvalidBase { .. })
        ));
        assert!(matches!(
            Vocabulary::new("https://example.org/kg"),
            Err(MapError::BaseEnd { .. })
        ));
        let v = Vocabulary::new("https://example.org/kg/").unwrap();
        assert_eq!(v.article("a").as_str(), "https://example.org/kg/article/a");
        assert_eq!(
            v.article_graph("a").as_str(),
            "https://example.org/kg/graph/a"
        );
        assert!(v.prefixes().contains(&(
            "person".to_owned(),
            "https://example.org/kg/person/".to_owned()
        )));
        assert!(map(&said(), &v).iter().all(|q| q
            .subject
            .to_string()
            .starts_with("<https://example.org/kg/")));
    }

    #[test]
    fn the_ontology_parses_into_its_graph_with_the_topic_scheme() {
        let quads = ontology_quads().unwrap();
        let graph = GraphName::NamedNode(ontology_graph());
        assert!(quads.iter().all(|q| q.graph_name == graph));
        let withdrawal = NamedOrBlankNode::from(concept(TOPIC, "withdrawal"));
        let labels: Vec<_> = quads
            .iter()
            .filter(|q| q.subject == withdrawal && q.predicate.as_str().ends_with("prefLabel"))
            .filter_map(|q| match &q.object {
                Term::Literal(l) => l.language().map(str::to_owned),
                _ => None,
            })
            .collect();
        assert!(labels.contains(&"ar".to_owned()) && labels.contains(&"en".to_owned()));
        // Every prefix the exporter may use is a valid namespace IRI.
        for (_, ns) in prefixes() {
            NamedNode::new(*ns).unwrap();
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any id or name stays one path segment of a valid IRI.
            #[test]
            fn segments_are_valid_iri_segments(s in "\\PC{0,30}|[./#?% _<>\"{}|^`\\\\]{0,8}") {
                for segment in [iri_segment(&s), name_segment(&s)] {
                    prop_assert!(!segment.is_empty());
                    prop_assert!(!segment.contains(['/', '#', '?', ' ']), "{segment}");
                    prop_assert!(segment != "." && segment != "..");
                    let iri = format!("{DEFAULT_BASE}article/{segment}");
                    prop_assert!(NamedNode::new(&iri).is_ok(), "{iri}");
                }
            }
        }
    }
}
