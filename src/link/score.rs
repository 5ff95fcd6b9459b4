//! Scoring a Wikidata candidate against one of our entities: a pure function of the entity
//! (names, posts, countries from our graph), the candidate's facts and the class table.
//!
//! - Type is a filter: the candidate must be an instance (P31/P279*) of a class the table
//!   includes for the entity's kind and of none it excludes (a football club is an
//!   organization in Wikidata, never the armed group of the news).
//! - Name: token overlap (Dice) after [`arabic::normalize`], of our canonical Arabic or English
//!   name against the candidate's labels and aliases, 1.0 when they are equal. Our own aliases
//!   count only when they have two words or more: a surname alone («حسين») names half of Iraq.
//! - Context counts only when the name already matches well (≥ [`CONTEXT_NAME_FLOOR`]): it
//!   separates namesakes, it never turns a partial name into a match. A person: citizenship
//!   (P27) against the countries of their posts, positions held (P39) against their posts; a
//!   place: country (P17) against the place's country, when our graph knows it.
//!
//! score = 0.2 (type) + 0.6 × name + 0.1 (country agrees) + 0.1 (post agrees) − 0.3 (country
//! disagrees), so an exact name of the right type with no context scores 0.8.

use super::{Entity, ItemFacts};
use crate::arabic;
use crate::model::EntityKind;
use std::collections::{BTreeMap, BTreeSet};

/// Below this name similarity, context (country, posts) is not counted.
pub const CONTEXT_NAME_FLOOR: f64 = 0.8;

/// The class table (`lexicon/wikidata-classes.tsv`).
pub const CLASSES_TSV: &str = include_str!("../../lexicon/wikidata-classes.tsv");

/// Which Wikidata classes each of our kinds accepts and refuses.
#[derive(Debug, Clone, Default)]
pub struct Classes {
    include: BTreeMap<&'static str, BTreeSet<String>>,
    exclude: BTreeMap<&'static str, BTreeSet<String>>,
    labels: BTreeMap<String, String>,
}

impl Classes {
    /// Parses the class table; errors name the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut c = Classes::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') || line.starts_with("kind\t") {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let (Some(kind), Some(rule), Some(qid)) = (f.first(), f.get(1), f.get(2)) else {
                return Err(format!("line {}: expected kind, rule, qid", i + 1));
            };
            let kind = match *kind {
                "person" => "person",
                "organization" => "organization",
                "place" => "place",
                other => return Err(format!("line {}: unknown kind {other:?}", i + 1)),
            };
            if !super::is_qid(qid) {
                return Err(format!("line {}: {qid:?} is not a QID", i + 1));
            }
            let set = match *rule {
                "include" => c.include.entry(kind).or_default(),
                "exclude" => c.exclude.entry(kind).or_default(),
                other => return Err(format!("line {}: unknown rule {other:?}", i + 1)),
            };
            set.insert((*qid).to_owned());
            c.labels.insert(
                (*qid).to_owned(),
                f.get(3).copied().unwrap_or(qid).to_owned(),
            );
        }
        Ok(c)
    }

    pub fn builtin() -> Self {
        // The embedded table is checked by a unit test.
        Self::parse(CLASSES_TSV).unwrap_or_default()
    }

    /// Every class the table names, for the endpoint query.
    pub fn all(&self) -> BTreeSet<&str> {
        self.include
            .values()
            .chain(self.exclude.values())
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// Why an item of these broad classes cannot be an entity of `kind`, if it cannot.
    fn refuse(&self, kind: EntityKind, classes: &BTreeSet<String>) -> Option<String> {
        let k = kind.as_str();
        let label = |q: &String| self.labels.get(q).cloned().unwrap_or_else(|| q.clone());
        if let Some(bad) = self
            .exclude
            .get(k)
            .and_then(|ex| classes.iter().find(|c| ex.contains(*c)))
        {
            return Some(format!("a {} ({bad}), not a {k}", label(bad)));
        }
        let ok = self
            .include
            .get(k)
            .is_some_and(|inc| classes.iter().any(|c| inc.contains(c)));
        (!ok).then(|| format!("not a {k} by its classes"))
    }
}

/// A candidate's score and the reasons for it, or why it was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Scored { score: f64, why: String },
    Refused(String),
}

