//! Article structure: where the article ends and publisher boilerplate or an appended «read also»
//! article begins, which lines are headlines (often repeated) and which are body paragraphs, and
//! the sentences of a paragraph.
//!
//! Input: the article text (original and folded). Output: [`Part`]s (the article and any
//! appended article, as character ranges of the original text) and, per part, [`Line`]s and
//! sentences as folded character ranges.

use super::lexicon::{Boiler, Lexicon};
use crate::arabic::WordHash;
use crate::arabic::{self, Normalized};

/// One article inside a text: original character range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// A body paragraph: statements, events and numbers are read from it.
    Body,
    /// A headline, sub-heading, caption or dateline: entities only.
    Heading,
    /// A repetition of an earlier line (headlines are often printed twice).
    Repeat,
    /// Publisher boilerplate («المصدر: …», «كلمات دلالية: …», «[إعلان 2]»).
    Boilerplate,
}

/// A line of a part: folded character range `[start, end)` (without the newline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub kind: LineKind,
}

/// The boilerplate marker a folded line starts with, if the line is short enough to be one.
fn marker(lex: &Lexicon, folded_line: &str) -> Option<Boiler> {
    let line = folded_line.trim_start_matches(|c: char| c.is_whitespace() || c == '-' || c == '•');
    if !line
        .chars()
        .next()
        .is_some_and(|c| lex.boiler_first.contains(&c))
    {
        return None;
    }
    // Counted only when a marker matches: most lines start with none.
    let mut words = None;
    for (form, action) in &lex.boiler_forms {
        if let Some(rest) = line.strip_prefix(form.as_str()) {
            if rest.chars().next().is_some_and(arabic::is_word_char) {
                continue;
            }
            let limit = match action {
                Boiler::Line => 12,
                Boiler::Split | Boiler::End => 6,
            };
            if *words.get_or_insert_with(|| line.split_whitespace().count()) <= limit {
                return Some(*action);
            }
        }
    }
    None
}

/// Character ranges of the lines of `text` (without the newline characters).
fn line_ranges(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start_char = 0;
    for line in text.split('\n') {
        let n = line.chars().count();
        out.push((start_char, start_char + n, line));
        start_char += n + 1;
    }
    out
}

fn word_count(folded_line: &str) -> usize {
    folded_line
        .split(|c: char| !arabic::is_word_char(c))
        .filter(|w| !w.is_empty())
        .count()
}

fn ends_like_sentence(folded_line: &str) -> bool {
    let last = folded_line.trim_end().chars().last().unwrap_or(' ');
    matches!(
        last,
        '.' | '!' | '؟' | '?' | '»' | '"' | ':' | '|' | '”' | '“'
    )
}

/// A line of `words` words is a body paragraph when it is a real sentence: long enough, or ending
/// like one.
fn is_body(folded_line: &str, words: usize) -> bool {
    words >= 9 || (words >= 4 && ends_like_sentence(folded_line))
}

/// Before the first paragraph, a line that does not end like a sentence is a headline, however
/// long: «العراق يطالب بمراجعة وجود القوات الأمريكية: مستقبل التواجد العسكري على طاولة النقاش».
/// A first line that does end like one is the lead paragraph.
fn is_headline(folded_line: &str, words: usize) -> bool {
    !ends_like_sentence(folded_line) && words < 20
}

