//! Behaviour of `find_times` and `dateline`, one motivating sentence per rule.

use super::*;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Built once: building the automaton is the slow part of a test.
fn lexicon() -> &'static TimeLexicon {
    static LEXICON: std::sync::OnceLock<TimeLexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| TimeLexicon::builtin().unwrap())
}

/// (covered original text, ISO value, resolution) of every mention.
fn times(text: &str, published: Option<NaiveDate>) -> Vec<(String, Option<String>, Resolution)> {
    let n = Normalized::new(text);
    find_times(text, &n, lexicon(), published)
        .into_iter()
        .map(|m| {
            let covered: String = text.chars().skip(m.start).take(m.end - m.start).collect();
            (covered, m.value.map(DateValue::iso), m.resolution)
        })
        .collect()
}

fn one(text: &str, published: Option<NaiveDate>) -> (String, Option<String>, Resolution) {
    let all = times(text, published);
    assert_eq!(all.len(), 1, "{text}: {all:?}");
    all.into_iter().next().unwrap()
}

fn value(text: &str, published: Option<NaiveDate>) -> Option<String> {
    one(text, published).1
}

#[test]
fn day_month_year_in_both_month_systems() {
    // Levantine/Iraqi names: «كانون الثاني» is January.
    assert_eq!(
        one("اجتمع البرلمان في 5 كانون الثاني 2024 لمناقشة القرار", None),
        (
            "5 كانون الثاني 2024".into(),
            Some("2024-01-05".into()),
            Resolution::Explicit
        )
    );
    assert_eq!(
        value("وصل الوفد الأمريكي في 14 أيلول 2023", None).as_deref(),
        Some("2023-09-14")
    );
    assert_eq!(
        value("عقدت الجولة الأولى في 3 أغسطس 2023", None).as_deref(),
        Some("2023-08-03")
    );
    // Egyptian «يونيه», Maghrebi «جويلية».
    assert_eq!(
        value("صدر القرار يوم 2 يونيه 2022", None).as_deref(),
        Some("2022-06-02")
    );
    assert_eq!(
        value("نشر البيان في 14 جويلية 2021", None).as_deref(),
        Some("2021-07-14")
    );
    // Dashes: «26-سبتمبر-2023».
    assert_eq!(value("26-سبتمبر-2023", None).as_deref(), Some("2023-09-26"));
}

#[test]
fn slashed_pairs_of_month_names() {
    // «9 شباط/فبراير 2024», «ديسمبر/كانون الأول»: the same month in both systems.
    assert_eq!(
        one("أعلنت الحكومة في 9 شباط/فبراير 2024 تشكيل لجنة", None),
        (
            "9 شباط/فبراير 2024".into(),
            Some("2024-02-09".into()),
            Resolution::Explicit
        )
    );
    assert_eq!(
        one(
            "وفي 20 ديسمبر/كانون الأول 2021 غادرت آخر القوات القتالية",
            None
        )
        .0,
        "20 ديسمبر/كانون الأول 2021"
    );
    assert_eq!(
        value("اتفق الطرفان في كانون الثاني/يناير 2020 على الجدول", None).as_deref(),
        Some("2020-01")
    );
    // Parentheses: «12 تموز (يوليو) 2023».
    assert_eq!(
        value("وقعت الهجمات في 12 تموز (يوليو) 2023", None).as_deref(),
        Some("2023-07-12")
    );
}

#[test]
fn weekday_before_a_date_is_part_of_it() {
    // «الجمعة 9 فبراير 2024» is one explicit date, the weekday included.
    assert_eq!(
        one("بغداد، الجمعة 9 فبراير 2024", None).0,
        "الجمعة 9 فبراير 2024"
    );
    // «الأحد المقبل الموافق 11 فبراير 2024».
    assert_eq!(
        one(
            "تستأنف اللجنة أعمالها الأحد المقبل الموافق 11 فبراير 2024",
            None
        ),
        (
            "الأحد المقبل الموافق 11 فبراير 2024".into(),
            Some("2024-02-11".into()),
            Resolution::Explicit
        )
    );
}

