//! The rule-based Arabic extractor: article text → entities, roles, time expressions, events,
//! attributed and dated statements, topics, stance and numeric claims.
//!
//! Input: an [`Article`] and a [`Lexicon`]. Output: one [`Extraction`] per article found in the
//! text — the article itself and, when publisher boilerplate appends another article after a
//! «read also» marker («إقرأ أيضاً»), that article as `<id>-2`, `<id>-3` … with `parent` set,
//! its own text and no inherited date or topic. The pipeline, one submodule per pass:
//! [`structure`] (parts, headlines, boilerplate, sentences) → [`lexicon`] scan (every lexicon
//! entry at word boundaries, behind clitics) → [`entities`] (gazetteer, titles and roles, head
//! nouns, kunya, speech-verb subjects, coreference) → time expressions ([`crate::time`]) →
//! [`statements`] (speaker, verb, content, via, venue, date) → [`events`] (events, topics,
//! stance, numbers). docs/extractor.md describes every rule with an example.

mod entities;
mod events;
mod lexicon;
mod statements;
mod structure;

pub use lexicon::{Lexicon, LexiconError};

use crate::arabic::{Normalized, Token};
use crate::corpus::Article;
use crate::model::{
    ArticleMeta, Entity, Extraction, NumericClaim, Precision, Role, Span, Statement, TimeExpression,
};
use chrono::NaiveDate;
use lexicon::{Cat, FuncKind, Hits};
use std::collections::BTreeMap;
use structure::Line;

/// Extracts one article; an article with an appended «read also» article yields two or more.
pub fn extract(article: &Article, lexicon: &Lexicon) -> Vec<Extraction> {
    let parts = structure::parts(&article.text, lexicon);
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let text: String = if parts.len() == 1 {
            article.text.clone()
        } else {
            article
                .text
                .chars()
                .skip(part.start)
                .take(part.end - part.start)
                .collect()
        };
        let first = i == 0;
        let meta = ArticleMeta {
            id: if first {
                article.id.clone()
            } else {
                format!("{}-{}", article.id, i + 1)
            },
            url: if first { article.url.clone() } else { None },
            published: None,
            publisher: article.publisher.clone(),
            title: if first { article.title.clone() } else { None },
            parent: (!first).then(|| article.id.clone()),
            language: "ar".into(),
            text,
        };
        // An appended article never inherits the publication date of the first one.
        let published = if first { article.published } else { None };
        let x = extract_part(meta, published, lexicon);
        debug_assert_eq!(
            x.validate(),
            Ok(()),
            "extraction of {} must validate",
            article.id
        );
        out.push(x);
    }
    out
}

