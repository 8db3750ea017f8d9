//! The walk over every schema of the document, with lazily rendered pointers.

use serde_json::Value;

use super::METHODS;

/// A JSON pointer built lazily while walking: a chain of segments up to a root pointer. Rendering it
/// (`Display`, `to_string`) costs an allocation; walking does not, which matters because every rule walks
/// every schema and only a few sites change.
#[derive(Clone, Copy, Debug)]
pub struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    /// An already-rendered pointer (the start of a walk).
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

impl<'a> Ptr<'a> {
    /// A pointer that starts at an already rendered one.
    pub fn root(pointer: &'a str) -> Self {
        Self {
            parent: None,
            segment: Segment::Root(pointer),
        }
    }

    /// The pointer one map key further down.
    pub fn key(&'a self, key: &'a str) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The pointer one list index further down.
    pub fn index(&'a self, index: usize) -> Ptr<'a> {
        Ptr {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }
}

impl std::fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.segment {
            Segment::Root(p) => f.write_str(p),
            Segment::Key(k) => {
                f.write_str("/")?;
                crate::error::write_escaped(f, k)
            }
            Segment::Index(i) => write!(f, "/{i}"),
        }
    }
}

/// Calls `f` on every schema in the document, parents before children, with its JSON pointer.
///
/// `f` gets the schema as a `Value` (3.1 allows `true`/`false` schemas) and may rewrite it; the walk then
/// descends into whatever children the rewritten schema has.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    for_each_schema_root(doc, &mut |ptr, schema| walk_schema(schema, ptr, f));
}

/// Calls `f` on one schema and everything below it.
pub fn walk_schema(node: &mut Value, ptr: &Ptr<'_>, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    f(ptr, node);
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    // One pass over the keys the schema has (usually a handful), rather than a lookup per keyword.
    for (key, child) in obj.iter_mut() {
        let key = key.as_str();
        match (child_kind(key), child) {
            (Child::Map, Value::Object(children)) => {
                let base = ptr.key(key);
                for (name, grandchild) in children.iter_mut() {
                    walk_schema(grandchild, &base.key(name), f);
                }
            }
            (Child::One { .. }, child @ Value::Object(_))
            | (Child::One { bool_schema: true }, child @ Value::Bool(_)) => {
                walk_schema(child, &ptr.key(key), f);
            }
            (Child::List, Value::Array(list)) => walk_list(list, &ptr.key(key), f),
            // Draft-4 tuple form of `items`.
            (Child::One { .. }, Value::Array(list)) if key == "items" => {
                walk_list(list, &ptr.key(key), f);
            }
            _ => {}
        }
    }
}

/// What a schema keyword holds, as far as the walk goes.
enum Child {
    /// A map of name → schema.
    Map,
    /// One schema; `bool_schema`: `true`/`false` there is a schema too (not for
    /// `additionalProperties`, where it is a flag in 3.0). `items` may also hold a list.
    One { bool_schema: bool },
    /// A list of schemas.
    List,
    /// Anything else: not walked.
    Other,
}

/// The kind of schema keyword `key`. Keys are told apart by length first: without optimisation (the build
/// script's profile) a `match` on strings compares `key` with every pattern in turn, and the walk asks this for
/// every key of every schema, many times per run; most keys (`type`, `description`, `format`, …) are no
/// schema keyword at all.
fn child_kind(key: &str) -> Child {
    const ONE: Child = Child::One { bool_schema: true };
    match key.len() {
        2 if key == "if" => ONE,
        3 if key == "not" => ONE,
        4 if key == "then" || key == "else" => ONE,
        5 => match key {
            "$defs" => Child::Map,
            "items" => ONE,
            "allOf" | "oneOf" | "anyOf" => Child::List,
            _ => Child::Other,
        },
        8 if key == "contains" => ONE,
        10 if key == "properties" => Child::Map,
        11 => match key {
            "definitions" => Child::Map,
            "prefixItems" => Child::List,
            _ => Child::Other,
        },
        13 if key == "propertyNames" || key == "contentSchema" => ONE,
        15 if key == "additionalItems" => ONE,
        16 => match key {
            "dependentSchemas" => Child::Map,
            "unevaluatedItems" => ONE,
            _ => Child::Other,
        },
        17 if key == "patternProperties" => Child::Map,
        20 if key == "additionalProperties" => Child::One { bool_schema: false },
        21 if key == "unevaluatedProperties" => ONE,
        _ => Child::Other,
    }
}

fn walk_list(list: &mut [Value], base: &Ptr<'_>, f: &mut dyn FnMut(&Ptr<'_>, &mut Value)) {
    for (i, child) in list.iter_mut().enumerate() {
        walk_schema(child, &base.index(i), f);
    }
}

