//! Linking our entities to Wikidata: `owl:sameAs` identities with their provenance.
//!
//! Input: the store (entities with their names, posts and the countries of those posts) and a
//! Wikidata-shaped SPARQL endpoint (the public query service, or any endpoint holding
//! Wikidata-style RDF: `wd:`/`wdt:` IRIs, `rdfs:label`/`skos:altLabel` in ar and en, P31,
//! P279, P39, P27, P17). Output: a [`LinkReport`] (one decision per entity) and the links
//! named graph `<base>graph/links` (store key `_links`, see [`graph`]).
//!
//! [`link`] works in three steps:
//! 1. candidates: every Arabic name and alias of the entities without an identity, then their
//!    English names, are looked up as labels or aliases (`VALUES` of serialized literals, a
//!    batch of them per request);
//! 2. facts: for the candidate items, labels, broad classes (P31/P279* into the classes of
//!    `lexicon/wikidata-classes.tsv`), P27, P17 and the labels of P39 positions (again
//!    batched);
//! 3. decision ([`score`]): above `min_score` and ahead of the runner-up by `margin` it links;
//!    two candidates closer than that and it abstains, naming both; otherwise nothing.
//!
//! Every answer is cached in `STORE/link-cache/` by label and by item, so a re-run asks the
//! endpoint only about what it has never seen. [`client`] makes the requests (rate limit,
//! retries, timeout, User-Agent); [`service`] lets the store's queries call allowed endpoints
//! with `SERVICE`.

pub mod client;
pub mod graph;
pub mod score;
pub mod service;

use crate::mapper::{Vocabulary, WIKIDATA};
use crate::model::EntityKind;
use crate::store::{Store, StoreError};
use client::{Endpoint, Politeness};
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::QueryResults;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The public Wikidata Query Service.
pub const WIKIDATA_ENDPOINT: &str = "https://query.wikidata.org/sparql";
const CACHE_FORMAT: &str = "newskg-link-cache/1";
/// Candidate items looked at per entity, at most.
const MAX_CANDIDATES: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("endpoint {url}: {message}")]
    Endpoint { url: String, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: corrupt link cache ({message}); delete it to ask the endpoint again")]
    Cache { path: String, message: String },
    #[error("lexicon/wikidata-classes.tsv: {0}")]
    Classes(String),
    #[error("--base: {0}")]
    Base(String),
    #[error("entity {entity:?}: {message}")]
    Entity { entity: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The flags of `newskg link` (the store directory and base IRI are global flags).
#[derive(Debug, Clone, clap::Args)]
pub struct LinkArgs {
    /// SPARQL endpoint holding Wikidata-style RDF (the public query service, or a local copy).
    #[arg(long, value_name = "URL", env = "NEWSKG_WIKIDATA_ENDPOINT", default_value = WIKIDATA_ENDPOINT)]
    pub endpoint: String,
    /// A candidate needs at least this score (0–1) to be linked.
    #[arg(long, default_value_t = 0.75, value_parser = unit_interval)]
    pub min_score: f64,
    /// The best candidate must lead the runner-up by this much, else newskg abstains.
    #[arg(long, default_value_t = 0.1, value_parser = unit_interval)]
    pub margin: f64,
    /// Report what would be linked; write no link.
    #[arg(long)]
    pub dry_run: bool,
    /// Labels or items per request.
    #[arg(long, default_value_t = 20)]
    pub batch: usize,
    /// Requests per second at most (0: no limit).
    #[arg(long, default_value_t = 2.0, value_parser = rate)]
    pub rate: f64,
    /// Retries of a request after a 5xx, 408, 429 or network error.
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// Seconds before a request times out.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Ask the endpoint again instead of reading the cache (answers are still cached).
    #[arg(long)]
    pub refresh: bool,
    /// Also list the entities for which nothing was found.
    #[arg(long, short)]
    pub verbose: bool,
}

/// A score or margin: a number from 0 to 1.
fn unit_interval(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

/// Requests per second: a number ≥ 0.
fn rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{s:?} is not a number of requests per second (0 for no limit)"
        )),
    }
}

