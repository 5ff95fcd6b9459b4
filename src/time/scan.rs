//! Finding time expressions in folded text, before any date arithmetic.
//!
//! Input: the folded text ([`crate::arabic::Normalized::text`]) and the [`TimeLexicon`].
//! Output: [`Raw`] expressions in text order, with byte offsets into the folded text and a
//! [`Form`] that says what was written («5 كانون الثاني», «أمس الثلاثاء», «مطلع عام 2020»)
//! but not yet which day that is; [`super::resolve`] does that.
//!
//! One pass of the lexicon's Aho-Corasick automaton plus one pass over the bytes for digit
//! runs give the *atoms* (time words and numbers, a few per sentence at most); a small
//! recursive-descent grammar then reads each run of adjacent atoms, checking the text between
//! them (a space, «-», «/», «من», «،» …). Nothing is allocated per character.

use super::lexicon::{CueKind, Direction, Meaning, RelativeKind, TimeLexicon};
use crate::arabic::{is_letter, WordHash};
use chrono::{NaiveDate, Weekday};
use std::collections::HashSet;

/// A time word or a number found in the folded text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Atom {
    /// Byte offsets into the folded text; `start` is after any clitic.
    pub start: usize,
    pub end: usize,
    pub what: AtomKind,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum AtomKind {
    /// A run of ASCII digits; `value` saturates, `digits` counts them.
    Number { value: u32, digits: usize },
    /// A lexicon phrase: index into [`TimeLexicon::patterns`].
    Phrase(usize),
}

/// How a bare or modified weekday points from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WeekdayWay {
    /// Bare, in past-tense narrative: the latest such day on or before the anchor.
    OnOrBefore,
    /// Bare after a verb of something to come («تستأنف الأحد»): on or after the anchor.
    OnOrAfter,
    /// «الخميس الماضي»: strictly before.
    Before,
    /// «الأحد المقبل»: strictly after.
    After,
    /// «الأحد الجاري», «اليوم الأحد»: the nearest one.
    Nearest,
}

/// What an expression says, before resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Form {
    /// «5 كانون الثاني 2024», «2024-01-05», «الجمعة 9 فبراير 2024».
    Full(NaiveDate),
    /// «يناير 2024», «كانون الثاني/يناير 2020».
    MonthYear(i32, u32),
    /// «عام 2020», «مطلع عام 2020», «في 2021».
    Year(i32),
    /// «الخامس من يناير», «25 ديسمبر الماضي»: no year.
    DayMonth {
        day: u32,
        month: u32,
        direction: Option<Direction>,
    },
    /// «في ديسمبر», «ديسمبر الماضي».
    Month {
        month: u32,
        direction: Option<Direction>,
    },
    /// «أمس», «أول أمس», «غدا»; with a weekday: «أمس الثلاثاء».
    RelativeDay {
        offset: i32,
        weekday: Option<Weekday>,
    },
    /// «الثلاثاء», «يوم الجمعة الماضي», «الأحد المقبل».
    Weekday { day: Weekday, way: WeekdayWay },
    /// «في اليوم نفسه» (0), «في اليوم التالي» (+1): from the latest resolved day.
    SameDay(i32),
    /// «الأسبوع الماضي» (−1).
    Week(i32),
    /// «الشهر الماضي» (−1).
    RelativeMonth(i32),
    /// «الخامس من الشهر الجاري» (0), «12 من الشهر الماضي» (−1).
    DayOfMonth { day: u32, offset: i32 },
    /// «العام الماضي» (−1).
    RelativeYear(i32),
    /// «غداة X» (+1), «عشية X» (−1); `of` is X when X is a date expression.
    DayAfter { offset: i32, of: Option<Box<Form>> },
    /// «في وقت سابق»: recognised, never a date.
    Vague,
    /// «31 فبراير 2024»: read, then dropped (it keeps «فبراير 2024» from being read alone).
    Impossible,
}

/// One expression: byte offsets into the folded text and what it says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raw {
    pub start: usize,
    pub end: usize,
    pub form: Form,
}

/// A dateline cue («تاريخ النشر») found in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cue {
    pub end: usize,
    pub kind: CueKind,
}

/// Everything the scanner found.
pub(crate) struct Scan {
    pub raws: Vec<Raw>,
    pub cues: Vec<Cue>,
}

