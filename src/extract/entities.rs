//! Entities, roles and coreference inside one article.
//!
//! Input: a [`Doc`] (folded text, tokens, lexicon hits). Output: [`Entities`]: the people,
//! organizations and places with canonical names and mentions; the noun phrases ([`Np`]) that
//! refer to them, including titles («رئيس الوزراء العراقي حيدر جواد الربيعي»), which the
//! statement pass uses to find speakers; and the [`RoleFact`]s those titles state.
//!
//! Rules, in order of a left-to-right pass over the words:
//! - gazetteer names (canonical name from the gazetteer, so it is the same in every article);
//! - a title («وزير الخارجية»، «المتحدث باسم»، «اللواء») with its demonym or organization,
//!   then a name: a gazetteer person or two to four name-like words; without a name the title
//!   alone refers back (or forward) to the person holding that post («المتحدث الأمريكي»);
//! - a title right after a person is an apposition: «سامر النعيمي المتحدث باسم …»;
//! - organization head nouns («وزارة»، «حركة»، «كتائب» …) and place head nouns («قاعدة»،
//!   «مطار» …) with the words of the name and a demonym («وزارة الدفاع الأميركية»);
//! - kunya «أبو …» and the name right after a speech verb («وقال سامر النعيمي …»);
//! - afterwards, surnames (with or without ال: «البهرامي»/«بهرامي») refer to the full name.

use super::lexicon::{Cat, FuncKind, TitleKind};
use super::Doc;
use crate::arabic;
use crate::arabic::WordHash;
use crate::model::EntityKind;
use std::collections::HashMap;

/// An entity of the article.
#[derive(Debug, Clone)]
pub(crate) struct Ent {
    pub kind: EntityKind,
    pub name_ar: String,
    pub name_en: Option<String>,
    pub qid: Option<String>,
    /// Canonical name of the country the entity belongs to or speaks for.
    pub country: Option<String>,
    /// For a place: who speaks when it is the subject of a speech verb («أعلنت بغداد»).
    pub speaks_as: Option<String>,
    /// Folded character ranges.
    pub mentions: Vec<(usize, usize)>,
}

/// A noun phrase that refers to an entity: tokens `[t0, t1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Np {
    pub ent: usize,
    pub t0: usize,
    pub t1: usize,
}

/// «رئيس الوزراء العراقي حيدر جواد الربيعي»: holder, title (folded chars `[ts, te)`), of.
#[derive(Debug, Clone)]
pub(crate) struct RoleFact {
    pub holder: usize,
    pub title_en: String,
    pub of: Option<usize>,
    pub ts: usize,
    pub te: usize,
    pub s: usize,
    pub e: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Entities {
    pub ents: Vec<Ent>,
    /// In text order.
    pub nps: Vec<Np>,
    pub roles: Vec<RoleFact>,
    /// The folded current name of each entity ([`arabic::normalize`] of `name_ar`).
    pub folded: Vec<String>,
    /// Whether each entity is an unnamed source ([`unnamed_source`]).
    pub unnamed: Vec<bool>,
    /// Folded name → the entities of each kind with that name.
    index: HashMap<String, Vec<(EntityKind, usize)>, WordHash>,
}

impl Entities {
    /// The noun phrase starting at token `t`.
    pub fn np_at(&self, t: usize) -> Option<&Np> {
        let i = self.nps.partition_point(|n| n.t0 < t);
        self.nps.get(i).filter(|n| n.t0 == t)
    }
    /// The noun phrase ending just before token `t`.
    pub fn np_ending(&self, t: usize) -> Option<&Np> {
        // Noun phrases are short: look back over those starting a few words before.
        let i = self.nps.partition_point(|n| n.t0 < t);
        self.nps[..i].iter().rev().take(8).find(|n| n.t1 == t)
    }
    /// The noun phrase covering token `t`.
    pub fn np_covering(&self, t: usize) -> Option<&Np> {
        let i = self.nps.partition_point(|n| n.t0 <= t);
        i.checked_sub(1)
            .and_then(|i| self.nps.get(i))
            .filter(|n| n.t1 > t)
    }
    /// The entity a country name refers to, created from the gazetteer if needed.
    pub fn country_of(&self, e: usize) -> Option<&str> {
        self.ents.get(e)?.country.as_deref()
    }

    fn add(&mut self, ent: Ent) -> usize {
        let folded = arabic::normalize(&ent.name_ar);
        self.add_folded(ent, folded)
    }

    /// [`Entities::add`] when the folded name is known.
    fn add_folded(&mut self, ent: Ent, folded: String) -> usize {
        if let Some(i) = self.find(ent.kind, &folded) {
            return i;
        }
        let i = self.ents.len();
        self.index
            .entry(folded.clone())
            .or_default()
            .push((ent.kind, i));
        self.ents.push(ent);
        self.folded.push(folded);
        self.unnamed.push(false);
        i
    }

    /// The entity of `kind` first added under the folded name `folded`.
    fn find(&self, kind: EntityKind, folded: &str) -> Option<usize> {
        self.index
            .get(folded)?
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|&(_, i)| i)
    }

    /// The entity of gazetteer row `g`, added when new (without copying the row when not).
    fn add_gaz(&mut self, doc: &Doc, g: usize) -> usize {
        let r = &doc.lex.gaz[g];
        if let Some(i) = self.find(r.kind, &r.folded) {
            return i;
        }
        self.add_folded(gaz_ent(doc, g), r.folded.clone())
    }
}

impl Ent {
    /// A person known only by the name the text gives.
    fn person(name_ar: String) -> Ent {
        Ent {
            kind: EntityKind::Person,
            name_ar,
            name_en: None,
            qid: None,
            country: None,
            speaks_as: None,
            mentions: Vec::new(),
        }
    }
}

