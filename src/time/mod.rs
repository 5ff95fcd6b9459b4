//! Time expressions: finding and normalizing Arabic dates, relative days and datelines.
//!
//! Input: article text (original and [`Normalized`]), the [`TimeLexicon`] and the publication
//! date if known. Output: [`TimeMention`]s in text order, each with original character offsets,
//! a value of known precision (or none) and how it was resolved; and [`dateline`], the
//! publication date an article states about itself.
//!
//! Three steps: [`lexicon`] holds the words (month names of both calendars, weekdays, ordinal
//! day words, relative words, dateline cues) as data; [`scan`] finds expressions in the folded
//! text with one Aho-Corasick pass and a small grammar around the hits; [`resolve`] turns them
//! into dates against the publication date or the narrative anchor (see its module docs for the
//! rules, and `docs/time.md`).

mod lexicon;
mod resolve;
mod scan;

pub use lexicon::{Direction, TimeLexicon, TimeLexiconError};

use crate::arabic::Normalized;
use crate::dates::DateValue;
use crate::model::Resolution;
use chrono::NaiveDate;
use lexicon::CueKind;
use scan::{Form, Raw};

/// What kind of expression a mention is, whatever its resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeKind {
    /// Names calendar units, complete or not: «5 كانون الثاني 2024», «الخامس من يناير»,
    /// «ديسمبر الماضي», «مطلع عام 2020», «2024-01-05».
    Explicit,
    /// Points from an anchor: «أمس», «مساء الثلاثاء», «الأحد المقبل», «في اليوم نفسه»,
    /// «الشهر الماضي», «غداة …».
    Relative,
    /// Recognised but never a date: «في وقت سابق», «حينها». A statement under it does not
    /// inherit the date of the paragraph.
    Vague,
}

/// One time expression in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeMention {
    /// Character offsets into the original text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The value, when it could be determined.
    pub value: Option<DateValue>,
    pub resolution: Resolution,
    pub kind: TimeKind,
}

/// Finds and normalizes time expressions of `text`, in text order. Relative and year-less
/// expressions resolve against `published` when given, else against the narrative anchor
/// (latest explicit date before them), else stay unresolved.
pub fn find_times(
    text: &str,
    normalized: &Normalized,
    lexicon: &TimeLexicon,
    published: Option<NaiveDate>,
) -> Vec<TimeMention> {
    let scan = scan::scan(&normalized.text, lexicon);
    // A deadline («حتى سبتمبر 2026») is a date of the text but not of its narrative: it anchors
    // nothing.
    let anchors: Vec<bool> = scan
        .raws
        .iter()
        .map(|raw| {
            !scan::word_before(&normalized.text, raw.start)
                .is_some_and(|w| lexicon.word_in(&lexicon.deadline_words, w))
        })
        .collect();
    let mut resolver = resolve::Resolver::new(&scan.raws, &anchors, published);
    let limit = text.chars().count();
    let mut chars = CharCounter::new(&normalized.text);
    scan.raws
        .iter()
        .zip(&anchors)
        .map(|(raw, &anchor)| {
            let resolved = resolver.resolve(&raw.form, anchor);
            let (start, end) = chars.original(normalized, raw, limit);
            TimeMention {
                start,
                end,
                value: resolved.value,
                resolution: resolved.resolution,
                kind: kind_of(&raw.form),
            }
        })
        .collect()
}