#[test]
fn ordinal_day_words() {
    // «في الحادي والثلاثين من ديسمبر 2023»: an ordinal day, «من», a month.
    assert_eq!(
        value("انتهت المهلة في الحادي والثلاثين من ديسمبر 2023", None).as_deref(),
        Some("2023-12-31")
    );
    // Feminine form and «تشرين الأول» after «الأول من».
    assert_eq!(
        value("في الأول من تشرين الأول 2022 بدأت الاحتجاجات", None).as_deref(),
        Some("2022-10-01")
    );
    assert_eq!(
        one("حتى الثالثة عشرة من آذار 2021", None).0,
        "الثالثة عشرة من آذار 2021"
    );
}

#[test]
fn arabic_indic_digits_fold_to_ascii() {
    // «٥ كانون الثاني ٢٠٢٤» written with Arabic-Indic digits.
    assert_eq!(
        one("قال الوزير في ٥ كانون الثاني ٢٠٢٤ إن الحوار مستمر", None),
        (
            "٥ كانون الثاني ٢٠٢٤".into(),
            Some("2024-01-05".into()),
            Resolution::Explicit
        )
    );
    assert_eq!(
        value("في عام ۲۰۱۴ اجتاح التنظيم المدن", None).as_deref(),
        Some("2014")
    );
}

#[test]
fn numeric_and_iso_dates() {
    // Day first in Arabic prose: «5/1/2024» is 5 January.
    assert_eq!(
        value("صدر المرسوم بتاريخ 5/1/2024", None).as_deref(),
        Some("2024-01-05")
    );
    assert_eq!(
        value("آخر تعديل 2024-01-05", None).as_deref(),
        Some("2024-01-05")
    );
    // 31 February does not exist: dropped, not a panic.
    assert_eq!(times("في 31/2/2024 وفي 31 فبراير 2024", None), []);
}

#[test]
fn years_and_early_year() {
    // «مطلع عام 2020» keeps year precision.
    assert_eq!(
        one("اغتيل القائد قرب المطار مطلع عام 2020", None),
        (
            "مطلع عام 2020".into(),
            Some("2020".into()),
            Resolution::Explicit
        )
    );
    assert_eq!(
        value("تنتشر القوات منذ عام 2014", None).as_deref(),
        Some("2014")
    );
    assert_eq!(
        value("وفي 2021 انتهت المهمة القتالية", None).as_deref(),
        Some("2021")
    );
    // A troop count is not a year.
    assert!(times("تحتفظ واشنطن بـ2500 جندي", None).is_empty());
}

#[test]
fn year_less_date_moves_forward_with_the_narrative() {
    // After «7 تشرين الأول 2023», «5 كانون الثاني» is 5 January 2024: 5 January 2023 would be
    // more than two months before the anchor, and a narrative moves forward.
    let found = times(
        "اندلعت الحرب في 7 تشرين الأول 2023. وفي 5 كانون الثاني أعلن رئيس الوزراء تشكيل لجنة.",
        None,
    );
    assert_eq!(
        found[1],
        (
            "5 كانون الثاني".into(),
            Some("2024-01-05".into()),
            Resolution::Narrative
        )
    );
    // Within two months before the anchor it stays in the anchor's year.
    let found = times(
        "في 20 آذار 2023 زار الوزير بغداد، وكان قد التقى نظيره في 2 شباط.",
        None,
    );
    assert_eq!(found[1].1.as_deref(), Some("2023-02-02"));
    // With a publication date, a day that would fall far after it is from the year before.
    assert_eq!(
        one("قصفت الطائرات المواقع في 25 ديسمبر", Some(d(2024, 2, 9))),
        (
            "25 ديسمبر".into(),
            Some("2023-12-25".into()),
            Resolution::Publication
        )
    );
}

