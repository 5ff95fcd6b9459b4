//! The `newskg-extraction/1` interchange format: what `extract` writes conforms to the JSON
//! Schema, and the documented example loads through `map`.

mod common;

use common::*;

#[test]
fn extractions_of_the_seeds_conform_to_the_json_schema() {
    if !require_tool("python3", &["-c", "import jsonschema"]) {
        return;
    }
    let s = Scratch::new();
    let out = s.path("x.jsonl");
    s.ok(&[
        "extract",
        seeds().to_str().unwrap(),
        "--format",
        "jsonl",
        "-o",
        out.to_str().unwrap(),
    ]);
    let check = |file: &std::path::Path| {
        std::process::Command::new("python3")
            .arg(repo().join("tests/py/validate_schema.py"))
            .arg(repo().join("schema/newskg-extraction-1.schema.json"))
            .arg(file)
            .output()
            .expect("python3 runs")
    };
    let r = check(&out);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stdout));

    // The schema is not a rubber stamp: a misspelt field is refused by it and by `map`.
    let line =
        file_text(&out)
            .lines()
            .next()
            .unwrap()
            .replacen("\"statements\"", "\"statments\"", 1);
    let bad = s.write("bad.jsonl", format!("{line}\n"));
    assert!(!check(&bad).status.success());
    let r = s.run(&["map", bad.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(stderr(&r).contains("statments"), "{}", stderr(&r));
}

#[test]
fn the_documented_example_maps_to_a_dated_statement() {
    let doc = file_text(&repo().join("docs/FORMAT.md"));
    let json = doc
        .split("```json")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("an example in docs/FORMAT.md");
    let s = Scratch::new();
    let file = s.write("example.json", json);
    s.ok(&["map", file.to_str().unwrap()]);
    let rows = csv_rows(&s.ok(&["query", "who-said-what", "--format", "csv"]));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][2], "باتريك رايدر");
    assert_eq!(rows[1][3], "Patrick S. Ryder");
    assert_eq!(rows[1][7], "2024-01-08");
    assert_eq!(rows[1][8], "a1");
    assert_eq!(rows[1][10], "opposes");
}
