//! The extractor's linguistic knowledge, read from the TSV files of `lexicon/` (embedded in the
//! binary) and of user directories with the same layout, and a word index over the folded forms
//! of every entry, built once per lexicon.
//!
//! Input: TSV text (header line, one fact a line, `#` comments). Output: [`Lexicon`] with typed
//! tables and [`Lexicon::scan`], which finds every entry in an article's folded text at word
//! boundaries, allowing the clitics Arabic writes inside the word (و ف ب ل ك ال, pronoun suffixes).

use crate::arabic::{self, Normalized, Token, WordHash};
use crate::model::EntityKind;
use crate::time::{TimeLexicon, TimeLexiconError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Why a lexicon could not be loaded: the file, the line and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("time lexicon: {0}")]
    Time(#[from] TimeLexiconError),
}

/// One gazetteer row.
#[derive(Debug, Clone)]
pub(crate) struct GazEntry {
    pub name_ar: String,
    /// `name_ar` folded ([`arabic::normalize`]).
    pub folded: String,
    pub name_en: Option<String>,
    pub kind: EntityKind,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub speaks_as: Option<String>,
    pub qid: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Demonym {
    pub country: String,
    pub canonical_fem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TitleKind {
    Post,
    Rank,
    Spokesman,
}

#[derive(Debug, Clone)]
pub(crate) struct Title {
    pub ar: String,
    pub en: String,
    pub kind: TitleKind,
}

#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub words: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeechKind {
    Verb,
    Participle,
    Noun,
    Relay,
    Source,
    Saying,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Masculine,
    Feminine,
    Plural,
    Unmarked,
}

#[derive(Debug, Clone)]
pub(crate) struct Speech {
    pub kind: SpeechKind,
    pub gender: Gender,
    pub frames: Vec<String>,
}

impl Speech {
    pub fn takes(&self, frame: &str) -> bool {
        self.frames.iter().any(|f| f == frame)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EventTrigger {
    pub kind: String,
    pub topics: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StanceCue {
    /// What withdrawal is or ends, named without judging it: «انسحاب», «وجود القوات».
    Supports,
    Opposes,
    /// «وجود» alone, presence or mere existence: a presence (like `Opposes`) only when a
    /// predicate of its clause judges it («وجود الأصدقاء ضمانة»), else nothing («نفى وجود أي نية»).
    Presence,
    /// A judgement that already takes a side («انسحاب متسرع», «فراغ أمني», «الاحتلال»): a
    /// negation turns it, an attitude (rejecting, warning) does not: «حذر من فراغ أمني» opposes.
    Favours,
    Disfavours,
    /// Grammatical negation: «لا», «لم», «عدم», «دون».
    Negator,
    /// Rejecting, warning, worrying, complaining: turns what it governs unless that is a
    /// judgement already; as the speech verb («حذر من أن الانسحاب …») it turns the content.
    Attitude,
    Conditional,
    /// «إلا», «سوى»: a negation before it restricts, it does not deny («لا حل إلا بالانسحاب»).
    Restriction,
    /// «حتى الآن» (so far): a negation it follows in its clause complains of a delay, it
    /// does not deny: «القوات لم تغادر حتى الآن» wants them gone.
    Yet,
    /// Praise of what the statement is about, with no cue of its own supports the withdrawal
    /// («اعتبر الاتفاق إنجازاً»); after a cue it approves it, like an approval.
    Praise,
    /// An end: a withdrawal cue of its own («انتهت المهمة»), and the predicate that ends a
    /// presence named before it: «مبررات وجود التحالف انتهت» supports.
    Ending,
    /// A predicate after the cue that rejects it: «بقاء القوات مرفوض».
    Verdict,
    /// A predicate after the cue that approves it («وجود القوات ضروري»); negated, it rejects
    /// it: «بقاء القوات لم يعد له أي مبرر».
    Approval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Boiler {
    Line,
    Split,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FuncKind {
    Complementizer,
    Preposition,
    Conjunction,
    Relative,
    Demonstrative,
    Pronoun,
    Generic,
    Adverb,
    Common,
}

/// The table a lexicon pattern belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Cat {
    Gaz,
    Demonym,
    Title,
    OrgHead,
    PlaceHead,
    Speech,
    Venue,
    Event,
    Topic,
    Stance,
    Boiler,
    Unit,
    Func,
}

/// What one folded pattern stands for.
#[derive(Debug, Clone, Copy)]
struct Payload {
    cat: Cat,
    idx: usize,
    /// The pattern is a «…ت» variant of a «…ة» word and needs a pronoun suffix («مهمتها»).
    needs_suffix: bool,
    /// The pattern ends with a proclitic («وفقا ل») and may end inside the next word.
    open_end: bool,
    /// The clitics this entry allows around it ([`accepts`]), filled in when the index is built.
    accept: u16,
}

/// What stands before a match in its first word: nothing, a conjunction (و ف), the
/// prepositions ب or ل alone, or another proclitic sequence.
fn prefix_class(prefix: &str) -> u16 {
    match prefix {
        "" => 0,
        "و" | "ف" => 1,
        "ب" | "ل" => 2,
        _ => 3,
    }
}

/// What follows a match in its last word: nothing, a pronoun suffix, or anything else.
fn suffix_class(suffix: &str) -> u16 {
    if suffix.is_empty() {
        0
    } else if arabic::is_pronoun_suffix(suffix) {
        1
    } else {
        2
    }
}

/// The bit of a (prefix class, suffix class) pair in an acceptance mask.
fn clitic_bit(prefix: u16, suffix: u16) -> u16 {
    1 << (prefix * 3 + suffix)
}

/// Length and clitic acceptance of one pattern (the union of its payloads').
#[derive(Debug, Clone, Copy)]
struct PatternInfo {
    chars: u32,
    accept: u16,
}

/// One lexicon entry found in an article: tokens `[t0, t1)`, folded characters `[s, e)` of the
/// entry itself (clitics excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub cat: Cat,
    pub idx: usize,
    pub t0: usize,
    pub t1: usize,
    pub s: usize,
    pub e: usize,
    /// Characters of proclitics before the entry in its first word.
    pub prefix: usize,
    /// The entry's last word carries a suffix.
    pub suffixed: bool,
}

/// Every entry found in one article, indexed by first token.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    list: Vec<Hit>,
    at: Vec<(u32, u32)>,
}

impl Hits {
    fn from_list(mut list: Vec<Hit>, ntok: usize) -> Hits {
        // By first token (the scan finds them in that order already); at each token longest
        // first, equal spans of one table by where the entry starts (after fewer clitics first)
        // and by row, so the order is the same however the scan found them.
        if !list.is_sorted_by_key(|h| h.t0) {
            list.sort_unstable_by_key(|h| h.t0);
        }
        let mut at = vec![(0u32, 0u32); ntok];
        let mut i = 0;
        while i < list.len() {
            let t = list[i].t0;
            let mut j = i;
            while j < list.len() && list[j].t0 == t {
                j += 1;
            }
            list[i..j].sort_unstable_by_key(|h| {
                (
                    std::cmp::Reverse(h.t1),
                    std::cmp::Reverse(h.e),
                    h.cat,
                    h.s,
                    h.idx,
                )
            });
            if let Some(slot) = at.get_mut(t) {
                *slot = (i as u32, j as u32);
            }
            i = j;
        }
        Hits { list, at }
    }

    /// Keeps the hits `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&Hit) -> bool) {
        if self.list.iter().all(&keep) {
            return;
        }
        let ntok = self.at.len();
        let list = std::mem::take(&mut self.list)
            .into_iter()
            .filter(|h| keep(h))
            .collect();
        *self = Hits::from_list(list, ntok);
    }

    /// The longest hit of `cat` starting at token `t`.
    pub fn longest(&self, t: usize, cat: Cat) -> Option<&Hit> {
        let (a, b) = *self.at.get(t)?;
        self.list[a as usize..b as usize]
            .iter()
            .filter(|h| h.cat == cat)
            // On a tie the earlier row wins: «نفى» the verb before «نفي» the noun.
            .max_by_key(|h| (h.t1, h.e, std::cmp::Reverse(h.idx)))
    }
    /// All hits starting at token `t`.
    pub fn starting(&self, t: usize) -> &[Hit] {
        match self.at.get(t) {
            Some(&(a, b)) => &self.list[a as usize..b as usize],
            None => &[],
        }
    }
    /// Hits whose first token is in `[t0, t1)`, in text order (a slice: no scan of the rest).
    pub fn in_tokens(&self, t0: usize, t1: usize) -> &[Hit] {
        let a = self.list.partition_point(|h| h.t0 < t0);
        let b = self.list.partition_point(|h| h.t0 < t1);
        &self.list[a..b.max(a)]
    }
    /// Leftmost-longest non-overlapping hits of one table, in text order.
    #[cfg(test)]
    pub fn chain(&self, cat: Cat) -> Vec<Hit> {
        let mut out: Vec<Hit> = Vec::new();
        let mut t = 0;
        while t < self.at.len() {
            if let Some(h) = self.longest(t, cat) {
                out.push(*h);
                t = h.t1.max(t + 1);
            } else {
                t += 1;
            }
        }
        out
    }
}

/// All linguistic knowledge the extractor uses, from `lexicon/` plus user directories.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub(crate) time: TimeLexicon,
    pub(crate) gaz: Vec<GazEntry>,
    pub(crate) demonyms: Vec<Demonym>,
    pub(crate) titles: Vec<Title>,
    pub(crate) org_heads: Vec<Head>,
    pub(crate) place_heads: Vec<Head>,
    pub(crate) speech: Vec<Speech>,
    pub(crate) venues: Vec<String>,
    pub(crate) events: Vec<EventTrigger>,
    pub(crate) topics: Vec<String>,
    pub(crate) stance: Vec<StanceCue>,
    pub(crate) boiler: Vec<Boiler>,
    pub(crate) units: Vec<String>,
    pub(crate) func: Vec<FuncKind>,
    /// Parallel to `func`: a singular generic noun naming one member of a body, who speaks for
    /// it («مسؤول في وزارة الدفاع»: the `member` column of `function_words.tsv`).
    pub(crate) func_member: Vec<bool>,
    /// Parallel to `func`: a dual noun naming the two parties of a joint statement
    /// («الحكومتان»، «الجانبان»: the `joint` value of the third column).
    pub(crate) func_joint: Vec<bool>,
    /// Folded canonical name or alias → gazetteer row.
    pub(crate) gaz_by_name: HashMap<String, usize, WordHash>,
    /// Folded demonym form → demonyms row (whole words, with or without ال).
    pub(crate) demonym_by_form: HashMap<String, usize, WordHash>,
    /// (surface form, table, row) of entries other than names, demonyms and titles.
    pending: Vec<(String, Cat, usize)>,
    /// Folded boilerplate markers, longest first.
    pub(crate) boiler_forms: Vec<(String, Boiler)>,
    /// The first characters of `boiler_forms`: a line starting with another has no marker.
    pub(crate) boiler_first: Vec<char>,
    /// Folded patterns, with what each stands for.
    patterns: Vec<String>,
    payloads: Vec<Vec<Payload>>,
    pattern_info: Vec<PatternInfo>,
    /// Word index of the patterns: first word → patterns. A one-word pattern is found under
    /// itself, a longer one under its first word and checked against the text that follows.
    by_word: WordIndex,
    /// Patterns that may end inside a longer word with any ending (boilerplate markers), by
    /// first character.
    open_words: Vec<(char, u32)>,
    /// (file name, content) of every file read, in order, for the fingerprint.
    sources: Vec<(String, String)>,
}

/// The files of a lexicon directory, in load order.
const FILES: [&str; 13] = [
    "gazetteer.tsv",
    "demonyms.tsv",
    "titles.tsv",
    "org_heads.tsv",
    "place_heads.tsv",
    "speech.tsv",
    "venues.tsv",
    "events.tsv",
    "topics.tsv",
    "stance.tsv",
    "boilerplate.tsv",
    "units.tsv",
    "function_words.tsv",
];

const BUILTIN: [&str; 13] = [
    include_str!("../../lexicon/gazetteer.tsv"),
    include_str!("../../lexicon/demonyms.tsv"),
    include_str!("../../lexicon/titles.tsv"),
    include_str!("../../lexicon/org_heads.tsv"),
    include_str!("../../lexicon/place_heads.tsv"),
    include_str!("../../lexicon/speech.tsv"),
    include_str!("../../lexicon/venues.tsv"),
    include_str!("../../lexicon/events.tsv"),
    include_str!("../../lexicon/topics.tsv"),
    include_str!("../../lexicon/stance.tsv"),
    include_str!("../../lexicon/boilerplate.tsv"),
    include_str!("../../lexicon/units.tsv"),
    include_str!("../../lexicon/function_words.tsv"),
];

/// Rows of a TSV file: (line number, columns), header and comments skipped, with the number of
/// columns checked against the header.
fn rows<'a>(
    file: &str,
    text: &'a str,
    min_cols: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>, LexiconError> {
    let mut out = Vec::new();
    let mut header = true;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if header {
            header = false;
            if cols.len() < min_cols {
                return Err(LexiconError::Syntax {
                    file: file.to_owned(),
                    line: i + 1,
                    message: format!("header has {} columns, expected {min_cols}", cols.len()),
                });
            }
            continue;
        }
        if cols.len() < min_cols || cols[0].is_empty() {
            return Err(LexiconError::Syntax {
                file: file.to_owned(),
                line: i + 1,
                message: format!(
                    "expected {min_cols} tab-separated columns with a non-empty first one, found {}",
                    cols.len()
                ),
            });
        }
        out.push((i + 1, cols));
    }
    Ok(out)
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn syntax(file: &str, line: usize, message: String) -> LexiconError {
    LexiconError::Syntax {
        file: file.to_owned(),
        line,
        message,
    }
}

impl Lexicon {
    /// The lexicon embedded in the binary (`lexicon/` at build time).
    pub fn builtin() -> Result<Self, LexiconError> {
        let mut lex = Lexicon {
            time: TimeLexicon::builtin()?,
            ..Lexicon::default()
        };
        for (name, text) in FILES.iter().zip(BUILTIN) {
            lex.load(&format!("lexicon/{name}"), name, text)?;
        }
        lex.build()?;
        Ok(lex)
    }