/// The publication date stated by a dateline in the text («26-سبتمبر-2023», «تاريخ النشر: 9th,
/// February 2024 GMT», «الجمعة 9 فبراير 2024», ISO forms), with its character offsets.
///
/// A full date counts when it follows a dateline cue of `datelines.tsv` on the same line
/// (publication cues before update cues), or stands in the first three non-empty lines as a
/// dateline does: nothing before it on its line, or at most three words ending in a separator
/// (a place: «بغداد -»), none of them a preposition like «في»; and at most two words («GMT»,
/// «ص») or a separator after it. A date inside a sentence or headline is an event date.
pub fn dateline(
    text: &str,
    normalized: &Normalized,
    lexicon: &TimeLexicon,
) -> Option<(NaiveDate, usize, usize)> {
    let folded = normalized.text.as_str();
    let scan = scan::scan(folded, lexicon);
    let limit = text.chars().count();
    let found = |raw: &Raw, date: NaiveDate| {
        let (start, end) = original_span(normalized, raw, limit);
        Some((date, start, end))
    };
    for kind in [CueKind::Published, CueKind::Updated] {
        for cue in scan.cues.iter().filter(|c| c.kind == kind) {
            let Some(raw) = scan.raws.iter().find(|r| r.start >= cue.end) else {
                continue;
            };
            let between = folded.get(cue.end..raw.start).unwrap_or("\n");
            if let Form::Full(date) = raw.form {
                if between.chars().count() <= 40 && !between.contains('\n') {
                    return found(raw, date);
                }
            }
        }
    }
    let top = top_lines_end(folded, 3);
    for raw in scan.raws.iter().take_while(|r| r.start < top) {
        let Form::Full(date) = raw.form else { continue };
        let line_start = folded[..raw.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = folded[raw.end..]
            .find('\n')
            .map_or(folded.len(), |i| raw.end + i);
        let head = &folded[line_start..raw.start];
        let before: Vec<&str> = words(head).collect();
        let after = &folded[raw.end..line_end];
        let separators = ['-', '–', '—', ':', '|', '،', ',', '/', '(', '['];
        let preposition = before
            .iter()
            .any(|w| lexicon.word_in(&lexicon.year_prepositions, w));
        // «بغداد - 9 فبراير 2024», «Friday, February 9, 2024»: words before the date end in a
        // separator; «العراق يعلن 11 فبراير 2024 موعدا …» is a headline, not a dateline.
        let before_ok = before.is_empty()
            || (before.len() <= 3 && !preposition && head.trim_end().ends_with(separators));
        let after_ok = words(after).count() <= 2 || after.trim_start().starts_with(separators);
        if before_ok && after_ok {
            return found(raw, date);
        }
    }
    None
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
}

/// Byte offset of the end of the `n`-th non-empty line.
fn top_lines_end(text: &str, n: usize) -> usize {
    let mut seen = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        if !line.trim().is_empty() {
            seen += 1;
            if seen == n {
                return offset;
            }
        }
    }
    text.len()
}

fn original_span(normalized: &Normalized, raw: &Raw, limit: usize) -> (usize, usize) {
    CharCounter::new(&normalized.text).original(normalized, raw, limit)
}

/// Byte offsets of the folded text to character offsets, for offsets that mostly grow (the
/// mentions come in text order): counting characters from the previous offset reads the text
/// once, where a binary search per offset in the offset map misses the cache each time.
struct CharCounter<'t> {
    text: &'t str,
    byte: usize,
    char: usize,
}

impl<'t> CharCounter<'t> {
    fn new(text: &'t str) -> Self {
        CharCounter {
            text,
            byte: 0,
            char: 0,
        }
    }

    fn char_at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.char = 0;
        }
        // Offsets come from the scanner and lie on character boundaries; `get` keeps a wrong
        // one from panicking.
        match self.text.get(self.byte..byte) {
            Some(between) => {
                self.char += between.chars().count();
                self.byte = byte;
            }
            None => return self.char,
        }
        self.char
    }

    fn original(&mut self, normalized: &Normalized, raw: &Raw, limit: usize) -> (usize, usize) {
        let start = self.char_at(raw.start);
        let end = self.char_at(raw.end);
        let (s, e) = normalized.original(start, end);
        (s.min(limit), e.min(limit))
    }
}

fn kind_of(form: &Form) -> TimeKind {
    match form {
        Form::Full(_)
        | Form::MonthYear(..)
        | Form::Year(_)
        | Form::DayMonth { .. }
        | Form::Month { .. } => TimeKind::Explicit,
        Form::Vague => TimeKind::Vague,
        _ => TimeKind::Relative,
    }
}

#[cfg(test)]
mod tests;