/// Splits a text into the article and the articles appended after «read also» markers. What
/// follows an end marker («أهم الأخبار», «التعليقات») is dropped; what follows a split marker
/// («إقرأ أيضاً», «اقرأ المزيد») becomes its own part when it has a body paragraph, and is
/// dropped when it is only a list of related headlines.
pub(crate) fn parts(text: &str, lex: &Lexicon) -> Vec<Part> {
    let lines = line_ranges(text);
    let mut out = Vec::new();
    let mut start = 0;
    let mut keep = true;
    let mut has_body = false;
    let total = text.chars().count();
    for &(s, _e, line) in &lines {
        // Only short lines can be markers: fold those alone, and only when they may start with
        // a marker or are needed to find the first paragraph.
        let short = line.split_whitespace().nth(12).is_none()
            && (!has_body
                || line
                    .chars()
                    .filter_map(arabic::fold_char)
                    .find(|&c| !(c.is_whitespace() || c == '-' || c == '•'))
                    .is_none_or(|c| lex.boiler_first.contains(&c)));
        let folded = if short {
            arabic::normalize(line)
        } else {
            String::new()
        };
        let folded = if short { folded.as_str() } else { line };
        match marker(lex, folded).filter(|_| short) {
            Some(Boiler::Split) => {
                if keep && (has_body || out.is_empty()) {
                    out.push(Part { start, end: s });
                }
                start = s;
                keep = true;
                has_body = false;
            }
            Some(Boiler::End) => {
                if keep && (has_body || out.is_empty()) {
                    out.push(Part { start, end: s });
                }
                keep = false;
            }
            _ => {
                // An appended article needs a real paragraph, not just a related headline.
                if keep && !has_body {
                    let words = word_count(folded);
                    has_body = is_body(folded, words) && (out.is_empty() || words >= 15);
                }
            }
        }
    }
    if keep && (has_body || out.is_empty()) {
        out.push(Part { start, end: total });
    }
    out
}

/// Classifies the lines of one part's folded text; `toks` are its words ([`Normalized::tokens`]).
pub(crate) fn lines(n: &Normalized, toks: &[arabic::Token], lex: &Lexicon) -> Vec<Line> {
    let mut out = Vec::new();
    let mut seen: std::collections::HashSet<&str, WordHash> = Default::default();
    let mut start = 0;
    let mut in_body = false;
    let mut t = 0;
    for line in n.text.split('\n') {
        let len = line.chars().count();
        let trimmed = line.trim();
        // The words of the line: the tokens inside it.
        let first = t;
        while t < toks.len() && toks[t].end <= start + len {
            t += 1;
        }
        let words = t - first;
        let kind = if marker(lex, trimmed).is_some() {
            LineKind::Boilerplate
        } else if !trimmed.is_empty() && seen.contains(&trimmed) {
            LineKind::Repeat
        } else if !in_body && is_headline(trimmed, words) {
            LineKind::Heading
        } else if is_body(trimmed, words) {
            in_body = true;
            LineKind::Body
        } else {
            LineKind::Heading
        };
        if !trimmed.is_empty() {
            seen.insert(trimmed);
        }
        out.push(Line {
            start,
            end: start + len,
            kind,
        });
        start += len + 1;
    }
    out
}

/// The quotations and sentences of a body paragraph, computed once for every pass.
#[derive(Debug, Clone, Default)]
pub(crate) struct Para {
    pub quotes: Vec<(usize, usize)>,
    pub sentences: Vec<(usize, usize)>,
}

/// [`Para`]s of `lines`, one per line (empty for lines that are not body paragraphs).
pub(crate) fn paras(chars: &[char], lines: &[Line]) -> Vec<Para> {
    lines
        .iter()
        .map(|l| {
            if l.kind != LineKind::Body {
                return Para::default();
            }
            let quotes = quotes(chars, l.start, l.end);
            let sentences = sentences(chars, l.start, l.end, &quotes);
            Para { quotes, sentences }
        })
        .collect()
}

/// Quoted stretches of a folded paragraph, as character ranges including the quote marks:
/// «…» (and “…”, which fold to «…») nest; straight quotes "…" pair up in order.
pub(crate) fn quotes(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut straight: Option<usize> = None;
    let start = start.min(end.min(chars.len()));
    for (k, &c) in chars[start..end.min(chars.len())].iter().enumerate() {
        let i = start + k;
        match c {
            '«' => open.push(i),
            '»' => {
                if let Some(s) = open.pop() {
                    if open.is_empty() {
                        out.push((s, i + 1));
                    }
                }
            }
            '"' if open.is_empty() => match straight.take() {
                Some(s) => out.push((s, i + 1)),
                None => straight = Some(i),
            },
            _ => {}
        }
    }
    out.sort();
    out
}