/// Scans the folded text.
pub(crate) fn scan(text: &str, lexicon: &TimeLexicon) -> Scan {
    let atoms = atoms(text, lexicon);
    let parser = Parser {
        text,
        lexicon,
        atoms: &atoms,
    };
    let mut raws = Vec::new();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        if let Some(kind) = parser.meanings(i).iter().find_map(|m| match m {
            Meaning::Cue(kind) => Some(*kind),
            _ => None,
        }) {
            cues.push(Cue {
                end: atoms[i].end,
                kind,
            });
        }
        match parser.expression(i) {
            Some((raw, next)) => {
                if raw.form != Form::Impossible {
                    raws.push(raw);
                }
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    Scan { raws, cues }
}

/// Lexicon hits at word boundaries (clitics allowed before) and digit runs, in text order,
/// without overlaps (the longest hit at a place wins: «كانون الثاني» over «الثاني»).
fn atoms(text: &str, lexicon: &TimeLexicon) -> Vec<Atom> {
    let mut atoms = Vec::new();
    if let Some(matcher) = lexicon.matcher() {
        for hit in matcher.find_overlapping_iter(text) {
            let pattern = hit.pattern().as_usize();
            let Some(info) = lexicon.patterns.get(pattern) else {
                continue;
            };
            if let Some(start) = word_start(text, hit.start(), hit.end(), info.lam, lexicon) {
                atoms.push(Atom {
                    start,
                    end: hit.end(),
                    what: AtomKind::Phrase(pattern),
                });
            }
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            let mut value: u32 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                value = value
                    .saturating_mul(10)
                    .saturating_add(u32::from(bytes[i] - b'0'));
                i += 1;
            }
            atoms.push(Atom {
                start,
                end: i,
                what: AtomKind::Number {
                    value,
                    digits: i - start,
                },
            });
        } else {
            i += 1;
        }
    }
    atoms.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Atom> = Vec::with_capacity(atoms.len());
    for atom in atoms {
        if kept.last().is_none_or(|last| atom.start >= last.end) {
            kept.push(atom);
        }
    }
    kept
}

/// Checks that a hit `[start, end)` is a whole word, possibly behind clitics («وأمس»,
/// «بالأمس», «لليوم»); returns where the expression starts (after the clitics).
fn word_start(
    text: &str,
    start: usize,
    end: usize,
    lam: bool,
    lexicon: &TimeLexicon,
) -> Option<usize> {
    if text[end..].chars().next().is_some_and(is_letter) {
        return None;
    }
    let mut prefix_start = start;
    for (count, (index, c)) in text[..start].char_indices().rev().enumerate() {
        if !is_letter(c) {
            break;
        }
        if count >= 2 {
            return None;
        }
        prefix_start = index;
    }
    let prefix = &text[prefix_start..start];
    let prefix_ok = prefix.is_empty() || lexicon.clitics.contains(prefix);
    if lam {
        // «ل» of «لليوم» is itself the clitic: only و/ف may precede it.
        (prefix.chars().count() <= 1 && prefix_ok).then_some(start + 'ل'.len_utf8())
    } else {
        prefix_ok.then_some(start)
    }
}

struct Parser<'a> {
    text: &'a str,
    lexicon: &'a TimeLexicon,
    atoms: &'a [Atom],
}

/// Text between two atoms, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Only spaces (or nothing).
    Space,
    /// Spaces and date separators: «-», «/», «.», «,», «،», parentheses.
    Separator,
    /// «من»: «الخامس من يناير».
    Min,
    /// English ordinal suffix, then separators: «9th, February».
    Suffix,
    Other,
}

