//! newskg: Arabic news articles → knowledge graph.
//!
//! The pipeline, one module per stage: [`corpus`] reads articles, [`extract`] finds entities,
//! events and statements (with [`arabic`] text normalization and [`time`] expressions),
//! producing a [`model::Extraction`]; [`mapper`] turns it into RDF quads under the project
//! ontology; [`store`] keeps them in Oxigraph; [`queries`] runs the canned SPARQL; [`export`]
//! serializes.

pub mod arabic;
pub mod corpus;
pub mod dates;
pub mod eval;
pub mod export;
pub mod extract;
pub mod link;
pub mod mapper;
pub mod model;
pub mod pipeline;
pub mod push;
pub mod queries;
pub mod results;
pub mod server;
pub mod store;
pub mod time;
