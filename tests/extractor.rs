//! Extractor regression tests: scores on the seed articles and on our own articles must not
//! drop below the levels reached (with a small margin), arbitrary text never panics and every
//! extraction validates.

use newskg::corpus::Article;
use newskg::eval::{evaluate, EvalReport};
use newskg::extract::{extract, Lexicon};
use std::path::Path;

fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| Lexicon::builtin().expect("built-in lexicon loads"))
}

fn report(gold: &str, articles: Option<&str>) -> EvalReport {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = evaluate(
        &root.join(gold),
        articles.map(|a| root.join(a)).as_deref(),
        lexicon(),
    )
    .expect("evaluation runs");
    println!("{gold}:\n{r}");
    r
}

/// Fails when a score drops below the level reached (minus a small margin).
fn at_least(r: &EvalReport, floor: [(&str, f64); 5]) {
    let margin = 0.02;
    for (name, min) in floor {
        let got = match name {
            "statements_f1" => r.statements_f1,
            "speaker_acc" => r.speaker_acc,
            "date_acc" => r.date_acc,
            "withdrawal_f1" => r.withdrawal_f1,
            "stance_acc" => r.stance_acc,
            _ => unreachable!("unknown score {name}"),
        };
        assert!(got + margin >= min, "{name} dropped to {got} (was {min})");
    }
}

/// The seed gold is the owners' convention: a participle with its own quoted that-clause
/// («مشيرًا إلى أنّ القوات العراقية "…"») stays inside the main statement, so no rule may add it.
#[test]
fn seeds_score() {
    let r = report("tests/gold/seeds", Some("seeds"));
    at_least(
        &r,
        [
            ("statements_f1", 1.0),
            ("speaker_acc", 1.0),
            ("date_acc", 0.857),
            ("withdrawal_f1", 0.915),
            ("stance_acc", 1.0),
        ],
    );
    // The appended «read also» article never takes the first article's date.
    assert_eq!(r.second_article_misdated, 0);
}

