//! Events and numeric claims.
//!
//! Input: a [`Doc`], its [`Entities`] and time mentions. Output: [`Ev`]ents typed from the
//! trigger lexicon (`lexicon/events.tsv`) with actors, target, place and time taken from the same
//! sentence, and [`Num`]eric claims: a number with the noun it counts («2500 جندي»، «نحو 1000
//! آخرين»), approximate when «نحو»، «حوالي»، «أكثر من» stands before it.

use super::entities::Entities;
use super::lexicon::Cat;
use super::{Doc, Time};
use crate::model::EntityKind;

#[derive(Debug, Clone)]
pub(crate) struct Ev {
    pub kind: String,
    pub trigger: (usize, usize),
    pub actors: Vec<usize>,
    pub targets: Vec<usize>,
    pub place: Option<usize>,
    pub time: Option<usize>,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Num {
    pub span: (usize, usize),
    pub value: f64,
    pub counts: String,
    pub approximate: bool,
    pub of: Option<usize>,
    pub place: Option<usize>,
}

/// Events and numbers of the body paragraphs.
pub(crate) fn find(doc: &Doc, ents: &Entities, times: &[Time]) -> (Vec<Ev>, Vec<Num>) {
    let mut events = Vec::new();
    let mut numbers = Vec::new();
    for (_, para) in doc.body() {
        for &(ss, se) in &para.sentences {
            let (t0, t1) = (doc.tok_at(ss), doc.tok_at(se));
            let from = ents.nps.partition_point(|p| p.t0 < t0);
            let nps: Vec<_> = ents.nps[from..]
                .iter()
                .take_while(|p| p.t0 < t1)
                .filter(|p| p.t1 <= t1)
                .copied()
                .collect();
            let tfrom = times.partition_point(|t| t.s < ss);
            let sent_times: Vec<usize> = (tfrom..times.len())
                .take_while(|&i| times[i].s < se)
                .filter(|&i| times[i].e <= se)
                .collect();
            let mut t = t0;
            while t < t1 {
                if let Some(h) = doc.hits.longest(t, Cat::Event).copied() {
                    let trig = &doc.lex.events[h.idx];
                    let actors: Vec<usize> = nps
                        .iter()
                        .filter(|p| p.t1 <= h.t0 && ents.ents[p.ent].kind != EntityKind::Place)
                        .map(|p| p.ent)
                        .next_back()
                        .into_iter()
                        .collect();
                    let after: Vec<_> = nps
                        .iter()
                        .filter(|p| p.t0 >= h.t1 && p.t0 <= h.t1 + 8)
                        .collect();
                    let place = after
                        .iter()
                        .find(|p| ents.ents[p.ent].kind == EntityKind::Place)
                        .map(|p| p.ent);
                    let targets: Vec<usize> = after
                        .iter()
                        .find(|p| ents.ents[p.ent].kind != EntityKind::Place)
                        .map(|p| p.ent)
                        .into_iter()
                        .collect();
                    let time = sent_times
                        .iter()
                        .min_by_key(|&&i| times[i].s.abs_diff(h.s))
                        .copied();
                    events.push(Ev {
                        kind: trig.kind.clone(),
                        trigger: (h.s, h.e),
                        actors,
                        targets,
                        place,
                        time,
                        topics: trig.topics.clone(),
                    });
                    t = h.t1;
                    continue;
                }
                if let Some(n) = number(doc, ents, &nps, t, t1) {
                    numbers.push(n);
                }
                t += 1;
            }
        }
    }
    (events, numbers)
}

/// A number at token `t` followed by a counted noun.
fn number(
    doc: &Doc,
    ents: &Entities,
    nps: &[super::entities::Np],
    t: usize,
    t1: usize,
) -> Option<Num> {
    let w = doc.word(t);
    // Most words hold no digit.
    if !w.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = w.chars().skip_while(|c| !c.is_ascii_digit()).collect();
    let prefix_len = w.chars().count() - digits.chars().count();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || prefix_len > 2 {
        return None;
    }
    let value: f64 = digits.parse().ok()?;
    let next = t + 1;
    if next >= t1 {
        return None;
    }
    let unit = doc
        .hits
        .longest(next, Cat::Unit)
        .filter(|u| u.t1 == next + 1)?;
    let counts = doc.lex.units[unit.idx].clone();
    if counts == "approx" {
        return None;
    }
    let approximate = t > 0
        && (doc
            .hits
            .starting(t.saturating_sub(1))
            .iter()
            .any(|h| h.cat == Cat::Unit && doc.lex.units[h.idx] == "approx")
            || doc
                .hits
                .starting(t.saturating_sub(2))
                .iter()
                .any(|h| h.cat == Cat::Unit && h.t1 == t && doc.lex.units[h.idx] == "approx"));
    let approximate = approximate
        || doc.word(t.saturating_sub(1)).starts_with('ب')
            && doc.word(t.saturating_sub(1)).ends_with("نحو");
    // Whose: a demonym right after the noun («2500 جندي أميركي»), else the nearest place after.
    let mut of = None;
    if let Some(d) = doc
        .hits
        .longest(next + 1, Cat::Demonym)
        .filter(|d| d.t1 == next + 2)
    {
        let country = &doc.lex.demonyms[d.idx].country;
        of = ents
            .ents
            .iter()
            .position(|e| e.kind == EntityKind::Place && &e.name_ar == country);
    }
    let place = nps
        .iter()
        .find(|p| p.t0 > next && p.t0 <= next + 4 && ents.ents[p.ent].kind == EntityKind::Place)
        .map(|p| p.ent);
    let s = doc.toks[t].start + prefix_len;
    Some(Num {
        span: (s, doc.toks[next].end),
        value,
        counts,
        approximate,
        of,
        place,
    })
}

#[cfg(test)]
mod tests {
    use crate::corpus::Article;
    use crate::extract::{extract, Lexicon};

    #[test]
    fn troop_counts_with_approximation_and_clitics() {
        // «بـ2500 جندي» carries the preposition on the number; «بنحو» makes it approximate.
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let text = "وتحتفظ الولايات المتحدة بـ2500 جندي في العراق، لكنها لا تزال تحتفظ بنحو 900 جندي أمريكي في سوريا.";
        let a = Article {
            id: "t".into(),
            text: text.into(),
            ..Default::default()
        };
        let x = extract(&a, &lex).remove(0);
        let n: Vec<(f64, &str, bool)> = x
            .numbers
            .iter()
            .map(|n| (n.value, n.counts.as_str(), n.approximate))
            .collect();
        assert_eq!(n, [(2500.0, "troops", false), (900.0, "troops", true)]);
    }

    #[test]
    fn events_are_typed_from_triggers() {
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let text = "نفذ الجيش الأميركي ضربات جوية في العراق وسوريا، وبدأت المحادثات بين بغداد وواشنطن بشأن انسحاب التحالف.";
        let a = Article {
            id: "t".into(),
            text: text.into(),
            ..Default::default()
        };
        let x = extract(&a, &lex).remove(0);
        let kinds: Vec<&str> = x.events.iter().map(|e| e.kind.as_str()).collect();
        assert!(kinds.contains(&"air-strike"), "{kinds:?}");
        assert!(kinds.contains(&"talks"));
        assert!(kinds.contains(&"withdrawal"));
    }
}
