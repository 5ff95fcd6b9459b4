//! Arabic text normalization for matching, keeping the way back to the original offsets.
//!
//! Input: article text as written. Output: [`Normalized`], a folded copy in which diacritics,
//! tatweel and bidi/zero-width marks are dropped and letter variants are merged (hamza forms of
//! alef → ا, ى/ی → ي, ک → ك, ة → ه, ؤ → و, ئ → ي), Arabic-Indic and Persian digits become ASCII
//! and quote marks collapse to « » or ", together with a map from every normalized character to
//! the original character it came from. Matching runs on the folded text; results are reported
//! with original character offsets through [`Normalized::original`].

/// Folds one character: `None` drops it, `Some(c)` replaces it.
#[inline]
pub fn fold_char(c: char) -> Option<char> {
    // Fast paths for the characters that make up most of a text: ASCII and the basic Arabic
    // letters, of which only a few fold.
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if ('\u{0621}'..='\u{064A}').contains(&c) {
        return match c {
            'أ' | 'إ' | 'آ' => Some('ا'),
            'ى' | 'ئ' => Some('ي'),
            'ة' => Some('ه'),
            'ؤ' => Some('و'),
            '\u{0640}' => None,
            c => Some(c),
        };
    }
    fold_rare(c)
}

/// [`fold_char`] and [`is_word_char`] of the folded character, for U+0000..U+06FF (ASCII and
/// the Arabic block, almost every character of an article): one look-up instead of range tests
/// on the hottest loop of extraction.
fn fold_table() -> &'static [Option<(char, bool)>; 0x700] {
    static TABLE: std::sync::OnceLock<[Option<(char, bool)>; 0x700]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            char::from_u32(i as u32)
                .and_then(fold_char)
                .map(|f| (f, is_word_char(f)))
        })
    })
}

/// [`fold_char`] of `c` and whether the result is a word character, through `table`.
#[inline]
fn fold_classify(table: &[Option<(char, bool)>; 0x700], c: char) -> Option<(char, bool)> {
    match table.get(c as usize) {
        Some(&entry) => entry,
        None => fold_rare(c).map(|f| (f, is_word_char(f))),
    }
}

fn fold_rare(c: char) -> Option<char> {
    Some(match c {
        // Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks, tatweel.
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0640}' => return None,
        // Bidi controls, zero-width characters, the Arabic letter mark, soft hyphen, BOM.
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{00AD}'
        | '\u{FEFF}' => return None,
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ى' | 'ی' | 'ې' | 'ۍ' | 'ئ' => 'ي',
        'ک' | 'ڪ' => 'ك',
        'ة' | 'ۃ' => 'ه',
        'ؤ' => 'و',
        'ە' | 'ھ' => 'ه',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        '“' | '‟' | '„' | '‹' => '«',
        '”' | '›' => '»',
        '″' | '＂' | '״' => '"',
        '٫' => '.',
        '٬' => ',',
        '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        c if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
        c => c,
    })
}

/// Normalizes a short string (a lexicon entry, a query value) with [`fold_char`] and collapses
/// runs of white space to one space.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter_map(fold_char) {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// A folded copy of a text with a map back to the original character offsets.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// The folded text. White space is kept character for character (newlines matter for
    /// paragraphs); only [`fold_char`] applies.
    pub text: String,
    /// For each character of `text`, the character offset in the original it came from; one
    /// extra entry holds the original length so that end offsets map too.
    origin: Vec<u32>,
}