pub fn score(entity: &Entity, facts: &ItemFacts, classes: &Classes) -> Verdict {
    if let Some(reason) = classes.refuse(entity.kind, &facts.classes) {
        return Verdict::Refused(reason);
    }
    let theirs: Vec<BTreeSet<String>> = facts.labels.iter().map(|(_, l)| tokens(l)).collect();
    let mut ours: Vec<(BTreeSet<String>, f64)> = Vec::new();
    for name in entity.name_ar.iter().chain(entity.name_en.iter()) {
        ours.push((tokens(name), 1.0));
    }
    for alias in &entity.aliases {
        let t = tokens(alias);
        if t.len() >= 2 {
            // An alias is the article's spelling, not the canonical name: a little less.
            ours.push((t, 0.95));
        }
    }
    let name = ours
        .iter()
        .flat_map(|(o, weight)| theirs.iter().map(move |t| dice(o, t) * weight))
        .fold(0.0, f64::max);
    let mut score = 0.2 + 0.6 * name;
    let mut why = vec![format!("name {name:.2}")];
    if name >= CONTEXT_NAME_FLOOR {
        let country_facts = match entity.kind {
            EntityKind::Person => &facts.citizenship,
            EntityKind::Place | EntityKind::Organization => &facts.country,
        };
        if !entity.countries.is_empty() && !country_facts.is_empty() {
            let property = if entity.kind == EntityKind::Person {
                "P27"
            } else {
                "P17"
            };
            if country_facts.iter().any(|c| entity.countries.contains(c)) {
                score += 0.1;
                why.push(format!("{property} agrees"));
            } else {
                score -= 0.3;
                why.push(format!("{property} disagrees"));
            }
        }
        if entity.kind == EntityKind::Person && post_agrees(&entity.posts, &facts.positions) {
            score += 0.1;
            why.push("P39 agrees".into());
        }
    }
    Verdict::Scored {
        score: (score * 1000.0).round() / 1000.0,
        why: why.join(", "),
    }
}

/// Whether one of our posts («وزير الخارجية», "foreign minister") is contained, word for word,
/// in a position the candidate held ("Minister of Foreign Affairs of Iraq" holds "foreign" and
/// "minister"; «وزير خارجية العراق» holds «وزير» and «خارجية»).
fn post_agrees(posts: &[String], positions: &[String]) -> bool {
    let held: Vec<BTreeSet<String>> = positions.iter().map(|p| tokens(p)).collect();
    posts
        .iter()
        .map(|p| tokens(p))
        .any(|post| !post.is_empty() && held.iter().any(|h| post.iter().all(|w| h.contains(w))))
}

/// Words of a name, folded: normalized, lower-case, punctuation dropped, the Arabic article
/// «ال» taken off words of more than three letters («الخارجية» meets «خارجية»).
pub fn tokens(s: &str) -> BTreeSet<String> {
    arabic::normalize(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            match w.strip_prefix("ال") {
                Some(rest) if rest.chars().count() >= 3 => rest.to_owned(),
                _ => w,
            }
        })
        .collect()
}

/// Sørensen–Dice coefficient of two word sets.
fn dice(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count() as f64;
    2.0 * common / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn person(name: &str, countries: &[&str], posts: &[&str]) -> Entity {
        Entity {
            iri: NamedNode::new_unchecked("https://example.org/person/x"),
            kind: EntityKind::Person,
            name_ar: Some(name.into()),
            name_en: None,
            aliases: Vec::new(),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            posts: posts.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn human(label: &str, citizenship: &str, position: &str) -> ItemFacts {
        ItemFacts {
            labels: vec![("ar".into(), label.into())],
            classes: ["Q5".to_owned()].into(),
            citizenship: [citizenship.to_owned()].into(),
            positions: vec![position.into()],
            ..Default::default()
        }
    }

    #[test]
    fn the_embedded_class_table_parses() {
        let c = Classes::parse(CLASSES_TSV).unwrap();
        assert!(c.all().contains("Q5"));
    }

    #[test]
    fn a_namesake_of_another_country_loses_to_the_minister_of_the_right_one() {
        // «وزير الخارجية العراقي سليم حسين»: Iraqi, foreign minister.
        let ours = person("سليم حسين", &["Q796"], &["وزير الخارجية"]);
        let classes = Classes::builtin();
        let minister = score(
            &ours,
            &human("سليم حسين", "Q796", "وزير خارجية العراق"),
            &classes,
        );
        let namesake = score(&ours, &human("سليم حسين", "Q810", "لاعب"), &classes);
        let (Verdict::Scored { score: a, .. }, Verdict::Scored { score: b, .. }) =
            (minister, namesake)
        else {
            panic!("both are humans")
        };
        assert!(a >= 0.99 && b <= 0.5, "{a} {b}");
    }

    #[test]
    fn a_shared_surname_does_not_make_a_match_whatever_the_context() {
        // «هشام حسين» is not «سليم حسين», even though both are Iraqi foreign ministers here.
        let ours = person("هشام حسين", &["Q796"], &["وزير الخارجية"]);
        let mut other = human("سليم حسين", "Q796", "وزير خارجية العراق");
        other.labels.push(("ar".into(), "حسين".into()));
        let Verdict::Scored { score, .. } = score(&ours, &other, &Classes::builtin()) else {
            panic!("a human")
        };
        assert!(score < 0.75, "{score}");
    }

    #[test]
    fn a_football_club_is_refused_for_an_organization() {
        let mut ours = person("الفجر", &[], &[]);
        ours.kind = EntityKind::Organization;
        let club = ItemFacts {
            labels: vec![("ar".into(), "الفجر".into())],
            classes: ["Q43229".to_owned(), "Q476028".to_owned()].into(),
            ..Default::default()
        };
        assert!(matches!(
            score(&ours, &club, &Classes::builtin()),
            Verdict::Refused(_)
        ));
    }
}
