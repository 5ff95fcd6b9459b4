//! The HTML page at `/`: the canned queries as forms, and a SPARQL query box. One self-contained
//! document, no scripts, styles or fonts from elsewhere.

use crate::queries::Catalog;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}\
textarea{width:100%;font-family:monospace}section{border-top:1px solid #ccc;padding:.5em 0}\
label{display:inline-block;margin:.2em 1em .2em 0}code{background:#f4f4f4}";

/// The page: store summary, query box, one form per canned query.
pub fn home(catalog: &Catalog, graphs: usize, quads: usize) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>newskg SPARQL endpoint</title><style>{STYLE}</style></head><body>\n\
<h1>newskg SPARQL endpoint</h1>\n<p>{graphs} graphs, {quads} quads. Read-only SPARQL 1.1 \
Protocol at <code>/query</code>, Graph Store reads at <code>/store</code>; the default graph is \
the union of all graphs.</p>\n\
<form method=\"post\" action=\"/query\"><p><textarea name=\"query\" rows=\"10\">\
PREFIX nkg: &lt;https://w3id.org/newskg/ontology#&gt;\nSELECT ?type (COUNT(*) AS ?n) WHERE {{ ?x a ?type }} GROUP BY ?type\
</textarea></p><p><label>format <select name=\"format\"><option>json</option><option>csv</option>\
<option>tsv</option><option>xml</option><option>turtle</option></select></label>\
<button type=\"submit\">Run</button></p></form>\n<h2>Canned queries</h2>\n"
    );
    for q in catalog.iter() {
        let name = escape(&q.name);
        html.push_str(&format!(
            "<section><h3>{name}</h3><p>{}</p><form method=\"get\" action=\"/queries/{name}\">",
            escape(&q.description)
        ));
        for p in &q.params {
            html.push_str(&format!(
                "<label title=\"{}\">{} ({}) <input name=\"{}\" value=\"{}\"></label>",
                escape(&p.description),
                escape(&p.name),
                p.kind,
                escape(&p.name),
                escape(p.default.as_deref().unwrap_or_default()),
            ));
        }
        html.push_str(
            "<label>format <select name=\"format\"><option>csv</option><option>json</option>\
<option>tsv</option><option>xml</option></select></label><button type=\"submit\">Run</button></form></section>\n",
        );
    }
    html.push_str("</body></html>\n");
    html
}