/// A visitor of schema roots: called with each root's pointer and the root schema.
type RootFn<'f> = dyn FnMut(&Ptr<'_>, &mut Value) + 'f;

/// Calls `f` on each top-level schema of the document, in document order: components and every schema slot
/// of parameters, bodies, responses. Pointers stay unrendered segment chains, as in the walk below them.
fn for_each_schema_root(doc: &mut Value, f: &mut RootFn<'_>) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let top = Ptr::root("");
    for (key, section) in root.iter_mut() {
        match key.as_str() {
            "components" => {
                let Some(components) = section.as_object_mut() else {
                    continue;
                };
                let components_ptr = top.key("components");
                for (kind, items) in components.iter_mut() {
                    let Some(items) = items.as_object_mut() else {
                        continue;
                    };
                    let kind_ptr = components_ptr.key(kind);
                    for (name, item) in items.iter_mut() {
                        let ptr = kind_ptr.key(name);
                        match kind.as_str() {
                            "schemas" => f(&ptr, item),
                            "parameters" | "headers" => param_schemas(item, &ptr, f),
                            "requestBodies" | "responses" => body_schemas(item, &ptr, f),
                            _ => {}
                        }
                    }
                }
            }
            "paths" => {
                let Some(paths) = section.as_object_mut() else {
                    continue;
                };
                let paths_ptr = top.key("paths");
                for (path, item) in paths.iter_mut() {
                    let base = paths_ptr.key(path);
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    for (k, v) in item.iter_mut() {
                        let ptr = base.key(k);
                        if k == "parameters" {
                            list_params(v, &ptr, f);
                        } else if METHODS.contains(&k.as_str()) {
                            operation_schemas(v, &ptr, f);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn operation_schemas(op: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    let Some(op) = op.as_object_mut() else { return };
    for (k, v) in op.iter_mut() {
        let ptr = base.key(k);
        match k.as_str() {
            "parameters" => list_params(v, &ptr, f),
            "requestBody" => body_schemas(v, &ptr, f),
            "responses" => {
                if let Some(responses) = v.as_object_mut() {
                    for (code, r) in responses.iter_mut() {
                        body_schemas(r, &ptr.key(code), f);
                    }
                }
            }
            _ => {}
        }
    }
}

fn list_params(list: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(list) = list.as_array_mut() {
        for (i, p) in list.iter_mut().enumerate() {
            param_schemas(p, &base.index(i), f);
        }
    }
}

fn param_schemas(param: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(obj) = param.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "schema" => f(&base.key(k), v),
                "content" => media_schemas(v, &base.key(k), f),
                _ => {}
            }
        }
    }
}

fn body_schemas(body: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(obj) = body.as_object_mut() {
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "content" => media_schemas(v, &base.key(k), f),
                "headers" => {
                    if let Some(headers) = v.as_object_mut() {
                        let hbase = base.key(k);
                        for (name, h) in headers.iter_mut() {
                            param_schemas(h, &hbase.key(name), f);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn media_schemas(content: &mut Value, base: &Ptr<'_>, f: &mut RootFn<'_>) {
    if let Some(content) = content.as_object_mut() {
        for (mt, media) in content.iter_mut() {
            if let Some(schema) = media.as_object_mut().and_then(|m| m.get_mut("schema")) {
                f(&base.key(mt).key("schema"), schema);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Child, child_kind};

    #[test]
    fn every_schema_keyword_is_told_apart_from_the_others() {
        let maps = [
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ];
        let one = [
            "items",
            "not",
            "contains",
            "propertyNames",
            "if",
            "then",
            "else",
            "unevaluatedItems",
            "unevaluatedProperties",
            "additionalItems",
            "contentSchema",
        ];
        let lists = ["allOf", "oneOf", "anyOf", "prefixItems"];
        for key in maps {
            assert!(matches!(child_kind(key), Child::Map), "{key}");
        }
        for key in one {
            assert!(
                matches!(child_kind(key), Child::One { bool_schema: true }),
                "{key}"
            );
        }
        assert!(matches!(
            child_kind("additionalProperties"),
            Child::One { bool_schema: false }
        ));
        for key in lists {
            assert!(matches!(child_kind(key), Child::List), "{key}");
        }
        for key in [
            "type",
            "description",
            "format",
            "example",
            "$ref",
            "enum",
            "title",
            "Items",
            "nots",
            "",
        ] {
            assert!(matches!(child_kind(key), Child::Other), "{key}");
        }
    }
}
