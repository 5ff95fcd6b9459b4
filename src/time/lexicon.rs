//! The time lexicon: month names of both calendars, weekdays, ordinal day words, relative words,
//! modifiers and dateline cues, read from `lexicon/time/*.tsv` (embedded) and from a user's
//! `DIR/time/*.tsv`.
//!
//! Input: TSV text, one fact a line after a header line, `#` comments. Output: a
//! [`TimeLexicon`] holding one Aho-Corasick automaton over the folded forms of every phrase
//! (so the scanner reads the text once) and small word sets for the checks made around a hit.
//! Every entry goes through [`crate::arabic::normalize`], the same folding the text gets.

use crate::arabic::{normalize, WordHash};
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use chrono::Weekday;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum TimeLexiconError {
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
}

/// Where a relative word points in time: «الماضي», «المقبل», «الجاري».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Past,
    Future,
    Current,
}

/// What a relative phrase of `relative.tsv` means; see the comments of that file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RelativeKind {
    Day,
    SameDay,
    Week,
    Month,
    Year,
    DayAfter,
    Vague,
}

/// Whether a dateline cue announces the first publication or an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum CueKind {
    Published,
    Updated,
}

/// One meaning of a phrase the automaton finds. A phrase may have several (e.g. «العام» is a
/// year word, and the start of «العام الماضي», which is its own longer phrase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Meaning {
    Month {
        month: u32,
        needs_context: bool,
        english: bool,
    },
    Weekday {
        day: Weekday,
        needs_context: bool,
    },
    Ordinal(u32),
    Relative {
        kind: RelativeKind,
        offset: i32,
    },
    Direction(Direction),
    PartOfDay,
    Period,
    DayWord,
    MonthWord,
    YearWord,
    Linker,
    Cue(CueKind),
}

/// A pattern of the automaton: a folded phrase, or its «لل» form («لليوم» = ل + اليوم, the
/// alef of the article dropping after the preposition).
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub meanings: Vec<Meaning>,
    /// The pattern starts with the preposition ل that replaced the alef of «ال».
    pub lam: bool,
}

/// The file names a time lexicon directory may hold, with their header lines.
const FILES: &[(&str, &str)] = &[
    ("months.tsv", "name\tmonth\tsystem\tcontext"),
    ("weekdays.tsv", "name\tweekday\tcontext"),
    ("ordinals.tsv", "word\tday\tgender"),
    ("relative.tsv", "phrase\tkind\toffset"),
    ("modifiers.tsv", "word\tkind\tvalue"),
    ("datelines.tsv", "cue\tkind"),
];

const BUILTIN: &[(&str, &str)] = &[
    ("months.tsv", include_str!("../../lexicon/time/months.tsv")),
    (
        "weekdays.tsv",
        include_str!("../../lexicon/time/weekdays.tsv"),
    ),
    (
        "ordinals.tsv",
        include_str!("../../lexicon/time/ordinals.tsv"),
    ),
    (
        "relative.tsv",
        include_str!("../../lexicon/time/relative.tsv"),
    ),
    (
        "modifiers.tsv",
        include_str!("../../lexicon/time/modifiers.tsv"),
    ),
    (
        "datelines.tsv",
        include_str!("../../lexicon/time/datelines.tsv"),
    ),
];

/// Month names (both systems), weekdays, ordinal day words, relative words, dateline cues.
#[derive(Debug, Clone, Default)]
pub struct TimeLexicon {
    /// Every phrase the automaton looks for, folded, with its meanings.
    phrases: BTreeMap<String, Vec<Meaning>>,
    /// Words checked next to a hit rather than searched for.
    pub(crate) year_prepositions: HashSet<String, WordHash>,
    pub(crate) weekday_blockers: HashSet<String, WordHash>,
    pub(crate) weekday_blockers_after: HashSet<String, WordHash>,
    pub(crate) future_prefixes: Vec<String>,
    pub(crate) future_words: HashSet<String, WordHash>,
    /// Words after which a date is a deadline («حتى سبتمبر 2026») and anchors nothing.
    pub(crate) deadline_words: HashSet<String, WordHash>,
    pub(crate) hijri: HashSet<String, WordHash>,
    pub(crate) clitics: HashSet<String, WordHash>,
    /// Built from `phrases` after every load; `None` only for an empty default lexicon.
    matcher: Option<AhoCorasick>,
    pub(crate) patterns: Vec<Pattern>,
    /// (file label, content) of everything loaded, for the fingerprint.
    sources: Vec<(String, String)>,
}

