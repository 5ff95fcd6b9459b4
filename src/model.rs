//! The interchange format between extraction and mapping: `newskg-extraction/1`.
//!
//! One [`Extraction`] describes one article: its metadata and text, the entities, events,
//! statements, time expressions, roles and numeric claims found in it. Any tool (our rule-based
//! extractor, an LLM, a human annotator) may produce it; `newskg map` loads it through the same
//! mapper. Offsets are character (Unicode scalar value) offsets into `article.text`, end
//! exclusive, and every [`Span`] repeats the text it covers so that [`Extraction::validate`] can
//! refuse an extraction whose offsets do not match its text. The JSON Schema is
//! `schema/newskg-extraction-1.schema.json`; `docs/FORMAT.md` documents every field.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The value of the `format` field this version reads and writes.
pub const FORMAT: &str = "newskg-extraction/1";

/// Everything extracted from one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extraction {
    /// Always [`FORMAT`].
    pub format: String,
    /// Which tool produced this extraction, e.g. `newskg 0.1.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    pub article: ArticleMeta,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub times: Vec<TimeExpression>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub statements: Vec<Statement>,
    #[serde(default)]
    pub numbers: Vec<NumericClaim>,
}

/// The article an extraction describes, with the text that all offsets point into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ArticleMeta {
    /// Article id: the file stem, the JSON Lines `id`, or `<parent>-2` for an article that was
    /// appended to another one after a «read also» marker.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date, ISO `YYYY-MM-DD`, from metadata or a dateline in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The id of the article this one was split from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// BCP 47 language tag of the text.
    #[serde(default = "default_language")]
    pub language: String,
    /// The full text; all offsets are character offsets into it.
    pub text: String,
}

fn default_language() -> String {
    "ar".to_owned()
}

/// A stretch of the article text: `[start, end)` in characters, and the text it covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Place => "place",
        }
    }
}

/// A person, organization or place, with every place the article mentions it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Local id, unique inside this extraction (`e1`, `e2`, …); other records refer to it.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Canonical Arabic name. Two articles naming the same entity must use the same canonical
    /// name: the entity's IRI is derived from it.
    pub name_ar: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<Span>,
    /// External identifiers by scheme, e.g. `{"wikidata": "Q796"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, String>,
    /// An unnamed source the article describes without naming («مسؤول أميركي كبير»): its name
    /// is a description, not an identity, so it is one entity of this article only (its IRI is
    /// minted per article) and is never linked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unnamed: bool,
}

/// «رئيس الوزراء العراقي حيدر جواد الربيعي»: a person holds a post, of a country or an
/// organization, according to this article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Entity id of the holder.
    pub holder: String,
    /// The post as written, e.g. «رئيس الوزراء».
    pub title: String,
    /// English name of the post when the lexicon knows it, e.g. `prime minister`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Entity id of the country or organization the post belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
    Year,
}

/// How a time expression got its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The text gives the full value («5 كانون الثاني 2024»).
    Explicit,
    /// Relative or year-less, resolved against the publication date.
    Publication,
    /// Relative or year-less, resolved against the latest explicit date before it.
    Narrative,
    /// Recognised but not resolvable (no anchor): `value` is absent.
    Unresolved,
}

/// A time expression found in the text, or a date taken from metadata (no `span`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeExpression {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// ISO lexical form of the known precision: `2024-01-05`, `2024-01` or `2024`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    pub resolution: Resolution,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Opposes,
    Neutral,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Opposes => "opposes",
            Stance::Neutral => "neutral",
        }
    }
}

/// Who said what, when: one attributed utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub id: String,
    /// Entity id of the speaker; absent when the text does not say who spoke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The speech verb or noun («قال», «أكد», «تصريحات»).
    pub verb: Span,
    /// What was said: the quoted span (direct) or the reported clause.
    pub content: Span,
    /// True for a direct quotation.
    pub direct: bool,
    /// Time expression id giving the statement's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Topic local names from the topic scheme, e.g. `withdrawal`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Stance toward withdrawal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    /// Entity id of an intermediary that reported it (a news agency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Where it was said: `press-conference`, `statement`, `phone-call`, `meeting`, `interview`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// Entity id of the other party of a phone call or meeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressee: Option<String>,
}

/// Something that happened: a strike, talks, a withdrawal, a phone call …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    /// Event type local name, e.g. `air-strike`, `withdrawal`, `phone-call`.
    #[serde(rename = "type")]
    pub kind: String,
    pub trigger: Span,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
}