/// Everything the passes share about one article text.
pub(crate) struct Doc<'a> {
    pub lex: &'a Lexicon,
    /// The original text.
    pub text: &'a str,
    /// Byte offset of each character of the original text, then the text's length.
    pub starts: Vec<usize>,
    pub n: Normalized,
    /// Characters of the folded text.
    pub chars: Vec<char>,
    pub toks: Vec<Token>,
    pub hits: Hits,
    pub lines: Vec<Line>,
    /// Quotations and sentences of each line (empty unless a body paragraph).
    pub paras: Vec<structure::Para>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, lex: &'a Lexicon) -> Self {
        let (n, chars, toks) = Normalized::with_tokens(text);
        let mut hits = lex.scan(&n, &toks);
        // One offset per original character, and the end: the last origin is the count.
        let mut starts = Vec::with_capacity(n.original_len() + 1);
        starts.extend(text.char_indices().map(|(i, _)| i));
        starts.push(text.len());
        // A word ending in ta marbuta («إفادة») folds to ـه and must not be read as a verb with
        // the pronoun ـه («أفاده»).
        hits.retain(|h| {
            // The suffix is in the word that holds the hit's end.
            let suffix_starts_with_ha = h.suffixed
                && toks
                    .get(toks.partition_point(|t| t.end <= h.e))
                    .is_some_and(|tok| {
                        let word = &n.text[tok.bstart..tok.bend];
                        word.char_indices()
                            .nth(h.e.saturating_sub(tok.start))
                            .is_some_and(|(b, _)| word[b..].starts_with('ه'))
                    });
            if !suffix_starts_with_ha {
                return true;
            }
            let (o, _) = n.original(h.e, h.e + 1);
            !starts.get(o).is_some_and(|&b| text[b..].starts_with('ة'))
        });
        let lines = structure::lines(&n, &toks, lex);
        let paras = structure::paras(&chars, &lines);
        Doc {
            lex,
            text,
            starts,
            n,
            chars,
            toks,
            hits,
            lines,
            paras,
        }
    }

    /// The body paragraphs, with their quotations and sentences.
    pub fn body(&self) -> impl Iterator<Item = (&Line, &structure::Para)> {
        self.lines
            .iter()
            .zip(&self.paras)
            .filter(|(l, _)| l.kind == structure::LineKind::Body)
    }

    /// The display form ([`entities::display`]) of the original text behind folded characters
    /// `[s, e)`.
    pub fn orig(&self, s: usize, e: usize) -> String {
        let (a, b) = self.n.original(s, e);
        entities::display(self.original(a, b))
    }

    /// The original text of original characters `[a, b)`, clamped to the text.
    pub fn original(&self, a: usize, b: usize) -> &'a str {
        let last = self.starts.len() - 1;
        let b = b.min(last);
        &self.text[self.starts[a.min(b)]..self.starts[b]]
    }

    /// The folded text of token `t`.
    pub fn word(&self, t: usize) -> &str {
        match self.toks.get(t) {
            Some(tok) => &self.n.text[tok.bstart..tok.bend],
            None => "",
        }
    }

    /// The folded text between token `t - 1` and token `t`.
    pub fn gap(&self, t: usize) -> &str {
        match (
            t.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.toks.get(t),
        ) {
            (Some(a), Some(b)) => &self.n.text[a.bend..b.bstart],
            _ => "",
        }
    }

    /// Tokens `t - 1` and `t` are separated by white space (and quote marks or dashes) only.
    pub fn tight(&self, t: usize) -> bool {
        self.gap(t)
            .chars()
            .all(|c| c.is_whitespace() || matches!(c, '«' | '»' | '"' | '(' | ')' | '-' | '\''))
    }

    /// The function-word kind of token `t`, also behind و/ف («وأن»، «فإن»).
    pub fn func(&self, t: usize) -> Option<FuncKind> {
        self.lex.func_kind(&self.hits, t)
    }

    /// The index of the first token starting at or after folded character `c`.
    pub fn tok_at(&self, c: usize) -> usize {
        self.toks.partition_point(|t| t.end <= c)
    }

    /// Line index of a folded character.
    pub fn line_of(&self, c: usize) -> usize {
        self.lines
            .partition_point(|l| l.end < c)
            .min(self.lines.len().saturating_sub(1))
    }

    /// A word made only of a cue of `cat`: the longest hit of that table starting at `t`.
    pub fn has(&self, t: usize, cat: Cat) -> bool {
        self.hits.longest(t, cat).is_some()
    }
}

/// A time mention in folded character offsets, with its value.
#[derive(Debug, Clone)]
pub(crate) struct Time {
    pub s: usize,
    pub e: usize,
    pub value: Option<crate::dates::DateValue>,
    pub resolution: crate::model::Resolution,
}

/// Character offsets → [`Span`]s of the original text in O(1).
struct Spanner<'a> {
    text: &'a str,
    starts: &'a [usize],
}