impl TimeLexicon {
    /// Embedded from `lexicon/time/`.
    pub fn builtin() -> Result<Self, TimeLexiconError> {
        let mut lexicon = TimeLexicon::default();
        for (name, text) in BUILTIN {
            lexicon.load(&format!("lexicon/time/{name}"), name, text)?;
        }
        lexicon.build()?;
        Ok(lexicon)
    }

    /// Adds `DIR/time/*.tsv` files of a user lexicon directory, if present. The files have the
    /// names and headers of the built-in ones; another `.tsv` name there is an error (a typo
    /// would otherwise be silently ignored).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), TimeLexiconError> {
        let sub = dir.join("time");
        if !sub.is_dir() {
            return Ok(());
        }
        let io = |path: &Path, source| TimeLexiconError::Io {
            file: path.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&sub).map_err(|e| io(&sub, e))? {
            let path = entry.map_err(|e| io(&sub, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("tsv") {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if !FILES.iter().any(|(known, _)| *known == name) {
                return Err(TimeLexiconError::Syntax {
                    file: path.display().to_string(),
                    line: 0,
                    message: format!(
                        "unknown time lexicon file; expected one of {}",
                        FILES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            files.push((name, path));
        }
        files.sort();
        for (name, path) in files {
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            self.load(&path.display().to_string(), &name, &text)?;
        }
        self.build()
    }

    /// A fingerprint of everything loaded (SHA-256, hex), for content hashes of extractions.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for (label, text) in &self.sources {
            hasher.update(label.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        format!("{:x}", hasher.finalize())
    }

    pub(crate) fn matcher(&self) -> Option<&AhoCorasick> {
        self.matcher.as_ref()
    }

    /// Parses one TSV file (`name` says which kind) into the lexicon.
    fn load(&mut self, label: &str, name: &str, text: &str) -> Result<(), TimeLexiconError> {
        let header = FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| *h)
            .unwrap_or_default();
        let columns = header.split('\t').count();
        let err = |line: usize, message: String| TimeLexiconError::Syntax {
            file: label.to_owned(),
            line,
            message,
        };
        let mut seen_header = false;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            if !seen_header {
                if line.trim() != header {
                    return Err(err(
                        line_no,
                        format!(
                            "expected the header line «{}»",
                            header.replace('\t', "<TAB>")
                        ),
                    ));
                }
                seen_header = true;
                continue;
            }
            let mut fields: Vec<&str> = line.split('\t').map(str::trim).collect();
            // A missing trailing value column (modifiers without a value) is allowed.
            while fields.len() < columns {
                fields.push("");
            }
            if fields.len() > columns {
                return Err(err(
                    line_no,
                    format!("{} columns, expected {columns}", fields.len()),
                ));
            }
            let phrase = normalize(fields[0]);
            if phrase.is_empty() {
                return Err(err(line_no, "empty first column".into()));
            }
            let meaning = match name {
                "months.tsv" => {
                    let month = parse_num(fields[1], 1, 12).ok_or_else(|| {
                        err(line_no, format!("month «{}» is not 1–12", fields[1]))
                    })?;
                    Meaning::Month {
                        month: month as u32,
                        needs_context: parse_yes_no(fields[3]).ok_or_else(|| {
                            err(line_no, format!("context «{}» is not yes/no", fields[3]))
                        })?,
                        english: fields[2] == "en",
                    }
                }
                "weekdays.tsv" => Meaning::Weekday {
                    day: fields[1]
                        .parse::<Weekday>()
                        .map_err(|_| err(line_no, format!("unknown weekday «{}»", fields[1])))?,
                    needs_context: parse_yes_no(fields[2]).ok_or_else(|| {
                        err(line_no, format!("context «{}» is not yes/no", fields[2]))
                    })?,
                },
                "ordinals.tsv" => Meaning::Ordinal(
                    parse_num(fields[1], 1, 31)
                        .ok_or_else(|| err(line_no, format!("day «{}» is not 1–31", fields[1])))?
                        as u32,
                ),
                "relative.tsv" => {
                    let kind = match fields[1] {
                        "day" => RelativeKind::Day,
                        "same-day" => RelativeKind::SameDay,
                        "week" => RelativeKind::Week,
                        "month" => RelativeKind::Month,
                        "year" => RelativeKind::Year,
                        "day-after" => RelativeKind::DayAfter,
                        "vague" => RelativeKind::Vague,
                        other => return Err(err(line_no, format!("unknown kind «{other}»"))),
                    };
                    let offset = parse_num(fields[2], -100, 100).ok_or_else(|| {
                        err(
                            line_no,
                            format!("offset «{}» is not a small integer", fields[2]),
                        )
                    })?;
                    Meaning::Relative {
                        kind,
                        offset: offset as i32,
                    }
                }
                "datelines.tsv" => Meaning::Cue(match fields[1] {
                    "published" => CueKind::Published,
                    "updated" => CueKind::Updated,
                    other => return Err(err(line_no, format!("unknown cue kind «{other}»"))),
                }),
                "modifiers.tsv" => {
                    let meaning = match fields[1] {
                        "direction" => Meaning::Direction(match fields[2] {
                            "past" => Direction::Past,
                            "future" => Direction::Future,
                            "current" => Direction::Current,
                            other => {
                                return Err(err(line_no, format!("unknown direction «{other}»")))
                            }
                        }),
                        "part-of-day" => Meaning::PartOfDay,
                        "period" => Meaning::Period,
                        "day-word" => Meaning::DayWord,
                        "month-word" => Meaning::MonthWord,
                        "year-word" => Meaning::YearWord,
                        "linker" => Meaning::Linker,
                        set => {
                            let target = match set {
                                "year-preposition" => &mut self.year_prepositions,
                                "weekday-blocker" => &mut self.weekday_blockers,
                                "weekday-blocker-after" => &mut self.weekday_blockers_after,
                                "future-word" => &mut self.future_words,
                                "deadline" => &mut self.deadline_words,
                                "hijri" => &mut self.hijri,
                                "clitic" => &mut self.clitics,
                                "future-prefix" => {
                                    if !self.future_prefixes.contains(&phrase) {
                                        self.future_prefixes.push(phrase);
                                    }
                                    continue;
                                }
                                other => {
                                    return Err(err(line_no, format!("unknown kind «{other}»")))
                                }
                            };
                            target.insert(phrase);
                            continue;
                        }
                    };
                    meaning
                }
                _ => return Err(err(line_no, format!("unknown time lexicon file {name}"))),
            };
            let meanings = self.phrases.entry(phrase).or_default();
            if !meanings.contains(&meaning) {
                meanings.push(meaning);
            }
        }
        if !seen_header {
            return Err(err(1, "no header line".into()));
        }
        self.sources.push((label.to_owned(), text.to_owned()));
        Ok(())
    }

    /// Rebuilds the automaton from the phrases, adding the «لل» form of every «ال» phrase.
    fn build(&mut self) -> Result<(), TimeLexiconError> {
        let mut by_text: BTreeMap<String, Pattern> = BTreeMap::new();
        for (phrase, meanings) in &self.phrases {
            by_text.insert(
                phrase.clone(),
                Pattern {
                    meanings: meanings.clone(),
                    lam: false,
                },
            );
        }
        for (phrase, meanings) in &self.phrases {
            if let Some(rest) = phrase.strip_prefix("ال") {
                if !rest.is_empty() {
                    by_text
                        .entry(format!("لل{rest}"))
                        .or_insert_with(|| Pattern {
                            meanings: meanings.clone(),
                            lam: true,
                        });
                }
            }
        }
        let (texts, patterns): (Vec<String>, Vec<Pattern>) = by_text.into_iter().unzip();
        // A DFA without prefilter: every pattern starts with one of the two lead bytes of
        // Arabic letters, so a start-byte prefilter fires at every other byte and halves the
        // speed (measured on the seeds).
        let matcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(&texts)
            .map_err(|e| TimeLexiconError::Syntax {
                file: "lexicon/time".into(),
                line: 0,
                message: format!("cannot build the matcher: {e}"),
            })?;
        self.matcher = Some(matcher);
        self.patterns = patterns;
        Ok(())
    }

    /// The word and its forms without listed proclitics, longest first: «وفي» → «وفي», «في».
    /// A clitic is only split off when two letters remain («في» is not «ف» + «ي»).
    pub(crate) fn bare_forms<'s, 'w: 's>(
        &'s self,
        word: &'w str,
    ) -> impl Iterator<Item = &'w str> + 's {
        std::iter::once(word).chain(word.char_indices().skip(1).take(2).filter_map(
            move |(index, _)| {
                let rest = &word[index..];
                (self.clitics.contains(&word[..index]) && rest.chars().nth(1).is_some())
                    .then_some(rest)
            },
        ))
    }

    /// Whether the word, or its form without proclitics, is in `set`.
    pub(crate) fn word_in(&self, set: &HashSet<String, WordHash>, word: &str) -> bool {
        self.bare_forms(word).any(|w| set.contains(w))
    }
}

fn parse_num(field: &str, min: i64, max: i64) -> Option<i64> {
    field
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

fn parse_yes_no(field: &str) -> Option<bool> {
    match field {
        "yes" => Some(true),
        "no" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_both_month_systems_folded() {
        let lexicon = TimeLexicon::builtin().unwrap();
        // «كانون الثاني» and «يناير» are both January; «آب» folds to «اب».
        assert_eq!(
            lexicon.phrases.get("كانون الثاني").map(Vec::as_slice),
            Some(
                &[Meaning::Month {
                    month: 1,
                    needs_context: false,
                    english: false
                }][..]
            )
        );
        assert!(lexicon.phrases.contains_key("اب"));
        // «الحادي والثلاثين» is day 31, stored folded.
        assert!(lexicon.phrases["الحادي والثلاثين"].contains(&Meaning::Ordinal(31)));
        assert!(!lexicon.fingerprint().is_empty());
    }

    #[test]
    fn strips_listed_clitics_only() {
        let lexicon = TimeLexicon::builtin().unwrap();
        // «وفي 2021» is «في 2021» behind the conjunction; «في» itself is not «ف» + «ي».
        assert!(lexicon.word_in(&lexicon.year_prepositions, "وفي"));
        assert_eq!(lexicon.bare_forms("في").collect::<Vec<_>>(), ["في"]);
        assert!(lexicon.bare_forms("وبعد").any(|w| w == "بعد"));
        assert!(!lexicon.word_in(&lexicon.year_prepositions, "منذر"));
    }

    #[test]
    fn user_files_add_entries_and_bad_lines_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("time")).unwrap();
        std::fs::write(
            dir.path().join("time/months.tsv"),
            "name\tmonth\tsystem\tcontext\nيَنّار\t1\tmaghreb\tno\n",
        )
        .unwrap();
        let mut lexicon = TimeLexicon::builtin().unwrap();
        let before = lexicon.fingerprint();
        lexicon.add_dir(dir.path()).unwrap();
        assert!(lexicon.phrases.contains_key("ينار"));
        assert_ne!(before, lexicon.fingerprint());

        std::fs::write(
            dir.path().join("time/weekdays.tsv"),
            "name\tweekday\tcontext\nالأحد\tsundai\tno\n",
        )
        .unwrap();
        let message = lexicon.add_dir(dir.path()).unwrap_err().to_string();
        assert!(message.contains("weekdays.tsv:2"), "{message}");

        std::fs::remove_file(dir.path().join("time/weekdays.tsv")).unwrap();
        std::fs::write(dir.path().join("time/month.tsv"), "x\n").unwrap();
        let message = lexicon.add_dir(dir.path()).unwrap_err().to_string();
        assert!(message.contains("unknown time lexicon file"), "{message}");
    }
}
