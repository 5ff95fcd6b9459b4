//! Scoring the extractor against gold annotations: the engine of `newskg eval GOLD_DIR`.
//!
//! Input: a directory of gold files in the shared gold format (`<id>.json`, described in
//! `tests/gold/README.md`), the article texts (`<id>.txt` in `articles_dir`, else next to the gold
//! file, with an optional `<id>.meta.json` sidecar) and a [`Lexicon`]. Output: an [`EvalReport`]
//! with statement precision/recall/F1, speaker accuracy, date accuracy, withdrawal-topic F1,
//! stance accuracy and entity precision/recall by type.
//!
//! Statements are matched exactly as the shared scorer `score.py` does: a gold statement is
//! found when at least 60% of the content words of its `quote_start` (after Arabic
//! normalization, clitic stripping and stop-word removal) occur in an extracted content; the
//! speaker is right when the English label is one of the accepted ones or the specific words of
//! the gold names occur in the output label; a date is right when it starts with an accepted
//! value (`null` accepts "no date"). Statements of an article split off as `<id>-2` are scored
//! with `<id>`'s gold.

use crate::corpus;
use crate::extract::{extract, Lexicon};
use crate::model::{EntityKind, Extraction};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: line {line}, column {column}: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Gold { path: String, message: String },
    #[error("{gold}: no article text {looked}")]
    MissingText { gold: String, looked: String },
    #[error("{0}")]
    Corpus(String),
}

/// Precision/recall of one entity type.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EntityScore {
    pub gold: usize,
    pub extracted: usize,
    pub matched_gold: usize,
    pub matched_extracted: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Statement counts of one article.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DocScore {
    pub gold: usize,
    pub out: usize,
    pub matched: usize,
    pub speaker_ok: usize,
    pub date_ok: usize,
    pub dated: usize,
}

/// The scores of a gold directory.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EvalReport {
    pub articles: usize,
    pub statements_p: f64,
    pub statements_r: f64,
    pub statements_f1: f64,
    pub speaker_acc: f64,
    pub date_acc: f64,
    pub withdrawal_f1: f64,
    pub stance_acc: f64,
    pub end_to_end_r: f64,
    pub gold: usize,
    pub out: usize,
    pub matched_gold: usize,
    pub matched_out: usize,
    pub speaker_ok: usize,
    pub dated: usize,
    pub date_ok: usize,
    pub stanced: usize,
    pub stance_ok: usize,
    pub topic_tp: usize,
    pub topic_fp: usize,
    pub topic_fn: usize,
    pub second_article_misdated: usize,
    pub entities: BTreeMap<String, EntityScore>,
    pub per_doc: BTreeMap<String, DocScore>,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "articles            {}", self.articles)?;
        writeln!(
            f,
            "statements          P {:.3}  R {:.3}  F1 {:.3}  (gold {}, extracted {}, matched {})",
            self.statements_p,
            self.statements_r,
            self.statements_f1,
            self.gold,
            self.out,
            self.matched_gold
        )?;
        writeln!(
            f,
            "speaker accuracy    {:.3}  ({}/{})",
            self.speaker_acc, self.speaker_ok, self.matched_gold
        )?;
        writeln!(
            f,
            "date accuracy       {:.3}  ({}/{})",
            self.date_acc, self.date_ok, self.dated
        )?;
        writeln!(
            f,
            "withdrawal topic F1 {:.3}  (tp {}, fp {}, fn {})",
            self.withdrawal_f1, self.topic_tp, self.topic_fp, self.topic_fn
        )?;
        writeln!(
            f,
            "stance accuracy     {:.3}  ({}/{})",
            self.stance_acc, self.stance_ok, self.stanced
        )?;
        writeln!(f, "end-to-end recall   {:.3}", self.end_to_end_r)?;
        if self.second_article_misdated > 0 {
            writeln!(
                f,
                "appended-article statements given the first article's date: {}",
                self.second_article_misdated
            )?;
        }
        for (kind, s) in &self.entities {
            writeln!(
                f,
                "entities {:<12} P {:.3}  R {:.3}  (gold {}, extracted {})",
                kind, s.precision, s.recall, s.gold, s.extracted
            )?;
        }
        for (id, d) in &self.per_doc {
            writeln!(
                f,
                "  {id}: gold {} extracted {} matched {} speaker {} date {}/{}",
                d.gold, d.out, d.matched, d.speaker_ok, d.date_ok, d.dated
            )?;
        }
        Ok(())
    }
}