impl Normalized {
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let mut n = 0u32;
        let table = fold_table();
        for c in original.chars() {
            if let Some((f, _)) = fold_classify(table, c) {
                text.push(f);
                origin.push(n);
            }
            n += 1;
        }
        origin.push(n);
        Normalized { text, origin }
    }

    /// Number of characters of the original text.
    pub fn original_len(&self) -> usize {
        self.origin.last().map_or(0, |&c| c as usize)
    }

    /// Number of characters of the folded text.
    pub fn len(&self) -> usize {
        self.origin.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Maps a folded character range `[start, end)` to the original character range. The end
    /// maps just past the last original character used, so dropped marks after a word (a final
    /// diacritic) are not included and marks inside it are.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.origin[start.min(self.len())] as usize;
        let e = if end == 0 {
            s
        } else {
            self.origin[(end - 1).min(self.len())] as usize + 1
        };
        (s, e.max(s))
    }

    /// Character index of a byte offset into `text` (which must be a character boundary).
    pub fn char_at_byte(&self, byte: usize) -> usize {
        // Linear: only tests and rare checks need it, and a table would cost every article.
        self.text
            .get(..byte)
            .map_or(self.len(), |head| head.chars().count())
    }

    /// Byte offset into `text` of a character index.
    pub fn byte_at_char(&self, ch: usize) -> usize {
        // Linear, as `char_at_byte`.
        self.text
            .char_indices()
            .nth(ch)
            .map_or(self.text.len(), |(b, _)| b)
    }

    /// Folded character index of an original character offset: the first folded character that
    /// comes from that original character or a later one (so a time mention's `[start, end)` in
    /// the original maps onto the folded text).
    pub fn folded(&self, original: usize) -> usize {
        self.origin[..self.len()].partition_point(|&o| (o as usize) < original)
    }

    /// [`Normalized::new`], together with the folded text's characters and its words
    /// ([`Normalized::tokens`]), in one pass over the text.
    pub fn with_tokens(original: &str) -> (Self, Vec<char>, Vec<Token>) {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let mut chars = Vec::with_capacity(original.len());
        let mut words = Words::with_capacity(original.len() / 6);
        let mut total = 0u32;
        let table = fold_table();
        for c in original.chars() {
            let n = total;
            total += 1;
            let Some((f, word)) = fold_classify(table, c) else {
                continue;
            };
            words.next(chars.len(), text.len(), word);
            text.push(f);
            origin.push(n);
            chars.push(f);
        }
        origin.push(total);
        let toks = words.finish(chars.len(), text.len());
        (Normalized { text, origin }, chars, toks)
    }

    /// The words of the folded text, in order: maximal runs of letters and digits.
    pub fn tokens(&self) -> Vec<Token> {
        let mut words = Words::with_capacity(self.text.len() / 6);
        for (i, (b, c)) in self.text.char_indices().enumerate() {
            words.next(i, b, is_word_char(c));
        }
        words.finish(self.len(), self.text.len())
    }
}

/// Collects [`Token`]s from the characters of a folded text, fed in order.
struct Words {
    out: Vec<Token>,
    /// Character and byte offset where the current word started.
    open: Option<(usize, usize)>,
}

impl Words {
    fn with_capacity(n: usize) -> Self {
        Words {
            out: Vec::with_capacity(n),
            open: None,
        }
    }

    /// The character at character `i`, byte `b`, a word character or not.
    #[inline]
    fn next(&mut self, i: usize, b: usize, word: bool) {
        if word {
            if self.open.is_none() {
                self.open = Some((i, b));
            }
        } else if let Some((start, bstart)) = self.open.take() {
            self.out.push(Token {
                start,
                end: i,
                bstart,
                bend: b,
            });
        }
    }

    /// The words, the text being `chars` characters and `bytes` bytes long.
    fn finish(mut self, chars: usize, bytes: usize) -> Vec<Token> {
        if let Some((start, bstart)) = self.open {
            self.out.push(Token {
                start,
                end: chars,
                bstart,
                bend: bytes,
            });
        }
        self.out
    }
}

/// A word of the folded text: character range `[start, end)` and byte range `[bstart, bend)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub bstart: usize,
    pub bend: usize,
}