/// `cargo test --test extractor dump -- --ignored --nocapture`: the statements of every seed.
#[test]
#[ignore]
fn dump() {
    let lex = lexicon();
    let dir = std::env::var("DUMP_DIR").unwrap_or_else(|_| "seeds".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for p in paths {
        let a = Article {
            id: p.file_stem().unwrap().to_string_lossy().into(),
            text: std::fs::read_to_string(&p).unwrap(),
            ..Default::default()
        };
        for x in extract(&a, lex) {
            println!("== {} published {:?}", x.article.id, x.article.published);
            for s in &x.statements {
                let sp = s
                    .speaker
                    .as_ref()
                    .and_then(|id| x.entities.iter().find(|e| &e.id == id))
                    .map(|e| e.name_ar.clone())
                    .unwrap_or_default();
                let date = x.time(s.time.as_deref()).map(|t| {
                    format!(
                        "{:?}@{}",
                        t.value,
                        t.span.as_ref().map(|s| s.text.clone()).unwrap_or_default()
                    )
                });
                let c: String = s.content.text.chars().take(70).collect();
                println!(
                    "  [{}] {} | {} | {} | {:?} {:?} {:?} via={:?} venue={:?}",
                    s.id, sp, s.verb.text, c, date, s.topics, s.stance, s.via, s.venue
                );
            }
            if std::env::var("DUMP_ENTS").is_ok() {
                for e in &x.entities {
                    println!(
                        "    E {} {:?} {} {:?} {}",
                        e.id,
                        e.kind,
                        e.name_ar,
                        e.name_en,
                        e.mentions.len()
                    );
                }
                for r in &x.roles {
                    println!("    R {} {} {:?}", r.holder, r.title, r.of);
                }
                for n in &x.numbers {
                    println!("    N {} {} {} {:?}", n.span.text, n.value, n.counts, n.of);
                }
                for v in &x.events {
                    println!(
                        "    V {} {} {:?} {:?}",
                        v.kind, v.trigger.text, v.place, v.time
                    );
                }
            }
        }
    }
}

#[test]
fn own_articles_score() {
    let r = report("tests/gold/own", Some("tests/articles/own"));
    at_least(
        &r,
        [
            ("statements_f1", 1.0),
            ("speaker_acc", 1.0),
            ("date_acc", 0.985),
            ("withdrawal_f1", 0.921),
            ("stance_acc", 1.0),
        ],
    );
    assert_eq!(r.second_article_misdated, 0);
}

/// The twelve blind articles (tests/articles/heldout, written without reading the rules).
/// Their failures were diagnosed by cause (general grammar and news-style rules, never the
/// articles' names or phrases), so this floor guards the rules, not an unseen-text estimate.
#[test]
fn heldout_articles_score() {
    let r = report("tests/gold/heldout", Some("tests/articles/heldout"));
    at_least(
        &r,
        [
            ("statements_f1", 0.972),
            ("speaker_acc", 0.965),
            ("date_acc", 0.963),
            ("withdrawal_f1", 0.918),
            ("stance_acc", 0.884),
        ],
    );
}

/// The second blind set (tests/articles/blind2, ten articles written without reading the code).
/// First run: F1 0.832, speaker 0.859, date 0.904, stance 0.444 (the unseen-text estimate); its
/// misses were then fixed by cause (docs/heldout-diagnosis.md, «blind2»), so this floor guards the rules.
#[test]
fn blind2_articles_score() {
    let r = report("tests/gold/blind2", Some("tests/articles/blind2"));
    at_least(
        &r,
        [
            ("statements_f1", 0.994),
            ("speaker_acc", 0.977),
            ("date_acc", 0.958),
            ("withdrawal_f1", 0.919),
            ("stance_acc", 1.0),
        ],
    );
}

/// The third blind set (tests/articles/blind3, six articles written without reading the code),
/// scored once after the blind2 fixes (F1 0.878, speaker 0.903, date 0.667, stance 0.467: the
/// honest estimate for unseen text); its misses were then fixed by cause (docs/heldout-diagnosis.md,
/// «blind3»), so this floor guards the rules.
#[test]
fn blind3_articles_score() {
    let r = report("tests/gold/blind3", Some("tests/articles/blind3"));
    at_least(
        &r,
        [
            ("statements_f1", 0.976),
            ("speaker_acc", 0.946),
            ("date_acc", 0.774),
            ("withdrawal_f1", 0.861),
            ("stance_acc", 0.938),
        ],
    );
}

/// The fourth blind set (tests/articles/blind4, ten articles written without reading the code),
/// scored once after the blind3 fixes: F1 0.851 (P 0.917, R 0.794), speaker 0.896, date 0.961,
/// stance 0.359 — the honest estimate for unseen text at that point; its misses were then fixed
/// by cause (docs/heldout-diagnosis.md, «blind4»), so this floor guards the rules.
#[test]
fn blind4_articles_score() {
    let r = report("tests/gold/blind4", Some("tests/articles/blind4"));
    at_least(
        &r,
        [
            ("statements_f1", 0.951),
            ("speaker_acc", 0.989),
            ("date_acc", 0.978),
            ("withdrawal_f1", 0.899),
            ("stance_acc", 0.837),
        ],
    );
    assert_eq!(r.second_article_misdated, 0);
}

/// The fifth blind set (tests/articles/blind5, eight articles written without reading the code),
/// scored once with the end-of-session-3 binary, after the blind4 fixes: F1 0.825 (P 0.923,
/// R 0.746), speaker 0.820, date 0.969, stance 0.400. Its statement misses were then fixed by
/// cause («blind5») and its stance misses in the stance round («stance», both in
/// docs/heldout-diagnosis.md), so this floor guards those rules; the participle rule it asked for
/// was withdrawn for the seed convention (blind5 F1 0.965 → 0.940).
#[test]
fn blind5_articles_score() {
    let r = report("tests/gold/blind5", Some("tests/articles/blind5"));
    at_least(
        &r,
        [
            ("statements_f1", 0.94),
            ("speaker_acc", 0.951),
            ("date_acc", 0.974),
            ("withdrawal_f1", 0.914),
            ("stance_acc", 0.833),
        ],
    );
    assert_eq!(r.second_article_misdated, 0);
}

/// The sixth blind set (tests/articles/blind6, ten articles written without reading the code, in
/// the styles of ten publishers), scored once with the end-of-session-4 binary, after the blind5
/// and stance rounds: F1 0.891 (P 0.948, R 0.841), speaker 0.931, date 0.982, stance 0.818 — the
/// current estimate for unseen text. Nothing has been fixed on it; the floor is that first run.
#[test]
fn blind6_articles_score() {
    let r = report("tests/gold/blind6", Some("tests/articles/blind6"));
    at_least(
        &r,
        [
            ("statements_f1", 0.891),
            ("speaker_acc", 0.931),
            ("date_acc", 0.982),
            ("withdrawal_f1", 0.908),
            ("stance_acc", 0.818),
        ],
    );
    assert_eq!(r.second_article_misdated, 0);
}

#[test]
fn appended_article_is_split_with_its_own_identity() {
    let lex = lexicon();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/004_f7322d59d6e02373.txt"),
    )
    .expect("seed 004");
    let a = Article {
        id: "004".into(),
        text,
        ..Default::default()
    };
    let xs = extract(&a, lex);
    assert_eq!(xs.len(), 2);
    assert_eq!(xs[0].article.published.as_deref(), Some("2024-02-09"));
    assert_eq!(xs[1].article.id, "004-2");
    assert_eq!(xs[1].article.parent.as_deref(), Some("004"));
    assert_eq!(xs[1].article.published, None);
    for x in &xs {
        assert_eq!(x.validate(), Ok(()));
    }
    // Trump's lines belong to the second article and carry no February 2024 date.
    let second = &xs[1];
    assert!(second.statements.iter().all(|s| second
        .time(s.time.as_deref())
        .and_then(|t| t.value.as_deref())
        .is_none_or(|v| !v.starts_with("2024-02"))));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Arabic news words, punctuation and quote marks, so that the rules actually fire.
    fn arabic_text() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "قال",
            "وقال",
            "أكد",
            "وأضاف",
            "أعلنت",
            "نقلت",
            "عن",
            "قوله",
            "إن",
            "أن",
            "بأن",
            "وفقاً",
            "لـ",
            "السوداني",
            "رئيس",
            "الوزراء",
            "العراقي",
            "محمد",
            "شياع",
            "المتحدث",
            "باسم",
            "وزارة",
            "الخارجية",
            "الأمريكية",
            "بغداد",
            "واشنطن",
            "التحالف",
            "الدولي",
            "انسحاب",
            "لا",
            "لم",
            "2500",
            "جندي",
            "نحو",
            "الخميس",
            "5",
            "يناير",
            "2024",
            "أبو",
            "تقوى",
            "حركة",
            "«",
            "»",
            "\"",
            "“",
            "”",
            ":",
            "،",
            ".",
            "\n",
            "إقرأ أيضاً:",
            "هذا",
            "المسؤول",
            "في",
            "بيان",
            "ـ",
            "ة",
            "\u{200f}",
            "َ",
            "ّ",
        ]);
        prop::collection::vec(words, 0..80).prop_map(|w| w.join(" "))
    }

    fn check(text: String) {
        let lex = lexicon();
        let a = Article {
            id: "p".into(),
            text: text.clone(),
            ..Default::default()
        };
        for x in extract(&a, lex) {
            prop_assert_eq_ok(&x);
            // Every span's offsets land on character boundaries of its article text.
            let n = x.article.text.chars().count();
            for s in x.statements.iter().flat_map(|s| [&s.verb, &s.content]) {
                assert!(s.start <= s.end && s.end <= n);
            }
        }
    }

    fn prop_assert_eq_ok(x: &newskg::model::Extraction) {
        assert_eq!(x.validate(), Ok(()), "{:?}", x.article.text);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_utf8_never_panics(text in any::<String>()) {
            check(text);
        }

        #[test]
        fn arabic_word_salad_validates(text in arabic_text()) {
            check(text);
        }
    }
}

/// `HELDOUT=DIR cargo test --test extractor heldout -- --ignored --nocapture`: scores a gold
/// directory written after the rules (articles not used to tune them).
#[test]
#[ignore]
fn heldout() {
    let dir = std::env::var("HELDOUT").unwrap_or_else(|_| "tests/gold/own".into());
    let articles =
        std::env::var("HELDOUT_ARTICLES").unwrap_or_else(|_| "tests/articles/own".into());
    let r =
        evaluate(Path::new(&dir), Some(Path::new(&articles)), lexicon()).expect("evaluation runs");
    println!("{r}");
}
