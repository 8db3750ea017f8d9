//! [`Timestamp`]: the one type every date and date-time of the spec maps to.
//!
//! Partoo's dates come in many shapes, often for the same kind of field: RFC 3339 (`2017-08-01T19:15:54.256+02:00`,
//! `…Z`), a space instead of `T` (`2023-01-31 16:22:17.327878+00:00`), an hour-only offset (`…+00`), naive times
//! taken as UTC (`2017-08-01T00:00:00`), epoch seconds or milliseconds as numbers or digits (`1409925979.5`,
//! `1615299414`, `1700000000000`), plain dates (`2025-01-01`) and day-first dates (`05-11-2021`). A JSON number
//! and text of the same digits always read the same; other digit runs (`20250101`) are left unparsed (see
//! [`Timestamp::to_utc`]). A strict `chrono::DateTime` field would make the whole
//! response fail on the first odd one. `Timestamp` always decodes, keeps what was sent (so it re-serializes
//! unchanged), and parses on demand. Text is kept exactly; a number as serde_json holds it: integers exactly,
//! a number with a fraction as an `f64`, whose 15 to 17 significant digits cover Partoo's microsecond epochs
//! (`1561335111.681374`) but not longer ones, unless serde_json's `arbitrary_precision` feature is on.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date or point in time as Partoo sent it (or as you built it), with lenient parsing.
///
/// ```
/// use partoo_api::Timestamp;
/// let t: Timestamp = serde_json::from_str("\"2019-08-22 11:46:38.914467+00\"").unwrap();
/// assert_eq!(t.to_utc().unwrap().to_rfc3339(), "2019-08-22T11:46:38.914467+00:00");
/// let epoch: Timestamp = serde_json::from_str("1615299414").unwrap();
/// assert_eq!(epoch.to_utc().unwrap().to_rfc3339(), "2021-03-09T14:16:54+00:00");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Timestamp {
    raw: Raw,
}

#[derive(Clone, Debug, PartialEq)]
enum Raw {
    Text(String),
    Number(serde_json::Number),
}

impl Timestamp {
    /// The value exactly as received, as text (numbers in their JSON form).
    pub fn raw(&self) -> String {
        match &self.raw {
            Raw::Text(s) => s.clone(),
            Raw::Number(n) => n.to_string(),
        }
    }

    /// A plain date, e.g. for `opening_date`.
    pub fn from_date(date: NaiveDate) -> Self {
        Self {
            raw: Raw::Text(date.format("%Y-%m-%d").to_string()),
        }
    }

    /// The point in time with the offset Partoo gave (UTC for naive values, dates and epochs), or `None` when
    /// the text is in no form we know.
    pub fn to_fixed_offset(&self) -> Option<DateTime<FixedOffset>> {
        match &self.raw {
            // As text of the same digits: `1700000000000` is milliseconds, not seconds of year 55,840.
            Raw::Number(n) => parse_epoch(&n.to_string()),
            Raw::Text(s) => parse_text(s.trim()),
        }
    }

    /// The point in time in UTC, or `None` when the value is in no form we know or could be read two ways.
    ///
    /// Accepted forms:
    /// - RFC 3339: `2017-08-01T19:15:54.256+02:00`, `2024-11-27T16:10:44Z`;
    /// - the same with a space for `T` (`2023-01-31 16:22:17.327878+00:00`), an hour-only offset (`…+00`) or
    ///   an offset without colon (`…+0200`);
    /// - naive date-times, taken as UTC: `2017-08-01T00:00:00`, `2017-08-01T09:30`;
    /// - dates, at midnight UTC: `2025-01-01`, day first `05-11-2021` and `05/11/2021`;
    /// - in every form above the year has four digits: `05-11-21` gives `None`, not a day of year 5 or 21;
    /// - epoch values, as a JSON number or as text, read the same either way (`1615299414` and `"1615299414"`
    ///   agree), told apart by size: a whole part from 1,000,000,000 to 9,999,999,999 (ten digits) is
    ///   **seconds** (`1615299414`, `1409925979.5`), one from 1,000,000,000,000 to 9,999,999,999,999
    ///   (thirteen digits) is **milliseconds** (`1700000000000`, `1700000000000.5`); both cover
    ///   2001-09-09 to 2286-11-20.
    ///
    /// Any other run of digits, number or text (`20250101`, `0`, `-3`, `1.5`, sixteen-digit microseconds),
    /// gives `None`: it may be a compact date, and reading it as an epoch would give a day of 1970 or a year
    /// past 50,000. [`Self::raw`] still has it.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        self.to_fixed_offset().map(|t| t.with_timezone(&Utc))
    }

    /// The calendar date (in the value's own offset).
    pub fn date(&self) -> Option<NaiveDate> {
        self.to_fixed_offset().map(|t| t.date_naive())
    }
}