impl LinkArgs {
    pub fn options(&self) -> LinkOptions {
        LinkOptions {
            endpoint: self.endpoint.clone(),
            min_score: self.min_score,
            margin: self.margin,
            batch: self.batch,
            politeness: Politeness {
                rate: self.rate,
                retries: self.retries,
                timeout: Duration::from_secs(self.timeout.max(1)),
            },
            refresh: self.refresh,
        }
    }
}

/// Runs `newskg link` on the store in `dir`: decides, prints one line per decision and the
/// counts to `out`, and (unless a dry run) writes the links graph.
pub fn run(
    dir: &Path,
    base: &str,
    args: &LinkArgs,
    mut out: impl Write,
) -> Result<LinkReport, LinkError> {
    let vocab = Vocabulary::new(base).map_err(|e| LinkError::Base(e.to_string()))?;
    let mut store = if args.dry_run {
        Store::open_read_only(dir, base)?
    } else {
        Store::open(dir, base)?
    };
    let report = link(&store, Some(dir), &args.options())?;
    let io_error = |source| LinkError::Io {
        path: "standard output".into(),
        source,
    };
    let date = graph::now();
    let mut new = Vec::new();
    for o in &report.outcomes {
        if let Decision::Linked(c) = &o.decision {
            new.push(graph::endpoint_link(
                o.entity.iri.as_ref(),
                o.entity.label(),
                c,
                &report.endpoint,
                &date,
            ));
        }
    }
    let shown = LinkReport {
        outcomes: report
            .outcomes
            .iter()
            .filter(|o| args.verbose || o.decision != Decision::NoCandidate)
            .cloned()
            .collect(),
        endpoint: report.endpoint.clone(),
        ..Default::default()
    };
    shown.write_details(&mut out).map_err(io_error)?;
    writeln!(
        out,
        "link {}: {} entities without identity: {} linked, {} abstained, {} below threshold, {} no candidate{}",
        report.endpoint,
        report.outcomes.len(),
        report.linked(),
        report.abstained(),
        report.below_threshold(),
        report.no_candidate(),
        if args.dry_run { " (dry run: nothing written)" } else { "" }
    )
    .map_err(io_error)?;
    writeln!(
        out,
        "requests: {} sent ({} retries), {} answers from the cache; {:.2}s, {:.1} requests/s",
        report.requests,
        report.retries,
        report.cached,
        report.elapsed.as_secs_f64(),
        report.requests_per_second()
    )
    .map_err(io_error)?;
    if !args.dry_run {
        graph::refresh(&mut store, &vocab, new)?;
        store.commit()?;
    }
    Ok(report)
}

/// The formats of `newskg links`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LinksFormat {
    /// SSSOM TSV: subject_id, subject_label, predicate_id, object_id, object_label,
    /// mapping_justification, confidence, mapping_date, mapping_provider, comment.
    Tsv,
}

/// Rejects the endpoint links of each entity IRI in `entities` for good: the links graph keeps
/// them as negative mappings (`sssom:predicate_modifier "Not"`), without `owl:sameAs`, and
/// `newskg link` never proposes the same item for the same entity again. Returns how many.
pub fn reject(dir: &Path, base: &str, entities: &[String]) -> Result<usize, LinkError> {
    let vocab = Vocabulary::new(base).map_err(|e| LinkError::Base(e.to_string()))?;
    let mut store = Store::open(dir, base)?;
    let mut all = Vec::new();
    for e in entities {
        let iri = NamedNode::new(e.trim()).map_err(|err| LinkError::Entity {
            entity: e.clone(),
            message: err.to_string(),
        })?;
        let found = graph::rejections(&store, &vocab, &iri)?;
        if found.is_empty() {
            return Err(LinkError::Entity {
                entity: e.clone(),
                message:
                    "has no link made by newskg link (curated links are changed in the lexicon)"
                        .into(),
            });
        }
        all.extend(found);
    }
    let n = all.len();
    graph::refresh(&mut store, &vocab, all)?;
    store.commit()?;
    Ok(n)
}