#[test]
fn year_less_dates_before_any_anchor_use_the_latest_date_of_the_text() {
    // The article states 7 October 2023 later on; it was written after that date, so the
    // «الخامس من يناير» of its opening is January 2024.
    let found = times(
        "وفي الخامس من يناير/كانون الثاني، أعلن المكتب تشكيل لجنة. وتصاعدت الهجمات منذ 7 أكتوبر/تشرين الأول 2023.",
        None,
    );
    assert_eq!(found[0].1.as_deref(), Some("2024-01-05"));
    assert_eq!(found[0].2, Resolution::Narrative);
    // A background year does not pull the narrative back: «منذ عام 2014» then «في 4 يناير».
    let found = times(
        "في 9 ديسمبر 2023 أعلنت الوزارة. وتنتشر القوات منذ عام 2014. وفي 4 يناير قتل قيادي.",
        None,
    );
    assert_eq!(found[2].1.as_deref(), Some("2024-01-04"));
    // A year alone anchors no month: «في عام 2014 … الانتخابات المقبلة في نوفمبر».
    let found = times(
        "سيطر التنظيم على المدن في عام 2014، والانتخابات المقبلة في نوفمبر",
        None,
    );
    assert_eq!(found[1], ("نوفمبر".into(), None, Resolution::Unresolved));
}

#[test]
fn same_day_is_the_latest_resolved_day() {
    // «في اليوم نفسه» after «4 يناير» (resolved forward to 2024).
    let found = times(
        "في 7 أكتوبر 2023 اندلعت الحرب. وفي الرابع من يناير قتل قيادي، وقال المتحدث في اليوم نفسه إن الرد قادم.",
        None,
    );
    assert_eq!(
        found[2],
        (
            "اليوم نفسه".into(),
            Some("2024-01-04".into()),
            Resolution::Narrative
        )
    );
    // «في نفس اليوم» with nothing before: unresolved.
    assert_eq!(
        one("وفي نفس اليوم صدر بيان", None).2,
        Resolution::Unresolved
    );
}

#[test]
fn a_deadline_anchors_nothing() {
    // No publication date: «حتى سبتمبر 2026» is a deadline, not the time of the narrative, so
    // «ديسمبر الماضي» after it is anchored on the narrative date before it (2024-10-03), not
    // on the deadline.
    let found = times(
        "وفي 3 تشرين الأول 2024 قال الوزير إن الانسحاب يستمر حتى سبتمبر 2026. \
         وكانت المحادثات قد بدأت في ديسمبر الماضي",
        None,
    );
    let december = found
        .iter()
        .find(|t| t.0 == "ديسمبر الماضي")
        .expect("found");
    assert_eq!(december.1.as_deref(), Some("2023-12"), "{found:?}");
    // The deadline itself keeps its value.
    assert!(
        found.iter().any(|t| t.1.as_deref() == Some("2026-09")),
        "{found:?}"
    );
}

#[test]
fn last_december() {
    // «ديسمبر الماضي» is the last December before the anchor.
    assert_eq!(
        one(
            "وكانت الضربات قد بدأت في ديسمبر الماضي",
            Some(d(2024, 1, 10))
        ),
        (
            "ديسمبر الماضي".into(),
            Some("2023-12".into()),
            Resolution::Publication
        )
    );
    assert_eq!(
        value(
            "وفي الخامس والعشرين من ديسمبر الماضي أعلن الوزير",
            Some(d(2024, 1, 10))
        )
        .as_deref(),
        Some("2023-12-25")
    );
    // «الأول من يناير الماضي» written on 10 January is this January 1st.
    assert_eq!(
        value(
            "وفي الأول من يناير الماضي أعلنت الحركة",
            Some(d(2024, 1, 10))
        )
        .as_deref(),
        Some("2024-01-01")
    );
    // «آب/أغسطس الماضي» in September 2023.
    assert_eq!(
        value(
            "أصدر الجانبان في آب/أغسطس الماضي بيانا",
            Some(d(2023, 9, 26))
        )
        .as_deref(),
        Some("2023-08")
    );
    // «في ديسمبر» alone takes the anchor year, unless that is far after publication.
    assert_eq!(
        value("وصل الوفد في ديسمبر", Some(d(2023, 11, 2))).as_deref(),
        Some("2023-12")
    );
    assert_eq!(
        value("وصل الوفد في ديسمبر", Some(d(2024, 2, 9))).as_deref(),
        Some("2023-12")
    );
    // Without any anchor: unresolved, never invented.
    assert_eq!(
        one("وبدأت المحادثات في يناير الماضي", None).2,
        Resolution::Unresolved
    );
}