/// Letters (any script) and digits make words; everything else separates them.
pub fn is_word_char(c: char) -> bool {
    match c {
        // Fast paths: ASCII, and the Arabic letters and digits that make up most of the text.
        '\u{0000}'..='\u{007F}' => c.is_ascii_alphanumeric(),
        '\u{0621}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{0671}'..='\u{06D3}' => true,
        _ => c.is_alphanumeric(),
    }
}

/// [`char::is_alphabetic`], with fast paths for ASCII and the Arabic letters that make up most of
/// a text (the general table lookup is slow for non-ASCII characters).
#[inline]
pub fn is_letter(c: char) -> bool {
    match c {
        '\u{0000}'..='\u{007F}' => c.is_ascii_alphabetic(),
        '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' => true,
        _ => c.is_alphabetic(),
    }
}

/// Proclitics that may stand before a name or keyword inside the same written word, in folded
/// form: the conjunctions و ف, the prepositions ب ل ك, the article ال and their combinations
/// («وبالعراق»، «فالحكومة»، «للعراق» where ل + ال is written لل). «بـ/لـ/كـ» with tatweel fold to
/// the bare letter, so «بـ2500» is ب + 2500.
pub fn is_proclitic(prefix: &str) -> bool {
    matches!(
        prefix,
        "" | "و"
            | "ف"
            | "ب"
            | "ل"
            | "ك"
            | "وب"
            | "ول"
            | "وك"
            | "فب"
            | "فل"
            | "فك"
            | "ال"
            | "وال"
            | "فال"
            | "بال"
            | "كال"
            | "وبال"
            | "وكال"
            | "فبال"
            | "لل"
            | "ولل"
            | "فلل"
    )
}

/// Every proclitic sequence ([`is_proclitic`]) a folded word starts with, the empty one first and
/// then by length: the readings under which the rest of the word may be a name or keyword.
/// A sequence is a conjunction (و ف), then a preposition (ب ل ك), then the article (ال, written
/// «لل» after ل).
pub fn proclitic_readings(word: &str) -> impl Iterator<Item = &str> + '_ {
    const WAW: &str = "و";
    const FA: &str = "ف";
    let mut lens = [0usize; 8];
    let mut k = 1;
    let mut push = |n: usize| {
        lens[k] = n;
        k += 1;
    };
    for conj in [0, 2] {
        if conj == 2 && !(word.starts_with(WAW) || word.starts_with(FA)) {
            break;
        }
        let after = &word[conj..];
        if conj > 0 {
            push(conj);
        }
        // The article alone: «ال», «وال», «فال».
        if after.starts_with("ال") {
            push(conj + 4);
        }
        let prep = if after.starts_with('ب') {
            'ب'
        } else if after.starts_with('ل') {
            'ل'
        } else if after.starts_with('ك') {
            'ك'
        } else {
            continue;
        };
        push(conj + 2);
        let rest = &after[2..];
        // ب/ك + ال («بال», «وبال», «فبال», «كال», «وكال»; not «فكال»); ل + ال is «لل».
        let with_article = match prep {
            'ل' => rest.starts_with('ل'),
            'ك' => rest.starts_with("ال") && !word.starts_with(FA),
            _ => rest.starts_with("ال"),
        };
        if with_article {
            push(conj + if prep == 'ل' { 4 } else { 6 });
        }
    }
    lens[1..k].sort_unstable();
    (0..k).map(move |i| &word[..lens[i]])
}

/// Proclitics a verb may carry: only the conjunctions («وقال»، «فأكد»).
pub fn is_verb_proclitic(prefix: &str) -> bool {
    matches!(prefix, "" | "و" | "ف")
}

/// Object or possessive pronoun suffixes, folded («اعتبرته»، «إعلانه»، «انسحابها»، «قواتهم»).
pub fn is_pronoun_suffix(suffix: &str) -> bool {
    matches!(
        suffix,
        "" | "ه" | "ها" | "هم" | "هما" | "هن" | "نا" | "ي" | "كم"
    )
}