/// Writes the links of the store in `dir` as a mapping table.
pub fn write_links(
    dir: &Path,
    base: &str,
    _format: LinksFormat,
    out: impl Write,
) -> Result<usize, LinkError> {
    let vocab = Vocabulary::new(base).map_err(|e| LinkError::Base(e.to_string()))?;
    let store = Store::open_read_only(dir, base)?;
    let links = graph::read_links(&store, &vocab)?;
    graph::write_tsv(&links, &vocab.prefixes(), out).map_err(|source| LinkError::Io {
        path: "standard output".into(),
        source,
    })?;
    Ok(links.len())
}

/// The settings of one `newskg link` run.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    pub endpoint: String,
    /// A candidate needs at least this score to be linked.
    pub min_score: f64,
    /// The best candidate must lead the runner-up by this much, else the linker abstains.
    pub margin: f64,
    /// Labels (or items) per request.
    pub batch: usize,
    pub politeness: Politeness,
    /// Ignore the cache (answers are still written to it).
    pub refresh: bool,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            endpoint: WIKIDATA_ENDPOINT.to_owned(),
            min_score: 0.75,
            margin: 0.1,
            batch: 20,
            politeness: Politeness::default(),
            refresh: false,
        }
    }
}

/// One of our entities without a Wikidata identity, with what our graph says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub iri: NamedNode,
    pub kind: EntityKind,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    /// Arabic aliases (spellings found in the articles).
    pub aliases: Vec<String>,
    /// QIDs of the countries of its posts (persons), or of its country (places).
    pub countries: BTreeSet<String>,
    /// Posts it holds, as written (ar) and in English.
    pub posts: Vec<String>,
}

impl Entity {
    pub fn label(&self) -> &str {
        self.name_ar
            .as_deref()
            .or(self.name_en.as_deref())
            .unwrap_or(self.iri.as_str())
    }
}

/// What the endpoint says about one item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemFacts {
    /// (language, label or alias).
    pub labels: Vec<(String, String)>,
    /// The classes of the class table it is an instance of (P31/P279*).
    pub classes: BTreeSet<String>,
    /// P27 country of citizenship.
    pub citizenship: BTreeSet<String>,
    /// P17 country.
    pub country: BTreeSet<String>,
    /// Labels of P39 positions held.
    pub positions: Vec<String>,
}

impl ItemFacts {
    fn label(&self) -> Option<&str> {
        ["ar", "en"].iter().find_map(|lang| {
            self.labels
                .iter()
                .find(|(l, _)| l == lang)
                .map(|(_, t)| t.as_str())
        })
    }
}

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub qid: String,
    pub label: Option<String>,
    pub score: f64,
    pub why: String,
}

/// What the linker decided for one entity.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Linked(Candidate),
    /// The best two (or more) are too close to call.
    Abstained(Vec<Candidate>),
    /// Candidates of the right type, none good enough.
    BelowThreshold(Candidate),
    /// Nothing of the right type carries its names.
    NoCandidate,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub entity: Entity,
    pub decision: Decision,
}

/// What a link run did.
#[derive(Debug, Default)]
pub struct LinkReport {
    pub endpoint: String,
    pub outcomes: Vec<Outcome>,
    /// HTTP requests sent (retries included), and lookups answered from the cache.
    pub requests: usize,
    pub retries: usize,
    pub cached: usize,
    pub elapsed: Duration,
}

