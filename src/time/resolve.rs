//! Resolving scanned expressions to dates: the anchor rules.
//!
//! Input: the [`Raw`] expressions of one text in order and the publication date if known.
//! Output: for each, a [`DateValue`] (or none) and the [`Resolution`] that says how it was
//! reached. The rules (ARCHITECTURE / `docs/time.md` repeat them):
//!
//! - A full date, a month with its year, a year are `Explicit`; explicit days and months become
//!   the narrative anchor. An explicit year anchors only year-level expressions («العام
//!   الماضي»), and only when it moves the narrative forward: a background «منذ عام 2014» must
//!   not turn a later «في نوفمبر» into November 2014.
//! - Relative and year-less expressions take the publication date when given (`Publication`),
//!   else the narrative anchor (`Narrative`), else stay `Unresolved` with no value.
//! - Day-level expressions (أمس, weekdays, «الأسبوع الماضي») need a day anchor; a month-level
//!   explicit date anchors only month- and year-level expressions.
//! - A year-less day or month takes the anchor's year, then moves by a year to fall in a window
//!   around the anchor: publication date − 10 months … + 2 months (news reports the past), or
//!   narrative anchor − 2 months … + 10 months (a narrative moves forward: «7 تشرين الأول 2023
//!   … 5 كانون الثاني» is 5 January 2024). «الماضي»/«المقبل» pick the last one before / the
//!   next one after the anchor instead.
//! - With no anchor before it, a year-less day or month (without «الماضي»/«المقبل», and not
//!   after an explicit year) uses the latest explicit full date of the whole text as narrative
//!   anchor: an article is written after every date it states, so that date bounds the
//!   narrative time from below.
//! - «في اليوم نفسه» is the latest day resolved so far.

use super::lexicon::Direction;
use super::scan::{Form, Raw, WeekdayWay};
use crate::dates::DateValue;
use crate::model::Resolution;
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Days of slack after (publication) or before (narrative) the anchor for a year-less date.
const SLACK_DAYS: i64 = 61;
/// The same slack in months, for a month without a year.
const SLACK_MONTHS: i32 = 2;

/// The resolved value of one expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Resolved {
    pub value: Option<DateValue>,
    pub resolution: Resolution,
}

const UNRESOLVED: Resolved = Resolved {
    value: None,
    resolution: Resolution::Unresolved,
};

/// Walks the expressions in text order, keeping the anchors.
pub(crate) struct Resolver {
    published: Option<NaiveDate>,
    /// The latest explicit day or month.
    explicit: Option<DateValue>,
    /// The latest explicit year, when later in the text than `explicit` and after its year;
    /// anchors only year-level expressions.
    explicit_year: Option<i32>,
    /// The latest day resolved by any rule («في اليوم نفسه»).
    last_day: Option<NaiveDate>,
    /// The latest explicit full date of the whole text (fallback anchor).
    document_day: Option<NaiveDate>,
}

impl Resolver {
    /// `anchors[i]` says whether `raws[i]` may anchor later expressions (deadlines may not).
    pub fn new(raws: &[Raw], anchors: &[bool], published: Option<NaiveDate>) -> Self {
        let document_day = raws
            .iter()
            .zip(anchors)
            .filter(|(_, &anchor)| anchor)
            .filter_map(|(r, _)| match r.form {
                Form::Full(d) => Some(d),
                _ => None,
            })
            .max();
        Resolver {
            published,
            explicit: None,
            explicit_year: None,
            last_day: None,
            document_day,
        }
    }

    /// Resolves the next expression and, when it may `anchor` (it is not a deadline), updates
    /// the anchors.
    pub fn resolve(&mut self, form: &Form, anchor: bool) -> Resolved {
        let resolved = self.value_of(form);
        if !anchor {
            return resolved;
        }
        if resolved.resolution == Resolution::Explicit {
            match resolved.value {
                Some(DateValue::Year(y)) if self.explicit.is_none_or(|e| y > year_of(e)) => {
                    self.explicit_year = Some(y);
                }
                Some(DateValue::Year(_)) => {}
                Some(value) => {
                    self.explicit = Some(value);
                    self.explicit_year = None;
                }
                None => {}
            }
        }
        if let Some(DateValue::Day(d)) = resolved.value {
            self.last_day = Some(d);
        }
        resolved
    }