    /// Adds the files of a user lexicon directory (same layout as `lexicon/`; missing files are
    /// skipped; `DIR/time/` goes to the time lexicon).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), LexiconError> {
        for name in FILES {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| LexiconError::Io {
                file: file.clone(),
                source,
            })?;
            self.load(&file, name, &text)?;
        }
        let time_dir = dir.join("time");
        if time_dir.is_dir() {
            self.time.add_dir(dir)?;
            let mut names: Vec<_> = std::fs::read_dir(&time_dir)
                .map_err(|source| LexiconError::Io {
                    file: time_dir.display().to_string(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            names.sort();
            for p in names {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    self.sources.push((p.display().to_string(), text));
                }
            }
        }
        self.build()
    }

    /// A fingerprint of the lexicon content (SHA-256 of every file read, in order), part of
    /// the article content hash: a changed lexicon means articles must be extracted again.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for (name, text) in &self.sources {
            let base = name.rsplit('/').next().unwrap_or(name);
            h.update(base.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn load(&mut self, file: &str, name: &str, text: &str) -> Result<(), LexiconError> {
        self.sources.push((file.to_owned(), text.to_owned()));
        match name {
            "gazetteer.tsv" => {
                for (line, c) in rows(file, text, 3)? {
                    let kind = match c[2] {
                        "person" => EntityKind::Person,
                        "organization" => EntityKind::Organization,
                        "place" => EntityKind::Place,
                        other => return Err(syntax(file, line, format!("unknown type {other:?}"))),
                    };
                    let get = |i: usize| c.get(i).copied().unwrap_or("");
                    self.gaz.push(GazEntry {
                        name_ar: c[0].to_owned(),
                        folded: arabic::normalize(c[0]),
                        name_en: opt(get(1)),
                        kind,
                        aliases: get(3).split('|').filter_map(opt).collect(),
                        country: opt(get(4)),
                        speaks_as: opt(get(6)),
                        qid: opt(get(7)),
                    });
                }
            }
            "demonyms.tsv" => {
                for (_, c) in rows(file, text, 3)? {
                    self.demonyms.push(Demonym {
                        country: c[0].to_owned(),
                        canonical_fem: c[2].to_owned(),
                    });
                    let i = self.demonyms.len() - 1;
                    for stem in c[1].split('|').filter_map(opt) {
                        let stem = arabic::normalize(&stem);
                        for suffix in ["", "ه", "ون", "ين", "ان", "تين"] {
                            let form = format!("{stem}{suffix}");
                            self.demonym_by_form.insert(format!("ال{form}"), i);
                            self.demonym_by_form.insert(form, i);
                        }
                    }
                }
            }
            "titles.tsv" => {
                for (line, c) in rows(file, text, 3)? {
                    let kind = match c[2] {
                        "post" => TitleKind::Post,
                        "rank" => TitleKind::Rank,
                        "spokesman" => TitleKind::Spokesman,
                        other => return Err(syntax(file, line, format!("unknown kind {other:?}"))),
                    };
                    self.titles.push(Title {
                        ar: c[0].to_owned(),
                        en: c[1].to_owned(),
                        kind,
                    });
                }
            }
            "org_heads.tsv" | "place_heads.tsv" => {
                let mut heads = Vec::new();
                for (line, c) in rows(file, text, 3)? {
                    let words = c[2].parse().map_err(|_| {
                        syntax(file, line, format!("words {:?} is not a number", c[2]))
                    })?;
                    heads.push((c[0].to_owned(), Head { words }));
                }
                let target = if name == "org_heads.tsv" {
                    &mut self.org_heads
                } else {
                    &mut self.place_heads
                };
                for (_, h) in &heads {
                    target.push(h.clone());
                }
                // Remember the surface forms for pattern building.
                let cat = if name == "org_heads.tsv" {
                    Cat::OrgHead
                } else {
                    Cat::PlaceHead
                };
                let base = target.len() - heads.len();
                for (i, (form, _)) in heads.into_iter().enumerate() {
                    self.pending.push((form, cat, base + i));
                }
            }
            "speech.tsv" => {
                for (line, c) in rows(file, text, 5)? {
                    let kind = match c[2] {
                        "verb" => SpeechKind::Verb,
                        "participle" => SpeechKind::Participle,
                        "noun" => SpeechKind::Noun,
                        "relay" => SpeechKind::Relay,
                        "source" => SpeechKind::Source,
                        "saying" => SpeechKind::Saying,
                        other => return Err(syntax(file, line, format!("unknown kind {other:?}"))),
                    };
                    let gender = match c[3] {
                        "m" => Gender::Masculine,
                        "f" => Gender::Feminine,
                        "p" => Gender::Plural,
                        _ => Gender::Unmarked,
                    };
                    self.speech.push(Speech {
                        kind,
                        gender,
                        frames: c[4].split('|').filter_map(opt).collect(),
                    });
                    self.pending
                        .push((c[0].to_owned(), Cat::Speech, self.speech.len() - 1));
                }
            }
            "venues.tsv" => {
                for (_, c) in rows(file, text, 2)? {
                    self.venues.push(c[1].to_owned());
                    self.pending
                        .push((c[0].to_owned(), Cat::Venue, self.venues.len() - 1));
                }
            }
            "events.tsv" => {
                for (_, c) in rows(file, text, 2)? {
                    self.events.push(EventTrigger {
                        kind: c[1].to_owned(),
                        topics: c.get(2).unwrap_or(&"").split('|').filter_map(opt).collect(),
                    });
                    self.pending
                        .push((c[0].to_owned(), Cat::Event, self.events.len() - 1));
                }
            }
            "topics.tsv" => {
                for (_, c) in rows(file, text, 2)? {
                    self.topics.push(c[1].to_owned());
                    self.pending
                        .push((c[0].to_owned(), Cat::Topic, self.topics.len() - 1));
                }
            }
            "stance.tsv" => {
                for (line, c) in rows(file, text, 2)? {
                    let cue = match c[1] {
                        "supports" => StanceCue::Supports,
                        "opposes" => StanceCue::Opposes,
                        "presence" => StanceCue::Presence,
                        "favours" => StanceCue::Favours,
                        "disfavours" => StanceCue::Disfavours,
                        "negator" => StanceCue::Negator,
                        "attitude" => StanceCue::Attitude,
                        "conditional" => StanceCue::Conditional,
                        "restriction" => StanceCue::Restriction,
                        "yet" => StanceCue::Yet,
                        "praise" => StanceCue::Praise,
                        "ending" => StanceCue::Ending,
                        "verdict" => StanceCue::Verdict,
                        "approval" => StanceCue::Approval,
                        other => return Err(syntax(file, line, format!("unknown kind {other:?}"))),
                    };
                    self.stance.push(cue);
                    self.pending
                        .push((c[0].to_owned(), Cat::Stance, self.stance.len() - 1));
                }
            }
            "boilerplate.tsv" => {
                for (line, c) in rows(file, text, 2)? {
                    let action = match c[1] {
                        "line" => Boiler::Line,
                        "split" => Boiler::Split,
                        "end" => Boiler::End,
                        other => {
                            return Err(syntax(file, line, format!("unknown action {other:?}")))
                        }
                    };
                    self.boiler.push(action);
                    self.pending
                        .push((c[0].to_owned(), Cat::Boiler, self.boiler.len() - 1));
                }
            }
            "units.tsv" => {
                for (_, c) in rows(file, text, 2)? {
                    self.units.push(c[1].to_owned());
                    self.pending
                        .push((c[0].to_owned(), Cat::Unit, self.units.len() - 1));
                }
            }
            "function_words.tsv" => {
                for (line, c) in rows(file, text, 2)? {
                    let kind = match c[1] {
                        "complementizer" => FuncKind::Complementizer,
                        "preposition" => FuncKind::Preposition,
                        "conjunction" => FuncKind::Conjunction,
                        "relative" => FuncKind::Relative,
                        "demonstrative" => FuncKind::Demonstrative,
                        "pronoun" => FuncKind::Pronoun,
                        "generic" => FuncKind::Generic,
                        "adverb" => FuncKind::Adverb,
                        "common" => FuncKind::Common,
                        other => return Err(syntax(file, line, format!("unknown kind {other:?}"))),
                    };
                    self.func.push(kind);
                    self.func_member
                        .push(c.get(2).is_some_and(|m| *m == "member"));
                    self.func_joint
                        .push(c.get(2).is_some_and(|m| *m == "joint"));
                    self.pending
                        .push((c[0].to_owned(), Cat::Func, self.func.len() - 1));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Rebuilds the name indexes and the word index from the tables.
    fn build(&mut self) -> Result<(), LexiconError> {
        let mut map: HashMap<String, usize, WordHash> = HashMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut payloads: Vec<Vec<Payload>> = Vec::new();
        let mut add = |form: &str, cat: Cat, idx: usize| {
            let key = arabic::normalize(form);
            if key.is_empty() {
                return;
            }
            let mut variants = vec![(key.clone(), false, false)];
            // «وفقاً لـ»: the pattern ends with a proclitic glued to the next word.
            let open_end = key.ends_with(" ل");
            if open_end {
                variants[0].2 = true;
            }
            // «ال» + word after ل is written «لل»: «للعراق»، «للتحالف».
            if let Some(rest) = key.strip_prefix("ال") {
                if !rest.is_empty() && !rest.starts_with(' ') {
                    variants.push((format!("لل{rest}"), false, open_end));
                }
            }
            // Ta marbuta is written ت before a pronoun suffix: «مهمتها»، «حكومته».
            if matches!(
                cat,
                Cat::Topic | Cat::Event | Cat::Stance | Cat::Speech | Cat::Unit
            ) && key.ends_with('ه')
            {
                let stem = &key[..key.len() - 'ه'.len_utf8()];
                variants.push((format!("{stem}ت"), true, false));
            }
            for (k, needs_suffix, open_end) in variants {
                let id = *map.entry(k.clone()).or_insert_with(|| {
                    patterns.push(k.clone());
                    payloads.push(Vec::new());
                    patterns.len() - 1
                });
                payloads[id].push(Payload {
                    cat,
                    idx,
                    needs_suffix,
                    open_end,
                    accept: 0,
                });
            }
        };
        self.gaz_by_name.clear();
        for (i, g) in self.gaz.iter().enumerate() {
            for name in std::iter::once(&g.name_ar).chain(&g.aliases) {
                add(name, Cat::Gaz, i);
                self.gaz_by_name.entry(arabic::normalize(name)).or_insert(i);
            }
        }
        let mut forms: Vec<(&String, &usize)> = self.demonym_by_form.iter().collect();
        forms.sort();
        for (form, &i) in forms {
            add(form, Cat::Demonym, i);
        }
        for (i, t) in self.titles.iter().enumerate() {
            add(&t.ar, Cat::Title, i);
        }
        for (form, cat, idx) in &self.pending {
            add(form, *cat, *idx);
        }
        self.boiler_forms = self
            .pending
            .iter()
            .filter(|(_, cat, _)| *cat == Cat::Boiler)
            .map(|(form, _, idx)| (arabic::normalize(form), self.boiler[*idx]))
            .collect();
        self.boiler_forms
            .sort_by_key(|(f, _)| std::cmp::Reverse(f.chars().count()));
        self.boiler_first = self
            .boiler_forms
            .iter()
            .filter_map(|(f, _)| f.chars().next())
            .collect();
        self.boiler_first.sort_unstable();
        self.boiler_first.dedup();
        for p in payloads.iter_mut().flatten() {
            p.accept = self.accepts(p);
        }
        let mut by_word = WordIndex::default();
        let mut open_words = Vec::new();
        for (id, p) in patterns.iter().enumerate() {
            // A match starts and ends inside words: a pattern that starts or ends with a
            // separator («[إعلان 2]») can never be found, as with any word-bounded search.
            let (Some(first), Some(last)) = (p.chars().next(), p.chars().last()) else {
                continue;
            };
            if !arabic::is_word_char(first) || !arabic::is_word_char(last) {
                continue;
            }
            let word_end = p
                .find(|c: char| !arabic::is_word_char(c))
                .unwrap_or(p.len());
            let id = id as u32;
            by_word.insert(&p[..word_end], id);
            if word_end == p.len() && payloads[id as usize].iter().any(|x| x.cat == Cat::Boiler) {
                open_words.push((first, id));
            }
        }
        self.pattern_info = patterns
            .iter()
            .zip(&payloads)
            .map(|(p, x)| PatternInfo {
                chars: p.chars().count() as u32,
                accept: x.iter().fold(0, |a, x| a | x.accept),
            })
            .collect();
        self.patterns = patterns;
        self.payloads = payloads;
        self.by_word = by_word;
        open_words.sort_unstable();
        self.open_words = open_words;
        Ok(())
    }

    /// Finds every lexicon entry in the folded text at word boundaries: an entry starts after
    /// a proclitic sequence of its first word (or at its start) and ends at the end of its last
    /// word or before a pronoun suffix (boilerplate markers: before any ending).
    ///
    /// One pass over the words: for each proclitic reading of a word, the rest of the word, and
    /// the rest without each pronoun suffix it ends with, are looked up in the word index.
    pub(crate) fn scan(&self, n: &Normalized, tokens: &[Token]) -> Hits {
        let mut list = Vec::with_capacity(tokens.len() * 2);
        let text = n.text.as_str();
        for (ti, tok) in tokens.iter().enumerate() {
            let word = &text[tok.bstart..tok.bend];
            for prefix in arabic::proclitic_readings(word) {
                let rest = &word[prefix.len()..];
                if rest.is_empty() {
                    continue;
                }
                let bs = tok.bstart + prefix.len();
                // Longest candidate first, as an automaton reports matches ending together.
                let mut ends: [usize; 1 + PRONOUN_SUFFIXES.len()] = [0; 1 + PRONOUN_SUFFIXES.len()];
                let mut k = 0;
                ends[k] = rest.len();
                k += 1;
                // Every pronoun suffix ends with one of these letters.
                let suffixes: &[&str] = if rest.ends_with(['ه', 'ا', 'م', 'ن', 'ي']) {
                    &PRONOUN_SUFFIXES
                } else {
                    &[]
                };
                for suf in suffixes {
                    // Byte by byte: two to six bytes, where a `memcmp` call costs more.
                    let (r, x) = (rest.as_bytes(), suf.as_bytes());
                    if r.len() > x.len()
                        && r[r.len() - x.len()..].iter().zip(x).all(|(a, b)| a == b)
                    {
                        ends[k] = rest.len() - suf.len();
                        k += 1;
                    }
                }
                for &end in &ends[..k] {
                    let Some(ids) = self.by_word.get(&rest[..end]) else {
                        continue;
                    };
                    for &id in ids {
                        let pattern = self.patterns[id as usize].as_str();
                        let multi = pattern.len() > end;
                        // A longer pattern's first word is the whole rest of this word. Its
                        // last byte is compared first: most candidates differ there.
                        if multi
                            && (end != rest.len()
                                || text.as_bytes().get(bs + pattern.len() - 1)
                                    != pattern.as_bytes().last()
                                || !text[bs..].starts_with(pattern))
                        {
                            continue;
                        }
                        self.push_hits(&mut list, text, tokens, ti, prefix, id, bs + pattern.len());
                    }
                }
                if prefix.is_empty() {
                    let first = rest.chars().next().unwrap_or(' ');
                    let from = self.open_words.partition_point(|&(c, _)| c < first);
                    for &(_, id) in self.open_words[from..]
                        .iter()
                        .take_while(|&&(c, _)| c == first)
                    {
                        let pattern = self.patterns[id as usize].as_str();
                        // Whole-word readings were found above through the index.
                        if rest.len() > pattern.len()
                            && rest.starts_with(pattern)
                            && !ends[..k].contains(&pattern.len())
                        {
                            self.push_hits(
                                &mut list,
                                text,
                                tokens,
                                ti,
                                prefix,
                                id,
                                bs + pattern.len(),
                            );
                        }
                    }
                }
            }
        }
        Hits::from_list(list, tokens.len())
    }

    /// The (prefix class, suffix class) pairs ([`clitic_bit`]) an entry allows: verbs and
    /// function words take only a conjunction before them (speech nouns also ب/ل: «بإعلان»);
    /// boilerplate markers nothing before and anything after; verbs, topics, events and stance
    /// cues a pronoun suffix after («إعلانه»); a «…ت» variant needs one; an entry ending with a
    /// proclitic («وفقا ل») anything after; other entries nothing after.
    fn accepts(&self, p: &Payload) -> u16 {
        let mut mask = 0;
        for pc in 0..4 {
            let prefix_ok = match p.cat {
                Cat::Speech | Cat::Func => {
                    pc <= 1
                        || pc == 2
                            && p.cat == Cat::Speech
                            && self.speech[p.idx].kind == SpeechKind::Noun
                }
                Cat::Boiler => pc == 0,
                _ => true,
            };
            for sc in 0..3 {
                let suffix_ok = if p.open_end {
                    true
                } else if p.needs_suffix {
                    sc == 1
                } else {
                    match p.cat {
                        Cat::Speech | Cat::Topic | Cat::Event | Cat::Stance => sc <= 1,
                        Cat::Boiler => true,
                        _ => sc == 0,
                    }
                };
                if prefix_ok && suffix_ok {
                    mask |= clitic_bit(pc, sc);
                }
            }
        }
        mask
    }

    /// The hits of pattern `id` found right after `prefix` in token `ti` and ending at folded
    /// byte `be`: one per payload whose clitic rules the words allow.
    #[allow(clippy::too_many_arguments)]
    fn push_hits(
        &self,
        list: &mut Vec<Hit>,
        text: &str,
        tokens: &[Token],
        ti: usize,
        prefix: &str,
        id: u32,
        be: usize,
    ) {
        let info = self.pattern_info[id as usize];
        // The token of the pattern's last character.
        let mut tj = ti;
        while tokens[tj].bend < be {
            tj += 1;
        }
        let last = &tokens[tj];
        let suffix = &text[be..last.bend.max(be)];
        let bit = clitic_bit(prefix_class(prefix), suffix_class(suffix));
        if info.accept & bit == 0 {
            return;
        }
        // Proclitics are Arabic letters, two bytes each in UTF-8.
        let cs = tokens[ti].start + prefix.len() / 2;
        let ce = cs + info.chars as usize;
        for p in &self.payloads[id as usize] {
            if p.accept & bit == 0 {
                continue;
            }
            list.push(Hit {
                cat: p.cat,
                idx: p.idx,
                t0: ti,
                t1: if p.open_end && last.bstart < be && last.bend > be {
                    tj
                } else {
                    tj + 1
                }
                .max(ti + 1),
                s: cs,
                e: ce,
                prefix: prefix.len() / 2,
                suffixed: !suffix.is_empty(),
            });
        }
    }

    /// The function-word kind of a whole folded word, if it is one.
    pub(crate) fn func_kind(&self, hits: &Hits, t: usize) -> Option<FuncKind> {
        hits.starting(t)
            .iter()
            .find(|h| h.cat == Cat::Func && h.t1 == t + 1 && !h.suffixed)
            .map(|h| self.func[h.idx])
    }

    /// The gazetteer row of a folded name.
    pub(crate) fn gaz_named(&self, folded: &str) -> Option<usize> {
        self.gaz_by_name.get(folded).copied()
    }

    /// The gazetteer row whose canonical name is `name_ar` (as written in the gazetteer).
    pub(crate) fn gaz_canonical(&self, name_ar: &str) -> Option<usize> {
        self.gaz_named(&arabic::normalize(name_ar))
    }
}

/// The non-empty pronoun suffixes a word of the index may carry ([`arabic::is_pronoun_suffix`]).
const PRONOUN_SUFFIXES: [&str; 8] = ["ه", "ها", "هم", "هما", "هن", "نا", "ي", "كم"];

/// Pattern ids by their first word. Words of up to 16 bytes (eight Arabic letters: nearly all)
/// are keyed by their bytes packed into a `u128`, so a probe compares two integers instead of
/// calling `memcmp`; the index is probed several times per word of every article.
#[derive(Debug, Default, Clone)]
struct WordIndex {
    short: HashMap<u128, Vec<u32>, WordHash>,
    long: HashMap<Box<str>, Vec<u32>, WordHash>,
}

impl WordIndex {
    /// `word` packed into a `u128`, zero-padded: one-to-one on words, which never contain NUL.
    #[inline]
    fn pack(word: &str) -> Option<u128> {
        let bytes = word.as_bytes();
        let mut buf = [0u8; 16];
        buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(u128::from_le_bytes(buf))
    }

    fn insert(&mut self, word: &str, id: u32) {
        match Self::pack(word) {
            Some(key) => self.short.entry(key).or_default().push(id),
            None => self.long.entry(word.into()).or_default().push(id),
        }
    }

    #[inline]
    fn get(&self, word: &str) -> Option<&Vec<u32>> {
        match Self::pack(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_fingerprint_is_stable() {
        let a = Lexicon::builtin().expect("builtin lexicon");
        let b = Lexicon::builtin().expect("builtin lexicon");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        assert!(a.gaz.iter().any(|g| g.name_ar == "العراق"));
    }

    #[test]
    fn names_are_found_behind_clitics() {
        // «وللولايات المتحدة» = و + ل + ال + الولايات المتحدة; «بالعراق» = ب + ال + العراق.
        let lex = Lexicon::builtin().expect("builtin lexicon");
        let n = Normalized::new("وللولايات المتحدة 2500 جندي بالعراق وقالت");
        let toks = n.tokens();
        let hits = lex.scan(&n, &toks);
        let gaz: Vec<&str> = hits
            .chain(Cat::Gaz)
            .iter()
            .map(|h| lex.gaz[h.idx].name_en.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(gaz, ["United States", "Iraq"]);
        assert!(hits.longest(5, Cat::Speech).is_some());
        // No match inside a longer word: «العراقيين» is a demonym, not «العراق».
        let n = Normalized::new("العراقيين");
        let toks = n.tokens();
        assert!(lex.scan(&n, &toks).chain(Cat::Gaz).is_empty());
    }

    #[test]
    fn user_directories_add_to_the_builtin_lexicon() {
        // A user adds a person the built-in gazetteer does not know; the fingerprint changes.
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("gazetteer.tsv"),
            "name_ar\tname_en\ttype\taliases\tcountry\tclass\tspeaks_as\tqid\tsource\nكريم النوري\tKarim al-Nouri\tperson\tالنوري\tالعراق\tperson\t\t\t\n",
        )
        .expect("write");
        let mut lex = Lexicon::builtin().expect("builtin lexicon");
        let before = lex.fingerprint();
        lex.add_dir(dir.path()).expect("user lexicon");
        assert_ne!(before, lex.fingerprint());
        let n = Normalized::new("وقال النوري إن");
        let toks = n.tokens();
        let hits = lex.scan(&n, &toks);
        assert_eq!(hits.chain(Cat::Gaz).len(), 1);
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        let mut lex = Lexicon::default();
        let err = lex
            .load(
                "x/titles.tsv",
                "titles.tsv",
                "title_ar\ttitle_en\tkind\nوزير\tminister\tboss\n",
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "x/titles.tsv:2: unknown kind \"boss\"");
    }
}