impl<'a> Spanner<'a> {
    fn new(doc: &'a Doc) -> Self {
        Spanner {
            text: doc.text,
            starts: &doc.starts,
        }
    }
    /// The span of original characters `[s, e)`, clamped to the text.
    fn span(&self, s: usize, e: usize) -> Span {
        let len = self.starts.len() - 1;
        let e = e.min(len);
        let s = s.min(e);
        Span {
            start: s,
            end: e,
            text: self.text[self.starts[s]..self.starts[e]].to_owned(),
        }
    }
    /// The span of the original text behind folded characters `[s, e)`, trimmed of white space.
    fn folded(&self, n: &Normalized, s: usize, e: usize) -> Span {
        let (mut a, mut b) = n.original(s, e.max(s));
        let last = self.starts.len() - 1;
        let piece = &self.text[self.starts[a.min(last)]..self.starts[b.min(last)]];
        let trimmed = piece.trim_start();
        a += piece[..piece.len() - trimmed.len()].chars().count();
        let trimmed_end = trimmed.trim_end();
        b -= trimmed[trimmed_end.len()..].chars().count();
        self.span(a, b.max(a))
    }
}

fn extract_part(meta: ArticleMeta, published: Option<NaiveDate>, lex: &Lexicon) -> Extraction {
    let mut x = Extraction::new(meta);
    let text = x.article.text.clone();
    let doc = Doc::new(&text, lex);
    let sp = Spanner::new(&doc);

    // Publication date: metadata, else a dateline in the text.
    let dateline = if published.is_none() {
        crate::time::dateline(&text, &doc.n, &lex.time)
    } else {
        None
    };
    let published = published.or(dateline.map(|d| d.0));
    x.article.published = published.map(|d| d.format("%Y-%m-%d").to_string());

    let mut ents = entities::find(&doc);

    let mut times: Vec<Time> = crate::time::find_times(&text, &doc.n, &lex.time, published)
        .into_iter()
        .filter(|m| m.start < m.end)
        .map(|m| Time {
            s: doc.n.folded(m.start),
            e: doc.n.folded(m.end),
            value: m.value,
            resolution: m.resolution,
        })
        .collect();
    // The dateline itself is the publication date, not an event time.
    if let Some((_, ds, de)) = dateline {
        let (ds, de) = (doc.n.folded(ds), doc.n.folded(de));
        times.retain(|t| t.e <= ds || t.s >= de);
    }
    times.sort_by_key(|t| (t.s, t.e));

    let stmts = statements::find(&doc, &mut ents, &times, published);
    let (events, numbers) = events::find(&doc, &ents, &times);

    // Entities.
    let eid = |i: usize| local_id('e', i);
    for (i, e) in ents.ents.iter().enumerate() {
        // The same words are often found by several rules: one span each.
        let mut found = e.mentions.clone();
        found.sort_unstable();
        found.dedup();
        let mut mentions: Vec<Span> = found
            .iter()
            .map(|&(s, t)| sp.folded(&doc.n, s, t))
            .filter(|s| !s.text.is_empty())
            .collect();
        mentions.sort();
        mentions.dedup();
        // Mentions repeat the same words: display each wording once.
        let mut wordings: Vec<&str> = mentions.iter().map(|m| m.text.as_str()).collect();
        wordings.sort_unstable();
        wordings.dedup();
        let mut aliases: Vec<String> = wordings
            .into_iter()
            .map(entities::display)
            .filter(|a| *a != e.name_ar && !a.is_empty())
            .collect();
        aliases.sort();
        aliases.dedup();
        let mut ids = BTreeMap::new();
        if let Some(q) = &e.qid {
            ids.insert("wikidata".to_owned(), q.clone());
        }
        x.entities.push(Entity {
            id: eid(i),
            kind: e.kind,
            name_ar: e.name_ar.clone(),
            name_en: e.name_en.clone(),
            aliases,
            mentions,
            ids,
            unnamed: ents.unnamed[i],
        });
    }
    for r in &ents.roles {
        let span = sp.folded(&doc.n, r.s, r.e);
        x.roles.push(Role {
            holder: eid(r.holder),
            title: entities::display(&sp.folded(&doc.n, r.ts, r.te).text),
            title_en: Some(r.title_en.clone()),
            of: r.of.map(eid),
            span,
        });
    }
    // Time expressions: every mention in the text, plus the publication date.
    let tid = |i: usize| local_id('t', i);
    for (i, t) in times.iter().enumerate() {
        x.times.push(TimeExpression {
            id: tid(i),
            span: Some(sp.folded(&doc.n, t.s, t.e)),
            value: t.value.map(|v| v.iso()),
            precision: t.value.map(|v| v.precision()),
            resolution: t.resolution,
        });
    }
    if let Some(d) = published {
        let (span, resolution) = match dateline {
            Some((_, s, e)) => (Some(sp.span(s, e)), crate::model::Resolution::Explicit),
            None => (None, crate::model::Resolution::Explicit),
        };
        x.times.push(TimeExpression {
            id: "published".into(),
            span,
            value: Some(d.format("%Y-%m-%d").to_string()),
            precision: Some(Precision::Day),
            resolution,
        });
    }
    for (i, s) in stmts.iter().enumerate() {
        x.statements.push(Statement {
            id: local_id('s', i),
            speaker: s.speaker.map(eid),
            verb: sp.folded(&doc.n, s.verb.0, s.verb.1),
            content: sp.folded(&doc.n, s.content.0, s.content.1),
            direct: s.direct,
            time: s
                .time
                .map(tid)
                .or_else(|| (s.published && published.is_some()).then(|| "published".into())),
            topics: s.topics.clone(),
            stance: s.stance,
            via: s.via.map(eid),
            venue: s.venue.clone(),
            addressee: s.addressee.map(eid),
        });
    }
    for (i, ev) in events.iter().enumerate() {
        x.events.push(crate::model::Event {
            id: local_id('v', i),
            kind: ev.kind.clone(),
            trigger: sp.folded(&doc.n, ev.trigger.0, ev.trigger.1),
            actors: ev.actors.iter().map(|&a| eid(a)).collect(),
            targets: ev.targets.iter().map(|&a| eid(a)).collect(),
            place: ev.place.map(eid),
            time: ev.time.map(tid),
            topics: ev.topics.clone(),
        });
    }
    for (i, n) in numbers.iter().enumerate() {
        x.numbers.push(NumericClaim {
            id: local_id('n', i),
            span: sp.folded(&doc.n, n.span.0, n.span.1),
            value: n.value,
            counts: n.counts.clone(),
            approximate: n.approximate,
            of: n.of.map(eid),
            place: n.place.map(eid),
        });
    }
    x
}