    fn day_anchor(&self) -> Option<(NaiveDate, Resolution)> {
        match (self.published, self.explicit) {
            (Some(p), _) => Some((p, Resolution::Publication)),
            (None, Some(DateValue::Day(d))) => Some((d, Resolution::Narrative)),
            _ => None,
        }
    }

    /// A month-level anchor: (year, month) of the publication date or the latest explicit
    /// day or month.
    fn month_anchor(&self) -> Option<((i32, u32), Resolution)> {
        if let Some(p) = self.published {
            return Some(((p.year(), p.month()), Resolution::Publication));
        }
        match self.explicit {
            Some(DateValue::Day(d)) => Some(((d.year(), d.month()), Resolution::Narrative)),
            Some(DateValue::Month(y, m)) => Some(((y, m), Resolution::Narrative)),
            _ => None,
        }
    }

    fn year_anchor(&self) -> Option<(i32, Resolution)> {
        if let Some(p) = self.published {
            return Some((p.year(), Resolution::Publication));
        }
        if let Some(y) = self.explicit_year {
            return Some((y, Resolution::Narrative));
        }
        self.explicit.map(|e| (year_of(e), Resolution::Narrative))
    }

    fn value_of(&self, form: &Form) -> Resolved {
        let done = |value: Option<DateValue>, resolution| match value {
            Some(v) => Resolved {
                value: Some(v),
                resolution,
            },
            None => UNRESOLVED,
        };
        match form {
            Form::Full(d) => done(Some(DateValue::Day(*d)), Resolution::Explicit),
            Form::MonthYear(y, m) => done(Some(DateValue::Month(*y, *m)), Resolution::Explicit),
            Form::Year(y) => done(Some(DateValue::Year(*y)), Resolution::Explicit),
            Form::DayMonth {
                day,
                month,
                direction,
            } => self.day_month(*day, *month, *direction),
            Form::Month { month, direction } => self.month(*month, *direction),
            Form::RelativeDay { offset, weekday } => {
                let Some((anchor, resolution)) = self.day_anchor() else {
                    return UNRESOLVED;
                };
                let day = match weekday {
                    // «أمس الثلاثاء»: the weekday decides, in the word's direction (a
                    // publication date a day off still gives the right Tuesday).
                    Some(w) => {
                        let way = match offset {
                            o if *o < 0 => WeekdayWay::OnOrBefore,
                            0 => WeekdayWay::Nearest,
                            _ => WeekdayWay::OnOrAfter,
                        };
                        Some(weekday_from(anchor, *w, way))
                    }
                    None => add_days(anchor, i64::from(*offset)),
                };
                done(day.map(DateValue::Day), resolution)
            }
            Form::Weekday { day, way } => match self.day_anchor() {
                Some((anchor, resolution)) => done(
                    Some(DateValue::Day(weekday_from(anchor, *day, *way))),
                    resolution,
                ),
                None => UNRESOLVED,
            },
            Form::SameDay(offset) => done(
                self.last_day
                    .and_then(|d| add_days(d, i64::from(*offset)))
                    .map(DateValue::Day),
                Resolution::Narrative,
            ),
            Form::Week(offset) => match self.day_anchor() {
                Some((anchor, resolution)) => done(week(anchor, *offset), resolution),
                None => UNRESOLVED,
            },
            Form::RelativeMonth(offset) => match self.month_anchor() {
                Some(((y, m), resolution)) => {
                    let (y, m) = month_add(y, m, *offset);
                    done(Some(DateValue::Month(y, m)), resolution)
                }
                None => UNRESOLVED,
            },
            Form::DayOfMonth { day, offset } => match self.month_anchor() {
                Some(((y, m), resolution)) => {
                    let (y, m) = month_add(y, m, *offset);
                    done(
                        NaiveDate::from_ymd_opt(y, m, *day).map(DateValue::Day),
                        resolution,
                    )
                }
                None => UNRESOLVED,
            },
            Form::RelativeYear(offset) => match self.year_anchor() {
                Some((y, resolution)) => done(Some(DateValue::Year(y + offset)), resolution),
                None => UNRESOLVED,
            },
            Form::DayAfter { offset, of } => {
                let Some(of) = of else { return UNRESOLVED };
                let inner = self.value_of(of);
                match inner.value {
                    Some(DateValue::Day(d)) => {
                        // «غداة 7 أكتوبر 2023» is itself relative to an explicit day.
                        let resolution = match inner.resolution {
                            Resolution::Explicit => Resolution::Narrative,
                            other => other,
                        };
                        done(
                            add_days(d, i64::from(*offset)).map(DateValue::Day),
                            resolution,
                        )
                    }
                    _ => UNRESOLVED,
                }
            }
            Form::Vague | Form::Impossible => UNRESOLVED,
        }
    }