/// Sentences of a paragraph `[start, end)` of the folded text: ends at . ! ? ؟ outside quotes
/// (not between digits: «2.5»), so a quotation with several sentences stays whole.
pub(crate) fn sentences(
    chars: &[char],
    start: usize,
    end: usize,
    quoted: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = start;
    let mut q = 0;
    let mut i = start;
    while i < end {
        let c = chars[i];
        // Most characters end nothing: the quotations are only looked at for those that may.
        if !matches!(c, '.' | '!' | '؟' | '?') {
            i += 1;
            continue;
        }
        while q < quoted.len() && quoted[q].1 <= i {
            q += 1;
        }
        let inside = q < quoted.len() && quoted[q].0 <= i && i < quoted[q].1;
        // Not a decimal point: «2.5».
        let decimal = c == '.'
            && i > start
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        let is_end = !inside && !decimal;
        if is_end {
            // Keep «...» together with its sentence.
            let mut j = i + 1;
            while j < end && matches!(chars[j], '.' | '!' | '؟' | '?') {
                j += 1;
            }
            if chars[s..j].iter().any(|c| arabic::is_word_char(*c)) {
                out.push((s, j));
            }
            s = j;
            i = j;
            continue;
        }
        i += 1;
    }
    if s < end && chars[s..end].iter().any(|c| arabic::is_word_char(*c)) {
        out.push((s, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::builtin().expect("builtin lexicon")
    }

    #[test]
    fn read_also_article_is_split_off() {
        // An agency article followed by «إقرأ أيضاً:» and another full article.
        let text = "قال الربيعي إن الحكومة تعمل على إنهاء مهمة التحالف الدولي في العراق قريبا.\nإقرأ أيضاً:\nكشفت مصادر أوروبية مطلعة عن تحولات خطيرة في الموقف الإيراني بعد الضربات الأمريكية الأخيرة التي استهدفت منشآت نووية في طهران.\n";
        let p = parts(text, &lex());
        assert_eq!(p.len(), 2);
        let second: String = text
            .chars()
            .skip(p[1].start)
            .take(p[1].end - p[1].start)
            .collect();
        assert!(second.starts_with("إقرأ أيضاً"));
    }

    #[test]
    fn related_headlines_after_read_more_are_dropped() {
        // «اقرأ المزيد» followed only by short headlines: not an article.
        let text = "قال الربيعي إن الحكومة تعمل على إنهاء مهمة التحالف الدولي في العراق قريبا.\nاقرأ المزيد\nالعراق يكشف خطوة جديدة\nأهم الأخبار\n";
        assert_eq!(parts(text, &lex()).len(), 1);
    }

    #[test]
    fn headlines_repeats_and_boilerplate() {
        let text = "العراق يطالب بالانسحاب\nالعراق يطالب بالانسحاب\nقال الربيعي إن الحكومة تعمل على إنهاء مهمة التحالف الدولي.\nالمصدر: الحرة\n[إعلان 2]";
        let n = Normalized::new(text);
        let kinds: Vec<LineKind> = lines(&n, &n.tokens(), &lex())
            .iter()
            .map(|l| l.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                LineKind::Heading,
                LineKind::Repeat,
                LineKind::Body,
                LineKind::Boilerplate,
                LineKind::Boilerplate
            ]
        );
    }

    #[test]
    fn sentences_keep_quotations_whole() {
        // «... موقفها بوضوح... العراق ...» is one quotation with an inner ellipsis.
        let text = "قال البهرامي: \"لقد أوضحت بغداد موقفها... العراق قادر\". وأضاف أن 2.5 مليون.";
        let chars: Vec<char> = Normalized::new(text).text.chars().collect();
        let q = quotes(&chars, 0, chars.len());
        assert_eq!(q.len(), 1);
        let s = sentences(&chars, 0, chars.len(), &q);
        assert_eq!(s.len(), 2);
    }
}