/// The display form of a name as written: marks and tatweel dropped, Persian letters merged,
/// quote marks and brackets removed, spaces collapsed. «كاظم البهرامي» → «كاظم البهرامي».
pub(crate) fn display(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'ی' | 'ې' => 'ي',
            'ک' => 'ك',
            c => c,
        };
        if arabic::fold_char(c).is_none()
            || matches!(c, '«' | '»' | '"' | '“' | '”' | '(' | ')' | '[' | ']')
        {
            continue;
        }
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let kept = out.trim_end().trim_start_matches(['-', '،', ',']).trim();
    if kept.len() == out.len() {
        out
    } else {
        kept.to_owned()
    }
}

fn gaz_ent(doc: &Doc, g: usize) -> Ent {
    let r = &doc.lex.gaz[g];
    Ent {
        kind: r.kind,
        name_ar: r.name_ar.clone(),
        name_en: r.name_en.clone(),
        qid: r.qid.clone(),
        country: r.country.clone(),
        speaks_as: r.speaks_as.clone(),
        mentions: Vec::new(),
    }
}

/// «قال مسؤول أميركي كبير …»، «أفاد مصدر أمني عراقي …»: one unnamed source (a singular noun
/// and its nisba adjectives, tokens `[t0, t1)`) speaks; the noun phrase names it as the text does.
/// Its name is a description, not an identity: the entity is marked unnamed, and the mapper gives
/// it an IRI of its article only, so two articles' «مصدر أمني» stay two nodes.
pub(crate) fn unnamed_source(doc: &Doc, ents: &mut Entities, t0: usize, t1: usize) -> usize {
    let (s, e_char) = (doc.toks[t0].start, doc.toks[t1 - 1].end);
    let name = doc.orig(s, e_char);
    let e = ents.add(Ent::person(name));
    ents.unnamed[e] = true;
    ents.ents[e].mentions.push((s, e_char));
    let at = ents.nps.partition_point(|n| n.t0 < t0);
    ents.nps.insert(at, Np { ent: e, t0, t1 });
    e
}

/// The entity for a gazetteer name (canonical), creating it.
pub(crate) fn ensure_gaz(doc: &Doc, ents: &mut Entities, name_ar: &str) -> Option<usize> {
    let g = doc.lex.gaz_canonical(name_ar)?;
    Some(ents.add_gaz(doc, g))
}

/// Start of the text of token `t` after its proclitics, when a hit of the given table starts
/// there.
fn start_after_clitic(doc: &Doc, t: usize, s: Option<usize>) -> usize {
    s.unwrap_or_else(|| doc.toks.get(t).map_or(0, |k| k.start))
}

/// A word that can be part of a person's name: not a function word, speech word, title,
/// demonym, organization or place, number or cue word.
fn nameish(doc: &Doc, t: usize) -> bool {
    let w = doc.word(t);
    if w.chars().count() < 2 || w.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let ali = given_ali(doc, t);
    if doc.func(t).is_some() && !ali {
        return false;
    }
    for h in doc.hits.starting(t) {
        match h.cat {
            Cat::Speech
            | Cat::Title
            | Cat::Demonym
            | Cat::OrgHead
            | Cat::PlaceHead
            | Cat::Unit
            | Cat::Event
            | Cat::Topic
            | Cat::Venue
            | Cat::Boiler => return false,
            Cat::Gaz if doc.lex.gaz[h.idx].kind != EntityKind::Person => return false,
            Cat::Func if (h.prefix == 0 || h.t1 == t + 1) && !ali => return false,
            _ => {}
        }
    }
    true
}

/// «علي» the given name, not «على» the preposition: folding ى→ي merges them, so the original
/// spelling decides (final ي, or a shadda: «عليّ»), and a name word must follow («المحلل
/// السياسي علي الحسناوي»; «علي أهمية» in a text that writes ى as ي is no name: «أهمية» ends
/// with ta marbuta, and a single word is never a name anyway).
fn given_ali(doc: &Doc, t: usize) -> bool {
    let Some(tok) = doc.toks.get(t) else {
        return false;
    };
    if arabic::strip_proclitic(doc.word(t), 3) != "علي" {
        return false;
    }
    let (a, b) = doc.n.original(tok.start, tok.end);
    let orig = doc.original(a, b);
    if orig.contains('ى') || !(orig.contains('ي')) {
        return false;
    }
    t + 1 < doc.toks.len() && doc.tight(t + 1) && {
        let next = doc.toks[t + 1];
        let (a, b) = doc.n.original(next.start, next.end);
        !doc.original(a, b).ends_with('ة')
            && doc.func(t + 1).is_none()
            && !doc.has(t + 1, Cat::Speech)
    }
}

/// Two to four name-like words from token `j`, separated by spaces only; a word with ال after
/// the first ends the name («كاظم البهرامي»). Returns the end token.
fn name_chunk(doc: &Doc, j: usize) -> Option<usize> {
    let first = doc.word(j);
    // «ألينا»، «إلهام» fold to «ال…» but their alef carries a hamza: not the article.
    let article = first.starts_with("ال") && {
        let (o, _) = doc.n.original(doc.toks[j].start, doc.toks[j].start + 1);
        doc.original(o, o + 1) == "ا"
    };
    // «والدفاع النيابية»: a word with the article behind a clitic is no name either.
    // («فالح» is a name: what follows «فال» is too short for a noun.)
    let clitic_article = ["وال", "فال", "بال", "كال", "لل"].iter().any(|p| {
        first
            .strip_prefix(p)
            .is_some_and(|r| r.chars().count() >= 3)
    });
    if article || clitic_article || !nameish(doc, j) {
        return None;
    }
    let mut k = j;
    while k < doc.toks.len() && k - j < 4 {
        // «جان-بيار لوران»: a hyphen with no space joins the parts of a compound given name.
        let hyphen = k > j && doc.gap(k) == "-";
        if k > j
            && !hyphen
            && (!doc.tight(k) || doc.gap(k).contains(['«', '»', '"', '(', ')', '-']))
        {
            break;
        }
        let w = doc.word(k);
        if !nameish(doc, k)
            || (k > j
                && ["لل", "بال", "وال", "فال", "كال"]
                    .iter()
                    .any(|p| w.starts_with(p)))
        {
            break;
        }
        k += 1;
        // «عبد الله»، «عبد الرحمن»: «عبد» and its ال-word are one name.
        let compound = k >= 2 && doc.word(k - 2) == "عبد";
        if k - j >= 2 && doc.word(k - 1).starts_with("ال") && !compound {
            break;
        }
    }
    (k - j >= 2).then_some(k)
}