/// score.py's `norm`: diacritics and tatweel removed, letter variants merged, punctuation to
/// spaces, lower case. (score.py also applies NFKC first; Arabic presentation forms are rare in
/// news text and are not mapped here.)
pub fn norm(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' | 'ی' | 'ئ' => 'ي',
            'ة' => 'ه',
            'ک' => 'ك',
            'ؤ' => 'و',
            c if c.is_alphanumeric() || c == '_' || c.is_whitespace() => c,
            _ => ' ',
        };
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

const CLITICS: [&str; 10] = ["وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف"];

fn stem(tok: &str) -> String {
    for c in CLITICS {
        if let Some(rest) = tok.strip_prefix(c) {
            if rest.chars().count() >= 3 {
                return rest.to_owned();
            }
        }
    }
    tok.to_owned()
}

fn toks(s: &str) -> Vec<String> {
    norm(s)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(stem)
        .collect()
}

fn stop() -> HashSet<String> {
    toks("في من على عن الى إلى أن إن أنه إنه ان انه هذه هذا التي الذي و قد لا لم")
        .into_iter()
        .collect()
}

fn quote_match(stop: &HashSet<String>, gold_q: &str, out_q: &str) -> bool {
    let g: Vec<String> = toks(gold_q)
        .into_iter()
        .filter(|t| !stop.contains(t))
        .collect();
    if g.is_empty() {
        return false;
    }
    let o: HashSet<String> = toks(out_q).into_iter().collect();
    let hit = g.iter().filter(|t| o.contains(*t)).count();
    hit as f64 / g.len() as f64 >= 0.6
}

fn name_keys(stop: &HashSet<String>, s: &str) -> HashSet<String> {
    toks(s)
        .into_iter()
        .filter(|t| t.chars().count() >= 3 && !stop.contains(t))
        .collect()
}

/// One extracted statement as the `statements` query shows it.
#[derive(Debug, Clone)]
struct Row {
    speaker_ar: String,
    speaker_en: String,
    quote: String,
    date: Option<String>,
    topics: String,
    stance: String,
}

fn rows_of(x: &Extraction) -> Vec<Row> {
    x.statements
        .iter()
        .map(|s| {
            let sp = s
                .speaker
                .as_ref()
                .and_then(|id| x.entities.iter().find(|e| &e.id == id));
            Row {
                speaker_ar: sp.map(|e| e.name_ar.clone()).unwrap_or_default(),
                speaker_en: sp.and_then(|e| e.name_en.clone()).unwrap_or_default(),
                quote: s.content.text.clone(),
                date: x.time(s.time.as_deref()).and_then(|t| t.value.clone()),
                topics: s.topics.join(" "),
                stance: s.stance.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            }
        })
        .collect()
}

fn speaker_ok(stop: &HashSet<String>, st: &Value, gold: &Value, row: &Row) -> bool {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let out_en = row.speaker_en.trim().to_lowercase();
    let mut want = HashSet::new();
    want.insert(s(st, "speaker_en").to_lowercase());
    if let Some(alt) = st.get("alt_speaker_en").and_then(Value::as_str) {
        want.insert(alt.to_lowercase());
    }
    if !out_en.is_empty() && want.contains(&out_en) {
        return true;
    }
    let mut names: Vec<String> = Vec::new();
    for list in ["persons", "organizations", "places"] {
        for p in gold
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if p.is_object() && want.contains(&s(p, "name_en").to_lowercase()) {
                names.push(s(p, "name_ar"));
                for a in p
                    .get("aliases_in_text")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    names.push(a.as_str().unwrap_or("").to_owned());
                }
            }
        }
    }
    if names.is_empty() {
        names.push(s(st, "speaker_in_text"));
    }
    let keys: HashSet<String> = names.iter().flat_map(|n| name_keys(stop, n)).collect();
    let generic: HashSet<String> = toks("وزارة وزير الخارجية المتحدث باسم رئيس الوزراء الحكومة الولايات المتحدة الأمريكية الأميركية العراقية الإيرانية")
        .into_iter()
        .collect();
    let specific: HashSet<&String> = keys.iter().filter(|k| !generic.contains(*k)).collect();
    let okeys: HashSet<String> = name_keys(stop, &row.speaker_ar)
        .union(&name_keys(stop, &row.speaker_en))
        .cloned()
        .collect();
    if !specific.is_empty() {
        return specific.iter().any(|k| okeys.contains(*k));
    }
    !keys.is_empty() && keys.iter().all(|k| okeys.contains(k))
}

