//! The canned SPARQL queries: a catalog read from `queries/*.rq`, and safe parameter binding.
//!
//! Input: `.rq` files, plain SPARQL 1.1 with a machine-read header comment:
//!
//! ```text
//! # name: who-said-what
//! # description: Statements about a topic, in date order
//! # param: topic  topic  withdrawal  Topic local name (withdrawal, coalition-mission, …)
//! # param: speaker  entity  -  Speaker IRI or name (Arabic or English)
//! ```
//!
//! (`param: NAME KIND DEFAULT DESCRIPTION`, `-` for no default). Each parameter is the variable
//! `?param_<name>`, projected last in the outer `SELECT` and listed in a `VALUES (?param_…) {
//! (UNDEF …) }` block at the start of the `WHERE` group, so that the query runs unchanged, with
//! every parameter unbound, on any SPARQL engine.
//!
//! Output: [`CannedQuery`]s in a [`Catalog`], and for a query and user values `NAME=VALUE`,
//! [`CannedQuery::bind`] gives typed RDF terms (a topic IRI, an entity IRI or name literal, a date
//! typed by its precision …) for the store to set as initial bindings. Values are never spliced
//! into the query text: `x" } ; DROP ALL ; #` is one string literal that matches nothing.

use crate::arabic;
use crate::dates;
use crate::mapper::{self, Vocabulary};
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::Variable;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Prefix of the variables that carry parameters; result columns with it are hidden.
pub const PARAM_PREFIX: &str = "param_";

/// `(path, text)` of query files under `queries/`, embedded at build time.
macro_rules! embedded {
    ($($file:literal),* $(,)?) => {
        &[$((concat!("queries/", $file), include_str!(concat!("../queries/", $file)))),*]
    };
}

/// The builtin queries.
const BUILTIN: &[(&str, &str)] = embedded![
    "entities.rq",
    "events.rq",
    "links.rq",
    "roles.rq",
    "sources.rq",
    "federated/speakers-wikidata.rq",
    "statements.rq",
    "timeline.rq",
    "troop-counts.rq",
    "who-said-what.rq",
];

/// Why a query file could not be read or a parameter could not be bound.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Header {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: SPARQL syntax: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    #[error("query {query:?} has no parameter {name:?}; its parameters are: {known}")]
    UnknownParam {
        query: String,
        name: String,
        known: String,
    },
    #[error("query {query:?}, parameter {param}: {value:?} is not {expected}")]
    BadValue {
        query: String,
        param: String,
        value: String,
        expected: String,
    },
    #[error("no canned query {name:?}; the canned queries are: {known}")]
    UnknownQuery { name: String, known: String },
}