/// An organization or place named by a head noun (see [`head_phrase`]). Most are looked at and
/// then left for a longer gazetteer name or title, so the name is only put together when used.
struct HeadPhrase<'a> {
    /// The token after the name.
    end: usize,
    /// The name's pieces: spans of the text (folded offsets) or canonical words of the lexicon.
    pieces: Vec<Piece<'a>>,
    /// The country a closing demonym gave the name.
    country: Option<&'a str>,
}

enum Piece<'a> {
    Text(usize, usize),
    Lexicon(&'a str),
}

impl HeadPhrase<'_> {
    /// The canonical name: «وزارة الدفاع الأميركية» → «وزارة الدفاع الأمريكية».
    fn name(&self, doc: &Doc) -> String {
        let mut out = String::new();
        for (i, p) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match *p {
                Piece::Text(s, e) => out.push_str(&doc.orig(s, e)),
                Piece::Lexicon(w) => out.push_str(w),
            }
        }
        out
    }
}

/// An organization or place named by a head noun at token `t`.
fn head_phrase<'a>(doc: &'a Doc, t: usize, cat: Cat) -> Option<HeadPhrase<'a>> {
    let h = doc.hits.longest(t, cat)?;
    if h.t1 != t + 1 {
        return None;
    }
    let words = match cat {
        Cat::OrgHead => doc.lex.org_heads[h.idx].words,
        _ => doc.lex.place_heads[h.idx].words,
    };
    // «القوات الأجنبية»: the article belongs to the name; other clitics do not.
    let head_start = if doc.word(t).starts_with("ال") && h.prefix == 2 {
        doc.toks[t].start
    } else {
        h.s
    };
    let head_definite = doc.word(t).starts_with("ال") && h.prefix <= 2;
    let mut pieces = vec![Piece::Text(head_start, h.e)];
    let mut k = t + 1;
    let mut definite = false;
    let mut quoted = false;
    let mut extended = false;
    while k < doc.toks.len() && k - t - 1 < words + usize::from(extended) && doc.tight(k) {
        // «مكتب رئيس الوزراء»: an indefinite head in construct with a definite post.
        if let Some(ti) = doc
            .hits
            .longest(k, Cat::Title)
            .filter(|ti| k == t + 1 && !head_definite && ti.prefix == 0 && ti.t1 > k + 1)
            .filter(|ti| doc.word(ti.t1 - 1).starts_with("ال"))
        {
            let ti = *ti;
            pieces.push(Piece::Text(ti.s, ti.e));
            definite = true;
            k = ti.t1;
            break;
        }
        if doc.func(k).is_some()
            || doc.hits.starting(k).iter().any(|x| {
                matches!(
                    x.cat,
                    Cat::Speech | Cat::Title | Cat::Demonym | Cat::Unit | Cat::Venue
                ) || (x.cat == Cat::Gaz && doc.lex.gaz[x.idx].kind == EntityKind::Person)
            })
        {
            break;
        }
        let w = doc.word(k);
        if w.chars().count() < 2 {
            break;
        }
        let gap = doc.gap(k);
        if gap.contains('»') || (quoted && gap.contains('"')) {
            break;
        }
        if gap.contains(['«', '"']) {
            quoted = true;
        }
        // A known name inside: «حكومة إقليم كردستان».
        if let Some(g) = doc.hits.longest(k, Cat::Gaz).filter(|g| g.prefix == 0) {
            let g = *g;
            pieces.push(Piece::Text(g.s, g.e));
            definite = true;
            k = g.t1;
            continue;
        }
        // «وزارة شؤون البيشمركة»، «حكومة تصريف الأعمال»: an indefinite noun in construct
        // with a definite one (iḍāfa) is part of a definite name.
        let idafa = !quoted
            && k == t + 1
            && k + 1 < doc.toks.len()
            && doc.tight(k + 1)
            && doc.word(k + 1).starts_with("ال")
            && doc.func(k + 1).is_none()
            && !doc.word(k).starts_with(['ل', 'ب', 'و'])
            && doc
                .hits
                .starting(k + 1)
                .iter()
                .all(|x| x.cat != Cat::Demonym);
        if w.starts_with("ال") {
            definite = true;
        } else if idafa {
            extended = true;
        } else if w.starts_with("لل") || !quoted {
            // The first word of a name is definite, known or quoted; later ones too.
            break;
        }
        let tok = doc.toks[k];
        pieces.push(Piece::Text(tok.start, tok.end));
        k += 1;
    }
    let bare_with_demonym = k == t + 1
        && head_definite
        && k < doc.toks.len()
        && doc.tight(k)
        && doc
            .hits
            .starting(k)
            .iter()
            .any(|d| d.cat == Cat::Demonym && d.t1 == k + 1);
    if !bare_with_demonym && (k == t + 1 || !(definite || quoted)) {
        return None;
    }
    // A demonym closes the name and fixes its country.
    let mut country = None;
    if k < doc.toks.len() && doc.tight(k) {
        if let Some(d) = doc.hits.starting(k).iter().find(|d| {
            d.cat == Cat::Demonym
                && d.t1 == k + 1
                && (d.prefix == 0 || doc.word(k).starts_with("ال"))
        }) {
            let dem = &doc.lex.demonyms[d.idx];
            let fem = doc.word(k).ends_with('ه');
            let canon = if fem {
                dem.canonical_fem.as_str()
            } else {
                dem.canonical_fem.trim_end_matches('ة')
            };
            pieces.push(Piece::Lexicon(canon));
            country = Some(dem.country.as_str());
            k += 1;
        }
    }
    Some(HeadPhrase {
        end: k,
        pieces,
        country,
    })
}