impl LinkReport {
    fn count(&self, f: impl Fn(&Decision) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(&o.decision)).count()
    }
    pub fn linked(&self) -> usize {
        self.count(|d| matches!(d, Decision::Linked(_)))
    }
    pub fn abstained(&self) -> usize {
        self.count(|d| matches!(d, Decision::Abstained(_)))
    }
    pub fn below_threshold(&self) -> usize {
        self.count(|d| matches!(d, Decision::BelowThreshold(_)))
    }
    pub fn no_candidate(&self) -> usize {
        self.count(|d| matches!(d, Decision::NoCandidate))
    }
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// One line per entity: `linked <entity> → Q… (0.93: name 1.00, P27 agrees)`.
    pub fn write_details(&self, mut out: impl Write) -> io::Result<()> {
        let show = |c: &Candidate| {
            format!(
                "{}{} ({:.2}: {})",
                c.qid,
                c.label
                    .as_deref()
                    .map(|l| format!(" «{l}»"))
                    .unwrap_or_default(),
                c.score,
                c.why
            )
        };
        for o in &self.outcomes {
            let name = o.entity.label();
            match &o.decision {
                Decision::Linked(c) => writeln!(out, "linked      {name} → {}", show(c))?,
                Decision::Abstained(cs) => writeln!(
                    out,
                    "abstained   {name}: too close to call between {}",
                    cs.iter().map(show).collect::<Vec<_>>().join(" and ")
                )?,
                Decision::BelowThreshold(c) => {
                    writeln!(out, "below       {name}: best {}", show(c))?
                }
                Decision::NoCandidate => writeln!(out, "no match    {name}")?,
            }
        }
        Ok(())
    }
}

/// Finds identities for the entities of `store` that have none. Writes nothing to the store:
/// see [`graph::add_endpoint_links`].
pub fn link(
    store: &Store,
    store_dir: Option<&Path>,
    options: &LinkOptions,
) -> Result<LinkReport, LinkError> {
    let started = Instant::now();
    let classes = score::Classes::parse(score::CLASSES_TSV).map_err(LinkError::Classes)?;
    let entities = entities_without_identity(store)?;
    let vocab = Vocabulary::new(store.base_iri()).map_err(|e| LinkError::Base(e.to_string()))?;
    let rejected: BTreeSet<(String, String)> = graph::read_links(store, &vocab)?
        .into_iter()
        .filter(|l| l.rejected)
        .map(|l| (l.subject.as_str().to_owned(), l.qid))
        .collect();
    let endpoint = Endpoint::new(&options.endpoint, options.politeness)?;
    let cache_path = store_dir.map(|d| cache_path(d, &options.endpoint));
    let mut cache = match (&cache_path, options.refresh) {
        (Some(p), false) => Cache::read(p, &options.endpoint)?,
        _ => Cache::new(&options.endpoint),
    };
    let fingerprint = classes_fingerprint(&classes);
    if cache.classes != fingerprint {
        cache.items.clear();
        cache.classes = fingerprint;
    }
    let mut report = LinkReport {
        endpoint: options.endpoint.clone(),
        ..Default::default()
    };
    let batch = options.batch.max(1);

    // 1. Candidates by label: Arabic names and aliases first, then English names.
    let mut wanted: Vec<Literal> = Vec::new();
    for lang in ["ar", "en"] {
        for e in &entities {
            for name in lookup_names(e, lang) {
                let literal = Literal::new_language_tagged_literal_unchecked(name, lang);
                if !wanted.contains(&literal) {
                    wanted.push(literal);
                }
            }
        }
    }
    let unknown: Vec<&Literal> = wanted
        .iter()
        .filter(|l| !cache.labels.contains_key(&l.to_string()))
        .collect();
    report.cached += wanted.len() - unknown.len();
    for chunk in unknown.chunks(batch) {
        let found = lookup_labels(&endpoint, chunk)?;
        for literal in chunk {
            let key = literal.to_string();
            let qids = found.get(&key).cloned().unwrap_or_default();
            cache.labels.insert(key, qids);
        }
        if let Some(p) = &cache_path {
            cache.write(p)?;
        }
    }

    // 2. Facts about every candidate.
    let mut candidates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &entities {
        let mut qids: Vec<String> = Vec::new();
        for lang in ["ar", "en"] {
            for name in lookup_names(e, lang) {
                let key = Literal::new_language_tagged_literal_unchecked(name, lang).to_string();
                for q in cache.labels.get(&key).into_iter().flatten() {
                    if !qids.contains(q) && qids.len() < MAX_CANDIDATES {
                        qids.push(q.clone());
                    }
                }
            }
        }
        candidates.insert(e.iri.as_str().to_owned(), qids);
    }
    let items: BTreeSet<String> = candidates.values().flatten().cloned().collect();
    let unknown: Vec<&String> = items
        .iter()
        .filter(|q| !cache.items.contains_key(*q))
        .collect();
    report.cached += items.len() - unknown.len();
    for chunk in unknown.chunks(batch) {
        let mut found = item_facts(&endpoint, chunk, &classes)?;
        for q in chunk {
            let facts = found.remove(*q).unwrap_or_default();
            cache.items.insert((*q).clone(), facts);
        }
        if let Some(p) = &cache_path {
            cache.write(p)?;
        }
    }

    // 3. Decisions.
    for e in entities {
        let mut scored: Vec<Candidate> = Vec::new();
        for q in candidates.get(e.iri.as_str()).into_iter().flatten() {
            let Some(facts) = cache.items.get(q) else {
                continue;
            };
            if rejected.contains(&(e.iri.as_str().to_owned(), q.clone())) {
                continue;
            }
            if let score::Verdict::Scored { score, why } = score::score(&e, facts, &classes) {
                scored.push(Candidate {
                    qid: q.clone(),
                    label: facts.label().map(str::to_owned),
                    score,
                    why,
                });
            }
        }
        let decision = decide(scored, options.min_score, options.margin);
        report.outcomes.push(Outcome {
            entity: e,
            decision,
        });
    }
    report.requests = endpoint.requests();
    report.retries = endpoint.retries();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Best first; link when the best is good enough and clearly ahead.
fn decide(mut scored: Vec<Candidate>, min_score: f64, margin: f64) -> Decision {
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.qid.cmp(&b.qid)));
    let Some(best) = scored.first().cloned() else {
        return Decision::NoCandidate;
    };
    if best.score < min_score {
        return Decision::BelowThreshold(best);
    }
    // A tolerance, so that 0.9 − 0.8 counts as a lead of 0.1.
    let close: Vec<Candidate> = scored
        .iter()
        .filter(|c| c.score > best.score - margin + 1e-9)
        .cloned()
        .collect();
    if close.len() > 1 {
        Decision::Abstained(close)
    } else {
        Decision::Linked(best)
    }
}

