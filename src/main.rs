//! The `newskg` command line: parses flags into plain data and wires the library stages.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newskg::export::{export, export_canonical, ExportFormat};
use newskg::extract::{extract, Lexicon};
use newskg::mapper::Vocabulary;
use newskg::pipeline::{self, BuildReport};
use newskg::queries::{CannedQuery, Catalog};
use newskg::results::{write_results, ResultsFormat, Table};
use newskg::store::Store;
use oxigraph::model::NamedNode;
use oxigraph::sparql::QueryResults;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The binary's allocator: extraction makes many short-lived strings and vectors, and mimalloc
/// serves them with fewer instructions than the system allocator (docs/extractor.md, throughput).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "newskg",
    version,
    about = "Arabic news articles → a knowledge graph you can query"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Store directory (created when missing).
    #[arg(long, global = true, env = "NEWSKG_STORE", default_value = "store")]
    store: PathBuf,
    /// Base IRI of the data (entities, articles, statements).
    #[arg(long, global = true, env = "NEWSKG_BASE", default_value = newskg::mapper::DEFAULT_BASE)]
    base: String,
    /// Extra lexicon directory, added to the built-in one (same layout as `lexicon/`). Repeatable.
    #[arg(long = "lexicon", global = true, value_name = "DIR")]
    lexicons: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Read articles, extract, map and store them; print a summary and who said what.
    Build {
        /// `.txt` files, directories of them, or `.jsonl` files. Default: `seeds/`.
        inputs: Vec<PathBuf>,
    },
    /// Print the extraction of articles as `newskg-extraction/1` JSON.
    Extract {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// `json`: one pretty object, or an array for several articles; `jsonl`: one per line.
        #[arg(long, value_enum, default_value = "json")]
        format: ExtractFormat,
        /// Write to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Map and store extractions made by any tool (`.json`: an object or an array; `.jsonl`).
    Map {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the canned queries with their parameters.
    Queries,
    /// Run a canned query (by name), a `.rq` file, or `--sparql TEXT`.
    Query {
        /// Canned query name or path of a `.rq` file.
        query: Option<String>,
        /// SPARQL text to run instead of a named query.
        #[arg(long, conflicts_with = "query")]
        sparql: Option<String>,
        /// NAME=VALUE, bound as a typed term. Repeatable.
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: ResultsFormat,
        /// Cancel the query after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// Let `SERVICE` call this SPARQL endpoint (http://). Repeatable; none by default.
        #[arg(long = "allow-service", value_name = "URL")]
        allow_service: Vec<String>,
    },
    /// Serialize the store (all graphs, or one).
    Export {
        #[arg(long, value_enum, default_value = "turtle")]
        format: ExportFormat,
        /// Only this named graph (IRI).
        #[arg(long)]
        graph: Option<String>,
        /// RDFC-1.0 canonical N-Quads, for diffing and hashing builds (ignores --format).
        #[arg(long)]
        canonical: bool,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Score the extractor against gold annotations (GOLD_DIR/<id>.json).
    Eval {
        gold: PathBuf,
        /// Where the article texts `<id>.txt` are (default: beside the gold files).
        #[arg(long)]
        articles: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the store read-only over the SPARQL 1.1 Protocol (see docs/serving.md).
    Serve(newskg::server::ServeArgs),
    /// Upload changed graphs into a triple store with the SPARQL 1.1 Graph Store Protocol.
    Push(newskg::push::PushArgs),
    /// Find Wikidata identities for entities that have none (see docs/linking.md).
    Link(newskg::link::LinkArgs),
    /// Export the Wikidata links with their provenance as an SSSOM-style mapping table.
    Links {
        #[arg(long, value_enum, default_value = "tsv")]
        format: newskg::link::LinksFormat,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Reject the links `newskg link` made for this entity (IRI), for good. Repeatable.
        #[arg(long, value_name = "ENTITY")]
        reject: Vec<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExtractFormat {
    Json,
    Jsonl,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS, // `newskg … | head`: the reader left
        Err(e) => {
            // One line: the chain of contexts, outermost first, without repeating a cause that
            // the message before it already quotes.
            let mut msg: Vec<String> = Vec::new();
            for cause in e.chain() {
                let text = cause.to_string().replace('\n', " ");
                if !msg.last().is_some_and(|prev| prev.contains(&text)) {
                    msg.push(text);
                }
            }
            let _ = writeln!(io::stderr(), "newskg: error: {}", msg.join(": "));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    let g = &cli.global;
    match &cli.command {
        Command::Build { inputs } => build(g, inputs),
        Command::Extract {
            inputs,
            format,
            output,
        } => extract_cmd(g, inputs, *format, output.as_deref()),
        Command::Map { files } => map_cmd(g, files),
        Command::Queries => {
            list_queries(&Catalog::builtin().context("loading the canned queries")?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Query {
            query,
            sparql,
            params,
            format,
            timeout,
            allow_service,
        } => query_cmd(
            g,
            query.as_deref(),
            sparql.as_deref(),
            params,
            *format,
            *timeout,
            allow_service,
        ),
        Command::Export {
            format,
            graph,
            canonical,
            output,
        } => export_cmd(g, *format, graph.as_deref(), *canonical, output.as_deref()),
        Command::Eval {
            gold,
            articles,
            json,
        } => eval_cmd(g, gold, articles.as_deref(), *json),
        Command::Serve(args) => serve_cmd(g, args),
        Command::Push(args) => push_cmd(g, args),
        Command::Link(args) => link_cmd(g, args),
        Command::Links {
            format,
            output,
            reject,
        } => links_cmd(g, *format, output.as_deref(), reject),
    }
}

fn lexicon(g: &Global) -> Result<Lexicon> {
    let mut lex = Lexicon::builtin().context("loading the built-in lexicon")?;
    for dir in &g.lexicons {
        lex.add_dir(dir)
            .with_context(|| format!("loading lexicon {}", dir.display()))?;
    }
    Ok(lex)
}

fn vocabulary(g: &Global) -> Result<Vocabulary> {
    Vocabulary::new(&g.base).context("--base")
}

fn progress_bar(quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if quiet || !io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else if let Ok(style) =
        ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} articles ({per_sec}) {msg}")
    {
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
    }
    bar
}

fn report_errors(errors: &[String]) {
    let mut err = io::stderr().lock();
    for e in errors {
        let _ = writeln!(err, "newskg: error: {e}");
    }
}

fn build(g: &Global, inputs: &[PathBuf]) -> Result<ExitCode> {
    let inputs = if inputs.is_empty() {
        vec![PathBuf::from("seeds")]
    } else {
        inputs.to_vec()
    };
    let lex = lexicon(g)?;
    let vocab = vocabulary(g)?;
    let mut store = Store::open(&g.store, &g.base)
        .with_context(|| format!("opening store {}", g.store.display()))?;
    let bar = progress_bar(g.quiet);
    let report = pipeline::build(
        &mut store,
        newskg::corpus::read(&inputs),
        &lex,
        &vocab,
        |r| bar.set_position(r.articles as u64),
    )
    .with_context(|| format!("building into {}", g.store.display()))?;
    bar.finish_and_clear();
    report_errors(&report.errors);
    summary(&store, &report, &vocab)?;
    Ok(exit_code(&report))
}

fn exit_code(report: &BuildReport) -> ExitCode {
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The build summary: what happened, what the store holds, and who said what about withdrawal.
fn summary(store: &Store, report: &BuildReport, vocab: &Vocabulary) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "articles: {} read, {} new, {} changed, {} unchanged, {} failed",
        report.articles,
        report.added,
        report.replaced,
        report.unchanged,
        report.errors.len()
    )?;
    let counts = store.query(
        "PREFIX nkg: <https://w3id.org/newskg/ontology#>
         SELECT ?type (COUNT(DISTINCT ?x) AS ?n) WHERE {
           ?x a ?type FILTER(STRSTARTS(STR(?type), STR(nkg:)))
         } GROUP BY ?type ORDER BY ?type",
        Vec::new(),
        Some(Duration::from_secs(60)),
    )?;
    if let QueryResults::Solutions(rows) = counts {
        let t = Table::collect(rows, None)?;
        let mut line = Vec::new();
        for i in 0..t.rows.len() {
            let ty = t.text(i, "type").unwrap_or_default();
            let local = ty.rsplit(['#', '/']).next().unwrap_or_default().to_owned();
            line.push(format!("{local} {}", t.text(i, "n").unwrap_or_default()));
        }
        writeln!(out, "in the store: {}", line.join(", "))?;
    }
    writeln!(out, "triples: {} (quads in all graphs)", store.len()?)?;
    writeln!(out)?;
    writeln!(out, "who-said-what (topic withdrawal):")?;
    let catalog = Catalog::builtin()?;
    let q = catalog
        .get("who-said-what")
        .ok_or_else(|| anyhow!("canned query who-said-what is missing"))?;
    let bindings = q.bind(&[], vocab)?;
    let results = store.query(&q.sparql, bindings, Some(Duration::from_secs(60)))?;
    write_results(results, ResultsFormat::Table, &vocab.prefixes(), &mut out)?;
    Ok(())
}

fn extract_cmd(
    g: &Global,
    inputs: &[PathBuf],
    format: ExtractFormat,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let lex = lexicon(g)?;
    let mut extractions = Vec::new();
    let mut errors = Vec::new();
    for item in newskg::corpus::read(inputs) {
        match item {
            Ok(article) => extractions.extend(extract(&article, &lex)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let mut text = match format {
        ExtractFormat::Json if extractions.len() == 1 => {
            serde_json::to_string_pretty(&extractions[0])?
        }
        ExtractFormat::Json => serde_json::to_string_pretty(&extractions)?,
        ExtractFormat::Jsonl => extractions
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?
            .join("\n"),
    };
    text.push('\n');
    write_output(output, text.as_bytes())?;
    report_errors(&errors);
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn write_output(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => fs::write(path, bytes).with_context(|| format!("writing {}", path.display())),
        None => {
            let mut out = io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn map_cmd(g: &Global, files: &[PathBuf]) -> Result<ExitCode> {
    let vocab = vocabulary(g)?;
    let mut store = Store::open(&g.store, &g.base)
        .with_context(|| format!("opening store {}", g.store.display()))?;
    let items = files.iter().flat_map(|f| pipeline::read_extractions(f));
    let report = pipeline::load_extractions(&mut store, items, &vocab)?;
    report_errors(&report.errors);
    writeln!(
        io::stdout(),
        "extractions: {} loaded ({} new, {} changed, {} unchanged), {} failed; {} statements, {} quads written",
        report.articles,
        report.added,
        report.replaced,
        report.unchanged,
        report.errors.len(),
        report.statements,
        report.quads
    )?;
    Ok(exit_code(&report))
}

fn list_queries(catalog: &Catalog) -> Result<()> {
    let mut out = io::stdout().lock();
    for q in catalog.iter() {
        writeln!(out, "{}\n    {}", q.name, q.description)?;
        for p in &q.params {
            let default = p
                .default
                .as_deref()
                .map(|d| format!(" (default {d})"))
                .unwrap_or_default();
            writeln!(
                out,
                "    --param {}=<{}>{}  {}",
                p.name,
                p.kind.as_str(),
                default,
                p.description
            )?;
        }
    }
    Ok(())
}

fn parse_params(params: &[String]) -> Result<Vec<(String, String)>> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow!("--param {p:?}: expected NAME=VALUE"))
        })
        .collect()
}

fn query_cmd(
    g: &Global,
    name: Option<&str>,
    sparql: Option<&str>,
    params: &[String],
    format: ResultsFormat,
    timeout: u64,
    allow_service: &[String],
) -> Result<ExitCode> {
    let vocab = vocabulary(g)?;
    let values = parse_params(params)?;
    let (label, text, bindings) = match (name, sparql) {
        (_, Some(text)) => {
            if !values.is_empty() {
                bail!("--param needs a canned query or a .rq file with declared parameters");
            }
            ("--sparql".to_owned(), text.to_owned(), Vec::new())
        }
        (Some(name), None) => {
            let catalog = Catalog::builtin()?;
            let q: CannedQuery = match catalog.get(name) {
                Some(q) => q.clone(),
                None if name.ends_with(".rq") || Path::new(name).is_file() => {
                    let text = fs::read_to_string(name).with_context(|| name.to_owned())?;
                    if text.lines().any(|l| l.trim_start().starts_with("# name:")) {
                        CannedQuery::from_text(name, &text)?
                    } else {
                        // A plain SPARQL file: no header, no parameters, any query form.
                        CannedQuery {
                            name: name.to_owned(),
                            description: String::new(),
                            params: Vec::new(),
                            sparql: text,
                            origin: name.to_owned(),
                        }
                    }
                }
                None => {
                    let known: Vec<&str> = catalog.iter().map(|q| q.name.as_str()).collect();
                    bail!(
                        "unknown canned query {name:?}; known: {} (or give a .rq file)",
                        known.join(", ")
                    );
                }
            };
            let bindings = q
                .bind(&values, &vocab)
                .with_context(|| format!("query {name}"))?;
            (name.to_owned(), q.sparql.clone(), bindings)
        }
        (None, None) => bail!("give a canned query name, a .rq file, or --sparql TEXT"),
    };
    let store = Store::open_read_only(&g.store, &g.base)
        .with_context(|| format!("opening store {}", g.store.display()))?;
    let timeout = Some(Duration::from_secs(timeout));
    let results = if allow_service.is_empty() {
        store.query(&text, bindings, timeout)
    } else {
        let services =
            newskg::link::service::AllowedServices::new(allow_service, Default::default())
                .context("--allow-service")?;
        store.query_with_services(&text, bindings, timeout, services)
    }
    .with_context(|| format!("query {label}"))?;
    write_results(results, format, &vocab.prefixes(), io::stdout().lock())
        .with_context(|| format!("query {label}"))?;
    Ok(ExitCode::SUCCESS)
}

fn export_cmd(
    g: &Global,
    format: ExportFormat,
    graph: Option<&str>,
    canonical: bool,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let vocab = vocabulary(g)?;
    let store = Store::open_read_only(&g.store, &g.base)
        .with_context(|| format!("opening store {}", g.store.display()))?;
    let graph = graph
        .map(|iri| NamedNode::new(iri).with_context(|| format!("--graph {iri:?}")))
        .transpose()?;
    let owned = vocab.prefixes();
    let prefixes: Vec<(&str, &str)> = owned
        .iter()
        .map(|(p, n)| (p.as_str(), n.as_str()))
        .collect();
    let mut buf = Vec::new();
    if canonical {
        export_canonical(&store, graph.as_ref(), &mut buf)?;
    } else {
        export(&store, format, graph.as_ref(), &prefixes, &mut buf)?;
    }
    write_output(output, &buf)?;
    Ok(ExitCode::SUCCESS)
}

fn eval_cmd(g: &Global, gold: &Path, articles: Option<&Path>, json: bool) -> Result<ExitCode> {
    let lex = lexicon(g)?;
    let report = newskg::eval::evaluate(gold, articles, &lex)
        .with_context(|| format!("evaluating against {}", gold.display()))?;
    let mut out = io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(out, "{report}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn serve_cmd(g: &Global, args: &newskg::server::ServeArgs) -> Result<ExitCode> {
    let server = newskg::server::Server::start(newskg::server::ServeOptions {
        args: args.clone(),
        store: g.store.clone(),
        base: g.base.clone(),
    })?;
    let (graphs, quads) = server.size();
    writeln!(
        io::stdout(),
        "newskg serve: listening on http://{}/ ({graphs} graphs, {quads} quads from {})",
        server.addr(),
        g.store.display()
    )?;
    io::stdout().flush()?;
    server.join().context("serving")?;
    Ok(ExitCode::SUCCESS)
}

fn push_cmd(g: &Global, args: &newskg::push::PushArgs) -> Result<ExitCode> {
    let quiet = g.quiet;
    let report = newskg::push::push(&g.store, &g.base, args, |done, total| {
        if !quiet {
            eprintln!("newskg push: {done}/{total} graphs sent");
        }
    })?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "push to {}: {} graphs sent ({} triples, {} bytes) in {:.2}s, {:.0} triples/s; {} unchanged, {} deleted, {} retries",
        report.graph_store,
        report.sent,
        report.triples,
        report.bytes,
        report.elapsed.as_secs_f64(),
        report.triples_per_second(),
        report.unchanged,
        report.deleted,
        report.retries
    )?;
    if !args.no_verify {
        writeln!(
            out,
            "count check: {} graphs, {} differ",
            report.checked,
            report.mismatches.len()
        )?;
    }
    let mut err = io::stderr().lock();
    for f in &report.failed {
        writeln!(err, "newskg: error: push {f}")?;
    }
    for m in &report.mismatches {
        writeln!(err, "newskg: error: count check {m}")?;
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn link_cmd(g: &Global, args: &newskg::link::LinkArgs) -> Result<ExitCode> {
    newskg::link::run(&g.store, &g.base, args, io::stdout().lock())
        .with_context(|| format!("linking {} at {}", g.store.display(), args.endpoint))?;
    Ok(ExitCode::SUCCESS)
}

fn links_cmd(
    g: &Global,
    format: newskg::link::LinksFormat,
    output: Option<&Path>,
    reject: &[String],
) -> Result<ExitCode> {
    if !reject.is_empty() {
        let n = newskg::link::reject(&g.store, &g.base, reject)
            .with_context(|| format!("rejecting links in {}", g.store.display()))?;
        eprintln!("newskg links: {n} links rejected");
    }
    let mut buf = Vec::new();
    newskg::link::write_links(&g.store, &g.base, format, &mut buf)
        .with_context(|| format!("reading links of {}", g.store.display()))?;
    write_output(output, &buf)?;
    Ok(ExitCode::SUCCESS)
}