/// Finds the entities, noun phrases and roles of a document.
pub(crate) fn find(doc: &Doc) -> Entities {
    let mut ents = Entities::default();
    let n = doc.toks.len();
    // Title-only phrases to resolve once all roles are known: (t0, t1, title_en, country).
    let mut title_only: Vec<(usize, usize, String, Option<String>)> = Vec::new();
    let mut t = 0;
    while t < n {
        // Every rule below starts at a name, head noun, title or speech verb, or at «أبو»: most
        // words start none of them.
        if !doc.hits.starting(t).iter().any(|h| {
            matches!(
                h.cat,
                Cat::Gaz | Cat::OrgHead | Cat::PlaceHead | Cat::Title | Cat::Speech
            )
        }) && !doc.word(t).ends_with("ابو")
        {
            t += 1;
            continue;
        }
        let tok_start = doc.toks[t].start;
        // Gazetteer names (longest), unless a head-noun phrase is longer.
        let gaz = doc.hits.longest(t, Cat::Gaz).copied();
        let org = head_phrase(doc, t, Cat::OrgHead);
        let place = head_phrase(doc, t, Cat::PlaceHead);
        let title = doc.hits.longest(t, Cat::Title).copied();
        if let Some(g) = gaz {
            let longer_head = [&org, &place]
                .iter()
                .any(|p| p.as_ref().is_some_and(|p| p.end > g.t1));
            let longer_title = title.is_some_and(|ti| ti.t1 > g.t1);
            if !longer_head && !longer_title {
                let e = ents.add_gaz(doc, g.idx);
                ents.ents[e].mentions.push((g.s, g.e));
                ents.nps.push(Np {
                    ent: e,
                    t0: t,
                    t1: g.t1,
                });
                t = g.t1;
                continue;
            }
        }
        if let Some(ti) = title {
            if let Some(next) = title_phrase(doc, &mut ents, &mut title_only, t, ti) {
                t = next;
                continue;
            }
        }
        for (phrase, kind) in [(org, EntityKind::Organization), (place, EntityKind::Place)] {
            if let Some(phrase) = phrase {
                let (end, name, country) = (
                    phrase.end,
                    phrase.name(doc),
                    phrase.country.map(str::to_owned),
                );
                let s = start_after_clitic(
                    doc,
                    t,
                    doc.hits
                        .longest(
                            t,
                            if kind == EntityKind::Organization {
                                Cat::OrgHead
                            } else {
                                Cat::PlaceHead
                            },
                        )
                        .map(|h| h.s),
                );
                let e = match doc.lex.gaz_named(&arabic::normalize(&name)) {
                    Some(g) => ents.add_gaz(doc, g),
                    None => ents.add(Ent {
                        kind,
                        name_ar: name,
                        name_en: None,
                        qid: None,
                        country,
                        speaks_as: None,
                        mentions: Vec::new(),
                    }),
                };
                ents.ents[e].mentions.push((s, doc.toks[end - 1].end));
                ents.nps.push(Np {
                    ent: e,
                    t0: t,
                    t1: end,
                });
                t = end;
                break;
            }
        }
        if t >= n || doc.toks[t].start != tok_start {
            continue;
        }
        // Kunya: «أبو تقوى السعيدي».
        let w = doc.word(t);
        if w.ends_with("ابو")
            && arabic::strip_proclitic(w, 3) == "ابو"
            && t + 1 < n
            && doc.tight(t + 1)
            && nameish(doc, t + 1)
        {
            let mut end = t + 2;
            if end < n && doc.tight(end) && nameish(doc, end) {
                end += 1;
            }
            let s = doc.toks[t].end - 3;
            person(doc, &mut ents, t, end, s);
            t = end;
            continue;
        }
        // The subject right after a speech verb: «وقال سامر النعيمي المتحدث …», unless it is the
        // surname of someone already named («فيما أكد حسين رفض …»).
        let speech = doc.hits.longest(t, Cat::Speech).copied();
        let known_surname = speech.is_some() && t + 1 < n && {
            let w = arabic::strip_proclitic(doc.word(t + 1), 3);
            ents.ents.iter().zip(&ents.folded).any(|(e, folded)| {
                e.kind == EntityKind::Person
                    && folded
                        .rsplit(' ')
                        .next()
                        .is_some_and(|last| last == w || last.strip_prefix("ال") == Some(w))
            })
        };
        if let Some(h) = speech.filter(|_| !known_surname) {
            if t + 1 < n && h.t1 == t + 1 && doc.tight(t + 1) {
                if let Some(end) = name_chunk(doc, t + 1) {
                    let followed = end >= n
                        || !doc.tight(end)
                        || doc.has(end, Cat::Title)
                        || doc.func(end).is_some();
                    if followed {
                        let s = doc.toks[t + 1].start;
                        person(doc, &mut ents, t + 1, end, s);
                        t = end;
                        continue;
                    }
                }
            }
        }
        t += 1;
    }
    ents.nps.sort_by_key(|p| (p.t0, p.t1));
    surnames(doc, &mut ents);
    resolve_titles(&mut ents, title_only);
    ents.nps.sort_by_key(|p| (p.t0, p.t1));
    ents
}

/// Adds a person named by tokens `[t0, t1)` (the name starts at folded character `s`).
fn person(doc: &Doc, ents: &mut Entities, t0: usize, t1: usize, s: usize) -> usize {
    let e_char = doc.toks[t1 - 1].end;
    // The original spelling (the folded text loses hamzas and ta marbuta).
    let name = doc.orig(s, e_char);
    let folded = arabic::normalize(&name);
    let e = match doc.lex.gaz_named(&folded) {
        Some(g) if doc.lex.gaz[g].kind == EntityKind::Person => ents.add_gaz(doc, g),
        _ => {
            // The same person may have been seen under a longer name.
            let existing = ents
                .ents
                .iter()
                .zip(&ents.folded)
                .position(|(x, x_folded)| {
                    x.kind == EntityKind::Person
                        && (x_folded.ends_with(&folded) || folded.ends_with(x_folded.as_str()))
                });
            match existing {
                Some(i) => {
                    if folded.chars().count() > ents.folded[i].chars().count() {
                        ents.ents[i].name_ar = name;
                        ents.folded[i] = folded;
                    }
                    i
                }
                None => ents.add(Ent::person(name)),
            }
        }
    };
    ents.ents[e].mentions.push((s, e_char));
    ents.nps.push(Np { ent: e, t0, t1 });
    e
}