#[test]
fn yesterday_with_and_without_publication_date() {
    // «أمس» is the day before publication.
    assert_eq!(
        one("أكد الوزير أمس أن الحوار مستمر", Some(d(2024, 2, 7))),
        (
            "أمس".into(),
            Some("2024-02-06".into()),
            Resolution::Publication
        )
    );
    // «مساء البارحة الثلاثاء» without a publication date or an earlier date: unresolved.
    assert_eq!(
        one(
            "أكدت الوزارة في بيان لاحق، مساء البارحة الثلاثاء، أن الوزير اتصل بنظيره",
            None
        ),
        ("مساء البارحة الثلاثاء".into(), None, Resolution::Unresolved)
    );
    // «أمس الثلاثاء» is the Tuesday on or before the anchor (7 Feb 2024 was a Wednesday).
    assert_eq!(
        value("قال أمس الثلاثاء إن", Some(d(2024, 2, 7))).as_deref(),
        Some("2024-02-06")
    );
    // With a narrative anchor only.
    let found = times("في 3 مارس 2024 وصل الوفد، وغادر أول أمس", None);
    assert_eq!(
        found[1],
        (
            "أول أمس".into(),
            Some("2024-03-01".into()),
            Resolution::Narrative
        )
    );
    // «وبالأمس» behind clitics.
    assert_eq!(
        value("وبالأمس أعلنت الحكومة", Some(d(2024, 2, 7))).as_deref(),
        Some("2024-02-06")
    );
}

#[test]
fn weekdays_past_and_next() {
    let friday = Some(d(2024, 2, 9));
    // News reports the past: a bare weekday is the latest one on or before the anchor.
    assert_eq!(
        value("أعلنت بغداد، الخميس، أن المحادثات ستستأنف", friday).as_deref(),
        Some("2024-02-08")
    );
    assert_eq!(
        one("علقت الخارجية مساء الثلاثاء على التصريح", friday),
        (
            "مساء الثلاثاء".into(),
            Some("2024-02-06".into()),
            Resolution::Publication
        )
    );
    assert_eq!(
        value("نفذ الجيش ضربات يوم الجمعة الماضي", friday).as_deref(),
        Some("2024-02-02")
    );
    // «الماضي» is strictly before: on a Friday, «الخميس الماضي» is the day before.
    assert_eq!(
        value("وقال الخميس الماضي إن", friday).as_deref(),
        Some("2024-02-08")
    );
    // «الأحد المقبل» is the next Sunday.
    assert_eq!(
        value("يزور الوزير واشنطن الأحد المقبل", friday).as_deref(),
        Some("2024-02-11")
    );
    // A verb of something to come before a bare weekday: «ستعقد الاثنين».
    assert_eq!(
        value("اللجنة ستعقد الاثنين اجتماعها", friday).as_deref(),
        Some("2024-02-12")
    );
    // «يوم الاثنين المقبل» with the day word.
    assert_eq!(
        one("سيناقش الملف يوم الاثنين المقبل", friday).0,
        "يوم الاثنين المقبل"
    );
}

#[test]
fn relative_months_and_years() {
    let published = Some(d(2024, 1, 10));
    assert_eq!(
        value("ارتفعت الهجمات الشهر الماضي", published).as_deref(),
        Some("2023-12")
    );
    assert_eq!(
        value("وصلت التعزيزات العام الماضي", published).as_deref(),
        Some("2023")
    );
    assert_eq!(
        value("ستنتهي المهمة مطلع العام المقبل", published).as_deref(),
        Some("2025")
    );
    // «الأسبوع الماضي» keeps the precision its days share (28 Dec – 3 Jan: none).
    assert_eq!(one("زار الوفد بغداد الأسبوع الماضي", published).1, None);
    assert_eq!(
        value("زار الوفد بغداد الأسبوع الماضي", Some(d(2024, 1, 20))).as_deref(),
        Some("2024-01")
    );
}

