//! The HTTP side of the SPARQL 1.1 Protocol: reading parameters from query strings and form
//! bodies, content negotiation, and error responses.
//!
//! Input: an `oxhttp` request. Output: typed parameters, the result format to write, or an
//! [`HttpError`] that becomes a 4xx/5xx response with a one-line plain-text explanation.

use oxhttp::model::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use oxhttp::model::{Body, Request, Response, StatusCode};
use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;
use std::io::Read;

/// A request that cannot be answered, with the status and the message the client sees.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn into_response(self) -> Response<Body> {
        text_response(
            self.status,
            "text/plain; charset=utf-8",
            self.message + "\n",
        )
    }
}

pub fn text_response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Body>,
) -> Response<Body> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        response.headers_mut().insert(CONTENT_TYPE, v);
    }
    response
}

/// `application/x-www-form-urlencoded` pairs (a query string or a form body).
pub fn form_pairs(encoded: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(encoded).into_owned().collect()
}

/// The query-string parameters of a request.
pub fn url_params(request: &Request<Body>) -> Vec<(String, String)> {
    form_pairs(request.uri().query().unwrap_or_default().as_bytes())
}

/// The one value of `name`, an error if it is given twice.
pub fn single<'a>(
    params: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, HttpError> {
    let mut values = params
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(HttpError::bad_request(format!(
            "parameter {name:?} is given more than once"
        )));
    }
    Ok(first)
}

/// Reads the request body, refusing (413) more than `limit` bytes.
pub fn read_body(request: &mut Request<Body>, limit: usize) -> Result<Vec<u8>, HttpError> {
    let too_large = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than the {limit} bytes this server accepts (--max-body)"),
        )
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    request
        .body_mut()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| HttpError::bad_request(format!("reading the request body: {e}")))?;
    if body.len() > limit {
        return Err(too_large());
    }
    Ok(body)
}

/// The media type of the request body, without parameters, lower-cased.
pub fn content_type(request: &Request<Body>) -> Option<String> {
    let v = request.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// The media ranges of the `Accept` header, best first (stable for equal weights).
fn accepted(request: &Request<Body>) -> Vec<String> {
    let Some(header) = request.headers().get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut ranges: Vec<(String, f32)> = header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((media, q))
        })
        .collect();
    ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranges.into_iter().map(|(m, _)| m).collect()
}

/// Picks a format from the `format` parameter (a short name) or else the `Accept` header,
/// among `offered` (the first is the default). `None` in the parameter means absent.
fn negotiate<F: Copy + PartialEq>(
    request: &Request<Body>,
    format_param: Option<&str>,
    offered: &[F],
    by_name: impl Fn(&str) -> Option<F>,
    by_media: impl Fn(&str) -> Option<F>,
    media: impl Fn(F) -> &'static str,
) -> Result<F, HttpError> {
    let list = || {
        offered
            .iter()
            .map(|f| media(*f))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = format_param {
        return by_name(&name.to_ascii_lowercase())
            .or_else(|| by_media(name))
            .filter(|f| offered.contains(f))
            .ok_or_else(|| {
                HttpError::bad_request(format!(
                    "format={name:?} is not offered for this answer; use one of: {}",
                    list()
                ))
            });
    }
    let ranges = accepted(request);
    if ranges.is_empty() {
        return Ok(offered[0]);
    }
    for range in &ranges {
        match range.as_str() {
            "*/*" => return Ok(offered[0]),
            "application/*" | "text/*" => {
                let prefix = &range[..range.len() - 1];
                if let Some(f) = offered.iter().find(|f| media(**f).starts_with(prefix)) {
                    return Ok(*f);
                }
            }
            m => {
                if let Some(f) = by_media(m).filter(|f| offered.contains(f)) {
                    return Ok(f);
                }
            }
        }
    }
    Err(HttpError::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "none of the accepted types ({}) is offered; offered: {}",
            ranges.join(", "),
            list()
        ),
    ))
}

/// SELECT and ASK answers: SPARQL JSON (default), XML, CSV, TSV.
pub fn results_format(
    request: &Request<Body>,
    format_param: Option<&str>,
) -> Result<QueryResultsFormat, HttpError> {
    negotiate(
        request,
        format_param,
        &[
            QueryResultsFormat::Json,
            QueryResultsFormat::Xml,
            QueryResultsFormat::Csv,
            QueryResultsFormat::Tsv,
        ],
        QueryResultsFormat::from_extension,
        QueryResultsFormat::from_media_type,
        QueryResultsFormat::media_type,
    )
}

/// RDF answers: Turtle (default), N-Triples, RDF/XML, JSON-LD, and with `datasets` N-Quads
/// and TriG (first when `datasets`, since only they keep graph names).
pub fn rdf_format(
    request: &Request<Body>,
    format_param: Option<&str>,
    datasets: bool,
) -> Result<RdfFormat, HttpError> {
    let triples = [
        RdfFormat::Turtle,
        RdfFormat::NTriples,
        RdfFormat::RdfXml,
        RdfFormat::NQuads,
        RdfFormat::TriG,
    ];
    let quads = [RdfFormat::TriG, RdfFormat::NQuads];
    negotiate(
        request,
        format_param,
        if datasets { &quads[..] } else { &triples[..] },
        |name| match name {
            "turtle" | "ttl" => Some(RdfFormat::Turtle),
            "ntriples" | "n-triples" | "nt" => Some(RdfFormat::NTriples),
            "rdfxml" | "rdf" | "xml" => Some(RdfFormat::RdfXml),
            "nquads" | "n-quads" | "nq" => Some(RdfFormat::NQuads),
            "trig" => Some(RdfFormat::TriG),
            _ => None,
        },
        RdfFormat::from_media_type,
        RdfFormat::media_type,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_accept(accept: &str) -> Request<Body> {
        Request::builder()
            .uri("http://localhost/query")
            .header(ACCEPT, accept)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn the_best_weighted_offered_type_wins() {
        let r = with_accept("text/csv;q=0.5, application/sparql-results+xml");
        assert_eq!(results_format(&r, None).unwrap(), QueryResultsFormat::Xml);
        let r = with_accept("text/html, */*;q=0.1");
        assert_eq!(results_format(&r, None).unwrap(), QueryResultsFormat::Json);
        let r = with_accept("application/n-triples");
        assert_eq!(rdf_format(&r, None, false).unwrap(), RdfFormat::NTriples);
    }

    proptest::proptest! {
        /// Any header a client can send gets a format or a 4xx, never a panic.
        #[test]
        fn any_accept_header_is_answered(accept in "[ -~]{0,80}", format in proptest::option::of("[a-z/+-]{0,20}")) {
            if let Ok(r) = Request::builder().uri("http://localhost/query").header(ACCEPT, accept.as_str()).body(Body::empty()) {
                let _ = results_format(&r, format.as_deref());
                let _ = rdf_format(&r, format.as_deref(), false);
            }
        }
    }

    #[test]
    fn an_unoffered_type_is_406_and_the_format_parameter_overrides_accept() {
        let r = with_accept("image/png");
        assert_eq!(
            results_format(&r, None).unwrap_err().status,
            StatusCode::NOT_ACCEPTABLE
        );
        assert_eq!(
            results_format(&r, Some("tsv")).unwrap(),
            QueryResultsFormat::Tsv
        );
        assert_eq!(
            results_format(&r, Some("turtle")).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }
}