/// A title at token `t` and what follows it. Returns the token after the phrase.
fn title_phrase(
    doc: &Doc,
    ents: &mut Entities,
    title_only: &mut Vec<(usize, usize, String, Option<String>)>,
    t: usize,
    ti: super::lexicon::Hit,
) -> Option<usize> {
    let n = doc.toks.len();
    let title = &doc.lex.titles[ti.idx];
    let mut j = ti.t1;
    let mut of: Option<usize> = None;
    let mut country: Option<String> = None;
    let mut guard = 0;
    while j < n && doc.tight(j) && guard < 6 {
        guard += 1;
        let w = doc.word(j);
        if let Some(d) = doc
            .hits
            .longest(j, Cat::Demonym)
            .filter(|d| d.t1 == j + 1 && d.prefix <= 2)
        {
            country = Some(doc.lex.demonyms[d.idx].country.clone());
            j += 1;
            continue;
        }
        // «المتحدث باسم الحكومة العراقية باسم العوادي»: after the organization «باسم» is a name.
        if (w == "باسم" && of.is_none()) || matches!(doc.func(j), Some(FuncKind::Adverb)) {
            j += 1;
            continue;
        }
        // «المتحدث باسم القائد العام للقوات المسلحة العراقية»: a post inside the title.
        if let Some(inner) = doc.hits.longest(j, Cat::Title).filter(|_| j > ti.t1) {
            j = inner.t1;
            continue;
        }
        // «السفير الأمريكي في بغداد جيمس هاريسون»، «النائب عن كتلة الفتح محمود القيسي».
        if matches!(doc.func(j), Some(FuncKind::Preposition))
            && j + 1 < n
            && doc.tight(j + 1)
            && (doc
                .hits
                .longest(j + 1, Cat::Gaz)
                .is_some_and(|g| doc.lex.gaz[g.idx].kind != EntityKind::Person)
                || head_phrase(doc, j + 1, Cat::OrgHead).is_some())
        {
            j += 1;
            continue;
        }
        // An adjective the lexicon does not know, right before a name: «وزير الدفاع الإيطالي
        // غويدو كروسيتو».
        if w.starts_with("ال")
            && nameish(doc, j)
            && j + 1 < n
            && doc.tight(j + 1)
            && name_chunk(doc, j + 1).is_some()
        {
            j += 1;
            continue;
        }
        if let Some(g) = doc
            .hits
            .longest(j, Cat::Gaz)
            .filter(|g| doc.lex.gaz[g.idx].kind != EntityKind::Person)
        {
            let g = *g;
            let e = ents.add_gaz(doc, g.idx);
            ents.ents[e].mentions.push((g.s, g.e));
            ents.nps.push(Np {
                ent: e,
                t0: j,
                t1: g.t1,
            });
            of = Some(e);
            j = g.t1;
            continue;
        }
        if let Some(phrase) = head_phrase(doc, j, Cat::OrgHead) {
            let (end, name, c) = (
                phrase.end,
                phrase.name(doc),
                phrase.country.map(str::to_owned),
            );
            let e = match doc.lex.gaz_named(&arabic::normalize(&name)) {
                Some(g) => ents.add_gaz(doc, g),
                None => ents.add(Ent {
                    kind: EntityKind::Organization,
                    name_ar: name,
                    name_en: None,
                    qid: None,
                    country: c,
                    speaks_as: None,
                    mentions: Vec::new(),
                }),
            };
            let s = doc
                .hits
                .longest(j, Cat::OrgHead)
                .map_or(doc.toks[j].start, |h| h.s);
            ents.ents[e].mentions.push((s, doc.toks[end - 1].end));
            ents.nps.push(Np {
                ent: e,
                t0: j,
                t1: end,
            });
            of = Some(e);
            j = end;
            continue;
        }
        break;
    }
    let country_name = country
        .clone()
        .or_else(|| of.and_then(|o| ents.ents[o].country.clone()));
    let of_ent = of.or_else(|| country.as_deref().and_then(|c| ensure_gaz(doc, ents, c)));
    // Apposition: «سامر النعيمي المتحدث باسم …» — the title follows a person.
    let before = ents
        .nps
        .iter()
        .rev()
        .find(|p| p.t1 == t && doc.tight(t))
        // «جو بايدن ورئيس الوزراء العراقي …»: a title joined by «و» is another person.
        .filter(|_| !(ti.prefix > 0 && doc.word(t).starts_with('و')))
        .copied()
        .filter(|p| ents.ents[p.ent].kind == EntityKind::Person);
    let mut holder = None;
    let mut end = j;
    if let Some(p) = before {
        holder = Some(p.ent);
        if let Some(np) = ents.nps.iter_mut().rev().find(|x| *x == &p) {
            np.t1 = j;
        }
    } else if j < n && doc.tight(j) {
        if let Some(g) = doc
            .hits
            .longest(j, Cat::Gaz)
            .filter(|g| doc.lex.gaz[g.idx].kind == EntityKind::Person)
            .copied()
        {
            let e = ents.add_gaz(doc, g.idx);
            ents.ents[e].mentions.push((g.s, g.e));
            ents.nps.push(Np {
                ent: e,
                t0: t,
                t1: g.t1,
            });
            holder = Some(e);
            end = g.t1;
        } else if let Some(mut k) = name_chunk(doc, j)
            .filter(|_| !after_preposition(doc, j))
            .filter(|&k| !before_rank(doc, k))
        {
            // «رئيس الاتحاد العراقي لكرة القدم عدنان درجال»: when a second name follows, the
            // first was a modifier of the post.
            let mut j = j;
            if k < n && doc.tight(k) {
                if let Some(k2) = name_chunk(doc, k) {
                    j = k;
                    k = k2;
                }
            }
            let e = person(doc, ents, j, k, doc.toks[j].start);
            if let Some(np) = ents.nps.last_mut() {
                np.t0 = t;
            }
            holder = Some(e);
            end = k;
        } else if let Some((a, b)) = bridge_to_name(doc, j) {
            let e = person(doc, ents, a, b, doc.toks[a].start);
            if let Some(np) = ents.nps.last_mut() {
                np.t0 = t;
            }
            holder = Some(e);
            end = b;
        }
    } else if let Some((a, b)) = (j < n).then(|| bridge_to_name(doc, j)).flatten() {
        // «عضو لجنة الأمن والدفاع النيابية، فاضل جابر الزبيدي،»: the name in apposition.
        let e = person(doc, ents, a, b, doc.toks[a].start);
        if let Some(np) = ents.nps.last_mut() {
            np.t0 = t;
        }
        holder = Some(e);
        end = b;
    }
    match holder {
        Some(h) => {
            if ents.ents[h].country.is_none() {
                ents.ents[h].country = country_name;
            }
            ents.roles.push(RoleFact {
                holder: h,
                title_en: title.en.clone(),
                of: of_ent,
                ts: ti.s,
                te: ti.e,
                s: ti.s,
                e: doc.toks[end - 1].end,
            });
        }
        None => {
            if title.kind == TitleKind::Rank && of.is_none() && country.is_none() {
                return None;
            }
            title_only.push((t, j, title.en.clone(), country_name));
        }
    }
    Some(end.max(t + 1))
}