/// A number the article claims, with what it counts («2500 جندي»).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericClaim {
    pub id: String,
    pub span: Span,
    pub value: f64,
    /// What is counted: `troops`, `casualties`, `targets`, …
    pub counts: String,
    /// «نحو», «حوالي», «أكثر من»: the number is approximate or a bound.
    #[serde(default)]
    pub approximate: bool,
    /// Entity id of whose troops, targets … these are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// Why an extraction was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ValidationError {
    #[error("unsupported format {found:?}, expected {FORMAT:?}")]
    Format { found: String },
    #[error("article id is empty")]
    EmptyId,
    #[error("{place}: span {start}..{end} is outside the text ({len} characters)")]
    OutOfRange {
        place: String,
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("{place}: span {start}..{end} says {claimed:?} but the text there is {actual:?}")]
    Mismatch {
        place: String,
        start: usize,
        end: usize,
        claimed: String,
        actual: String,
    },
    #[error("{place}: unknown {what} id {id:?}")]
    UnknownId {
        place: String,
        what: &'static str,
        id: String,
    },
    #[error("{place}: duplicate id {id:?}")]
    DuplicateId { place: String, id: String },
    #[error("{place}: invalid date value {value:?}")]
    BadDate { place: String, value: String },
}

impl Extraction {
    /// An empty extraction of `article`, to be filled by an extractor.
    pub fn new(article: ArticleMeta) -> Self {
        Extraction {
            format: FORMAT.to_owned(),
            generator: Some(concat!("newskg ", env!("CARGO_PKG_VERSION")).to_owned()),
            article,
            entities: Vec::new(),
            roles: Vec::new(),
            times: Vec::new(),
            events: Vec::new(),
            statements: Vec::new(),
            numbers: Vec::new(),
        }
    }

    /// Checks the format tag, that every span matches the text at its offsets, that ids are
    /// unique and that every reference points to an existing record.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.format != FORMAT {
            return Err(ValidationError::Format {
                found: self.format.clone(),
            });
        }
        if self.article.id.trim().is_empty() {
            return Err(ValidationError::EmptyId);
        }
        let text = SpanChecker::new(&self.article.text);
        let entity_ids = unique_ids(self.entities.iter().map(|e| e.id.as_str()), "entities")?;
        let time_ids = unique_ids(self.times.iter().map(|t| t.id.as_str()), "times")?;
        unique_ids(self.events.iter().map(|e| e.id.as_str()), "events")?;
        unique_ids(self.statements.iter().map(|s| s.id.as_str()), "statements")?;
        unique_ids(self.numbers.iter().map(|n| n.id.as_str()), "numbers")?;
        let entity = |place: &str, id: &Option<String>| match id {
            Some(id) => known(&entity_ids, place, "entity", id),
            None => Ok(()),
        };
        let time = |place: &str, id: &Option<String>| match id {
            Some(id) => known(&time_ids, place, "time", id),
            None => Ok(()),
        };
        for e in &self.entities {
            for (i, m) in e.mentions.iter().enumerate() {
                text.check(&format!("entity {} mention {}", e.id, i), m)?;
            }
        }
        for (i, r) in self.roles.iter().enumerate() {
            let place = format!("role {i}");
            text.check(&place, &r.span)?;
            known(&entity_ids, &place, "entity", &r.holder)?;
            entity(&place, &r.of)?;
        }
        for t in &self.times {
            let place = format!("time {}", t.id);
            if let Some(span) = &t.span {
                text.check(&place, span)?;
            }
            if let Some(value) = &t.value {
                if crate::dates::parse_iso(value).is_none() {
                    return Err(ValidationError::BadDate {
                        place,
                        value: value.clone(),
                    });
                }
            }
        }
        for ev in &self.events {
            let place = format!("event {}", ev.id);
            text.check(&place, &ev.trigger)?;
            for id in ev.actors.iter().chain(&ev.targets) {
                known(&entity_ids, &place, "entity", id)?;
            }
            entity(&place, &ev.place)?;
            time(&place, &ev.time)?;
        }
        for st in &self.statements {
            let place = format!("statement {}", st.id);
            text.check(&format!("{place} verb"), &st.verb)?;
            text.check(&format!("{place} content"), &st.content)?;
            entity(&place, &st.speaker)?;
            entity(&place, &st.via)?;
            entity(&place, &st.addressee)?;
            time(&place, &st.time)?;
        }
        for n in &self.numbers {
            let place = format!("number {}", n.id);
            text.check(&place, &n.span)?;
            entity(&place, &n.of)?;
            entity(&place, &n.place)?;
        }
        Ok(())
    }

    /// The time expression a statement or event refers to.
    pub fn time(&self, id: Option<&str>) -> Option<&TimeExpression> {
        let id = id?;
        self.times.iter().find(|t| t.id == id)
    }
}