/// The id of the `i`-th item of a kind within an extraction: `e1`, `s12` … Written digit by
/// digit: an article has hundreds of them, and `format!` costs several times more.
fn local_id(kind: char, i: usize) -> String {
    let mut digits = [0u8; 20];
    let mut n = i + 1;
    let mut k = digits.len();
    while n > 0 {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut id = String::with_capacity(1 + digits.len() - k);
    id.push(kind);
    id.extend(digits[k..].iter().map(|&d| char::from(d)));
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ids_count_from_one() {
        for (i, want) in [(0, "e1"), (8, "e9"), (9, "e10"), (1233, "e1234")] {
            assert_eq!(local_id('e', i), want);
        }
        assert_eq!(local_id('s', usize::MAX - 1), format!("s{}", usize::MAX));
    }

    pub(crate) fn run(text: &str) -> Vec<Extraction> {
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let a = Article {
            id: "t".into(),
            text: text.into(),
            ..Default::default()
        };
        extract(&a, &lex)
    }

    #[test]
    fn empty_and_odd_texts_validate() {
        for t in ["", "\n\n", "«", "قال", "وقال: «", "أعلنت بغداد، الخميس، أن"]
        {
            for x in run(t) {
                assert_eq!(x.validate(), Ok(()), "{t:?}");
            }
        }
    }
}