/// A rank stands before its holder's name, never after it: in «قائد عمليات نينوى اللواء الركن
/// سامي حداد» the words between the post and the rank («عمليات نينوى») are the post's complement,
/// and the name follows the rank.
fn before_rank(doc: &Doc, k: usize) -> bool {
    k < doc.toks.len()
        && doc.tight(k)
        && doc
            .hits
            .longest(k, Cat::Title)
            .is_some_and(|h| doc.lex.titles[h.idx].kind == TitleKind::Rank)
}

/// The word right after a preposition is its object, not the start of a name: «عن تحالف الفتح».
fn after_preposition(doc: &Doc, j: usize) -> bool {
    j > 0 && doc.func(j - 1) == Some(FuncKind::Preposition)
}

/// The name a long title leads to through the complements the title loop does not parse: more
/// adjectives («الخبير العسكري العراقي العميد المتقاعد عبد الله الجبوري»), genitives and
/// prepositional phrases («عضو المكتب السياسي للحزب الديمقراطي»، «الباحث في الشؤون الإقليمية»،
/// «لحركة "أنصار الحق"»), and a name set off by commas («عضو لجنة الأمن والدفاع النيابية، فاضل
/// جابر الزبيدي،»، «… ، الدكتور مهند الخزرجي،»). Returns the name's tokens.
fn bridge_to_name(doc: &Doc, j: usize) -> Option<(usize, usize)> {
    let n = doc.toks.len();
    let mut k = j;
    let mut quoted = false;
    let mut appos = false;
    while k < n && k < j + 10 {
        let gap = doc.gap(k);
        if k > j || !doc.tight(k) {
            if gap.contains(['.', ':', '؛', '!', '?', '؟']) {
                return None;
            }
            if gap.contains('«') || (gap.contains('"') && !quoted) {
                quoted = true;
            } else if gap.contains('»') || (gap.contains('"') && quoted) {
                quoted = false;
            }
            if gap.contains(['،', ',']) {
                if appos || quoted {
                    return None;
                }
                appos = true;
            }
        }
        if doc.has(k, Cat::Speech) && !quoted {
            return None;
        }
        if !quoted && !after_preposition(doc, k) {
            if let Some(mut e) = name_chunk(doc, k).filter(|&e| !before_rank(doc, e)) {
                let mut a = k;
                if e < n && doc.tight(e) {
                    if let Some(e2) = name_chunk(doc, e) {
                        (a, e) = (e, e2);
                    }
                }
                let closed = e >= n || doc.gap(e).contains(['،', ',', '.']) || doc.tight(e);
                return (!appos || closed).then_some((a, e));
            }
        }
        let w = doc.word(k);
        // The complements of a title: «في الشؤون …»، «عن كتلة …»، «لدى العراق»، «من حزب …»; a
        // title after the preposition starts another phrase («مكتب رئيس الوزراء عن رئيس
        // الوزراء …»), a complementizer or another function word ends the title.
        let title_prep = doc.func(k) == Some(FuncKind::Preposition)
            && matches!(arabic::strip_proclitic(w, 2), "في" | "عن" | "لدي" | "من")
            && !doc.has(k + 1, Cat::Title);
        let func = match doc.func(k) {
            Some(FuncKind::Preposition) => !title_prep,
            Some(FuncKind::Common | FuncKind::Adverb | FuncKind::Generic) | None => false,
            Some(_) => true,
        };
        let modifier = quoted
            || title_prep
            || (!func
                && (["ال", "لل", "وال", "بال"].iter().any(|p| w.starts_with(p))
                    || w.starts_with('ل')
                    || after_preposition(doc, k)
                    // «مستشار مجلس أمن إقليم كردستان»: the construct noun's genitive.
                    || (k > j && (doc.has(k - 1, Cat::OrgHead) || doc.has(k - 1, Cat::PlaceHead)))))
            || doc.has(k, Cat::Demonym)
            || doc.has(k, Cat::Title)
            || doc.has(k, Cat::OrgHead)
            || doc.has(k, Cat::PlaceHead)
            || doc
                .hits
                .longest(k, Cat::Gaz)
                .is_some_and(|g| doc.lex.gaz[g.idx].kind != EntityKind::Person);
        if !modifier || w.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        k += 1;
    }
    None
}