fn utc() -> FixedOffset {
    Utc.fix()
}

/// Whether `s` has four ASCII digits at byte `at` and, when they are not at the start, a `-` or `/` before them.
fn year_at(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    let digits = b
        .get(at..at + 4)
        .is_some_and(|y| y.iter().all(u8::is_ascii_digit));
    digits && (at == 0 || matches!(b.get(at - 1), Some(b'-' | b'/')))
}

/// Seconds from 1,000,000,000 (2001-09-09) up to this bound (2286-11-20, exclusive) are epoch seconds.
const SECONDS: std::ops::Range<u64> = 1_000_000_000..10_000_000_000;
/// The same range in milliseconds.
const MILLIS: std::ops::Range<u64> = 1_000_000_000_000..10_000_000_000_000;

/// Epoch seconds or milliseconds written as digits with an optional fraction (`1615299414`,
/// `1409925979.5`, `1700000000000`), told apart by [`SECONDS`] and [`MILLIS`]; `None` for anything else.
/// The fraction is read digit by digit (to the nanosecond), not through `f64`.
fn parse_epoch(s: &str) -> Option<DateTime<FixedOffset>> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    let value: u64 = whole.parse().ok()?;
    // Nanoseconds in one unit of `whole`, and the whole part as seconds plus nanoseconds.
    let (unit_nanos, secs, mut nanos) = if SECONDS.contains(&value) {
        (1_000_000_000u64, value, 0u64)
    } else if MILLIS.contains(&value) {
        (1_000_000, value / 1000, (value % 1000) * 1_000_000)
    } else {
        return None;
    };
    // The fraction of one unit, to the nanosecond: `.5` of a second is 500,000,000 ns, of a millisecond 500,000.
    let mut scale = unit_nanos;
    for b in fraction.bytes() {
        scale /= 10;
        if scale == 0 {
            break;
        }
        nanos += u64::from(b - b'0') * scale;
    }
    Utc.timestamp_opt(i64::try_from(secs).ok()?, u32::try_from(nanos).ok()?)
        .single()
        .map(|t| t.fixed_offset())
}

fn parse_text(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    // Space separator → `T`.
    let mut normal = s.to_owned();
    if normal.len() > 10 && normal.as_bytes()[10] == b' ' {
        normal.replace_range(10..11, "T");
    }
    // Hour-only offset (`+00`, `-05`) → `+00:00`.
    let b = normal.as_bytes();
    if normal.len() > 19
        && b.len() >= 3
        && matches!(b[b.len() - 3], b'+' | b'-')
        && b[b.len() - 2..].iter().all(u8::is_ascii_digit)
    {
        normal.push_str(":00");
    }
    // Offset without a colon (`+0200`) → `+02:00`.
    let b = normal.as_bytes();
    if normal.len() > 19
        && b.len() >= 5
        && matches!(b[b.len() - 5], b'+' | b'-')
        && b[b.len() - 4..].iter().all(u8::is_ascii_digit)
    {
        normal.insert(normal.len() - 2, ':');
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&normal) {
        return Some(t);
    }
    // chrono's `%Y` takes one to four digits, so each format runs only where the year has all four:
    // `05-11-21` is no date of year 5 or 21.
    let year_first = year_at(s, 0) && s.as_bytes().get(4) == Some(&b'-');
    let day_first = s.len() >= 5 && year_at(s, s.len() - 4);
    if year_first {
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(&normal, fmt) {
                return Some(utc().from_utc_datetime(&t));
            }
        }
    }
    let dates: &[&str] = match (year_first, day_first) {
        (true, _) => &["%Y-%m-%d"],
        (false, true) => &["%d-%m-%Y", "%d/%m/%Y"],
        (false, false) => &[],
    };
    for fmt in dates {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(utc().from_utc_datetime(&d.and_time(NaiveTime::MIN)));
        }
    }
    parse_epoch(s)
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    /// RFC 3339 with the value's offset.
    fn from(t: DateTime<Tz>) -> Self {
        Self {
            raw: Raw::Text(t.fixed_offset().to_rfc3339()),
        }
    }
}

