//! Fixtures shared by the integration tests: the real binary, a scratch store, the seeds, and
//! graph comparison with an RDF stack independent of oxigraph (sophia).
#![allow(dead_code)]

use assert_cmd::Command;
use sophia::api::prelude::*;
use sophia::inmem::graph::LightGraph;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn seeds() -> PathBuf {
    repo().join("seeds")
}

/// A scratch directory with a store in it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    /// `newskg ARGS --store <scratch store> --quiet`, run from the repository root.
    pub fn newskg(&self) -> Command {
        let mut cmd = Command::cargo_bin("newskg").expect("binary");
        cmd.current_dir(repo())
            .env_remove("NEWSKG_STORE")
            .env_remove("NEWSKG_BASE")
            .arg("--quiet")
            .arg("--store")
            .arg(self.store());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.newskg().args(args).output().expect("run newskg")
    }

    /// Runs and insists on success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "newskg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    pub fn build_seeds(&self) -> String {
        self.ok(&["build", seeds().to_str().expect("path")])
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn parse_turtle(text: &str) -> LightGraph {
    sophia::turtle::parser::turtle::TurtleParser::new()
        .parse_str(text)
        .collect_triples()
        .expect("sophia parses the Turtle")
}

pub fn parse_ntriples(text: &str) -> LightGraph {
    sophia::turtle::parser::nt::NTriplesParser::new()
        .parse_str(text)
        .collect_triples()
        .expect("sophia parses the N-Triples")
}

pub fn isomorphic(a: &LightGraph, b: &LightGraph) -> bool {
    sophia::isomorphism::isomorphic_graphs(a, b).expect("isomorphism check")
}

/// Is a command available on this machine? Outside CI a missing tool skips a test; in CI
/// (`CI` set) it is a failure, because scripts/test.sh installs it.
pub fn require_tool(cmd: &str, probe: &[&str]) -> bool {
    let found = std::process::Command::new(cmd)
        .args(probe)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{cmd} is missing: scripts/test.sh installs it");
        }
        eprintln!("skipping: {cmd} not installed (run scripts/test.sh)");
    }
    found
}

pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    // The W3C CSV results are RFC 4180: quoted fields may hold commas, quotes and newlines.
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

pub fn file_text(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read file")
}