/// Strips one proclitic sequence from a folded word when at least `min_rest` characters remain,
/// longest first: «والبهادلي» → «البهادلي», «للعراق» → «عراق» (the article goes with ل).
pub fn strip_proclitic(word: &str, min_rest: usize) -> &str {
    let mut readings = [""; 8];
    let mut k = 0;
    for p in proclitic_readings(word) {
        readings[k] = p;
        k += 1;
    }
    for p in readings[..k].iter().rev() {
        let rest = &word[p.len()..];
        if rest.chars().count() >= min_rest {
            return rest;
        }
    }
    word
}

/// A fast hash for short folded words (the multiply-rotate of rustc's FxHash, eight bytes at a
/// time): the word index is probed several times per word of every article, where SipHash's
/// protection against chosen keys buys nothing.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl WordHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }
    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
}

pub type WordHash = std::hash::BuildHasherDefault<WordHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_letter_is_is_alphabetic() {
        // The fast paths must not change the answer for any character.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn one_pass_analysis_agrees_with_the_parts() {
        for text in ["", "قالَ «البهادليّ» ٢٠٢٤\n\nو", "ـــ x", "\u{200F}أ"]
        {
            let (n, chars, toks) = Normalized::with_tokens(text);
            let alone = Normalized::new(text);
            assert_eq!(n.text, alone.text);
            assert_eq!(chars, alone.text.chars().collect::<Vec<_>>());
            assert_eq!(toks, alone.tokens());
            assert_eq!(n.original(0, n.len()), alone.original(0, alone.len()));
        }
    }

    #[test]
    fn tokens_and_clitics() {
        // «وبالعراق» is و + ب + ال + عراق.
        let n = Normalized::new("قال: وبالعراق، 2500");
        let t = n.tokens();
        assert_eq!(t.len(), 3);
        assert_eq!(&n.text[t[1].bstart..t[1].bend], "وبالعراق");
        assert_eq!(strip_proclitic("وبالعراق", 3), "عراق");
        assert_eq!(strip_proclitic("للعراق", 3), "عراق");
        assert!(is_proclitic("وبال") && !is_proclitic("بو"));
        assert_eq!(n.folded(5), 5);
    }

    #[test]
    fn proclitic_readings_are_the_proclitic_prefixes() {
        for word in [
            "وبالعراق",
            "للعراق",
            "فللحكومة",
            "والقوات",
            "كالعادة",
            "فكالعادة",
            "ولبنان",
            "بلد",
            "الو",
            "وكالة",
            "فبالتالي",
            "لل",
            "و",
            "قال",
            "ابن",
        ] {
            let got: Vec<&str> = proclitic_readings(word).collect();
            let mut want: Vec<&str> = (0..=word.len())
                .filter(|&i| word.is_char_boundary(i) && is_proclitic(&word[..i]))
                .map(|i| &word[..i])
                .collect();
            want.sort_by_key(|p| p.len());
            assert_eq!(got, want, "{word}");
        }
    }

    #[test]
    fn folds_letter_variants_digits_and_marks() {
        // «الولایات» in seed articles is spelled with a Persian yeh.
        assert_eq!(normalize("الولایات المتّحدة"), "الولايات المتحده");
        assert_eq!(normalize("أعلنَ إيران ٢٠٢٤ ۱۴"), "اعلن ايران 2024 14");
        assert_eq!(normalize("الـــعراق\u{200F}"), "العراق");
    }

    #[test]
    fn offsets_map_back_through_dropped_marks() {
        let original = "قالَ «البهادليّ»";
        let n = Normalized::new(original);
        let start = n.text.find("البهادلي").unwrap();
        let cs = n.char_at_byte(start);
        let (s, e) = n.original(cs, cs + "البهادلي".chars().count());
        let got: String = original.chars().skip(s).take(e - s).collect();
        assert_eq!(got, "البهادليّ".trim_end_matches('ّ'));
    }
}