fn date_ok(gold: &Value, out: Option<&str>) -> bool {
    let accept: Vec<&Value> = match gold {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    let out = out.map(str::trim).filter(|s| !s.is_empty());
    accept.iter().any(|a| match (a.as_str(), out) {
        (None, None) => a.is_null(),
        (Some(a), Some(o)) => o.starts_with(a),
        _ => false,
    })
}

fn read_json(path: &Path) -> Result<Value, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| EvalError::Json {
        path: path.display().to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Gold names of one entity list, each as a set of normalized forms.
fn gold_names(gold: &Value, list: &str) -> Vec<HashSet<String>> {
    let key = |s: &str| toks(s).join(" ");
    gold.get(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| {
            !p.get("second_article")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
        .map(|p| match p {
            Value::String(s) => [key(s)].into_iter().collect(),
            v => {
                let mut set: HashSet<String> = HashSet::new();
                set.insert(key(v.get("name_ar").and_then(Value::as_str).unwrap_or("")));
                for a in v
                    .get("aliases_in_text")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    set.insert(key(a.as_str().unwrap_or("")));
                }
                set
            }
        })
        .collect()
}

/// Scores the extractor on every `GOLD_DIR/<id>.json`.
pub fn evaluate(
    gold_dir: &Path,
    articles_dir: Option<&Path>,
    lexicon: &Lexicon,
) -> Result<EvalReport, EvalError> {
    let stop = stop();
    let mut files: Vec<PathBuf> = std::fs::read_dir(gold_dir)
        .map_err(|source| EvalError::Io {
            path: gold_dir.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".meta.json")
        })
        .collect();
    files.sort();
    let mut r = EvalReport::default();
    let mut ent_counts: BTreeMap<String, EntityScore> = BTreeMap::new();
    for gold_path in files {
        let id = gold_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let gold = read_json(&gold_path)?;
        let text_path = articles_dir
            .map(|d| d.join(format!("{id}.txt")))
            .filter(|p| p.exists())
            .unwrap_or_else(|| gold_path.with_extension("txt"));
        if !text_path.exists() {
            return Err(EvalError::MissingText {
                gold: gold_path.display().to_string(),
                looked: text_path.display().to_string(),
            });
        }
        let article = corpus::read(std::slice::from_ref(&text_path))
            .next()
            .ok_or_else(|| EvalError::Corpus(format!("{}: not read", text_path.display())))?
            .map_err(|e| EvalError::Corpus(e.to_string()))?;
        let extractions = extract(&article, lexicon);
        r.articles += 1;
        let outs: Vec<Row> = extractions.iter().flat_map(rows_of).collect();
        let statements = gold
            .get("statements")
            .and_then(Value::as_array)
            .ok_or_else(|| EvalError::Gold {
                path: gold_path.display().to_string(),
                message: "no \"statements\" list".into(),
            })?;
        let mut used: HashSet<usize> = HashSet::new();
        let mut d = DocScore {
            out: outs.len(),
            ..Default::default()
        };
        for st in statements {
            let req = !st.get("optional").and_then(Value::as_bool).unwrap_or(false);
            if req {
                r.gold += 1;
                d.gold += 1;
            }
            let q = st.get("quote_start").and_then(Value::as_str).unwrap_or("");
            let Some(hit) = (0..outs.len())
                .find(|i| !used.contains(i) && quote_match(&stop, q, &outs[*i].quote))
            else {
                continue;
            };
            used.insert(hit);
            let row = &outs[hit];
            if req {
                r.matched_gold += 1;
                d.matched += 1;
            }
            let sp = speaker_ok(&stop, st, &gold, row);
            if req && sp {
                r.speaker_ok += 1;
                d.speaker_ok += 1;
            }
            let gdate = st.get("date").unwrap_or(&Value::Null);
            let dok = date_ok(gdate, row.date.as_deref());
            if req && !gdate.is_null() {
                r.dated += 1;
                d.dated += 1;
                if dok {
                    r.date_ok += 1;
                    d.date_ok += 1;
                }
            }
            if req && sp && (gdate.is_null() || dok) {
                r.end_to_end_r += 1.0;
            }
            if let (true, Some(want)) = (req, st.get("stance").and_then(Value::as_str)) {
                r.stanced += 1;
                let o = row.stance.to_lowercase();
                let got = if o.contains("support") {
                    Some("supports")
                } else if o.contains("oppos") {
                    Some("opposes")
                } else if !o.is_empty() {
                    Some("neutral")
                } else {
                    None
                };
                if got == Some(want) {
                    r.stance_ok += 1;
                }
            }
            let about = st
                .get("about_withdrawal")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let topic_out = row.topics.to_lowercase().contains("withdrawal");
            if about && topic_out {
                r.topic_tp += 1;
            } else if topic_out && !about {
                r.topic_fp += 1;
            } else if about && !topic_out && req {
                r.topic_fn += 1;
            }
            if st
                .get("second_article")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                && row
                    .date
                    .as_deref()
                    .is_some_and(|d| d.starts_with("2024-02"))
            {
                r.second_article_misdated += 1;
            }
        }
        r.out += outs.len();
        r.matched_out += used.len();
        r.per_doc.insert(id.clone(), d);
        // Entities by type, first article only (gold lists describe it).
        if let Some(x) = extractions.first() {
            for (list, kind) in [
                ("persons", EntityKind::Person),
                ("organizations", EntityKind::Organization),
                ("places", EntityKind::Place),
            ] {
                let golds = gold_names(&gold, list);
                let extracted: Vec<HashSet<String>> = x
                    .entities
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| {
                        std::iter::once(&e.name_ar)
                            .chain(&e.aliases)
                            .map(|n| toks(n).join(" "))
                            .collect()
                    })
                    .collect();
                let s = ent_counts.entry(kind.as_str().to_owned()).or_default();
                s.gold += golds.len();
                s.extracted += extracted.len();
                s.matched_gold += golds
                    .iter()
                    .filter(|g| extracted.iter().any(|e| !e.is_disjoint(g)))
                    .count();
                s.matched_extracted += extracted
                    .iter()
                    .filter(|e| golds.iter().any(|g| !e.is_disjoint(g)))
                    .count();
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let p = ratio(r.matched_out, r.out);
    let rec = ratio(r.matched_gold, r.gold);
    r.statements_p = round(p);
    r.statements_r = round(rec);
    r.statements_f1 = round(if p + rec > 0.0 {
        2.0 * p * rec / (p + rec)
    } else {
        0.0
    });
    r.speaker_acc = round(ratio(r.speaker_ok, r.matched_gold));
    r.date_acc = round(ratio(r.date_ok, r.dated));
    let (tp, fp, fn_) = (r.topic_tp, r.topic_fp, r.topic_fn);
    r.withdrawal_f1 = round(if tp > 0 {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    } else {
        0.0
    });
    r.stance_acc = round(ratio(r.stance_ok, r.stanced));
    r.end_to_end_r = round(if r.gold > 0 {
        r.end_to_end_r / r.gold as f64
    } else {
        0.0
    });
    for s in ent_counts.values_mut() {
        s.precision = round(ratio(s.matched_extracted, s.extracted));
        s.recall = round(ratio(s.matched_gold, s.gold));
    }
    r.entities = ent_counts;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_score_py() {
        let stop = stop();
        // Clitics and stop words do not count: «للانسحاب» matches «انسحاب».
        assert!(quote_match(
            &stop,
            "إنه لم يتلق أي معلومات عن أي خطط للانسحاب",
            "قوله إنه لم يتلق أي معلومات عن أي خطط للانسحاب، وأن"
        ));
        assert!(!quote_match(
            &stop,
            "أن الحكومة تعمل على تشكيل لجنة",
            "الحكومة"
        ));
        assert_eq!(norm("أعلنَتْ «بغداد»"), "اعلنت بغداد");
        assert!(date_ok(&Value::Null, None));
        assert!(date_ok(&serde_json::json!(["2024-02-06", null]), None));
        assert!(date_ok(&serde_json::json!("2024-01"), Some("2024-01-05")));
        assert!(!date_ok(&serde_json::json!("2024-01-05"), None));
    }
}
