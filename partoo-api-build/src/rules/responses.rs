//! Response and request-body shapes progenitor can express: one success type, one error type, one request
//! media type per operation.

use serde_json::{Map, Value, json};

use super::{Ctx, ERROR_SCHEMA, is_json_media};
use crate::error::{BuildError, Location, pointer_push};
use crate::walk::{METHODS, RefTargets, for_each_responses, operations, refs_of};

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

/// What every operation's responses (`key` = `"responses"`, a map) or request body (`"requestBody"`) that is
/// a `$ref` points to, as it is before the rule that reads them rewrites the operations.
fn targets_of(doc: &Value, key: &str) -> RefTargets {
    let ops = operations(doc);
    let values = ops.iter().filter_map(|(_, _, op)| op.get(key));
    let refs: Vec<&str> = if key == "responses" {
        refs_of(values.filter_map(Value::as_object).flat_map(Map::values)).collect()
    } else {
        refs_of(values).collect()
    };
    RefTargets::take(doc, refs)
}

fn has_json(targets: &RefTargets, response: &Value) -> bool {
    targets
        .follow(response)
        .get("content")
        .and_then(Value::as_object)
        .is_some_and(|c| c.keys().any(|k| is_json_media(k)))
}

/// Adaptation (every Partoo operation: inline or `components.responses` 400/401/403/404 bodies): progenitor
/// names every response schema of an operation `{OpId}Response`, and typify merges same-named types without a
/// structural check, so an inline 403 body silently became the *success* type; two distinct error types made
/// it panic (`response_types.len() <= 1`). Every non-2xx response with a JSON body now carries the shared
/// `PartooError` (`{errors?: any, error?: any}`, Partoo's two documented spellings); other error bodies are
/// dropped. A `default` beside a 2xx response is split into `4XX` and `5XX`, since progenitor counts `default`
/// as both success and error; a `default` alone is the success (`2XX`), and the errors are added as below.
///
/// Also (most operations of Partoo's current reference declare no error response at all, and some declare
/// only a few codes): progenitor then types the operation's errors as `Error<()>`, so an error body is lost and
/// the operation does not fit the client's pagination traits. Partoo answers every error in the same shape, so
/// every error response becomes `PartooError` (also those declared without a body, since progenitor wants one
/// kind of error body per operation), and `4XX`/`5XX` ranges are added where the operation lacks them.
pub(super) fn error_responses(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let schemas = ctx.doc.pointer_mut("/components/schemas");
    let exists = schemas
        .as_ref()
        .is_some_and(|s| s.get(ERROR_SCHEMA).is_some());
    if exists {
        return Err(BuildError::at_pointer(
            ctx.file,
            &format!("/components/schemas/{ERROR_SCHEMA}"),
            format!(
                "the document already defines `{ERROR_SCHEMA}`, the name this pipeline reserves for error bodies"
            ),
        ));
    }
    let error_schema = json!({
        "type": "object",
        "description": "Error body of a non-2xx Partoo response. Partoo documents both `errors` and `error`; each holds a message string or an object of messages keyed by field or reason.",
        "properties": {"errors": {}, "error": {}},
    });
    let mut sites = Vec::new();
    let targets = targets_of(&ctx.doc, "responses");
    for_each_responses(&mut ctx.doc, &mut |base, responses| {
        // `default` alone is the only description of the answer: it is taken as the success (progenitor would
        // make it the success and the error type both, and the error type would not be `PartooError`).
        if responses.len() == 1
            && let Some(default) = responses.remove("default")
        {
            responses.insert("2XX".to_owned(), default);
            sites.push((
                base.key("default").to_string(),
                "default alone → 2XX (the success); errors below".to_owned(),
            ));
        }
        let any_success = responses.keys().any(|k| is_success(k));
        if any_success && let Some(default) = responses.remove("default") {
            for code in ["4XX", "5XX"] {
                responses.entry(code).or_insert_with(|| default.clone());
            }
            sites.push((
                base.key("default").to_string(),
                "default beside a 2xx → 4XX + 5XX".to_owned(),
            ));
        }
        for (code, response) in responses.iter_mut() {
            if is_success(code) {
                continue;
            }
            let ptr = base.key(code).to_string();
            let target = targets.follow(response);
            let description = target
                .get("description")
                .cloned()
                .unwrap_or_else(|| json!("Error"));
            let kinds: Vec<String> = target
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            let detail = if has_json(&targets, response) {
                format!("error body → {ERROR_SCHEMA}")
            } else if kinds.is_empty() {
                format!("error response without a body → {ERROR_SCHEMA}")
            } else {
                format!("non-JSON error body {kinds:?} → {ERROR_SCHEMA}")
            };
            *response = error_response(description);
            sites.push((ptr, detail));
        }
        for (range, description) in [("4XX", "Client error"), ("5XX", "Server error")] {
            if !responses.contains_key(range) {
                responses.insert(range.to_owned(), error_response(json!(description)));
                sites.push((
                    base.key(range).to_string(),
                    format!("undeclared {range} → {ERROR_SCHEMA}"),
                ));
            }
        }
    });
    // Always there, even when no response needed it (a document without operations, or whose only responses
    // are `default`): the runtime's `Error` and the command line name `types::PartooError`.
    ctx.doc["components"]["schemas"][ERROR_SCHEMA] = error_schema;
    ctx.changes(sites);
    Ok(())
}

