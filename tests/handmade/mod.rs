//! Hand-made extractions for the mapper, query and SHACL tests, written the way an annotator
//! would: spans are given by the text they cover and found in the article, so offsets are right
//! by construction. Also the small harness that loads mapped extractions into an in-memory
//! Oxigraph store and runs a canned query with bound parameters.
#![allow(dead_code)]

use newskg::mapper::{self, Vocabulary};
use newskg::model::*;
use newskg::queries::{CannedQuery, Catalog};
use oxigraph::model::Term;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::BTreeMap;

/// Builds an extraction of one article; every span is looked up in the text.
pub struct Article {
    x: Extraction,
}

impl Article {
    pub fn new(id: &str, published: Option<&str>, text: &str) -> Self {
        let mut x = Extraction::new(ArticleMeta {
            id: id.into(),
            published: published.map(Into::into),
            language: "ar".into(),
            text: text.into(),
            ..Default::default()
        });
        x.generator = Some("hand-made".into());
        Article { x }
    }

    pub fn meta(mut self, f: impl FnOnce(&mut ArticleMeta)) -> Self {
        f(&mut self.x.article);
        self
    }

    /// The `nth` (from 0) occurrence of `needle` in the text, in character offsets.
    pub fn span_nth(&self, needle: &str, nth: usize) -> Span {
        let text = &self.x.article.text;
        let (byte, _) = text
            .match_indices(needle)
            .nth(nth)
            .unwrap_or_else(|| panic!("{needle:?} (#{nth}) not in the article text"));
        let start = text[..byte].chars().count();
        span_of(text, start, start + needle.chars().count()).expect("span inside the text")
    }

    pub fn span(&self, needle: &str) -> Span {
        self.span_nth(needle, 0)
    }

    /// An entity mentioned by every occurrence of each of `mentions`.
    pub fn entity(
        mut self,
        id: &str,
        kind: EntityKind,
        name_ar: &str,
        name_en: Option<&str>,
        mentions: &[&str],
    ) -> Self {
        let text = self.x.article.text.clone();
        let mut spans = Vec::new();
        for m in mentions {
            for i in 0..text.matches(m).count() {
                spans.push(self.span_nth(m, i));
            }
        }
        spans.sort();
        self.x.entities.push(Entity {
            id: id.into(),
            kind,
            name_ar: name_ar.into(),
            name_en: name_en.map(Into::into),
            aliases: vec![],
            mentions: spans,
            ids: BTreeMap::new(),
            unnamed: false,
        });
        self
    }

    pub fn alias(mut self, entity: &str, alias: &str) -> Self {
        self.entity_mut(entity).aliases.push(alias.into());
        self
    }

    pub fn wikidata(mut self, entity: &str, qid: &str) -> Self {
        self.entity_mut(entity)
            .ids
            .insert("wikidata".into(), qid.into());
        self
    }

    fn entity_mut(&mut self, id: &str) -> &mut Entity {
        self.x
            .entities
            .iter_mut()
            .find(|e| e.id == id)
            .unwrap_or_else(|| panic!("no entity {id}"))
    }

