//! Extraction throughput on one core, in MB/s of Arabic text.
//!
//! `scripts/bench.sh` makes the corpus; or set NEWSKG_BENCH_CORPUS to a directory of `.txt`
//! (+ `.meta.json`) articles and run `cargo bench --bench extract`. The corpus is extracted
//! `NEWSKG_BENCH_ROUNDS` times (default 3) after one warm-up round; the best round is reported,
//! because on a shared machine the others measure the neighbours. Then the whole corpus glued into
//! one article (capped at NEWSKG_BENCH_LONG_MB, default 4 MB; 0 skips it), which must run at about the same speed: no rule may be
//! quadratic in the article's length.

use newskg::corpus::{self, Article};
use newskg::extract::{extract, Lexicon};
use std::path::PathBuf;
use std::time::Instant;

/// The same allocator as the binary (src/main.rs): extraction makes many short-lived strings and vectors, and mimalloc
/// serves them with fewer instructions than the system allocator (docs/extractor.md, throughput).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`: then only check the build.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(dir) = std::env::var_os("NEWSKG_BENCH_CORPUS").map(PathBuf::from) else {
        eprintln!("NEWSKG_BENCH_CORPUS is not set: run scripts/bench.sh, which makes the corpus");
        return;
    };
    let rounds: usize = std::env::var("NEWSKG_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let articles: Vec<Article> = corpus::read(std::slice::from_ref(&dir))
        .filter_map(Result::ok)
        .collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    let t = Instant::now();
    let lexicon = Lexicon::builtin().expect("built-in lexicon");
    println!(
        "corpus: {} ({} articles, {mb:.1} MB); lexicon built in {:.1} ms",
        dir.display(),
        articles.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut best = f64::INFINITY;
    let mut statements = 0;
    for round in 0..=rounds {
        let t = Instant::now();
        statements = articles
            .iter()
            .flat_map(|a| extract(a, &lexicon))
            .map(|x| x.statements.len())
            .sum::<usize>();
        let secs = t.elapsed().as_secs_f64();
        if round > 0 {
            best = best.min(secs);
        }
    }
    println!(
        "extract (1 core, best of {rounds}): {best:.2} s, {:.1} MB/s, {:.0} articles/s, {statements} statements",
        mb / best,
        articles.len() as f64 / best,
    );

    // Two parts alone, over the whole corpus as one text: normalization and time expressions.
    let all: String = articles.iter().map(|a| a.text.as_str()).collect();
    let time_lexicon = newskg::time::TimeLexicon::builtin().expect("built-in time lexicon");
    let t = Instant::now();
    let n = newskg::arabic::Normalized::new(&all);
    let norm = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let found = newskg::time::find_times(&all, &n, &time_lexicon, None).len();
    let times = t.elapsed().as_secs_f64();
    let mb_all = all.len() as f64 / 1e6;
    println!(
        "  parts alone: normalization {:.0} MB/s; time expressions {:.0} MB/s ({found} found)",
        mb_all / norm,
        mb_all / times
    );

    // NEWSKG_BENCH_LONG_MB (default 4) caps the glued article; 0 skips it (for profiling).
    let long_cap: usize = std::env::var("NEWSKG_BENCH_LONG_MB")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4);
    if long_cap == 0 {
        return;
    }
    let mut long = String::new();
    for a in &articles {
        if long.len() > long_cap * 1_000_000 {
            break;
        }
        long.push_str(&a.text);
        long.push('\n');
    }
    let article = Article {
        id: "long".into(),
        text: long,
        ..Default::default()
    };
    let t = Instant::now();
    let statements: usize = extract(&article, &lexicon)
        .iter()
        .map(|x| x.statements.len())
        .sum();
    let secs = t.elapsed().as_secs_f64();
    let mb = article.text.len() as f64 / 1e6;
    println!(
        "one {mb:.1} MB article: {secs:.2} s, {:.1} MB/s, {statements} statements",
        mb / secs
    );
}