/// The names an entity is looked up by in one language: in Arabic its canonical name and
/// aliases, in English its English name.
fn lookup_names(e: &Entity, lang: &str) -> Vec<String> {
    let mut names: Vec<String> = match lang {
        "ar" => e.name_ar.iter().chain(e.aliases.iter()).cloned().collect(),
        _ => e.name_en.iter().cloned().collect(),
    };
    names.retain(|n| !n.trim().is_empty());
    names.dedup();
    names
}

const PREFIXES: &str = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
";

/// `SELECT ?label ?item` for a batch of labels. The labels are written as serialized RDF
/// literals (oxigraph's `Literal` Display escapes quotes, backslashes and line breaks), never
/// spliced as raw text.
fn lookup_labels(
    endpoint: &Endpoint,
    labels: &[&Literal],
) -> Result<BTreeMap<String, Vec<String>>, LinkError> {
    let answer = endpoint.select(&lookup_query(labels))?;
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in answer.rows {
        let (Some(Term::Literal(label)), Some(Term::NamedNode(item))) =
            (row.get("label"), row.get("item"))
        else {
            continue;
        };
        if let Some(q) = qid_of(item.as_str()) {
            let list = found.entry(label.to_string()).or_default();
            if !list.iter().any(|x| x == q) {
                list.push(q.to_owned());
            }
        }
    }
    Ok(found)
}

fn lookup_query(labels: &[&Literal]) -> String {
    let values: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    format!(
        "{PREFIXES}SELECT DISTINCT ?label ?item WHERE {{\n  VALUES ?label {{ {} }}\n  ?item rdfs:label|skos:altLabel ?label .\n  FILTER(STRSTARTS(STR(?item), \"{WIKIDATA}Q\"))\n}}",
        values.join(" ")
    )
}