/// Surnames of the people named in full refer to them: «الربيعي», «بهرامي»/«البهرامي».
fn surnames(doc: &Doc, ents: &mut Entities) {
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (i, (e, folded)) in ents.ents.iter().zip(&ents.folded).enumerate() {
        if e.kind != EntityKind::Person {
            continue;
        }
        let words: Vec<&str> = folded.split(' ').collect();
        if words.len() < 2 {
            continue;
        }
        let Some(last) = words.last() else { continue };
        let bare = last.strip_prefix("ال").unwrap_or(last);
        if bare.chars().count() < 3 {
            continue;
        }
        keys.insert(bare.to_owned(), i);
        keys.insert(format!("ال{bare}"), i);
    }
    if keys.is_empty() {
        return;
    }
    // Every key ends with its surname's last letter: most words are rejected on that alone.
    let mut last_letters: Vec<char> = keys.keys().filter_map(|k| k.chars().last()).collect();
    last_letters.sort_unstable();
    last_letters.dedup();
    let mut added = Vec::new();
    for t in 0..doc.toks.len() {
        let w = doc.word(t);
        if !w.ends_with(last_letters.as_slice()) || ents.np_covering(t).is_some() {
            continue;
        }
        let mut cands = vec![w];
        for p in ["و", "ف", "ب", "ل", "وب", "ول"] {
            if let Some(r) = w.strip_prefix(p) {
                cands.push(r);
            }
        }
        if let Some(&e) = cands.iter().find_map(|c| keys.get(*c)) {
            let tok = doc.toks[t];
            let stripped = cands
                .iter()
                .find(|c| keys.contains_key(**c))
                .map_or(0, |c| w.chars().count() - c.chars().count());
            ents.ents[e].mentions.push((tok.start + stripped, tok.end));
            added.push(Np {
                ent: e,
                t0: t,
                t1: t + 1,
            });
        }
    }
    ents.nps.extend(added);
    ents.nps.sort_by_key(|p| (p.t0, p.t1));
}

