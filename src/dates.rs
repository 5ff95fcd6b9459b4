//! Dates of known precision: the ISO lexical forms `YYYY-MM-DD`, `YYYY-MM` and `YYYY` that the
//! interchange format uses and that map to `xsd:date`, `xsd:gYearMonth` and `xsd:gYear`.

use crate::model::Precision;
use chrono::NaiveDate;

/// A date known to a day, a month or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateValue {
    Year(i32),
    Month(i32, u32),
    Day(NaiveDate),
}

impl DateValue {
    pub fn precision(self) -> Precision {
        match self {
            DateValue::Year(_) => Precision::Year,
            DateValue::Month(..) => Precision::Month,
            DateValue::Day(_) => Precision::Day,
        }
    }

    /// The ISO lexical form of the known precision.
    pub fn iso(self) -> String {
        match self {
            DateValue::Year(y) => format!("{y:04}"),
            DateValue::Month(y, m) => format!("{y:04}-{m:02}"),
            DateValue::Day(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// The XML Schema datatype local name for this precision.
    pub fn xsd_type(self) -> &'static str {
        match self {
            DateValue::Year(_) => "gYear",
            DateValue::Month(..) => "gYearMonth",
            DateValue::Day(_) => "date",
        }
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; `None` for anything else or an impossible date.
pub fn parse_iso(value: &str) -> Option<DateValue> {
    let parts: Vec<&str> = value.split('-').collect();
    let num = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] => Some(DateValue::Year(num(y, 4)? as i32)),
        [y, m] => {
            let m = num(m, 2)?;
            (1..=12)
                .contains(&m)
                .then_some(DateValue::Month(num(y, 4)? as i32, m))
        }
        [y, m, d] => {
            NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?).map(DateValue::Day)
        }
        _ => None,
    }
}

/// Reads a publication date from metadata: an ISO date, or the date part of an ISO date-time
/// (`2024-02-09T10:30:00Z`).
pub fn parse_published(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    let date = value.get(..10).unwrap_or(value);
    match parse_iso(date)? {
        DateValue::Day(d) => Some(d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms_keep_their_precision() {
        assert_eq!(
            parse_iso("2024").map(DateValue::iso).as_deref(),
            Some("2024")
        );
        assert_eq!(parse_iso("2024-01").unwrap().xsd_type(), "gYearMonth");
        assert_eq!(parse_iso("2024-01-05").unwrap().iso(), "2024-01-05");
        assert_eq!(parse_iso("2024-02-30"), None);
        assert_eq!(parse_iso("2024-13"), None);
        assert_eq!(parse_iso("24-01-05"), None);
    }

    #[test]
    fn published_accepts_date_times() {
        assert_eq!(
            parse_published("2024-02-09T10:30:00Z"),
            NaiveDate::from_ymd_opt(2024, 2, 9)
        );
        assert_eq!(parse_published("February 2024"), None);
    }
}