fn unique_ids<'a>(
    ids: impl Iterator<Item = &'a str>,
    what: &str,
) -> Result<HashSet<&'a str>, ValidationError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ValidationError::DuplicateId {
                place: what.to_owned(),
                id: id.to_owned(),
            });
        }
    }
    Ok(seen)
}

fn known(
    ids: &HashSet<&str>,
    place: &str,
    what: &'static str,
    id: &str,
) -> Result<(), ValidationError> {
    if ids.contains(id) {
        Ok(())
    } else {
        Err(ValidationError::UnknownId {
            place: place.to_owned(),
            what,
            id: id.to_owned(),
        })
    }
}

/// Checks spans against the text with one pass to index character boundaries.
struct SpanChecker<'a> {
    text: &'a str,
    /// Byte offset of every character, plus the text length at the end.
    starts: Vec<usize>,
}

impl<'a> SpanChecker<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        SpanChecker { text, starts }
    }

    fn check(&self, place: &str, span: &Span) -> Result<(), ValidationError> {
        let len = self.starts.len() - 1;
        if span.start > span.end || span.end > len {
            return Err(ValidationError::OutOfRange {
                place: place.to_owned(),
                start: span.start,
                end: span.end,
                len,
            });
        }
        let actual = &self.text[self.starts[span.start]..self.starts[span.end]];
        if actual != span.text {
            return Err(ValidationError::Mismatch {
                place: place.to_owned(),
                start: span.start,
                end: span.end,
                claimed: span.text.clone(),
                actual: actual.to_owned(),
            });
        }
        Ok(())
    }
}

/// Builds a [`Span`] from character offsets, taking its text from `text`. Returns `None` when
/// the offsets fall outside the text.
pub fn span_of(text: &str, start: usize, end: usize) -> Option<Span> {
    if start > end {
        return None;
    }
    let mut it = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let b0 = it.nth(start)?;
    let b1 = if end == start {
        b0
    } else {
        it.nth(end - start - 1)?
    };
    Some(Span {
        start,
        end,
        text: text[b0..b1].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> ArticleMeta {
        ArticleMeta {
            id: "t".into(),
            text: text.into(),
            language: "ar".into(),
            ..Default::default()
        }
    }

    #[test]
    fn span_of_counts_characters_not_bytes() {
        let s = span_of("قال الربيعي", 4, 11).unwrap();
        assert_eq!(s.text, "الربيعي");
        assert!(span_of("قال", 2, 4).is_none());
    }

    #[test]
    fn validate_refuses_a_span_whose_text_differs() {
        let mut x = Extraction::new(article("قال الربيعي إن"));
        x.entities.push(Entity {
            id: "e1".into(),
            kind: EntityKind::Person,
            name_ar: "الربيعي".into(),
            name_en: None,
            aliases: vec![],
            mentions: vec![Span {
                start: 3,
                end: 10,
                text: "الربيعي".into(),
            }],
            ids: BTreeMap::new(),
            unnamed: false,
        });
        assert!(matches!(
            x.validate(),
            Err(ValidationError::Mismatch { .. })
        ));
        x.entities[0].mentions[0].start = 4;
        x.entities[0].mentions[0].end = 11;
        assert_eq!(x.validate(), Ok(()));
    }

    #[test]
    fn validate_refuses_dangling_references() {
        let mut x = Extraction::new(article("قال"));
        x.statements.push(Statement {
            id: "s1".into(),
            speaker: Some("e9".into()),
            verb: span_of("قال", 0, 3).unwrap(),
            content: span_of("قال", 0, 3).unwrap(),
            direct: false,
            time: None,
            topics: vec![],
            stance: None,
            via: None,
            venue: None,
            addressee: None,
        });
        assert!(matches!(
            x.validate(),
            Err(ValidationError::UnknownId { .. })
        ));
    }
}