impl From<NaiveDate> for Timestamp {
    fn from(d: NaiveDate) -> Self {
        Self::from_date(d)
    }
}

impl fmt::Display for Timestamp {
    /// The raw value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            Raw::Text(s) => f.write_str(s),
            Raw::Number(n) => write!(f, "{n}"),
        }
    }
}

impl std::str::FromStr for Timestamp {
    type Err = std::convert::Infallible;
    /// Keeps any text; parsing happens on demand.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self {
            raw: Raw::Text(s.to_owned()),
        })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.raw {
            Raw::Text(s) => serializer.serialize_str(s),
            Raw::Number(n) => n.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// A JSON string or number, read directly (no buffering, no failed attempt per value).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }
}

struct TimestampVisitor;

impl<'de> serde::de::Visitor<'de> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date or date-time string, or epoch seconds or milliseconds as a number")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Ok(Timestamp {
            raw: Raw::Text(v.to_owned()),
        })
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Timestamp, E> {
        Ok(Timestamp { raw: Raw::Text(v) })
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
        Ok(Timestamp {
            raw: Raw::Number(v.into()),
        })
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
        Ok(Timestamp {
            raw: Raw::Number(v.into()),
        })
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
        serde_json::Number::from_f64(v)
            .map(|n| Timestamp {
                raw: Raw::Number(n),
            })
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Float(v), &self))
    }

    /// serde_json's `arbitrary_precision` feature (if another crate turns it on) hands numbers over as a
    /// one-entry map; `Number` reads it back. Any other map is refused.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Timestamp, A::Error> {
        let n = serde_json::Number::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Timestamp {
            raw: Raw::Number(n),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    fn utc(json: &str) -> String {
        let t: Timestamp = serde_json::from_str(json).unwrap();
        t.to_utc()
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "unparsed".into())
    }

    #[test]
    fn every_partoo_form_decodes_and_parses() {
        assert_eq!(
            utc("\"2017-08-01T19:15:54.256000+02:00\""),
            "2017-08-01T17:15:54.256+00:00"
        );
        assert_eq!(
            utc("\"2024-11-27T16:10:44.929678Z\""),
            "2024-11-27T16:10:44.929678+00:00"
        );
        assert_eq!(
            utc("\"2023-01-31 16:22:17.327878+00:00\""),
            "2023-01-31T16:22:17.327878+00:00"
        );
        assert_eq!(
            utc("\"2019-08-22 11:46:38.914467+00\""),
            "2019-08-22T11:46:38.914467+00:00"
        );
        assert_eq!(utc("\"2050-01-01T09:00:00\""), "2050-01-01T09:00:00+00:00");
        assert_eq!(utc("1409925979.5"), "2014-09-05T14:06:19.500+00:00");
        assert_eq!(utc("1615299414"), "2021-03-09T14:16:54+00:00");
        assert_eq!(utc("\"2025-01-01\""), "2025-01-01T00:00:00+00:00");
        assert_eq!(utc("\"05-11-2021\""), "2021-11-05T00:00:00+00:00");
        assert_eq!(
            utc("\"2019-08-01 19:15:54+0200\""),
            "2019-08-01T17:15:54+00:00"
        );
    }

    #[test]
    fn epoch_milliseconds_as_a_number_are_milliseconds() {
        // Read as seconds, this was a day of year 55,840.
        assert_eq!(utc("1700000000000"), "2023-11-14T22:13:20+00:00");
        assert_eq!(utc("1700000000000.5"), "2023-11-14T22:13:20.000500+00:00");
        assert_eq!(utc("1700000000123"), "2023-11-14T22:13:20.123+00:00");
    }

    #[test]
    fn a_number_and_text_of_the_same_digits_agree() {
        let cases = [
            ("1615299414", "2021-03-09T14:16:54+00:00"),
            ("1409925979.5", "2014-09-05T14:06:19.500+00:00"),
            ("1700000000000", "2023-11-14T22:13:20+00:00"),
            ("1615299414123", "2021-03-09T14:16:54.123+00:00"),
            ("1000000000", "2001-09-09T01:46:40+00:00"),
            ("9999999999999", "2286-11-20T17:46:39.999+00:00"),
        ];
        for (digits, expected) in cases {
            assert_eq!(utc(digits), expected, "number {digits}");
            assert_eq!(utc(&format!("\"{digits}\"")), expected, "text {digits}");
        }
        // Neither ten nor thirteen digits: no epoch reading, as a number or as text.
        for digits in [
            "20250101",
            "0",
            "1.5",
            "999999999",
            "10000000000",
            "1700000000000000",
        ] {
            for json in [digits.to_owned(), format!("\"{digits}\"")] {
                let t: Timestamp = serde_json::from_str(&json).unwrap();
                assert_eq!(t.to_utc(), None, "{json} is not read as a date");
                assert_eq!(t.date(), None);
                assert_eq!(t.raw(), digits);
                assert_eq!(serde_json::to_string(&t).unwrap(), json);
            }
        }
        assert_eq!(utc("-3"), "unparsed");
        for odd in [
            "\"1.\"",
            "\".5\"",
            "\"1.2.3\"",
            "\"1615299414.5e3\"",
            "\"+1615299414\"",
        ] {
            assert_eq!(utc(odd), "unparsed", "{odd}");
        }
    }

    #[test]
    fn a_year_of_fewer_than_four_digits_is_not_guessed() {
        // chrono's `%Y` takes one to four digits: these were read as the years 5, 21 and 21.
        for short in [
            "\"05-11-21\"",
            "\"05/11/21\"",
            "\"21-11-05T10:00:00\"",
            "\"21-11-05\"",
        ] {
            assert_eq!(utc(short), "unparsed", "{short}");
        }
        // Four-digit years, and a one-digit day, still read.
        assert_eq!(utc("\"5-11-2021\""), "2021-11-05T00:00:00+00:00");
        assert_eq!(utc("\"05/11/2021\""), "2021-11-05T00:00:00+00:00");
        assert_eq!(utc("\"0999-01-02\""), "0999-01-02T00:00:00+00:00");
        assert_eq!(utc("\"2021-11-05T10:00\""), "2021-11-05T10:00:00+00:00");
    }

    #[test]
    fn unknown_text_still_decodes_and_round_trips() {
        let t: Timestamp = serde_json::from_str("\"next tuesday\"").unwrap();
        assert_eq!(t.to_utc(), None);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"next tuesday\"");
        let n: Timestamp = serde_json::from_str("1561335111.681374").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "1561335111.681374");
    }

    #[test]
    fn non_time_json_is_refused() {
        assert!(serde_json::from_str::<Timestamp>("{}").is_err());
        let err = serde_json::from_str::<Timestamp>("true").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a date or date-time string"),
            "{err}"
        );
    }

    #[test]
    fn values_decode_from_text_and_from_a_value() {
        // From the parser and from an already parsed `serde_json::Value`.
        let direct: Vec<Option<Timestamp>> =
            serde_json::from_str(r#"["2025-01-01", 1615299414, -3, 1.5, null]"#).unwrap();
        let value = serde_json::json!(["2025-01-01", 1615299414, -3, 1.5, null]);
        let buffered: Vec<Option<Timestamp>> = serde_json::from_value(value).unwrap();
        assert_eq!(direct, buffered);
        let raw: Vec<_> = direct
            .iter()
            .map(|t| t.as_ref().map(Timestamp::raw))
            .collect();
        assert_eq!(
            raw,
            [
                Some("2025-01-01".to_owned()),
                Some("1615299414".to_owned()),
                Some("-3".to_owned()),
                Some("1.5".to_owned()),
                None
            ]
        );
    }
}