    /// «الخامس من يناير», «25 ديسمبر الماضي»: a day and month without a year.
    fn day_month(&self, day: u32, month: u32, direction: Option<Direction>) -> Resolved {
        let on = |y: i32| NaiveDate::from_ymd_opt(y, month, day);
        // The anchor day and whether it is a publication (upper bound) or narrative one.
        let anchor = if let Some(p) = self.published {
            Some((p, Resolution::Publication))
        } else {
            match self.explicit {
                Some(DateValue::Day(d)) => Some((d, Resolution::Narrative)),
                Some(DateValue::Month(y, m)) => {
                    NaiveDate::from_ymd_opt(y, m, 1).map(|d| (d, Resolution::Narrative))
                }
                _ if direction.is_none() && self.explicit_year.is_none() => {
                    self.document_day.map(|d| (d, Resolution::Narrative))
                }
                _ => None,
            }
        };
        let Some((anchor, resolution)) = anchor else {
            return UNRESOLVED;
        };
        let y = anchor.year();
        let date = match direction {
            // The latest such day on or before the anchor (a Feb 29 looks back further).
            Some(Direction::Past) => (0..8).filter_map(|k| on(y - k)).find(|d| *d <= anchor),
            Some(Direction::Future) => (0..8).filter_map(|k| on(y + k)).find(|d| *d >= anchor),
            _ => match on(y) {
                Some(d) if resolution == Resolution::Publication => {
                    if (d - anchor).num_days() > SLACK_DAYS {
                        on(y - 1)
                    } else {
                        Some(d)
                    }
                }
                Some(d) => {
                    if (anchor - d).num_days() > SLACK_DAYS {
                        on(y + 1)
                    } else {
                        Some(d)
                    }
                }
                // 29 February outside a leap year.
                None => None,
            },
        };
        match date {
            Some(d) => Resolved {
                value: Some(DateValue::Day(d)),
                resolution,
            },
            None => UNRESOLVED,
        }
    }

    /// «في ديسمبر», «ديسمبر الماضي», «أكتوبر المقبل»: a month without a year.
    fn month(&self, month: u32, direction: Option<Direction>) -> Resolved {
        let index = |y: i32, m: u32| y * 12 + m as i32 - 1;
        let anchor = match self.month_anchor() {
            Some(a) => Some(a),
            None if direction.is_none() && self.explicit_year.is_none() => self
                .document_day
                .map(|d| ((d.year(), d.month()), Resolution::Narrative)),
            None => None,
        };
        let Some(((ay, am), resolution)) = anchor else {
            return UNRESOLVED;
        };
        let a = index(ay, am);
        let here = index(ay, month);
        let y = match direction {
            Some(Direction::Past) => {
                if here < a {
                    ay
                } else {
                    ay - 1
                }
            }
            Some(Direction::Future) => {
                if here > a {
                    ay
                } else {
                    ay + 1
                }
            }
            Some(Direction::Current) => ay,
            None if resolution == Resolution::Publication => {
                if here - a > SLACK_MONTHS {
                    ay - 1
                } else {
                    ay
                }
            }
            None => {
                if a - here > SLACK_MONTHS {
                    ay + 1
                } else {
                    ay
                }
            }
        };
        Resolved {
            value: Some(DateValue::Month(y, month)),
            resolution,
        }
    }
}