#[test]
fn day_after_an_expression() {
    // «غداة 7 أكتوبر 2023» is the 8th; «غداة إعلان …» names an event, not a date.
    let found = times(
        "وجاء الهجوم غداة 7 أكتوبر 2023 وجاء التصريح غداة إعلان واشنطن",
        None,
    );
    assert_eq!(
        found[0],
        (
            "غداة 7 أكتوبر 2023".into(),
            Some("2023-10-08".into()),
            Resolution::Narrative
        )
    );
    assert_eq!(found[1], ("غداة".into(), None, Resolution::Unresolved));
}

#[test]
fn earlier_is_recognised_but_unresolved() {
    // «في وقت سابق» means «earlier»: not the publication day.
    let n = Normalized::new("وفي وقت سابق قال رئيس الوزراء إن حكومته تراجع العلاقة");
    let found = find_times(&n.text.clone(), &n, lexicon(), Some(d(2023, 9, 26)));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, TimeKind::Vague);
    assert_eq!(found[0].value, None);
    assert_eq!(found[0].resolution, Resolution::Unresolved);
}

#[test]
fn unresolved_without_any_anchor() {
    // No publication date, no date earlier in the text: relative words stay without value.
    for text in [
        "قال الوزير أمس إن",
        "وأعلنت الوزارة الأحد",
        "ارتفعت الهجمات الشهر الماضي",
    ] {
        let (_, value, resolution) = one(text, None);
        assert_eq!(
            (value, resolution),
            (None, Resolution::Unresolved),
            "{text}"
        );
    }
}

#[test]
fn offsets_are_in_the_original_text_through_diacritics() {
    // «أمسِ» with a kasra, tatweel in «الخميـــس».
    let text = "قال أمسِ إن اجتماع الخميـــس المقبل مهم";
    let found = times(text, Some(d(2024, 2, 9)));
    assert_eq!(found[0].0, "أمس");
    assert_eq!(found[1].0, "الخميـــس المقبل");
}

fn dateline_of(text: &str) -> Option<(NaiveDate, String)> {
    let n = Normalized::new(text);
    dateline(text, &n, lexicon())
        .map(|(date, s, e)| (date, text.chars().skip(s).take(e - s).collect()))
}

#[test]
fn datelines_of_each_form() {
    assert_eq!(
        dateline_of("14-مارس-2024\nالبهادلي يستقبل الوفد"),
        Some((d(2024, 3, 14), "14-مارس-2024".into()))
    );
    assert_eq!(
        dateline_of("عنوان الخبر\nتاريخ النشر: 3rd, March 2024 GMT\nنص الخبر"),
        Some((d(2024, 3, 3), "3rd, March 2024".into()))
    );
    assert_eq!(
        dateline_of("الوزير يزور أنقرة\nالأحد 3 مارس 2024\nوصل الوزير"),
        Some((d(2024, 3, 3), "الأحد 3 مارس 2024".into()))
    );
    assert_eq!(
        dateline_of("2024-03-03T08:15:00Z\nنص").map(|x| x.0),
        Some(d(2024, 3, 3))
    );
    assert_eq!(
        dateline_of("بغداد - 3 آذار 2024 - أعلنت الحكومة أن").map(|x| x.0),
        Some(d(2024, 3, 3))
    );
    // Update cue after the text.
    assert_eq!(
        dateline_of("نص الخبر\n\n\n\nسطر\nآخر تحديث: 4 مارس 2024").map(|x| x.0),
        Some(d(2024, 3, 4))
    );
    // A publication cue wins over an update cue.
    assert_eq!(
        dateline_of("آخر تحديث: 5 مارس 2024\nنشر في: 4 مارس 2024").map(|x| x.0),
        Some(d(2024, 3, 4))
    );
}

