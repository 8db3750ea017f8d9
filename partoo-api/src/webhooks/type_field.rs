//! Reads the top-level `type` of a JSON body without building the rest of it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};

/// Reads only the top-level `type` of a JSON object, skipping everything else without building it.
pub(super) struct TypeField<'a> {
    /// The first `type`'s value when it is a string.
    pub(super) value: Option<Cow<'a, str>>,
    /// Whether the object has `type` more than once: which event it is cannot then be told (this reader
    /// would take the first, a typed decoder refuses the repeat, and `serde_json::Value` keeps the last).
    pub(super) repeated: bool,
}

impl<'de> de::Deserialize<'de> for TypeField<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(TypeFieldVisitor)
    }
}

struct TypeFieldVisitor;

impl<'de> Visitor<'de> for TypeFieldVisitor {
    type Value = TypeField<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut value, mut seen, mut repeated) = (None, false, false);
        while let Some(IsType(is_type)) = map.next_key()? {
            if is_type && !seen {
                seen = true;
                value = map.next_value_seed(TextOrNothing)?;
            } else {
                repeated |= is_type;
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(TypeField { value, repeated })
    }
}

/// A map key, reduced to whether it is `type` (escaped keys included).
struct IsType(bool);

impl<'de> de::Deserialize<'de> for IsType {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = IsType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<IsType, E> {
                Ok(IsType(key == "type"))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A string value (borrowed from the body when it has no escapes), or `None` for any other JSON value.
struct TextOrNothing;

impl<'de> de::DeserializeSeed<'de> for TextOrNothing {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextOrNothing {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}