/// A title used alone refers to the person of the article holding that post, nearest first:
/// «أعلن وزير الدفاع الأمريكي …» followed by the caption «وزير الدفاع الأمريكي لويد أوستن».
fn resolve_titles(ents: &mut Entities, title_only: Vec<(usize, usize, String, Option<String>)>) {
    for (t0, t1, title_en, country) in title_only {
        let mut best: Option<(usize, usize)> = None;
        for r in &ents.roles {
            if r.title_en != title_en
                && !(r.title_en.starts_with("spokes") && title_en.starts_with("spokes"))
            {
                continue;
            }
            let holder_country = ents.ents[r.holder].country.as_deref();
            if let (Some(a), Some(b)) = (holder_country, country.as_deref()) {
                if a != b {
                    continue;
                }
            }
            let at = ents
                .nps
                .iter()
                .find(|p| p.ent == r.holder)
                .map_or(usize::MAX, |p| p.t0);
            let dist = at.abs_diff(t0);
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, r.holder));
            }
        }
        // «المسؤول الإيطالي»: a generic post is the nearest person named before it.
        if best.is_none() && title_en == "official" {
            best = ents
                .nps
                .iter()
                .filter(|p| p.t1 <= t0 && ents.ents[p.ent].kind == EntityKind::Person)
                .rfind(|p| {
                    country.is_none()
                        || ents.ents[p.ent].country.is_none()
                        || ents.ents[p.ent].country == country
                })
                .map(|p| (0, p.ent));
        }
        if let Some((_, h)) = best {
            if ents.np_covering(t0).is_none() {
                ents.nps.push(Np { ent: h, t0, t1 });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Doc, Lexicon};
    use super::*;

    fn names(text: &str) -> Vec<(String, EntityKind)> {
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let doc = Doc::new(text, &lex);
        let e = find(&doc);
        e.ents.iter().map(|e| (e.name_ar.clone(), e.kind)).collect()
    }

    #[test]
    fn a_post_complement_before_a_rank_is_no_name() {
        // «قائد عمليات الأنبار اللواء الركن …»: the rank stands before its holder's name, so
        // «عمليات الأنبار» is the post's complement and the person is the one after the rank.
        let n = names("وقال قائد عمليات الأنبار اللواء الركن سامي حداد الشمري إن الطرق آمنة.");
        assert!(
            n.contains(&("سامي حداد الشمري".to_owned(), EntityKind::Person)),
            "{n:?}"
        );
        assert!(!n.iter().any(|(name, _)| name.contains("عمليات")), "{n:?}");
    }

    #[test]
    fn unknown_person_after_title_and_surname_coreference() {
        // «المتحدث باسم وزارة الخارجية الكويتية» + an unknown name, then the surname alone.
        let text =
            "قال المتحدث باسم وزارة الخارجية الكويتية سالم الزيدي إن الوضع هادئ. وأضاف الزيدي أن";
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let doc = Doc::new(text, &lex);
        let e = find(&doc);
        let p = e
            .ents
            .iter()
            .position(|x| x.name_ar == "سالم الزيدي")
            .expect("person");
        assert!(e.ents[p].mentions.len() >= 2);
        assert!(e
            .ents
            .iter()
            .any(|x| x.name_ar == "وزارة الخارجية الكويتية"));
        assert_eq!(e.roles.len(), 1);
        assert_eq!(e.ents[p].country.as_deref(), Some("الكويت"));
    }

    fn people(text: &str) -> Vec<String> {
        names(text)
            .into_iter()
            .filter(|(_, k)| *k == EntityKind::Person)
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn a_post_for_affairs_and_a_state_lead_to_the_name() {
        // Invented: «لشؤون …» (for … affairs) completes a post (function_words.tsv: common), it
        // is never a given name; «عن ولاية …» is a post's complement (place_heads.tsv: ولاية).
        let p = people(
            "وقال المستشار في مكتب الرئيس لشؤون الطاقة الدولية، الدكتور سمير الحداد، إن الأسعار مستقرة.",
        );
        assert_eq!(p, vec!["سمير الحداد".to_owned()]);
        let p = people("وقالت النائبة الديمقراطية عن ولاية أوهايو، كارين ديفيس، إن التصويت تأجل.");
        assert_eq!(p, vec!["كارين ديفيس".to_owned()]);
    }

    #[test]
    fn a_hyphenated_given_name_is_one_name() {
        // Invented: «جان-لوك» is one given name; a hyphen with spaces stays a separator.
        let p = people("ويرى الباحث في المركز الأوروبي للدراسات جان-لوك مارتان أن التصويت سيتأجل.");
        assert_eq!(p, vec!["جان-لوك مارتان".to_owned()]);
    }

    #[test]
    fn a_senator_and_his_party_adjective_lead_to_the_name() {
        // Invented: «السيناتور» is a post (titles.tsv); the party adjective is an unknown
        // adjective of the title, like a demonym.
        let p = people("ودعا السيناتور الجمهوري مارك دونوفان في بيان إلى عدم التسرع.");
        assert!(p.iter().any(|n| n == "مارك دونوفان"), "{p:?}");
    }

    #[test]
    fn ali_the_name_is_not_ala_the_preposition() {
        // «علي»/«عليّ» after a title and before a name word is the given name; «على» is not.
        assert_eq!(
            people("وقال المحلل السياسي علي الحسيني للصحافيين إن الحوار مستمر."),
            ["علي الحسيني"]
        );
        assert_eq!(
            people("قال الباحث عليّ كامل الجنابي إن الوضع هادئ."),
            ["علي كامل الجنابي"]
        );
        assert!(people("وشدد على ضرورة الحوار.").is_empty());
    }

    #[test]
    fn long_titles_reach_their_name() {
        // Adjectives, prepositional phrases, genitives and a name set off by commas.
        for (text, name) in [
            (
                "قال الخبير العسكري العراقي العميد المتقاعد سامر الدوري إن",
                "سامر الدوري",
            ),
            (
                "ويقول الباحث الأردني في الشؤون الإقليمية نادر الصمادي إن",
                "نادر الصمادي",
            ),
            (
                "غير أن عضو لجنة الأمن والدفاع النيابية عن تحالف النصر، كريم الساعدي، يرى أن",
                "كريم الساعدي",
            ),
            (
                "وقال الأمين العام لحركة \"الوفاء\"، الشيخ حامد الكعبي، في كلمة إن",
                "حامد الكعبي",
            ),
            (
                "قال مستشار مجلس أمن إقليم كردستان هيمن رشيد إن",
                "هيمن رشيد",
            ),
            // After the organization, «باسم» is the given name.
            (
                "قال المتحدث باسم الحكومة الأردنية باسم الخطيب إن",
                "باسم الخطيب",
            ),
        ] {
            assert_eq!(people(text), [name], "{text}");
        }
    }

    #[test]
    fn coordinated_titles_and_compound_given_names() {
        // «X ورئيس الوزراء … Y»: the second title is another person, not X's role; «عبد الله»
        // and its ال-word are one given name.
        let n =
            people("اتفق الرئيس الأردني سامي الحسن ورئيس الوزراء العراقي كريم الدوري على الحوار.");
        assert_eq!(n, ["سامي الحسن", "كريم الدوري"]);
        assert_eq!(
            people("قال الناطق باسم القائد العام للقوات المسلحة اللواء عبد الرحمن الكعبي إن"),
            ["عبد الرحمن الكعبي"]
        );
    }

    #[test]
    fn construct_state_names_of_organizations() {
        // «وزارة شؤون البيشمركة»، «قيادة العمليات المشتركة»: an indefinite noun in construct with
        // a definite one; «لجنة ثنائية للتحضير» stays no name.
        let n = names("أكدت وزارة شؤون اللاجئين في بيان ثم أعلنت قيادة العمليات المشتركة");
        assert!(n.iter().any(|(x, _)| x == "وزارة شؤون اللاجئين"), "{n:?}");
        assert!(
            n.iter().any(|(x, _)| x == "قيادة العمليات المشتركة"),
            "{n:?}"
        );
        assert!(names("تشكيل لجنة ثنائية للتحضير").is_empty());
    }

    #[test]
    fn organizations_by_head_noun_use_canonical_demonyms() {
        // «الأميركية» and «الأمريكية» give the same canonical name.
        let n = names("أعلنت وزارة الزراعة الأميركية ثم وزارة الزراعة الأمريكية");
        assert_eq!(
            n,
            [(
                "وزارة الزراعة الأمريكية".to_owned(),
                EntityKind::Organization
            )]
        );
        // An indefinite «قوات أميركية» is not a name.
        assert!(names("وتنتشر قوات أميركية في البلاد").is_empty());
    }

    #[test]
    fn kunya_and_apposition() {
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let doc = Doc::new(
            "أعلنت الحركة مقتل أبو حيدر الساعدي. وقال سعد حسن المتحدث باسم الحركة إن",
            &lex,
        );
        let e = find(&doc);
        assert!(e.ents.iter().any(|x| x.name_ar == "أبو حيدر الساعدي"));
        let ali = e
            .ents
            .iter()
            .position(|x| x.name_ar == "سعد حسن")
            .expect("سعد حسن");
        assert!(e.roles.iter().any(|r| r.holder == ali));
    }

    #[test]
    fn title_alone_refers_to_the_post_holder() {
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let doc = Doc::new(
            "وقال المتحدث باسم الخارجية الأمريكية ديفيد كوبر إن القوات باقية. وأكد المتحدث الأمريكي أن",
            &lex,
        );
        let e = find(&doc);
        // Not in the gazetteer: found by the title before the name.
        let spokesman = e.ents.iter().position(|x| x.name_ar == "ديفيد كوبر");
        assert!(spokesman.is_some());
        let t = doc
            .toks
            .iter()
            .position(|t| doc.n.text[t.bstart..t.bend] == *"المتحدث")
            .map(|_| ());
        assert!(t.is_some());
        let refs = e.nps.iter().filter(|p| Some(p.ent) == spokesman).count();
        assert!(refs >= 2);
    }
}
