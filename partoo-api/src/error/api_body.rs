//! [`ApiErrorBody`]: Partoo's error details, read from an error body.

use serde_json::Value;

/// Partoo's error details. Partoo documents `{"errors": …}` and `{"error": …}`, each holding a message or an
/// object of messages keyed by field or reason (`{"errors": {"authorization": "Operation not allowed"}}`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiErrorBody {
    /// The value under `errors` or `error`; `Value::Null` when the body had neither (or was not JSON).
    pub details: Value,
}

impl ApiErrorBody {
    /// Decodes a raw body; anything unexpected yields empty details rather than a second error.
    pub fn parse(raw: &[u8]) -> Self {
        let value: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
        let details = ["errors", "error"]
            .iter()
            .filter_map(|key| value.get(key))
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
        Self { details }
    }

    /// The messages as `(key, text)` pairs: `("authorization", "Operation not allowed")`; a plain string
    /// message has an empty key; nested objects are flattened with dotted keys.
    pub fn messages(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        flatten("", &self.details, &mut out);
        out
    }

    /// `: key: message; …` for an error's Display, or nothing without messages.
    pub(super) fn suffix(&self) -> String {
        let parts: Vec<String> = self
            .messages()
            .into_iter()
            .map(|(k, v)| if k.is_empty() { v } else { format!("{k}: {v}") })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(": {}", parts.join("; "))
        }
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| flatten(prefix, i, out)),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}