/// Labels, classes, P27, P17 and P39 position labels of a batch of items.
fn item_facts(
    endpoint: &Endpoint,
    qids: &[&String],
    classes: &score::Classes,
) -> Result<BTreeMap<String, ItemFacts>, LinkError> {
    let items: Vec<String> = qids.iter().map(|q| format!("wd:{q}")).collect();
    let class_values: Vec<String> = classes.all().iter().map(|q| format!("wd:{q}")).collect();
    let query = format!(
        "{PREFIXES}SELECT ?item ?what ?value WHERE {{
  VALUES ?item {{ {items} }}
  {{ ?item rdfs:label|skos:altLabel ?value FILTER(LANG(?value) = \"ar\" || LANG(?value) = \"en\") BIND(\"label\" AS ?what) }}
  UNION {{ VALUES ?value {{ {classes} }} ?item wdt:P31/wdt:P279* ?value BIND(\"class\" AS ?what) }}
  UNION {{ ?item wdt:P27 ?value BIND(\"P27\" AS ?what) }}
  UNION {{ ?item wdt:P17 ?value BIND(\"P17\" AS ?what) }}
  UNION {{ ?item wdt:P39 ?position . ?position rdfs:label ?value FILTER(LANG(?value) = \"ar\" || LANG(?value) = \"en\") BIND(\"P39\" AS ?what) }}
}}",
        items = items.join(" "),
        classes = class_values.join(" ")
    );
    let answer = endpoint.select(&query)?;
    let mut out: BTreeMap<String, ItemFacts> = BTreeMap::new();
    for row in answer.rows {
        let (Some(Term::NamedNode(item)), Some(Term::Literal(what)), Some(value)) =
            (row.get("item"), row.get("what"), row.get("value"))
        else {
            continue;
        };
        let Some(q) = qid_of(item.as_str()) else {
            continue;
        };
        let facts = out.entry(q.to_owned()).or_default();
        let value_qid = match value {
            Term::NamedNode(n) => qid_of(n.as_str()).map(str::to_owned),
            _ => None,
        };
        match (what.value(), value) {
            ("label", Term::Literal(l)) => {
                let entry = (
                    l.language().unwrap_or_default().to_owned(),
                    l.value().to_owned(),
                );
                if !facts.labels.contains(&entry) {
                    facts.labels.push(entry);
                }
            }
            ("P39", Term::Literal(l)) if !facts.positions.iter().any(|p| p == l.value()) => {
                facts.positions.push(l.value().to_owned());
            }
            ("class", _) => facts.classes.extend(value_qid),
            ("P27", _) => facts.citizenship.extend(value_qid),
            ("P17", _) => facts.country.extend(value_qid),
            _ => {}
        }
    }
    Ok(out)
}

/// `http://www.wikidata.org/entity/Q42` → `Q42`.
pub fn qid_of(iri: &str) -> Option<&str> {
    iri.strip_prefix(WIKIDATA).filter(|q| is_qid(q))
}

/// `Q` and digits.
pub fn is_qid(s: &str) -> bool {
    s.len() > 1 && s.starts_with('Q') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The entities of the store (persons, organizations, places) that have no Wikidata
/// `owl:sameAs` yet, with their names, posts and countries.
pub fn entities_without_identity(store: &Store) -> Result<Vec<Entity>, LinkError> {
    let mut by_iri: BTreeMap<String, Entity> = BTreeMap::new();
    let names = select(
        store,
        "PREFIX nkg: <https://w3id.org/newskg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?e ?type ?name ?how WHERE {
  VALUES ?type { nkg:Person nkg:Organization nkg:Place }
  ?e a ?type .
  FILTER NOT EXISTS { ?e a nkg:UnnamedSource }
  FILTER NOT EXISTS { ?e owl:sameAs ?same FILTER(STRSTARTS(STR(?same), \"http://www.wikidata.org/entity/\")) }
  { ?e rdfs:label ?name BIND(\"label\" AS ?how) } UNION { ?e skos:altLabel ?name BIND(\"alias\" AS ?how) }
}",
    )?;
    for row in names {
        let (
            Some(Term::NamedNode(e)),
            Some(Term::NamedNode(ty)),
            Some(Term::Literal(name)),
            Some(Term::Literal(how)),
        ) = (row.first(), row.get(1), row.get(2), row.get(3))
        else {
            continue;
        };
        let kind = match ty.as_str().rsplit('#').next() {
            Some("Person") => EntityKind::Person,
            Some("Organization") => EntityKind::Organization,
            _ => EntityKind::Place,
        };
        let entity = by_iri
            .entry(e.as_str().to_owned())
            .or_insert_with(|| Entity {
                iri: e.clone(),
                kind,
                name_ar: None,
                name_en: None,
                aliases: Vec::new(),
                countries: BTreeSet::new(),
                posts: Vec::new(),
            });
        let text = name.value().trim().to_owned();
        match (how.value(), name.language()) {
            ("label", Some("ar")) if entity.name_ar.is_none() => entity.name_ar = Some(text),
            ("label", Some("en")) if entity.name_en.is_none() => entity.name_en = Some(text),
            ("alias", Some("ar")) | ("label", Some("ar")) if !entity.aliases.contains(&text) => {
                entity.aliases.push(text)
            }
            _ => {}
        }
    }
    let posts = select(
        store,
        "PREFIX nkg: <https://w3id.org/newskg/ontology#>
SELECT DISTINCT ?e ?post WHERE { ?role nkg:holder ?e ; nkg:post ?post }",
    )?;
    for row in posts {
        if let (Some(Term::NamedNode(e)), Some(Term::Literal(post))) = (row.first(), row.get(1)) {
            if let Some(entity) = by_iri.get_mut(e.as_str()) {
                entity.posts.push(post.value().to_owned());
            }
        }
    }
    // The countries of a person's posts, and a person's nationality or a place's country when
    // the graph states them (schema:nationality, schema:containedInPlace).
    let countries = select(
        store,
        "PREFIX nkg: <https://w3id.org/newskg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?e ?same WHERE {
  { ?role nkg:holder ?e ; nkg:roleOf ?country . ?country a nkg:Place }
  UNION { ?e schema:nationality|schema:containedInPlace ?country }
  ?country owl:sameAs ?same
}",
    )?;
    for row in countries {
        if let (Some(Term::NamedNode(e)), Some(Term::NamedNode(same))) = (row.first(), row.get(1)) {
            if let (Some(entity), Some(q)) = (by_iri.get_mut(e.as_str()), qid_of(same.as_str())) {
                entity.countries.insert(q.to_owned());
            }
        }
    }
    Ok(by_iri.into_values().collect())
}

/// Rows of a SELECT over the store, as terms in projection order.
fn select(store: &Store, sparql: &str) -> Result<Vec<Vec<Term>>, LinkError> {
    let QueryResults::Solutions(solutions) =
        store.query(sparql, Vec::new(), Some(Duration::from_secs(120)))?
    else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for s in solutions {
        let s = s.map_err(StoreError::from)?;
        let row: Option<Vec<Term>> = s.values().iter().cloned().collect();
        if let Some(row) = row {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The answers of one endpoint, by label and by item.
#[derive(Debug, Serialize, Deserialize)]
struct Cache {
    format: String,
    endpoint: String,
    /// Fingerprint of the class table the item classes were asked with.
    classes: String,
    /// Serialized literal (`"البهادلي"@ar`) → QIDs carrying it as label or alias.
    labels: BTreeMap<String, Vec<String>>,
    items: BTreeMap<String, ItemFacts>,
}

impl Cache {
    fn new(endpoint: &str) -> Self {
        Cache {
            format: CACHE_FORMAT.into(),
            endpoint: endpoint.into(),
            classes: String::new(),
            labels: BTreeMap::new(),
            items: BTreeMap::new(),
        }
    }

    fn read(path: &Path, endpoint: &str) -> Result<Self, LinkError> {
        match fs::read(path) {
            Ok(bytes) => {
                let cache: Cache =
                    serde_json::from_slice(&bytes).map_err(|e| LinkError::Cache {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                if cache.format != CACHE_FORMAT || cache.endpoint != endpoint {
                    return Err(LinkError::Cache {
                        path: path.display().to_string(),
                        message: format!("expected {CACHE_FORMAT} for {endpoint}"),
                    });
                }
                Ok(cache)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Cache::new(endpoint)),
            Err(source) => Err(LinkError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Written to a temporary file and renamed, so an interrupted run leaves a whole cache.
    fn write(&self, path: &Path) -> Result<(), LinkError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| LinkError::Cache {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        crate::store::write_atomically(path, |w| w.write_all(&json))?;
        Ok(())
    }
}

/// `STORE/link-cache/<host-port>-<hash of the URL>.json`.
fn cache_path(dir: &Path, endpoint: &str) -> PathBuf {
    let readable: String = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let digest = Sha256::digest(endpoint.as_bytes());
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    dir.join("link-cache")
        .join(format!("{readable}-{short}.json"))
}

fn classes_fingerprint(classes: &score::Classes) -> String {
    let all: Vec<&str> = classes.all().into_iter().collect();
    let digest = Sha256::digest(all.join(" ").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The IRI of the links graph for a vocabulary.
pub fn links_graph(v: &Vocabulary) -> NamedNode {
    NamedNode::new_unchecked(format!("{}graph/links", v.base()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(qid: &str, score: f64) -> Candidate {
        Candidate {
            qid: qid.into(),
            label: None,
            score,
            why: String::new(),
        }
    }

    #[test]
    fn two_candidates_closer_than_the_margin_make_an_abstention() {
        assert!(matches!(
            decide(vec![c("Q1", 0.8), c("Q2", 0.8)], 0.75, 0.1),
            Decision::Abstained(v) if v.len() == 2
        ));
        assert!(
            matches!(decide(vec![c("Q1", 0.9), c("Q2", 0.8)], 0.75, 0.1), Decision::Linked(b) if b.qid == "Q1")
        );
        assert!(matches!(
            decide(vec![c("Q1", 0.6)], 0.75, 0.1),
            Decision::BelowThreshold(_)
        ));
        assert_eq!(decide(vec![], 0.75, 0.1), Decision::NoCandidate);
    }

    /// The labels of the lookup query's VALUES block, as the endpoint's parser reads them.
    fn values_of(query: &str) -> Vec<spargebra::term::GroundTerm> {
        use spargebra::algebra::GraphPattern as P;
        fn find(p: &P, out: &mut Vec<spargebra::term::GroundTerm>) {
            match p {
                P::Values { bindings, .. } => {
                    out.extend(bindings.iter().flatten().flatten().cloned())
                }
                P::Join { left, right }
                | P::LeftJoin { left, right, .. }
                | P::Union { left, right } => {
                    find(left, out);
                    find(right, out);
                }
                P::Filter { inner, .. }
                | P::Project { inner, .. }
                | P::Distinct { inner }
                | P::Extend { inner, .. } => find(inner, out),
                _ => {}
            }
        }
        let parsed = spargebra::SparqlParser::new()
            .parse_query(query)
            .expect("the lookup query parses");
        let spargebra::Query::Select { pattern, .. } = parsed else {
            panic!("a SELECT")
        };
        let mut out = Vec::new();
        find(&pattern, &mut out);
        out
    }

    #[test]
    fn a_hostile_label_is_one_literal_of_the_lookup() {
        // «البهادلي" } ; DROP ALL ; #»: a value that matches nothing, not a second statement.
        let l =
            Literal::new_language_tagged_literal_unchecked("البهادلي\" } ; DROP ALL ; #\n", "ar");
        assert_eq!(
            values_of(&lookup_query(&[&l])),
            vec![spargebra::term::GroundTerm::Literal(l)]
        );
    }

    proptest::proptest! {
        #[test]
        fn any_label_is_exactly_one_literal_of_the_lookup(a in ".*", b in "\\PC*") {
            let la = Literal::new_language_tagged_literal_unchecked(a, "ar");
            let lb = Literal::new_language_tagged_literal_unchecked(b, "en");
            let got = values_of(&lookup_query(&[&la, &lb]));
            proptest::prop_assert_eq!(got, vec![
                spargebra::term::GroundTerm::Literal(la),
                spargebra::term::GroundTerm::Literal(lb),
            ]);
        }
    }
}