/// The statuses with a reason phrase in the `http` crate (`StatusCode::canonical_reason`), which progenitor's
/// mock generator unwraps for every status an operation declares.
const NAMED_STATUSES: [u16; 62] = [
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
    305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415,
    416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505,
    506, 507, 508, 510, 511,
];

/// Whether `key` may name a response: `default`, a status from 100 to 599, a range (`2XX`, any case) or an
/// extension (`x-…`).
fn is_response_key(key: &str) -> bool {
    let b = key.as_bytes();
    let range = b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].eq_ignore_ascii_case(b"XX");
    let status = key.len() == 3 && key.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n));
    key == "default" || key.starts_with("x-") || range || status
}

/// Adaptation (none in Partoo's documents): a status without a reason phrase (`460`, `299`, `306`) made
/// progenitor's mock generator panic. An error status is dropped (its body is `PartooError`, which the `4XX`
/// or `5XX` range `error_responses` adds then decodes just as well); a success status becomes `2XX` when the
/// operation has no `2XX` yet, else is dropped (the range covers it). Any other such status is refused, as is
/// a key that is no status, range or `default` (before, its body silently became the error type).
pub(super) fn unnamed_statuses(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    let mut refused: Option<(String, String)> = None;
    for_each_responses(&mut ctx.doc, &mut |base, responses| {
        if let Some(key) = responses.keys().find(|k| !is_response_key(k)) {
            refused.get_or_insert_with(|| {
                (
                    base.key(key).to_string(),
                    format!(
                        "response key `{key}` is no status code (100 to 599), range (`2XX`) or `default`"
                    ),
                )
            });
            return;
        }
        let unnamed: Vec<(String, u16)> = responses
            .keys()
            .filter_map(|k| Some((k.clone(), k.parse::<u16>().ok()?)))
            .filter(|(_, code)| !NAMED_STATUSES.contains(code))
            .collect();
        for (key, code) in unnamed {
            let at = base.key(&key).to_string();
            match code {
                200..=299 => {
                    let response = responses.remove(&key);
                    if !responses.contains_key("2XX")
                        && let Some(response) = response
                    {
                        responses.insert("2XX".to_owned(), response);
                        sites.push((at, "status without a reason phrase → 2XX".to_owned()));
                    } else {
                        sites.push((
                            at,
                            "status without a reason phrase: dropped (2XX covers it)".to_owned(),
                        ));
                    }
                }
                400..=599 => {
                    responses.remove(&key);
                    sites.push((
                        at,
                        "status without a reason phrase: dropped (4XX/5XX cover it)".to_owned(),
                    ));
                }
                _ => {
                    refused.get_or_insert((
                        at,
                        "a status without a reason phrase outside 2xx, 4xx and 5xx, which progenitor's mock \
                         generator cannot name"
                            .to_owned(),
                    ));
                }
            }
        }
    });
    if let Some((at, why)) = refused {
        return Err(BuildError::at_pointer(ctx.file, &at, why));
    }
    ctx.changes(sites);
    Ok(())
}

/// A response whose JSON body is the shared error schema.
fn error_response(description: Value) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}}},
    })
}