#[test]
fn body_dates_are_not_datelines() {
    // A date inside a sentence, even in the first line, is an event date.
    assert_eq!(
        dateline_of("في 9 ديسمبر 2021، أعلنت واشنطن انتهاء المهمة القتالية"),
        None
    );
    assert_eq!(
        dateline_of("عنوان\nسطر\nسطر\nوصل الوفد\n\n9 ديسمبر 2021"),
        None
    );
    assert_eq!(dateline_of("القاهرة: «خليجيون»\nنص"), None);
    // A headline that names a date.
    assert_eq!(
        dateline_of("العراق يعلن 11 فبراير 2024 موعدا لاستئناف المحادثات\nنص"),
        None
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn check(text: &str) {
        let n = Normalized::new(text);
        let len = text.chars().count();
        let lex = lexicon();
        for published in [None, NaiveDate::from_ymd_opt(2024, 2, 9)] {
            for m in find_times(text, &n, lex, published) {
                assert!(m.start < m.end && m.end <= len, "{m:?} in {text:?}");
            }
        }
        if let Some((_, s, e)) = dateline(text, &n, lex) {
            assert!(s <= e && e <= len);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            check(&text);
        }

        // Strings made of time words, digits and separators reach deep into the grammar.
        #[test]
        fn time_word_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
            Just("5"), Just("31"), Just("2024"), Just("٢٩"), Just("0"), Just("99999999999"),
            Just(" "), Just("-"), Just("/"), Just("\n"), Just("،"), Just("("), Just(")"), Just("th, "),
            Just("من"), Just("فبراير"), Just("كانون الثاني"), Just("آب"), Just("الماضي"),
            Just("المقبل"), Just("الأحد"), Just("الاثنين"), Just("أمس"), Just("غداة"), Just("يوم"),
            Just("مساء"), Just("مطلع"), Just("عام"), Just("الحادي والثلاثين"), Just("الموافق"),
            Just("في اليوم نفسه"), Just("تاريخ النشر:"), Just("ـ"), Just("ِ"), Just("لل"), Just("و"),
        ], 0..24)) {
            check(&parts.concat());
        }
    }
}

/// Seeds: a few expectations from /work/main/seeds, read the way the extractor reads them.
mod seeds {
    use super::*;

    fn seed(prefix: &str) -> Option<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let entry = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().starts_with(prefix))?;
        std::fs::read_to_string(entry.path()).ok()
    }

    #[test]
    fn seed_datelines() {
        let Some(text) = seed("003_") else { return };
        assert_eq!(dateline_of(&text).map(|x| x.0), Some(d(2023, 9, 26)));
        let Some(text) = seed("004_") else { return };
        assert_eq!(
            dateline_of(&text),
            Some((d(2024, 2, 9), "9th, February 2024".into()))
        );
        for prefix in ["000_", "001_", "002_"] {
            if let Some(text) = seed(prefix) {
                assert_eq!(dateline_of(&text), None, "{prefix}");
            }
        }
    }

    #[test]
    fn seed_000_narrative_january() {
        let Some(text) = seed("000_") else { return };
        let found = times(&text, None);
        let get = |covered: &str| {
            found
                .iter()
                .find(|(c, ..)| c.contains(covered))
                .map(|(_, v, r)| (v.clone(), *r))
        };
        assert_eq!(
            get("الخامس من يناير"),
            Some((Some("2024-01-05".into()), Resolution::Narrative))
        );
        assert_eq!(
            get("الثامن من يناير"),
            Some((Some("2024-01-08".into()), Resolution::Narrative))
        );
        assert_eq!(
            get("الرابع من يناير"),
            Some((Some("2024-01-04".into()), Resolution::Narrative))
        );
        assert_eq!(
            get("اليوم نفسه"),
            Some((Some("2024-01-04".into()), Resolution::Narrative))
        );
        assert_eq!(
            get("مارس/آذار 2020"),
            Some((Some("2020-03".into()), Resolution::Explicit))
        );
    }

    #[test]
    fn seed_004_weekdays_against_its_dateline() {
        let Some(text) = seed("004_") else { return };
        let published = dateline_of(&text).map(|x| x.0);
        let found = times(&text, published);
        let first = |covered: &str| {
            found
                .iter()
                .find(|(c, ..)| c == covered)
                .and_then(|x| x.1.clone())
        };
        assert_eq!(first("الخميس").as_deref(), Some("2024-02-08"));
        assert_eq!(first("الأربعاء").as_deref(), Some("2024-02-07"));
        assert_eq!(first("أكتوبر الماضي").as_deref(), Some("2023-10"));
    }
}