impl<'a> Parser<'a> {
    fn meanings(&self, i: usize) -> &'a [Meaning] {
        match self.atoms.get(i).map(|a| a.what) {
            Some(AtomKind::Phrase(p)) => self
                .lexicon
                .patterns
                .get(p)
                .map(|p| p.meanings.as_slice())
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    fn has(&self, i: usize, want: impl Fn(&Meaning) -> bool) -> bool {
        self.meanings(i).iter().any(want)
    }

    fn number(&self, i: usize) -> Option<(u32, usize)> {
        match self.atoms.get(i)?.what {
            AtomKind::Number { value, digits } => Some((value, digits)),
            AtomKind::Phrase(_) => None,
        }
    }

    fn gap(&self, i: usize) -> Gap {
        let (Some(a), Some(b)) = (self.atoms.get(i), self.atoms.get(i + 1)) else {
            return Gap::Other;
        };
        let Some(gap) = self.text.get(a.end..b.start) else {
            return Gap::Other;
        };
        classify_gap(gap)
    }

    /// Whether the word before byte `pos` (or its form without clitics) is in `set`.
    fn word_before_in(&self, pos: usize, set: &HashSet<String, WordHash>) -> bool {
        word_before(self.text, pos).is_some_and(|w| self.lexicon.word_in(set, w))
    }

    /// Tries every expression form at atom `i`; returns it and the index of the next atom.
    fn expression(&self, i: usize) -> Option<(Raw, usize)> {
        let start = self.atoms.get(i)?.start;
        // Prefixes: part of day («مساء»), day word («يوم»), period («مطلع»), month word
        // («شهر»). Each needs an expression after it.
        if self.has(i, |m| matches!(m, Meaning::PartOfDay | Meaning::DayWord))
            && self.gap(i) == Gap::Space
        {
            let (raw, next) = self
                .weekday(i + 1, true)
                .or_else(|| self.expression(i + 1))
                .filter(|(raw, _)| day_level(&raw.form))?;
            return Some((Raw { start, ..raw }, next));
        }
        if self.has(i, |m| matches!(m, Meaning::Period)) && self.gap(i) == Gap::Space {
            let (raw, next) = self
                .expression(i + 1)
                .or_else(|| self.bare_year(i + 1, true))?;
            return matches!(
                raw.form,
                Form::Year(_)
                    | Form::MonthYear(..)
                    | Form::Month { .. }
                    | Form::RelativeMonth(_)
                    | Form::RelativeYear(_)
                    | Form::Week(_)
            )
            .then_some((Raw { start, ..raw }, next));
        }
        if self.has(i, |m| matches!(m, Meaning::MonthWord)) && self.gap(i) == Gap::Space {
            if let Some((raw, next)) = self.month_expression(i + 1, true) {
                return Some((Raw { start, ..raw }, next));
            }
        }
        if self.has(i, |m| matches!(m, Meaning::YearWord)) && self.gap(i) == Gap::Space {
            if let Some((raw, next)) = self.bare_year(i + 1, true) {
                return Some((Raw { start, ..raw }, next));
            }
        }
        self.relative(i)
            .or_else(|| self.weekday(i, false))
            .or_else(|| self.numeric_date(i))
            .or_else(|| self.day_month(i))
            .or_else(|| self.month_expression(i, false))
            .or_else(|| self.bare_year(i, false))
    }

    /// Relative phrases of `relative.tsv`.
    fn relative(&self, i: usize) -> Option<(Raw, usize)> {
        let atom = self.atoms.get(i)?;
        let (kind, offset) = self.meanings(i).iter().find_map(|m| match m {
            Meaning::Relative { kind, offset } => Some((*kind, *offset)),
            _ => None,
        })?;
        let raw = |end, form| Raw {
            start: atom.start,
            end,
            form,
        };
        Some(match kind {
            RelativeKind::Day => {
                // «في اليوم الخامس» is «on the fifth day», not «today».
                if self.gap(i) == Gap::Space
                    && self.has(i + 1, |m| matches!(m, Meaning::Ordinal(_)))
                {
                    return None;
                }
                // «أمس الثلاثاء», «اليوم الأحد», then maybe «مساء»: «أمس مساء».
                let mut end = atom.end;
                let mut next = i + 1;
                let mut weekday = None;
                if matches!(self.gap(i), Gap::Space | Gap::Separator) {
                    if let Some(day) = self.weekday_at(i + 1) {
                        weekday = Some(day);
                        end = self.atoms[i + 1].end;
                        next = i + 2;
                    }
                }
                let (end, next) = self.trailing_part_of_day(next, end);
                (raw(end, Form::RelativeDay { offset, weekday }), next)
            }
            RelativeKind::SameDay => (raw(atom.end, Form::SameDay(offset)), i + 1),
            RelativeKind::Week => (raw(atom.end, Form::Week(offset)), i + 1),
            RelativeKind::Month => (raw(atom.end, Form::RelativeMonth(offset)), i + 1),
            RelativeKind::Year => (raw(atom.end, Form::RelativeYear(offset)), i + 1),
            RelativeKind::Vague => (raw(atom.end, Form::Vague), i + 1),
            RelativeKind::DayAfter => {
                // «غداة 7 أكتوبر»: X is a date expression right after; else «غداة إعلان …».
                if self.gap(i) == Gap::Space {
                    if let Some((inner, next)) = self.expression(i + 1) {
                        if !matches!(inner.form, Form::DayAfter { .. } | Form::Vague) {
                            return Some((
                                raw(
                                    inner.end,
                                    Form::DayAfter {
                                        offset,
                                        of: Some(Box::new(inner.form)),
                                    },
                                ),
                                next,
                            ));
                        }
                    }
                }
                (raw(atom.end, Form::DayAfter { offset, of: None }), i + 1)
            }
        })
    }

    fn weekday_at(&self, i: usize) -> Option<Weekday> {
        self.meanings(i).iter().find_map(|m| match m {
            Meaning::Weekday { day, .. } => Some(*day),
            _ => None,
        })
    }

    fn direction_at(&self, i: usize) -> Option<Direction> {
        self.meanings(i).iter().find_map(|m| match m {
            Meaning::Direction(d) => Some(*d),
            _ => None,
        })
    }

    /// «الثلاثاء», «الخميس الماضي», «الأحد المقبل الموافق 11 فبراير 2024», «الجمعة 9 فبراير
    /// 2024». `prefixed`: a part-of-day or «يوم» came before (context for «الاثنين»).
    fn weekday(&self, i: usize, prefixed: bool) -> Option<(Raw, usize)> {
        let atom = self.atoms.get(i)?;
        let (day, needs_context) = self.meanings(i).iter().find_map(|m| match m {
            Meaning::Weekday { day, needs_context } => Some((*day, *needs_context)),
            _ => None,
        })?;
        let mut end = atom.end;
        let mut next = i + 1;
        let mut direction = None;
        if self.gap(i) == Gap::Space {
            if let Some(d) = self.direction_at(i + 1) {
                direction = Some(d);
                end = self.atoms[i + 1].end;
                next = i + 2;
            }
        }
        // A date naming the same day follows: the whole is one explicit date.
        let linked = if self.has(next, |m| matches!(m, Meaning::Linker))
            && matches!(self.gap(next - 1), Gap::Space | Gap::Separator)
            && matches!(self.gap(next), Gap::Space | Gap::Separator)
        {
            Some(next + 1)
        } else if matches!(self.gap(next - 1), Gap::Space | Gap::Separator) {
            Some(next)
        } else {
            None
        };
        if let Some(date_at) = linked {
            if let Some((raw, after)) = self
                .numeric_date(date_at)
                .or_else(|| self.day_month(date_at))
            {
                if matches!(raw.form, Form::Full(_) | Form::DayMonth { .. }) {
                    return Some((
                        Raw {
                            start: atom.start,
                            ..raw
                        },
                        after,
                    ));
                }
            }
        }
        // «الأحد عشر وزيرا» is «eleven ministers».
        if direction.is_none()
            && word_after(self.text, atom.end)
                .is_some_and(|w| self.lexicon.weekday_blockers_after.contains(w))
        {
            return None;
        }
        if needs_context && !prefixed && direction.is_none() {
            let blocked = self.word_before_in(atom.start, &self.lexicon.weekday_blockers);
            if blocked {
                return None;
            }
        }
        let way = match direction {
            Some(Direction::Past) => WeekdayWay::Before,
            Some(Direction::Future) => WeekdayWay::After,
            Some(Direction::Current) => WeekdayWay::Nearest,
            None if self.future_cue_before(atom.start) => WeekdayWay::OnOrAfter,
            None => WeekdayWay::OnOrBefore,
        };
        let (end, next) = self.trailing_part_of_day(next, end);
        Some((
            Raw {
                start: atom.start,
                end,
                form: Form::Weekday { day, way },
            },
            next,
        ))
    }

    /// «الثلاثاء مساء»: a part of day right after a day expression belongs to it.
    fn trailing_part_of_day(&self, next: usize, end: usize) -> (usize, usize) {
        if next > 0
            && self.has(next, |m| matches!(m, Meaning::PartOfDay))
            && self.gap(next - 1) == Gap::Space
        {
            if let Some(atom) = self.atoms.get(next) {
                // Only when nothing that it could introduce follows («مساء الأربعاء»).
                if self.expression(next).is_none() {
                    return (atom.end, next + 1);
                }
            }
        }
        (end, next)
    }

    /// The verb right before a bare weekday is of something to come: «ستستأنف الأحد»,
    /// «تستأنف الأحد», or «سوف» stands up to three words before in the same clause.
    fn future_cue_before(&self, pos: usize) -> bool {
        let mut pos = pos;
        for step in 0..3 {
            let Some(word) = word_before(self.text, pos) else {
                return false;
            };
            if self.lexicon.word_in(&self.lexicon.future_words, word) {
                return true;
            }
            if step == 0
                && self.lexicon.bare_forms(word).any(|bare| {
                    self.lexicon.future_prefixes.iter().any(|p| {
                        bare.starts_with(p.as_str())
                            && bare.chars().count() >= p.chars().count() + 3
                    })
                })
            {
                return true;
            }
            // Byte offset of `word` inside the text: it is a subslice of it.
            pos = word.as_ptr() as usize - self.text.as_ptr() as usize;
        }
        false
    }

    /// A month name, or a pair of names of the two calendars for the same month
    /// («يناير/كانون الثاني», «شباط (فبراير)»): (month, next atom, english, needs context,
    /// paired).
    fn month_at(&self, i: usize) -> Option<(u32, usize, bool, bool)> {
        let (month, needs_context, english) = self.meanings(i).iter().find_map(|m| match m {
            Meaning::Month {
                month,
                needs_context,
                english,
            } => Some((*month, *needs_context, *english)),
            _ => None,
        })?;
        if matches!(self.gap(i), Gap::Separator) {
            let second = self.meanings(i + 1).iter().find_map(|m| match m {
                Meaning::Month { month, .. } => Some(*month),
                _ => None,
            });
            if second.is_some() {
                // The first name decides if the two disagree.
                return Some((month, i + 2, english, false));
            }
        }
        Some((month, i + 1, english, needs_context))
    }

    /// The end of atom `i - 1`, extended over a closing parenthesis right after it
    /// («9 شباط (فبراير)»).
    fn end_of(&self, i: usize) -> usize {
        let Some(atom) = i.checked_sub(1).and_then(|j| self.atoms.get(j)) else {
            return 0;
        };
        match self.text.get(atom.end..) {
            Some(rest) if rest.starts_with(')') => atom.end + 1,
            _ => atom.end,
        }
    }

    /// A four-digit Gregorian year at atom `i` (not a Hijri one: «1445 هـ»).
    fn year_at(&self, i: usize) -> Option<i32> {
        let (value, digits) = self.number(i)?;
        let atom = self.atoms.get(i)?;
        if digits != 4 || !(1000..=2999).contains(&value) {
            return None;
        }
        let after = self.text.get(atom.end..)?;
        let next_word = after
            .trim_start_matches(' ')
            .split(|c: char| !is_letter(c))
            .next()
            .unwrap_or_default();
        if !next_word.is_empty() && self.lexicon.hijri.contains(next_word) {
            return None;
        }
        // «2024-01» is the start of a numeric date, not a year on its own.
        if after.starts_with(['-', '/', '.'])
            && after[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        Some(value as i32)
    }

    /// «عام 2020» (after a year word, `introduced`), or a bare «في 2021», «منذ 2014».
    fn bare_year(&self, i: usize, introduced: bool) -> Option<(Raw, usize)> {
        let atom = self.atoms.get(i)?;
        let year = self.year_at(i)?;
        if !introduced {
            let plausible = (1900..=2100).contains(&year);
            let after_preposition =
                self.word_before_in(atom.start, &self.lexicon.year_prepositions);
            if !(plausible && after_preposition) {
                return None;
            }
        }
        Some((
            Raw {
                start: atom.start,
                end: atom.end,
                form: Form::Year(year),
            },
            i + 1,
        ))
    }

    /// «2024-01-05», «5/1/2024», «05-01-2024», «2024/1/5»: day first unless the year is.
    fn numeric_date(&self, i: usize) -> Option<(Raw, usize)> {
        let (a, a_digits) = self.number(i)?;
        let (b, _) = self.number(i + 1)?;
        let (c, c_digits) = self.number(i + 2)?;
        let sep = |k: usize| -> Option<&str> {
            let x = self.atoms.get(k)?;
            let y = self.atoms.get(k + 1)?;
            self.text.get(x.end..y.start)
        };
        let (s1, s2) = (sep(i)?, sep(i + 1)?);
        if s1 != s2 || !matches!(s1, "-" | "/" | ".") {
            return None;
        }
        let date = if a_digits == 4 {
            NaiveDate::from_ymd_opt(a as i32, b, c)
        } else if c_digits == 4 && a_digits <= 2 {
            NaiveDate::from_ymd_opt(c as i32, b, a)
        } else {
            None
        }?;
        // Part of a longer run of numbers (a phone number, a version): not a date.
        let end = self.atoms[i + 2].end;
        if self.text.get(end..).is_some_and(|rest| {
            rest.starts_with(['-', '/', '.']) && rest[1..].starts_with(|c: char| c.is_ascii_digit())
        }) {
            return None;
        }
        Some((
            Raw {
                start: self.atoms[i].start,
                end,
                form: Form::Full(date),
            },
            i + 3,
        ))
    }

    /// A day (number or ordinal word), then a month, then maybe a year or a direction:
    /// «5 كانون الثاني 2024», «26-سبتمبر-2023», «9th, February 2024», «الخامس من يناير»,
    /// «الخامس والعشرين من ديسمبر الماضي».
    fn day_month(&self, i: usize) -> Option<(Raw, usize)> {
        let atom = self.atoms.get(i)?;
        let day = match self.number(i) {
            Some((value, digits)) if digits <= 2 && (1..=31).contains(&value) => {
                if !matches!(
                    self.gap(i),
                    Gap::Space | Gap::Separator | Gap::Min | Gap::Suffix
                ) {
                    return None;
                }
                value
            }
            Some(_) => return None,
            None => {
                let day = self.meanings(i).iter().find_map(|m| match m {
                    Meaning::Ordinal(d) => Some(*d),
                    _ => None,
                })?;
                if !matches!(self.gap(i), Gap::Space | Gap::Min) {
                    return None;
                }
                day
            }
        };
        // «الخامس من شهر يناير»: «شهر» between the day and the month name.
        let at = if self.has(i + 1, |m| matches!(m, Meaning::MonthWord))
            && self.gap(i + 1) == Gap::Space
        {
            i + 2
        } else {
            i + 1
        };
        let Some((month, next, _, _)) = self.month_at(at) else {
            // «الخامس من الشهر الجاري», «12 من الشهر الماضي».
            let offset = self.meanings(i + 1).iter().find_map(|m| match m {
                Meaning::Relative {
                    kind: RelativeKind::Month,
                    offset,
                } => Some(*offset),
                _ => None,
            })?;
            if self.gap(i) != Gap::Min {
                return None;
            }
            return Some((
                Raw {
                    start: atom.start,
                    end: self.atoms.get(i + 1)?.end,
                    form: Form::DayOfMonth { day, offset },
                },
                i + 2,
            ));
        };
        self.finish_month(atom.start, Some(day), month, next)
    }

    /// After a month (at atom `next - 1`): a year, a direction, or nothing.
    fn finish_month(
        &self,
        start: usize,
        day: Option<u32>,
        month: u32,
        next: usize,
    ) -> Option<(Raw, usize)> {
        let raw = |end, form| Raw { start, end, form };
        let gap = self.gap(next.checked_sub(1)?);
        if matches!(gap, Gap::Space | Gap::Separator) {
            if let Some(year) = self.year_at(next) {
                let end = self.atoms[next].end;
                let form = match day {
                    Some(day) => NaiveDate::from_ymd_opt(year, month, day)
                        .map_or(Form::Impossible, Form::Full),
                    None => Form::MonthYear(year, month),
                };
                return Some((raw(end, form), next + 1));
            }
        }
        if gap == Gap::Space {
            if let Some(direction) = self.direction_at(next) {
                let end = self.atoms[next].end;
                let form = match day {
                    Some(day) => Form::DayMonth {
                        day,
                        month,
                        direction: Some(direction),
                    },
                    None => Form::Month {
                        month,
                        direction: Some(direction),
                    },
                };
                return Some((raw(end, form), next + 1));
            }
        }
        let form = match day {
            // 31 February has no year in which it exists: drop it.
            Some(day) if NaiveDate::from_ymd_opt(2024, month, day).is_none() => Form::Impossible,
            Some(day) => Form::DayMonth {
                day,
                month,
                direction: None,
            },
            None => Form::Month {
                month,
                direction: None,
            },
        };
        Some((raw(self.end_of(next), form), next))
    }

    /// A month name first: «يناير 2024», «ديسمبر الماضي», «February 9, 2024», «في ديسمبر».
    /// `introduced`: after «شهر», which gives an ambiguous name its context.
    fn month_expression(&self, i: usize, introduced: bool) -> Option<(Raw, usize)> {
        let atom = self.atoms.get(i)?;
        let (month, next, english, needs_context) = self.month_at(i)?;
        // English order: «February 9, 2024».
        if let Some((day, digits)) = self.number(next) {
            if digits <= 2
                && self.gap(next - 1) == Gap::Space
                && matches!(self.gap(next), Gap::Separator)
            {
                if let Some(year) = self.year_at(next + 1) {
                    let date = NaiveDate::from_ymd_opt(year, month, day)?;
                    return Some((
                        Raw {
                            start: atom.start,
                            end: self.atoms[next + 1].end,
                            form: Form::Full(date),
                        },
                        next + 2,
                    ));
                }
            }
        }
        let (raw, after) = self.finish_month(atom.start, None, month, next)?;
        let alone = matches!(
            raw.form,
            Form::Month {
                direction: None,
                ..
            }
        );
        if alone && english {
            return None;
        }
        if alone && needs_context && !introduced {
            let after_preposition =
                self.word_before_in(atom.start, &self.lexicon.year_prepositions);
            if !after_preposition {
                return None;
            }
        }
        Some((raw, after))
    }
}

/// Forms that a part of day or «يوم» may introduce.
fn day_level(form: &Form) -> bool {
    matches!(
        form,
        Form::Full(_)
            | Form::DayMonth { .. }
            | Form::DayOfMonth { .. }
            | Form::RelativeDay { .. }
            | Form::Weekday { .. }
            | Form::SameDay(_)
    )
}

fn classify_gap(gap: &str) -> Gap {
    if gap.len() > 12 || gap.contains('\n') {
        return Gap::Other;
    }
    if gap.chars().all(|c| c == ' ' || c == '\t') {
        return Gap::Space;
    }
    if gap.trim() == "من" {
        return Gap::Min;
    }
    let is_sep = |s: &str| {
        s.chars().all(|c| {
            matches!(
                c,
                ' ' | '\t' | '-' | '/' | '.' | ',' | '،' | '(' | ')' | '–' | '—'
            )
        })
    };
    if is_sep(gap) {
        return Gap::Separator;
    }
    for suffix in ["th", "st", "nd", "rd"] {
        if let Some(rest) = gap.strip_prefix(suffix) {
            if is_sep(rest) {
                return Gap::Suffix;
            }
        }
    }
    Gap::Other
}

/// The word (letters only) after byte `pos`, skipping spaces.
fn word_after(text: &str, pos: usize) -> Option<&str> {
    let tail = text.get(pos..)?;
    let trimmed = tail.trim_start_matches([' ', '\t']);
    let start = pos + (tail.len() - trimmed.len());
    let len = trimmed
        .char_indices()
        .find(|(_, c)| !is_letter(*c))
        .map_or(trimmed.len(), |(i, _)| i);
    (len > 0).then(|| text.get(start..start + len)).flatten()
}

/// The word (letters only) before byte `pos`, skipping spaces; `None` when punctuation, a
/// digit or the start of a line comes first (a clause boundary).
pub(crate) fn word_before(text: &str, pos: usize) -> Option<&str> {
    let head = text.get(..pos)?;
    let trimmed = head.trim_end_matches([' ', '\t']);
    let end = trimmed.len();
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_letter(*c))
        .last()
        .map(|(i, _)| i)?;
    text.get(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<(String, Form)> {
        static LEXICON: std::sync::OnceLock<TimeLexicon> = std::sync::OnceLock::new();
        let lexicon = LEXICON.get_or_init(|| TimeLexicon::builtin().unwrap());
        let folded = crate::arabic::normalize(text);
        scan(&folded, lexicon)
            .raws
            .into_iter()
            .map(|r| (folded[r.start..r.end].to_owned(), r.form))
            .collect()
    }

    #[test]
    fn hits_need_word_boundaries() {
        // «بغداد» contains «غدا» (tomorrow), «الخامس» contains «امس»: neither is a time word.
        assert!(forms("وصل الوفد إلى بغداد في اليوم الخامس").is_empty());
        // «الأمين العام» is not a year without a number.
        assert!(forms("قال الأمين العام للحلف").is_empty());
    }

    #[test]
    fn clitics_before_time_words() {
        // «وبالأمس» = و + ب + الأمس; «لليوم» = ل + اليوم.
        let found = forms("وبالأمس أعلن الوزير");
        assert_eq!(found[0].0, "الامس");
        let found = forms("تأجيل الاجتماع لليوم التالي");
        assert_eq!(found[0], ("ليوم التالي".to_owned(), Form::SameDay(1)));
    }

    #[test]
    fn counts_are_not_years() {
        // «بـ2500 جندي» is a troop count; «في 2021» is a year.
        assert!(forms("تحتفظ الولايات المتحدة بـ2500 جندي").is_empty());
        assert_eq!(forms("وفي 2021 انتهت المهمة")[0].1, Form::Year(2021));
        // A Hijri year is not a Gregorian one.
        assert!(forms("في عام 1445 هـ").is_empty());
    }

    #[test]
    fn ambiguous_words_need_context() {
        // «مارس» is also «he practised»; «بين الاثنين» is «between the two».
        assert!(forms("مارس الوزير ضغوطا كبيرة").is_empty());
        assert!(forms("جرت مصالحة بين الاثنين").is_empty());
        // «الأحد عشر» is «eleven».
        assert!(forms("شارك في الاجتماع الأحد عشر وزيرا").is_empty());
        assert_eq!(
            forms("بدأت الخطة في مارس")[0].1,
            Form::Month {
                month: 3,
                direction: None
            }
        );
        assert_eq!(
            forms("في آذار/مارس 2020 بدأ الانسحاب")[0].1,
            Form::MonthYear(2020, 3)
        );
    }

    #[test]
    fn future_verb_makes_a_bare_weekday_the_next_one() {
        // «تستأنف المحادثات الأحد» (the talks resume on Sunday): Sunday to come.
        assert_eq!(
            forms("وقال إن اللجنة تستأنف الأحد اجتماعاتها")[0].1,
            Form::Weekday {
                day: Weekday::Sun,
                way: WeekdayWay::OnOrAfter
            }
        );
        // «أعلنت بغداد، الخميس،» is past narrative.
        assert_eq!(
            forms("أعلنت بغداد، الخميس، أن المحادثات")[0].1,
            Form::Weekday {
                day: Weekday::Thu,
                way: WeekdayWay::OnOrBefore
            }
        );
    }

    #[test]
    fn month_word_between_day_and_month() {
        // «في الخامس من شهر كانون الثاني الماضي».
        assert_eq!(
            forms("وفي الخامس من شهر كانون الثاني الماضي أعلنت الوزارة")[0],
            (
                "الخامس من شهر كانون الثاني الماضي".to_owned(),
                Form::DayMonth {
                    day: 5,
                    month: 1,
                    direction: Some(Direction::Past)
                }
            )
        );
    }

    #[test]
    fn day_of_a_relative_month() {
        // «يوم الخامس من الشهر الجاري»: the fifth of the anchor's month.
        assert_eq!(
            forms("أعلنت الحكومة يوم الخامس من الشهر الجاري بدء الحوار")[0],
            (
                "يوم الخامس من الشهر الجاري".to_owned(),
                Form::DayOfMonth { day: 5, offset: 0 }
            )
        );
    }

    #[test]
    fn gaps() {
        assert_eq!(classify_gap(" "), Gap::Space);
        assert_eq!(classify_gap("-"), Gap::Separator);
        assert_eq!(classify_gap(" من "), Gap::Min);
        assert_eq!(classify_gap("th, "), Gap::Suffix);
        assert_eq!(classify_gap(" و"), Gap::Other);
    }
}
