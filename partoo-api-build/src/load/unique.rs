//! A `serde_json::Value` read from JSON or YAML that refuses a key given twice in one mapping.
//!
//! `Value`'s own `Deserialize` keeps the last of two equal keys, and neither serde_json nor serde_norway
//! objects, so a spec with a second `paths:` (an edit merged twice, a hand-written JSON file) lost the first
//! one's operations without a word. This builds the same values (numbers, strings, `null` for a float JSON
//! cannot hold, as `Value` does), and fails at the repeated key; both parsers add the line and column.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

thread_local! {
    /// The key [`UniqueVisitor`] found repeated, for [`parse_yaml`] to locate (serde's errors carry text only).
    static REPEATED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Parses YAML text; on failure, also the key given twice when that was the reason.
pub(super) fn parse_yaml(text: &str) -> Result<Value, (serde_norway::Error, Option<String>)> {
    REPEATED.with_borrow_mut(Option::take);
    serde_norway::from_str(text)
        .map(|UniqueValue(v)| v)
        .map_err(|e| (e, REPEATED.with_borrow_mut(Option::take)))
}

/// Where `key` is written the second time in the block mapping whose first key is at `line`:`column` (from
/// 1): the second line from there that holds `key:` (plain or quoted) at that column, before a line indented
/// less ends the mapping. `None` for a flow mapping (`{a: 1, a: 2}`) or a key written otherwise.
pub(super) fn second_key(
    text: &str,
    line: usize,
    column: usize,
    key: &str,
) -> Option<(usize, usize)> {
    let written = [key.to_owned(), format!("\"{key}\""), format!("'{key}'")];
    let mut seen = 0;
    for (index, content) in text.lines().enumerate().skip(line.checked_sub(1)?) {
        let indent = content.len() - content.trim_start_matches(' ').len();
        let rest = content.trim_start_matches(' ');
        if index + 1 > line && !rest.is_empty() && !rest.starts_with('#') && indent + 1 < column {
            return None;
        }
        let Some(at) = content.get(column - 1..) else {
            continue;
        };
        let is_key = written.iter().any(|w| {
            at.strip_prefix(w.as_str())
                .is_some_and(|after| after.trim_start_matches(' ').starts_with(':'))
        });
        if is_key {
            seen += 1;
            if seen == 2 {
                return Some((index + 1, column));
            }
        }
    }
    None
}

/// The document, once every mapping has been checked for repeated keys.
pub(super) struct UniqueValue(pub(super) Value);

impl<'de> Deserialize<'de> for UniqueValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor).map(UniqueValue)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        Number::deserialize(de::value::I128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        Number::deserialize(de::value::U128Deserializer::<E>::new(value)).map(Value::Number)
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        UniqueValue::deserialize(deserializer).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(UniqueValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut values = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let UniqueValue(value) = map.next_value()?;
            match values.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(first) => {
                    REPEATED.with_borrow_mut(|repeated| *repeated = Some(first.key().clone()));
                    return Err(de::Error::custom(format_args!(
                        "key `{}` is given twice in one mapping (the second would silently replace the \
                         first)",
                        first.key()
                    )));
                }
            }
        }
        Ok(Value::Object(values))
    }
}