/// Is `content` already what [`keep_one_media`] makes of it (one media type, under the name it keeps, a
/// mapping with a schema where JSON needs one, no `encoding`)? Most are: they are left untouched.
fn already_one_media(content: &Map<String, Value>) -> bool {
    let mut entries = content.iter();
    let (Some((media, Value::Object(entry))), None) = (entries.next(), entries.next()) else {
        return false;
    };
    let json = is_json_media(media);
    let json_in_shape = media == "application/json" && entry.contains_key("schema");
    (!json || json_in_shape) && !entry.contains_key("encoding")
}

/// Keeps one media type of a `content` map: JSON first (a `+json` type is renamed to `application/json`,
/// which progenitor needs to type it), else form, else the first one.
fn keep_one_media(content: &mut Map<String, Value>) -> Option<String> {
    if already_one_media(content) {
        return None;
    }
    let keys: Vec<String> = content.keys().cloned().collect();
    let chosen = keys
        .iter()
        .find(|k| is_json_media(k))
        .or_else(|| {
            keys.iter()
                .find(|k| k.starts_with("application/x-www-form-urlencoded"))
        })
        .or_else(|| keys.first())?
        .clone();
    let mut media = content.remove(&chosen)?;
    if media.is_null() {
        media = json!({});
    }
    // A media entry that is not a mapping is left for openapiv3 to refuse with its pointer (indexing it panics).
    if let Some(m) = media.as_object_mut() {
        if !m.contains_key("schema") && is_json_media(&chosen) {
            m.insert("schema".into(), json!({}));
        }
        m.remove("encoding");
    }
    let new_key = if is_json_media(&chosen) {
        "application/json".to_owned()
    } else {
        chosen.clone()
    };
    content.clear();
    content.insert(new_key.clone(), media);
    let dropped: Vec<&String> = keys.iter().filter(|k| **k != chosen).collect();
    match (dropped.is_empty(), chosen == new_key) {
        (true, true) => None,
        (true, false) => Some(format!("{chosen} → {new_key}")),
        (false, _) => Some(format!("kept {chosen} as {new_key}, dropped {dropped:?}")),
    }
}

/// Adaptation: progenitor panics when an operation's 2xx responses have different types
/// (`response_types.len() <= 1`) or a response has several media types (`todo!`). Each response keeps one
/// media type; when 2xx responses disagree, the first JSON one wins and the others are given its schema (an
/// empty 2xx beside a JSON one is dropped: it then arrives as `Error::UnexpectedResponse`).
pub(super) fn success_responses(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let targets = targets_of(&ctx.doc, "responses");
    let mut sites = Vec::new();
    for_each_responses(&mut ctx.doc, &mut |base, responses| {
        // Inline referenced 2xx responses so that they can be edited here.
        for (code, r) in responses.iter_mut() {
            if is_success(code) && r.get("$ref").is_some() {
                *r = targets.follow(r).clone();
            }
            if let Some(content) = r.get_mut("content").and_then(Value::as_object_mut)
                && let Some(detail) = keep_one_media(content)
            {
                sites.push((base.key(code).to_string(), detail));
            }
        }
        fn schema_of(r: &Value) -> Option<&Value> {
            r.pointer("/content/application~1json/schema")
        }
        let Some((first_code, first_schema)) = responses
            .iter()
            .filter(|(c, _)| is_success(c))
            .find_map(|(c, r)| schema_of(r).map(|s| (c.clone(), s.clone())))
        else {
            return;
        };
        let codes: Vec<String> = responses
            .keys()
            .filter(|c| is_success(c))
            .cloned()
            .collect();
        for code in codes {
            let r = &responses[&code];
            let ptr = base.key(&code).to_string();
            match schema_of(r) {
                Some(s) if *s == first_schema => {}
                Some(_) => {
                    responses[&code]["content"]["application/json"]["schema"] =
                        first_schema.clone();
                    sites.push((
                        ptr,
                        format!("second success schema → the {first_code} schema"),
                    ));
                }
                None => {
                    responses.remove(&code);
                    sites.push((
                        ptr,
                        format!("success response without JSON body beside {first_code} → dropped"),
                    ));
                }
            }
        }
    });
    ctx.changes(sites);
    Ok(())
}

