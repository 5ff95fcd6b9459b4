//! Writing query results: an aligned table for terminals, and the W3C SPARQL 1.1 result formats
//! (CSV, TSV, JSON, XML) through sparesults. Parameter columns (`?param_…`) are hidden: they
//! carry the values the user bound, not answers.

use oxigraph::model::{Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, QuerySolution};
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultsFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
}

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("writing results: {0}")]
    Io(#[from] std::io::Error),
    #[error("query failed while reading results: {0}")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
}

/// A SELECT answer held in memory: the visible columns and the rows.
pub struct Table {
    pub variables: Vec<Variable>,
    pub rows: Vec<Vec<Option<Term>>>,
}

/// Is this a column that carries a bound parameter rather than an answer?
pub fn is_param_column(v: &Variable) -> bool {
    v.as_str().starts_with("param_")
}

impl Table {
    /// Reads all solutions, dropping parameter columns, stopping after `limit` rows if given.
    pub fn collect(
        results: oxigraph::sparql::QuerySolutionIter<'_>,
        limit: Option<usize>,
    ) -> Result<Self, ResultsError> {
        let all: Vec<Variable> = results.variables().to_vec();
        let keep: Vec<usize> = (0..all.len())
            .filter(|&i| !is_param_column(&all[i]))
            .collect();
        let variables = keep.iter().map(|&i| all[i].clone()).collect();
        let mut rows = Vec::new();
        for solution in results {
            if limit.is_some_and(|l| rows.len() >= l) {
                break;
            }
            let solution: QuerySolution = solution?;
            rows.push(keep.iter().map(|&i| solution.get(i).cloned()).collect());
        }
        Ok(Table { variables, rows })
    }

    /// The value of `column` in `row` as display text.
    pub fn text(&self, row: usize, column: &str) -> Option<String> {
        let i = self.variables.iter().position(|v| v.as_str() == column)?;
        self.rows.get(row)?.get(i)?.as_ref().map(term_text)
    }

    /// Writes the table in `format`; `prefixes` shorten IRIs in the terminal table only.
    pub fn write(
        &self,
        format: ResultsFormat,
        prefixes: &[(String, String)],
        mut out: impl Write,
    ) -> Result<(), ResultsError> {
        let w3c = match format {
            ResultsFormat::Table => return self.write_table(prefixes, out),
            ResultsFormat::Csv => QueryResultsFormat::Csv,
            ResultsFormat::Tsv => QueryResultsFormat::Tsv,
            ResultsFormat::Json => QueryResultsFormat::Json,
            ResultsFormat::Xml => QueryResultsFormat::Xml,
        };
        let mut s = QueryResultsSerializer::from_format(w3c)
            .serialize_solutions_to_writer(&mut out, self.variables.clone())?;
        for row in &self.rows {
            s.serialize(
                self.variables
                    .iter()
                    .zip(row)
                    .filter_map(|(v, t)| t.as_ref().map(|t| (v.as_ref(), t.as_ref()))),
            )?;
        }
        s.finish()?;
        out.flush()?;
        Ok(())
    }

    fn write_table(
        &self,
        prefixes: &[(String, String)],
        mut out: impl Write,
    ) -> Result<(), ResultsError> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|t| {
                        t.as_ref()
                            .map(|t| short_text(t, prefixes))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self
            .variables
            .iter()
            .map(|v| v.as_str().chars().count())
            .collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count().min(MAX_CELL));
            }
        }
        let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| {
                    let c = truncate(c, MAX_CELL);
                    let pad = w.saturating_sub(c.chars().count());
                    format!("{c}{}", " ".repeat(pad))
                })
                .collect();
            writeln!(out, "| {} |", parts.join(" | "))
        };
        let header: Vec<String> = self
            .variables
            .iter()
            .map(|v| v.as_str().to_owned())
            .collect();
        line(&mut out, &header)?;
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        writeln!(out, "|-{}-|", rule.join("-|-"))?;
        for row in &cells {
            line(&mut out, row)?;
        }
        writeln!(out, "({} rows)", self.rows.len())?;
        out.flush()?;
        Ok(())
    }
}

const MAX_CELL: usize = 60;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.replace(['\n', '\r', '\t'], " ")
    } else {
        let t: String = s.chars().take(max - 1).collect();
        format!("{}…", t.replace(['\n', '\r', '\t'], " "))
    }
}

/// The lexical form of a literal, an IRI as is, a blank node as `_:id`.
pub fn term_text(t: &Term) -> String {
    match t {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

fn short_text(t: &Term, prefixes: &[(String, String)]) -> String {
    if let Term::NamedNode(n) = t {
        // The longest namespace wins: `person:` before the data base `nkgd:` it extends.
        let best = prefixes
            .iter()
            .filter_map(|(p, ns)| {
                n.as_str()
                    .strip_prefix(ns.as_str())
                    .map(|l| (ns.len(), p, l))
            })
            .max_by_key(|(len, _, _)| *len);
        if let Some((_, p, local)) = best {
            return format!("{p}:{local}");
        }
    }
    term_text(t)
}

/// Writes any query answer: SELECT as a table, ASK as `true`/`false`, CONSTRUCT/DESCRIBE as
/// Turtle (or N-Triples for non-table formats).
pub fn write_results(
    results: QueryResults<'_>,
    format: ResultsFormat,
    prefixes: &[(String, String)],
    mut out: impl Write,
) -> Result<(), ResultsError> {
    match results {
        QueryResults::Solutions(s) => Table::collect(s, None)?.write(format, prefixes, out),
        QueryResults::Boolean(b) => {
            let w3c = match format {
                ResultsFormat::Table => {
                    writeln!(out, "{b}")?;
                    return Ok(());
                }
                ResultsFormat::Csv => QueryResultsFormat::Csv,
                ResultsFormat::Tsv => QueryResultsFormat::Tsv,
                ResultsFormat::Json => QueryResultsFormat::Json,
                ResultsFormat::Xml => QueryResultsFormat::Xml,
            };
            QueryResultsSerializer::from_format(w3c).serialize_boolean_to_writer(&mut out, b)?;
            Ok(())
        }
        QueryResults::Graph(triples) => {
            let rdf = match format {
                ResultsFormat::Table => oxigraph::io::RdfFormat::Turtle,
                _ => oxigraph::io::RdfFormat::NTriples,
            };
            let mut ser = oxigraph::io::RdfSerializer::from_format(rdf);
            for (p, ns) in prefixes {
                if let Ok(s) = ser.clone().with_prefix(p, ns) {
                    ser = s;
                }
            }
            let mut w = ser.for_writer(&mut out);
            for t in triples {
                w.serialize_triple(&t?)?;
            }
            w.finish()?;
            Ok(())
        }
    }
}
