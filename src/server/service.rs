//! SPARQL 1.1 Federated Query (`SERVICE`) for the endpoints an operator allowed, and only them.
//!
//! Input: the `--allow-service URL` list. Output: one Oxigraph [`ServiceHandler`] per URL, which
//! sends the service's group pattern as a SELECT query (SPARQL 1.1 Protocol, POST) and streams
//! the JSON or XML results back. Oxigraph is built without its own HTTP client, so a `SERVICE`
//! to any other IRI fails with `UnsupportedService`, which the server reports as 403: the server
//! never fetches from a host a client chose.

use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Method, Request};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{QueryEvaluationError, QuerySolutionIter, ServiceHandler};
use spargebra::algebra::GraphPattern;
use std::sync::Arc;
use std::time::Duration;

/// Calls one allowed remote SPARQL endpoint.
pub struct RemoteService {
    endpoint: NamedNode,
    client: Arc<oxhttp::Client>,
}

impl RemoteService {
    pub fn new(endpoint: NamedNode, timeout: Duration) -> Self {
        RemoteService {
            endpoint,
            client: Arc::new(oxhttp::Client::new().with_global_timeout(timeout)),
        }
    }
}

fn service_error(message: impl Into<String>) -> QueryEvaluationError {
    QueryEvaluationError::Service(message.into().into())
}

impl ServiceHandler for RemoteService {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Self::Error> {
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let url = self.endpoint.as_str();
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(CONTENT_TYPE, "application/sparql-query")
            .header(
                ACCEPT,
                "application/sparql-results+json, application/sparql-results+xml",
            )
            .body(query.into_bytes())
            .map_err(|e| service_error(format!("SERVICE <{url}>: {e}")))?;
        let response = self
            .client
            .request(request)
            .map_err(|e| service_error(format!("SERVICE <{url}>: {e}")))?;
        if !response.status().is_success() {
            return Err(service_error(format!(
                "SERVICE <{url}> answered {}",
                response.status()
            )));
        }
        let media = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let format = QueryResultsFormat::from_media_type(&media).ok_or_else(|| {
            service_error(format!(
                "SERVICE <{url}> answered with unsupported type {media:?}"
            ))
        })?;
        let ReaderQueryResultsParserOutput::Solutions(reader) =
            QueryResultsParser::from_format(format)
                .for_reader(response.into_body())
                .map_err(|e| service_error(format!("SERVICE <{url}>: {e}")))?
        else {
            return Err(service_error(format!(
                "SERVICE <{url}> did not answer solutions"
            )));
        };
        Ok(QuerySolutionIter::new(
            reader.variables().into(),
            reader.map(|s| s.map_err(|e| QueryEvaluationError::Service(Box::new(e)))),
        ))
    }
}