/// Adaptation (every operation of the snapshot declares only `200`; Partoo's pages say "Created" for some):
/// progenitor matches the exact codes a document lists, so an undeclared 2xx such as `201` or `204` became
/// `Error::UnexpectedResponse`: a POST that succeeded looked like a failure and could be repeated. When an
/// operation's 2xx responses all describe the same body (which `success_responses` ensures), they become one
/// `2XX` response: any 2xx whose body decodes into the success type is a success (an operation without a
/// success body accepts any 2xx as empty). Bodies are compared by media type and schema only: examples,
/// descriptions and headers do not change what decodes, so `200` and `201` with their own examples still
/// merge (the first one's text is kept). 2xx responses whose media types or schemas still differ, and ranges
/// already written as `2XX`, are left alone; another 2xx then reaches the client as
/// `Error::UnexpectedSuccess` with its body.
pub(super) fn success_ranges(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let mut sites = Vec::new();
    for_each_responses(&mut ctx.doc, &mut |base, responses| {
        let codes: Vec<String> = responses
            .keys()
            .filter(|c| is_success(c) && c.bytes().all(|b| b.is_ascii_digit()))
            .cloned()
            .collect();
        let Some(first) = codes.first() else {
            return;
        };
        if responses.contains_key("2XX") {
            return;
        }
        let shared = body_schemas(&responses[first]);
        if codes.iter().any(|c| body_schemas(&responses[c]) != shared) {
            return;
        }
        let Some(kept) = responses.remove(first) else {
            return;
        };
        for code in &codes {
            responses.remove(code);
        }
        responses.insert("2XX".to_owned(), kept);
        sites.push((
            base.key(first).to_string(),
            format!("{} → 2XX", codes.join(", ")),
        ));
    });
    ctx.changes(sites);
    Ok(())
}

/// A response's body as far as decoding goes: each media type with its schema (`None` without one).
fn body_schemas(response: &Value) -> Vec<(&String, Option<&Value>)> {
    response
        .get("content")
        .and_then(Value::as_object)
        .map(|content| {
            content
                .iter()
                .map(|(media, entry)| (media, entry.get("schema")))
                .collect()
        })
        .unwrap_or_default()
}

/// Adaptation: progenitor takes one request media type (`todo!` on two) and types only `application/json`.
/// JSON is kept (`+json` renamed); `multipart/form-data`, which progenitor cannot send, is refused with the
/// operation named. A request body with no media type is dropped: progenitor generates no body for it, and
/// the later stages must not expect one.
pub(super) fn request_bodies(ctx: &mut Ctx<'_>) -> Result<(), BuildError> {
    let targets = targets_of(&ctx.doc, "requestBody");
    let mut sites = Vec::new();
    let file = ctx.file;
    let Some(paths) = ctx.doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let op_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let Some(body) = op.get_mut("requestBody") else {
                continue;
            };
            if body.get("$ref").is_some() {
                *body = targets.follow(body).clone();
            }
            let ptr = pointer_push(
                &pointer_push(&pointer_push("/paths", path), method),
                "requestBody",
            );
            // No media type (`content: {}`, or none): progenitor generates no body, so the operation has none.
            let Some(content) = body
                .get_mut("content")
                .and_then(Value::as_object_mut)
                .filter(|content| !content.is_empty())
            else {
                op.remove("requestBody");
                sites.push((
                    ptr,
                    "no media type: dropped (progenitor generates no body for it)".to_owned(),
                ));
                continue;
            };
            let only_multipart =
                !content.is_empty() && content.keys().all(|k| k.starts_with("multipart/"));
            if only_multipart {
                return Err(BuildError::new(
                    file,
                    Location::Operation { method: method.to_ascii_uppercase(), path: path.clone(), operation_id: op_id },
                    "multipart/form-data request bodies are not supported (progenitor 0.15.1 cannot send them)",
                )
                .with_hint("write this operation by hand in partoo-api/src and remove it from the spec used for generation"));
            }
            let multipart: Vec<String> = content
                .keys()
                .filter(|k| k.starts_with("multipart/"))
                .cloned()
                .collect();
            content.retain(|k, _| !k.starts_with("multipart/"));
            let mut details: Vec<String> = keep_one_media(content).into_iter().collect();
            if !multipart.is_empty() {
                details.push(format!(
                    "dropped {multipart:?} (multipart is not supported)"
                ));
            }
            if !details.is_empty() {
                sites.push((ptr, details.join("; ")));
            }
        }
    }
    ctx.changes(sites);
    Ok(())
}