fn year_of(value: DateValue) -> i32 {
    match value {
        DateValue::Year(y) | DateValue::Month(y, _) => y,
        DateValue::Day(d) => d.year(),
    }
}

fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

fn month_add(y: i32, m: u32, offset: i32) -> (i32, u32) {
    let index = y * 12 + m as i32 - 1 + offset;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

/// The `day` seen from `anchor` in the given way.
pub(crate) fn weekday_from(anchor: NaiveDate, day: Weekday, way: WeekdayWay) -> NaiveDate {
    let back = (7 + anchor.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
    let forward = (7 - back) % 7;
    let offset = match way {
        WeekdayWay::OnOrBefore => -i64::from(back),
        WeekdayWay::OnOrAfter => i64::from(forward),
        WeekdayWay::Before => -i64::from(if back == 0 { 7 } else { back }),
        WeekdayWay::After => i64::from(if forward == 0 { 7 } else { forward }),
        WeekdayWay::Nearest => {
            if back <= 3 {
                -i64::from(back)
            } else {
                i64::from(forward)
            }
        }
    };
    add_days(anchor, offset).unwrap_or(anchor)
}

/// The week `offset` weeks from the anchor's week (weeks start on Saturday, as in most of the
/// Arab world), at the precision its seven days share: their month, else their year.
fn week(anchor: NaiveDate, offset: i32) -> Option<DateValue> {
    let since_saturday = (anchor.weekday().num_days_from_monday() + 2) % 7;
    let first = add_days(anchor, 7 * i64::from(offset) - i64::from(since_saturday))?;
    let last = add_days(first, 6)?;
    if (first.year(), first.month()) == (last.year(), last.month()) {
        Some(DateValue::Month(first.year(), first.month()))
    } else if first.year() == last.year() {
        Some(DateValue::Year(first.year()))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekday_ways() {
        // 2024-02-09 was a Friday.
        let friday = d(2024, 2, 9);
        assert_eq!(
            weekday_from(friday, Weekday::Thu, WeekdayWay::OnOrBefore),
            d(2024, 2, 8)
        );
        assert_eq!(
            weekday_from(friday, Weekday::Fri, WeekdayWay::OnOrBefore),
            friday
        );
        assert_eq!(
            weekday_from(friday, Weekday::Fri, WeekdayWay::Before),
            d(2024, 2, 2)
        );
        assert_eq!(
            weekday_from(friday, Weekday::Sun, WeekdayWay::After),
            d(2024, 2, 11)
        );
        assert_eq!(
            weekday_from(friday, Weekday::Mon, WeekdayWay::OnOrAfter),
            d(2024, 2, 12)
        );
        assert_eq!(
            weekday_from(friday, Weekday::Sat, WeekdayWay::Nearest),
            d(2024, 2, 10)
        );
    }

    #[test]
    fn weeks_keep_the_precision_their_days_share() {
        // Friday 9 Feb 2024: last week is Sat 27 Jan – Fri 2 Feb, across two months.
        assert_eq!(week(d(2024, 2, 9), -1), Some(DateValue::Year(2024)));
        assert_eq!(week(d(2024, 2, 20), -1), Some(DateValue::Month(2024, 2)));
        assert_eq!(week(d(2024, 1, 2), -1), Some(DateValue::Month(2023, 12)));
        // Monday 8 Jan 2024: last week is 30 Dec – 5 Jan, across two years.
        assert_eq!(week(d(2024, 1, 8), -1), None);
    }

    #[test]
    fn months_wrap_years() {
        assert_eq!(month_add(2024, 1, -1), (2023, 12));
        assert_eq!(month_add(2023, 12, 1), (2024, 1));
    }

    #[test]
    fn impossible_day_months_are_dropped() {
        // «29 فبراير» in 2023 does not exist; the window rule must not panic.
        let raws = [];
        let resolver = Resolver::new(&raws, &[], Some(d(2023, 3, 1)));
        assert_eq!(resolver.day_month(29, 2, None), UNRESOLVED);
        assert_eq!(
            resolver.day_month(29, 2, Some(Direction::Past)).value,
            Some(DateValue::Day(d(2020, 2, 29)))
        );
    }
}
