//! `SERVICE` for the store's own queries (`newskg query --allow-service URL`), to allowed
//! endpoints only.
//!
//! Input: the allow-list (by default empty: no query of ours fetches anything). Output: an
//! Oxigraph [`DefaultServiceHandler`] that sends the service's group pattern as a SELECT to an
//! allowed endpoint through [`Endpoint`] (User-Agent, timeout, retries, rate limit) and refuses
//! any other IRI with `UnsupportedService`. Oxigraph calls a `SERVICE` once per solution of
//! the pattern before it, always with the same pattern, so answers are kept for the duration of
//! the query: one request per distinct (endpoint, pattern).

use super::client::{Endpoint, Politeness};
use oxigraph::model::NamedNode;
use oxigraph::sparql::{
    DefaultServiceHandler, QueryEvaluationError, QuerySolution, QuerySolutionIter, Variable,
};
use spargebra::algebra::GraphPattern;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Answer = (Arc<[Variable]>, Vec<Vec<Option<oxigraph::model::Term>>>);

/// The endpoints a query may call.
pub struct AllowedServices {
    endpoints: HashMap<NamedNode, Endpoint>,
    answers: Mutex<HashMap<(NamedNode, String), Answer>>,
}

impl AllowedServices {
    /// `urls` must be absolute `http://` IRIs.
    pub fn new(urls: &[String], politeness: Politeness) -> Result<Self, super::LinkError> {
        let mut endpoints = HashMap::new();
        for url in urls {
            let iri = NamedNode::new(url.trim()).map_err(|e| super::LinkError::Endpoint {
                url: url.clone(),
                message: e.to_string(),
            })?;
            let endpoint = Endpoint::new(iri.as_str(), politeness)?;
            endpoints.insert(iri, endpoint);
        }
        Ok(AllowedServices {
            endpoints,
            answers: Mutex::new(HashMap::new()),
        })
    }
}

impl DefaultServiceHandler for AllowedServices {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Self::Error> {
        let Some(endpoint) = self.endpoints.get(service_name) else {
            return Err(QueryEvaluationError::Service(
                format!(
                    "SERVICE <{}> is not allowed: only the endpoints given with --allow-service are called",
                    service_name.as_str()
                )
                .into(),
            ));
        };
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        }
        .to_string();
        let key = (service_name.clone(), query);
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        if !answers.contains_key(&key) {
            let solutions = endpoint
                .select(&key.1)
                .map_err(|e| QueryEvaluationError::Service(Box::new(e)))?;
            let rows = solutions.rows.iter().map(|r| r.values().to_vec()).collect();
            answers.insert(key.clone(), (solutions.variables.into(), rows));
        }
        let (variables, rows) = answers
            .get(&key)
            .cloned()
            .unwrap_or_else(|| (Arc::from(Vec::new()), Vec::new()));
        let solutions: Vec<Result<QuerySolution, QueryEvaluationError>> = rows
            .into_iter()
            .map(|values| Ok(QuerySolution::from((Arc::clone(&variables), values))))
            .collect();
        Ok(QuerySolutionIter::new(variables, solutions))
    }
}