    /// A time expression written `text` in the article (or from metadata when `None`).
    pub fn time(
        mut self,
        id: &str,
        text: Option<&str>,
        value: Option<&str>,
        resolution: Resolution,
    ) -> Self {
        let span = text.map(|t| self.span(t));
        let precision = value
            .and_then(newskg::dates::parse_iso)
            .map(|d| d.precision());
        self.x.times.push(TimeExpression {
            id: id.into(),
            span,
            value: value.map(Into::into),
            precision,
            resolution,
        });
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn statement(
        mut self,
        id: &str,
        speaker: Option<&str>,
        verb: &str,
        content: &str,
        direct: bool,
        time: Option<&str>,
        topics: &[&str],
        stance: Option<Stance>,
    ) -> Self {
        let verb = self.span(verb);
        let content = self.span(content);
        self.x.statements.push(Statement {
            id: id.into(),
            speaker: speaker.map(Into::into),
            verb,
            content,
            direct,
            time: time.map(Into::into),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            stance,
            via: None,
            venue: None,
            addressee: None,
        });
        self
    }

    /// Sets the venue, via and addressee of the last statement.
    pub fn said_at(
        mut self,
        venue: Option<&str>,
        via: Option<&str>,
        addressee: Option<&str>,
    ) -> Self {
        let s = self.x.statements.last_mut().expect("a statement first");
        s.venue = venue.map(Into::into);
        s.via = via.map(Into::into);
        s.addressee = addressee.map(Into::into);
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn event(
        mut self,
        id: &str,
        kind: &str,
        trigger: &str,
        actors: &[&str],
        targets: &[&str],
        place: Option<&str>,
        time: Option<&str>,
        topics: &[&str],
    ) -> Self {
        let trigger = self.span(trigger);
        self.x.events.push(Event {
            id: id.into(),
            kind: kind.into(),
            trigger,
            actors: actors.iter().map(|a| (*a).to_owned()).collect(),
            targets: targets.iter().map(|a| (*a).to_owned()).collect(),
            place: place.map(Into::into),
            time: time.map(Into::into),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        });
        self
    }

    pub fn role(
        mut self,
        holder: &str,
        title: &str,
        title_en: Option<&str>,
        of: Option<&str>,
        span: &str,
    ) -> Self {
        let span = self.span(span);
        self.x.roles.push(Role {
            holder: holder.into(),
            title: title.into(),
            title_en: title_en.map(Into::into),
            of: of.map(Into::into),
            span,
        });
        self
    }

    #[allow(clippy::too_many_arguments)]
    pub fn number(
        mut self,
        id: &str,
        text: &str,
        value: f64,
        counts: &str,
        approximate: bool,
        of: Option<&str>,
        place: Option<&str>,
    ) -> Self {
        let span = self.span(text);
        self.x.numbers.push(NumericClaim {
            id: id.into(),
            span,
            value,
            counts: counts.into(),
            approximate,
            of: of.map(Into::into),
            place: place.map(Into::into),
        });
        self
    }

    /// The extraction, checked like `newskg map` checks one.
    pub fn build(self) -> Extraction {
        if let Err(e) = self.x.validate() {
            panic!("hand-made extraction {} is invalid: {e}", self.x.article.id);
        }
        self.x
    }
}

/// Article 1, 2024-01-05: the Prime Minister announces the end of the coalition mission; a US
/// drone strike in Baghdad the day before; troop numbers.
pub fn sudani_announces() -> Extraction {
    let text = "بغداد - أعلن رئيس الوزراء العراقي محمد شياع السوداني، الجمعة، \
بدء إجراءات إنهاء وجود التحالف الدولي في العراق. وقال السوداني في كلمة: \"نؤكد موقفنا الثابت \
بإنهاء وجود التحالف الدولي بعد انتهاء مبررات وجوده\". وكانت طائرة مسيرة أمريكية قد قصفت \
مقرا في بغداد أمس. وينتشر نحو 2500 جندي أمريكي في العراق.";
    Article::new("a1", Some("2024-01-05"), text)
        .meta(|m| {
            m.url = Some("https://example.com/news/a1".into());
            m.publisher = Some("Example News".into());
            m.title = Some("السوداني يعلن بدء إنهاء وجود التحالف".into());
        })
        .entity(
            "e1",
            EntityKind::Person,
            "محمد شياع السوداني",
            Some("Mohammed Shia al-Sudani"),
            &["محمد شياع السوداني", "وقال السوداني"],
        )
        .alias("e1", "السوداني")
        .wikidata("e1", "Q16889186")
        .entity("e2", EntityKind::Place, "العراق", Some("Iraq"), &["العراق"])
        .wikidata("e2", "Q796")
        .entity(
            "e3",
            EntityKind::Organization,
            "التحالف الدولي",
            None,
            &["التحالف الدولي"],
        )
        .entity(
            "e4",
            EntityKind::Place,
            "بغداد",
            Some("Baghdad"),
            &["بغداد"],
        )
        .entity(
            "e5",
            EntityKind::Organization,
            "الولايات المتحدة",
            Some("United States"),
            &[],
        )
        .time("t0", None, Some("2024-01-05"), Resolution::Publication)
        .time(
            "t1",
            Some("الجمعة"),
            Some("2024-01-05"),
            Resolution::Publication,
        )
        .time(
            "t2",
            Some("أمس"),
            Some("2024-01-04"),
            Resolution::Publication,
        )
        .role(
            "e1",
            "رئيس الوزراء",
            Some("prime minister"),
            Some("e2"),
            "رئيس الوزراء العراقي",
        )
        .statement(
            "s1",
            Some("e1"),
            "أعلن",
            "بدء إجراءات إنهاء وجود التحالف الدولي في العراق",
            false,
            Some("t1"),
            &["withdrawal", "coalition-mission"],
            Some(Stance::Supports),
        )
        .said_at(Some("statement"), None, None)
        .statement(
            "s2",
            Some("e1"),
            "وقال",
            "نؤكد موقفنا الثابت بإنهاء وجود التحالف الدولي بعد انتهاء مبررات وجوده",
            true,
            Some("t1"),
            &["withdrawal"],
            Some(Stance::Supports),
        )
        .event(
            "ev1",
            "drone-strike",
            "طائرة مسيرة أمريكية قد قصفت",
            &["e5"],
            &[],
            Some("e4"),
            Some("t2"),
            &["strikes"],
        )
        .number(
            "n1",
            "نحو 2500 جندي",
            2500.0,
            "troops",
            true,
            Some("e5"),
            Some("e2"),
        )
        .build()
}

/// Article 2, 2024-02-10: a faction leader opposes the talks' timetable (dated to the month),
/// an unattributed statement with no date, and the Prime Minister again, under a spelling
/// variant of his name (with a shadda).
pub fn faction_opposes() -> Extraction {
    let text = "قال زعيم كتائب حزب الله أبو حسين الحميداوي في شباط إن المفاوضات مع واشنطن \
مضيعة للوقت. وأفادت مصادر بأن الانسحاب سيكتمل خلال عامين. وكان رئيس الحكومة محمد شياع \
السوداني قد أكد في 2023 أن العراق لم يعد بحاجة إلى قوات قتالية.";
    Article::new("a2", Some("2024-02-10"), text)
        .meta(|m| m.publisher = Some("Other Agency".into()))
        .entity(
            "e1",
            EntityKind::Person,
            "أبو حسين الحميداوي",
            None,
            &["أبو حسين الحميداوي"],
        )
        .entity(
            "e2",
            EntityKind::Organization,
            "كتائب حزب الله",
            Some("Kataib Hezbollah"),
            &["كتائب حزب الله"],
        )
        .entity(
            "e3",
            EntityKind::Place,
            "واشنطن",
            Some("Washington"),
            &["واشنطن"],
        )
        // Same person as in article 1; this extractor wrote the canonical name with a shadda,
        // which the IRI folds away.
        .entity(
            "e4",
            EntityKind::Person,
            "محمد شياع السودانيّ",
            None,
            &["محمد شياع السوداني"],
        )
        .entity("e5", EntityKind::Place, "العراق", None, &["العراق"])
        .time("t1", Some("شباط"), Some("2024-02"), Resolution::Publication)
        .time("t2", Some("2023"), Some("2023"), Resolution::Explicit)
        .role(
            "e1",
            "زعيم",
            Some("leader"),
            Some("e2"),
            "زعيم كتائب حزب الله",
        )
        .statement(
            "s1",
            Some("e1"),
            "قال",
            "المفاوضات مع واشنطن مضيعة للوقت",
            false,
            Some("t1"),
            &["negotiations", "withdrawal"],
            Some(Stance::Opposes),
        )
        .statement(
            "s2",
            None,
            "وأفادت",
            "الانسحاب سيكتمل خلال عامين",
            false,
            None,
            &["withdrawal"],
            Some(Stance::Neutral),
        )
        .statement(
            "s3",
            Some("e4"),
            "أكد",
            "العراق لم يعد بحاجة إلى قوات قتالية",
            false,
            Some("t2"),
            &["withdrawal"],
            None,
        )
        .build()
}

/// The hand-made corpus.
pub fn corpus() -> Vec<Extraction> {
    vec![sudani_announces(), faction_opposes()]
}

/// An in-memory store holding the ontology and the mapped extractions, one graph each.
pub fn store(extractions: &[Extraction], v: &Vocabulary) -> Store {
    let store = Store::new().expect("in-memory store");
    store
        .extend(mapper::ontology_quads().expect("ontology parses"))
        .expect("load ontology");
    for x in extractions {
        store.extend(mapper::map(x, v)).expect("load article graph");
    }
    store
}

/// One result row: column → the term's lexical form (IRIs without brackets).
pub type Row = BTreeMap<String, String>;

/// Runs a canned query the way `newskg query` does (`newskg::store::evaluate_on`): the typed
/// terms of [`CannedQuery::bind`] set in the query's VALUES blocks, the default graph the union
/// of all graphs. Parameter columns are dropped from the rows.
pub fn run(store: &Store, query: &CannedQuery, params: &[(&str, &str)]) -> Vec<Row> {
    let values: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let bound = query
        .bind(&values, &Vocabulary::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let results = newskg::store::evaluate_on(
        store,
        &query.sparql,
        bound,
        None,
        oxigraph::sparql::SparqlEvaluator::new(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", query.name));
    let QueryResults::Solutions(solutions) = results else {
        panic!("{} is not a SELECT query", query.name)
    };
    let variables: Vec<String> = solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let hidden = query.param_columns();
    solutions
        .map(|s| {
            let s = s.unwrap_or_else(|e| panic!("{}: {e}", query.name));
            variables
                .iter()
                .filter(|v| !hidden.contains(v))
                .filter_map(|v| s.get(v.as_str()).map(|t| (v.clone(), lexical(t))))
                .collect()
        })
        .collect()
}

/// The column names of a query's results, parameter columns dropped.
pub fn columns(store: &Store, query: &CannedQuery) -> Vec<String> {
    let prepared = SparqlEvaluator::new()
        .parse_query(&query.sparql)
        .unwrap_or_else(|e| panic!("{}: {e}", query.origin));
    let QueryResults::Solutions(solutions) = prepared.on_store(store).execute().expect("runs")
    else {
        panic!("not a SELECT")
    };
    let hidden = query.param_columns();
    solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .filter(|v| !hidden.contains(v))
        .collect()
}

fn lexical(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_owned(),
        Term::Literal(l) => l.value().to_owned(),
        other => other.to_string(),
    }
}

pub fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}"))
}
