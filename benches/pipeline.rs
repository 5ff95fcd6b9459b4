//! Throughput of each pipeline stage on a scale corpus made from the seeds, printed as figures.
//!
//! `scripts/bench.sh [ARTICLES]` makes the corpus with shared/bench/make_corpus.py and runs this;
//! or set NEWSKG_BENCH_CORPUS to a directory of `.txt` (+ `.meta.json`) articles and run
//! `cargo bench --bench pipeline`.
//!
//! Stages: extraction on one core (MB/s of Arabic text), mapping (statements/s, quads/s), loading
//! article graphs into the Oxigraph store (quads/s), reopening a persisted store (quads/s), the
//! whole parallel build, and canned-query latency on the loaded store.

use newskg::corpus::{self, Article};
use newskg::extract::{extract, Lexicon};
use newskg::mapper::{self, Vocabulary};
use newskg::model::Extraction;
use newskg::queries::Catalog;
use newskg::store::Store;
use oxigraph::model::Quad;
use oxigraph::sparql::QueryResults;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The same allocator as the binary (src/main.rs): extraction makes many short-lived strings and vectors, and mimalloc
/// serves them with fewer instructions than the system allocator (docs/extractor.md, throughput).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // then it only checks that it was built.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(dir) = std::env::var_os("NEWSKG_BENCH_CORPUS").map(PathBuf::from) else {
        eprintln!("NEWSKG_BENCH_CORPUS is not set: run scripts/bench.sh, which makes the corpus");
        return;
    };
    let articles: Vec<Article> = corpus::read(std::slice::from_ref(&dir))
        .filter_map(Result::ok)
        .collect();
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    println!(
        "corpus: {} ({} articles, {:.1} MB of text)",
        dir.display(),
        articles.len(),
        mb(bytes)
    );
    let lexicon = Lexicon::builtin().expect("built-in lexicon");
    let vocabulary = Vocabulary::default();

    // 1. Extraction, one core.
    let t = Instant::now();
    let extractions: Vec<Extraction> = articles.iter().flat_map(|a| extract(a, &lexicon)).collect();
    let secs = t.elapsed().as_secs_f64();
    let statements: usize = extractions.iter().map(|x| x.statements.len()).sum();
    println!(
        "extract (1 core): {:.2} s, {:.1} MB/s, {:.0} articles/s, {} statements",
        secs,
        mb(bytes) / secs,
        articles.len() as f64 / secs,
        statements
    );

    // 2. Mapping to quads.
    let t = Instant::now();
    let graphs: Vec<(String, Vec<Quad>)> = extractions
        .iter()
        .map(|x| (x.article.id.clone(), mapper::map(x, &vocabulary)))
        .collect();
    let secs = t.elapsed().as_secs_f64();
    let quads: usize = graphs.iter().map(|(_, q)| q.len()).sum();
    println!(
        "map (1 core): {:.2} s, {:.0} statements/s, {:.0} quads/s, {} quads",
        secs,
        statements as f64 / secs,
        quads as f64 / secs,
        quads
    );

    // 3. Loading article graphs into the in-memory Oxigraph store, one atomic graph at a time.
    let mut store = Store::in_memory(vocabulary.base()).expect("store");
    let t = Instant::now();
    for (id, q) in &graphs {
        let g = vocabulary.article_graph(id);
        store
            .put_graph(id, g.as_ref(), "bench", q)
            .expect("put graph");
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "load (in-memory store, per-article transactions): {:.2} s, {:.0} quads/s",
        secs,
        quads as f64 / secs
    );

    // 4. Persisted store: writing graph files, then reopening (bulk load of all N-Quads files).
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    {
        let mut persisted = Store::open(tmp.path(), vocabulary.base()).expect("store");
        for (id, q) in &graphs {
            let g = vocabulary.article_graph(id);
            persisted
                .put_graph(id, g.as_ref(), "bench", q)
                .expect("put graph");
        }
        persisted.commit().expect("commit");
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "load (persisted store, files + manifest): {:.2} s, {:.0} quads/s",
        secs,
        quads as f64 / secs
    );
    let t = Instant::now();
    let reopened = Store::open_read_only(tmp.path(), vocabulary.base()).expect("reopen");
    let secs = t.elapsed().as_secs_f64();
    let n = reopened.len().expect("len");
    println!(
        "reopen (bulk load of {n} quads): {:.2} s, {:.0} quads/s",
        secs,
        n as f64 / secs
    );
    drop(reopened);

    // 5. The whole build, all cores: read, extract, map, store.
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let mut built = Store::open(tmp.path(), vocabulary.base()).expect("store");
    let report = newskg::pipeline::build(
        &mut built,
        corpus::read(&[dir]),
        &lexicon,
        &vocabulary,
        |_| {},
    )
    .expect("build");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "build ({} threads): {:.2} s, {:.0} articles/s, {:.0} quads/s, {:.1} MB/s",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        secs,
        report.articles as f64 / secs,
        report.quads as f64 / secs,
        mb(bytes) / secs
    );

    // 6. Canned queries on the loaded store (defaults for parameters).
    let catalog = Catalog::builtin().expect("catalog");
    for q in catalog.iter() {
        let bindings = q.bind(&[], &vocabulary).expect("defaults bind");
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let t = Instant::now();
            if let QueryResults::Solutions(s) = store
                .query(&q.sparql, bindings.clone(), Some(Duration::from_secs(120)))
                .expect("query")
            {
                rows = s.count();
            }
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "query {:<14} median {:>8.1} ms, {} rows",
            q.name,
            times[2].as_secs_f64() * 1e3,
            rows
        );
    }
    println!("peak memory (VmHWM): {}", peak_memory());
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l[6..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}