/// What a parameter value is, and so which RDF term it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A topic local name (`withdrawal`) → the topic concept IRI.
    Topic,
    /// An entity IRI → that IRI; anything else → a name, as a normalized string literal.
    Entity,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` → `xsd:gYear`, `xsd:gYearMonth` or `xsd:date`.
    Date,
    /// An absolute IRI.
    Iri,
    /// Any text → a plain string literal.
    String,
    /// A whole number → `xsd:integer`.
    Integer,
}

impl ParamKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "topic" => ParamKind::Topic,
            "entity" => ParamKind::Entity,
            "date" => ParamKind::Date,
            "iri" => ParamKind::Iri,
            "string" => ParamKind::String,
            "integer" => ParamKind::Integer,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::Topic => "topic",
            ParamKind::Entity => "entity",
            ParamKind::Date => "date",
            ParamKind::Iri => "iri",
            ParamKind::String => "string",
            ParamKind::Integer => "integer",
        }
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter of a canned query.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub default: Option<String>,
    pub description: String,
}

impl Param {
    /// The SPARQL variable that carries this parameter: `?param_<name>`.
    pub fn variable(&self) -> Variable {
        Variable::new_unchecked(format!("{PARAM_PREFIX}{}", self.name))
    }
}

/// A SPARQL query with its name, description and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct CannedQuery {
    pub name: String,
    pub description: String,
    pub params: Vec<Param>,
    pub sparql: String,
    /// Where it was read from: `queries/statements.rq` or a user's path.
    pub origin: String,
}

impl CannedQuery {
    /// Reads a query file; errors name the file and, for the header, the line.
    pub fn from_file(path: &Path) -> Result<Self, QueryError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| QueryError::Io {
            file: file.clone(),
            source,
        })?;
        Self::from_text(&file, &text)
    }

    /// Parses a query from its text; `origin` names it in errors. The SPARQL must parse, be a
    /// SELECT, and project `?param_<name>` for every declared parameter.
    pub fn from_text(origin: &str, text: &str) -> Result<Self, QueryError> {
        let header_error = |line: usize, message: String| QueryError::Header {
            file: origin.to_owned(),
            line,
            message,
        };
        let mut name: Option<String> = None;
        let mut description: Option<String> = None;
        let mut params: Vec<Param> = Vec::new();
        let mut param_lines: Vec<usize> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() {
                continue;
            }
            let Some(comment) = trimmed.strip_prefix('#') else {
                break; // the header ends at the first line of SPARQL
            };
            let comment = comment.trim();
            let Some((key, value)) = comment.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "name" => {
                    if !mapper::is_local_name(value) {
                        return Err(header_error(
                            line_no,
                            format!("query name {value:?} must be lower-case words joined by '-'"),
                        ));
                    }
                    name = Some(value.to_owned());
                }
                "description" => description = Some(value.to_owned()),
                "param" => {
                    let param = parse_param(value).map_err(|m| header_error(line_no, m))?;
                    if params.iter().any(|p| p.name == param.name) {
                        return Err(header_error(
                            line_no,
                            format!("parameter {:?} is declared twice", param.name),
                        ));
                    }
                    param_lines.push(line_no);
                    params.push(param);
                }
                _ => {}
            }
        }
        let name = name.ok_or_else(|| header_error(1, "missing '# name: …' header".into()))?;
        let description = description
            .ok_or_else(|| header_error(1, "missing '# description: …' header".into()))?;
        let query = CannedQuery {
            name,
            description,
            params,
            sparql: text.to_owned(),
            origin: origin.to_owned(),
        };
        // A default must be a value the parameter accepts: say so at the line that declares it.
        for (p, line) in query.params.iter().zip(param_lines) {
            if let Some(default) = &p.default {
                if let Err(e) = query.term(p, default, &Vocabulary::default()) {
                    return Err(header_error(line, format!("default of {:?}: {e}", p.name)));
                }
            }
        }
        query.check_sparql()?;
        Ok(query)
    }

    /// Parses the SPARQL and checks that each parameter variable is projected, and that every
    /// projected `?param_…` column is a declared parameter.
    fn check_sparql(&self) -> Result<(), QueryError> {
        let parsed = spargebra::SparqlParser::new()
            .parse_query(&self.sparql)
            .map_err(|e| QueryError::Syntax {
                file: self.origin.clone(),
                message: crate::store::one_line_syntax_error(&e.to_string()),
            })?;
        let shape = |message: String| QueryError::Shape {
            file: self.origin.clone(),
            message,
        };
        let spargebra::Query::Select { pattern, .. } = &parsed else {
            return Err(shape("a canned query must be a SELECT query".into()));
        };
        let projected = projection(pattern);
        for p in &self.params {
            if !projected.contains(&p.variable()) {
                return Err(shape(format!(
                    "parameter {:?} must be projected as ?{PARAM_PREFIX}{} in the SELECT clause",
                    p.name, p.name
                )));
            }
        }
        for v in projected {
            if let Some(name) = v.as_str().strip_prefix(PARAM_PREFIX) {
                if !self.params.iter().any(|p| p.name == name) {
                    return Err(shape(format!(
                        "column ?{} looks like a parameter but no '# param: {name} …' declares it",
                        v.as_str()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The result columns that carry parameters, for the runner to hide.
    pub fn param_columns(&self) -> Vec<String> {
        self.params
            .iter()
            .map(|p| format!("{PARAM_PREFIX}{}", p.name))
            .collect()
    }

    /// Turns user values `(name, value)` into typed terms for the parameter variables, with the
    /// defaults of parameters not given. A later value for the same name wins.
    pub fn bind(
        &self,
        values: &[(String, String)],
        v: &Vocabulary,
    ) -> Result<Vec<(Variable, Term)>, QueryError> {
        let mut given: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, value) in values {
            if !self.params.iter().any(|p| &p.name == name) {
                return Err(QueryError::UnknownParam {
                    query: self.name.clone(),
                    name: name.clone(),
                    known: self.known_params(),
                });
            }
            given.insert(name, value);
        }
        let mut out = Vec::new();
        for p in &self.params {
            let value = match given.get(p.name.as_str()) {
                Some(value) => *value,
                None => match &p.default {
                    Some(default) => default.as_str(),
                    None => continue,
                },
            };
            out.push((p.variable(), self.term(p, value, v)?));
        }
        Ok(out)
    }

    fn known_params(&self) -> String {
        if self.params.is_empty() {
            "(none)".to_owned()
        } else {
            self.params
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// The typed term for one value.
    fn term(&self, p: &Param, value: &str, _v: &Vocabulary) -> Result<Term, QueryError> {
        let bad = |expected: &str| QueryError::BadValue {
            query: self.name.clone(),
            param: p.name.clone(),
            value: value.to_owned(),
            expected: expected.to_owned(),
        };
        let trimmed = value.trim();
        Ok(match p.kind {
            ParamKind::Topic => {
                let local = trimmed.strip_prefix(mapper::TOPIC).unwrap_or(trimmed);
                if !mapper::is_local_name(local) {
                    return Err(bad(
                        "a topic local name such as withdrawal or coalition-mission",
                    ));
                }
                mapper::concept(mapper::TOPIC, local).into()
            }
            ParamKind::Entity => match absolute_iri(trimmed) {
                Some(iri) => iri.into(),
                // A name: folded like the entities' match keys, so «أسعد» finds «اسعد».
                None => Literal::new_simple_literal(arabic::normalize(trimmed)).into(),
            },
            ParamKind::Date => match dates::parse_iso(trimmed) {
                Some(d) => mapper::date_literal(d).into(),
                None => return Err(bad("a date YYYY, YYYY-MM or YYYY-MM-DD")),
            },
            ParamKind::Iri => match absolute_iri(trimmed) {
                Some(iri) => iri.into(),
                None => return Err(bad("an absolute IRI")),
            },
            ParamKind::String => Literal::new_simple_literal(value).into(),
            ParamKind::Integer => match trimmed.parse::<i64>() {
                Ok(n) => Literal::from(n).into(),
                Err(_) => return Err(bad("a whole number")),
            },
        })
    }
}

/// An absolute IRI with a scheme of letters (`https:`, `urn:`): «الربيعي» or `a b` are not.
fn absolute_iri(s: &str) -> Option<NamedNode> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return None;
    }
    NamedNode::new(s).ok()
}

/// `param: NAME KIND DEFAULT DESCRIPTION`.
fn parse_param(value: &str) -> Result<Param, String> {
    let mut words = value.split_whitespace();
    let (Some(name), Some(kind), Some(default)) = (words.next(), words.next(), words.next()) else {
        return Err(format!(
            "expected 'param: NAME KIND DEFAULT DESCRIPTION', found {value:?}"
        ));
    };
    let name_ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !name_ok {
        return Err(format!(
            "parameter name {name:?} must be lower-case ASCII letters, digits and '_'"
        ));
    }
    let kind = ParamKind::parse(kind).ok_or_else(|| {
        format!(
            "parameter {name:?}: unknown kind {kind:?} (topic, entity, date, iri, string, integer)"
        )
    })?;
    let description = words.collect::<Vec<_>>().join(" ");
    Ok(Param {
        name: name.to_owned(),
        kind,
        default: (default != "-").then(|| default.to_owned()),
        description,
    })
}

/// The variables of the outer SELECT.
fn projection(pattern: &spargebra::algebra::GraphPattern) -> Vec<Variable> {
    use spargebra::algebra::GraphPattern as P;
    match pattern {
        P::Project { variables, .. } => variables.clone(),
        P::Distinct { inner }
        | P::Reduced { inner }
        | P::Slice { inner, .. }
        | P::OrderBy { inner, .. } => projection(inner),
        _ => Vec::new(),
    }
}

/// Whether a result column carries a parameter (and so is hidden from users).
pub fn is_param_column(name: &str) -> bool {
    name.strip_prefix('?')
        .unwrap_or(name)
        .starts_with(PARAM_PREFIX)
}

/// The canned queries by name.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    queries: BTreeMap<String, CannedQuery>,
}

impl Catalog {
    /// The queries shipped in `queries/`, embedded at build time.
    pub fn builtin() -> Result<Self, QueryError> {
        let mut catalog = Catalog::default();
        for (file, text) in BUILTIN {
            catalog.insert(CannedQuery::from_text(file, text)?);
        }
        Ok(catalog)
    }

    /// Adds a query, replacing a query of the same name (a user's query overrides a builtin).
    pub fn insert(&mut self, query: CannedQuery) {
        self.queries.insert(query.name.clone(), query);
    }

    /// Adds every `.rq` file of a directory, in file name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), QueryError> {
        let io = |source| QueryError::Io {
            file: dir.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "rq") {
                paths.push(path);
            }
        }
        paths.sort();
        for path in paths {
            self.insert(CannedQuery::from_file(&path)?);
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&CannedQuery> {
        self.queries.get(name)
    }

    /// Like [`Catalog::get`], with an error that lists the known names.
    pub fn require(&self, name: &str) -> Result<&CannedQuery, QueryError> {
        self.get(name).ok_or_else(|| QueryError::UnknownQuery {
            name: name.to_owned(),
            known: self.queries.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// The queries in name order.
    pub fn iter(&self) -> impl Iterator<Item = &CannedQuery> {
        self.queries.values()
    }

    pub fn len(&self) -> usize {
        self.queries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who_said_what() -> CannedQuery {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG
            .get_or_init(|| Catalog::builtin().expect("builtin queries parse"))
            .get("who-said-what")
            .expect("who-said-what is builtin")
            .clone()
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_builtin_query_parses_with_its_header() {
        let catalog = Catalog::builtin().unwrap();
        let names: Vec<&str> = catalog.iter().map(|q| q.name.as_str()).collect();
        for required in [
            "statements",
            "who-said-what",
            "timeline",
            "entities",
            "events",
            "roles",
            "troop-counts",
            "sources",
        ] {
            assert!(
                names.contains(&required),
                "{required} missing from {names:?}"
            );
        }
        let q = who_said_what();
        assert_eq!(q.params[0].name, "topic");
        assert_eq!(q.params[0].kind, ParamKind::Topic);
        assert_eq!(q.params[0].default.as_deref(), Some("withdrawal"));
        assert_eq!(q.params[1].default, None);
        assert_eq!(
            q.param_columns(),
            ["param_topic", "param_speaker", "param_from", "param_to"]
        );
    }

    #[test]
    fn defaults_are_applied_and_values_become_typed_terms() {
        let q = who_said_what();
        let v = Vocabulary::default();
        let bound = q.bind(&[], &v).unwrap();
        assert_eq!(bound.len(), 1);
        assert_eq!(
            bound[0].1,
            Term::from(NamedNode::new_unchecked(
                "https://w3id.org/newskg/topic/withdrawal"
            ))
        );
        let bound = q
            .bind(&values(&[("from", "2024-01"), ("speaker", "الربيعي")]), &v)
            .unwrap();
        let get = |name: &str| {
            bound
                .iter()
                .find(|(var, _)| var.as_str() == name)
                .map(|(_, t)| t.clone())
        };
        assert_eq!(
            get("param_from"),
            Some(
                Literal::new_typed_literal("2024-01", oxigraph::model::vocab::xsd::G_YEAR_MONTH)
                    .into()
            )
        );
        assert_eq!(
            get("param_speaker"),
            Some(Literal::new_simple_literal("الربيعي").into())
        );
        let iri = "https://w3id.org/newskg/id/person/x";
        let bound = q.bind(&values(&[("speaker", iri)]), &v).unwrap();
        assert!(bound
            .iter()
            .any(|(_, t)| *t == Term::from(NamedNode::new_unchecked(iri))));
    }

    #[test]
    fn an_unknown_parameter_is_named_with_the_known_ones() {
        let err = who_said_what()
            .bind(&values(&[("speeker", "x")]), &Vocabulary::default())
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("\"speeker\""), "{message}");
        assert!(message.contains("topic, speaker, from, to"), "{message}");
    }

    #[test]
    fn bad_values_are_refused() {
        let q = who_said_what();
        let v = Vocabulary::default();
        for (name, value) in [
            ("from", "January"),
            ("to", "2024-13"),
            ("topic", "x\" } ; DROP ALL ; #"),
            ("topic", "With Drawal"),
        ] {
            let err = q.bind(&values(&[(name, value)]), &v).unwrap_err();
            assert!(
                matches!(err, QueryError::BadValue { .. }),
                "{name}={value}: {err}"
            );
        }
    }

    #[test]
    fn a_hostile_entity_value_is_one_string_literal() {
        let hostile = "x\" } ; DROP ALL ; #";
        let bound = who_said_what()
            .bind(&values(&[("speaker", hostile)]), &Vocabulary::default())
            .unwrap();
        let speaker = bound
            .iter()
            .find(|(v, _)| v.as_str() == "param_speaker")
            .map(|(_, t)| t);
        assert!(matches!(speaker, Some(Term::Literal(l)) if l.value().contains("drop all")));
    }

    #[test]
    fn header_errors_name_the_file_and_line() {
        let text =
            "# name: q\n# description: d\n# param: x  colour  -  what\nSELECT ?param_x WHERE {}\n";
        let err = CannedQuery::from_text("my.rq", text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("my.rq:3:"), "{err}");
        let text =
            "# name: q\n# description: d\n# param: d  date  soon  when\nSELECT ?param_d WHERE {}\n";
        let err = CannedQuery::from_text("my.rq", text)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("my.rq:3: default of \"d\""), "{err}");
        let err = CannedQuery::from_text("my.rq", "# name: q\nSELECT * WHERE {}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("description"), "{err}");
    }

    #[test]
    fn sparql_errors_and_unprojected_parameters_are_refused() {
        let text = "# name: q\n# description: d\nSELECT ?x WHERE { ?x ?y }\n";
        let err = CannedQuery::from_text("bad.rq", text).unwrap_err();
        assert!(matches!(err, QueryError::Syntax { .. }), "{err}");
        assert!(err.to_string().starts_with("bad.rq: "), "{err}");
        let text =
            "# name: q\n# description: d\n# param: x string - x\nSELECT ?y WHERE { ?y ?p ?x }\n";
        let err = CannedQuery::from_text("p.rq", text).unwrap_err();
        assert!(err.to_string().contains("?param_x"), "{err}");
    }

    #[test]
    fn parameter_columns_are_recognised() {
        assert!(is_param_column("param_topic"));
        assert!(is_param_column("?param_from"));
        assert!(!is_param_column("speaker"));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever a user types, binding gives a typed term or a `BadValue`, never a panic,
            /// and an entity value that is not an IRI is one literal.
            #[test]
            fn any_value_binds_or_is_refused(value in "\\PC{0,40}", which in 0usize..4) {
                let q = who_said_what();
                let name = ["topic", "speaker", "from", "to"][which];
                let values = vec![(name.to_owned(), value.clone())];
                match q.bind(&values, &Vocabulary::default()) {
                    Ok(bound) => {
                        let term = bound.iter().find(|(v, _)| v.as_str() == format!("param_{name}"));
                        if name == "speaker" && absolute_iri(value.trim()).is_none() {
                            prop_assert!(matches!(term, Some((_, Term::Literal(_)))));
                        }
                    }
                    Err(QueryError::BadValue { .. }) => prop_assert!(name != "speaker"),
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                }
            }

            /// Arbitrary text is a query or an error naming the file, never a panic.
            #[test]
            fn any_text_parses_or_is_refused(text in "(# (name|description|param): [a-z -]{0,12}\n){0,4}\\PC{0,60}") {
                if let Err(e) = CannedQuery::from_text("fuzz.rq", &text) {
                    prop_assert!(e.to_string().starts_with("fuzz.rq"), "{e}");
                }
            }
        }
    }
}
