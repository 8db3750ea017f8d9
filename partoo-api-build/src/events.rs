//! Stage `events`: `pub mod webhook_events`, emitted beside progenitor's code: an `Event` enum with one variant per
//! webhook event of the spec, dispatched on the body's `type` field, and a catch-all `Other` keeping the type
//! string and the body as JSON, and `Unparsed` keeping the raw bytes of a body that could not be typed (a
//! known `type` whose payload does not fit its schema, or no JSON object with a string `type` at all): a
//! verified delivery is Partoo's, so it is handed over rather than refused.
//!
//! The rule `webhooks` kept each event's payload schema as a component and listed the events at the root
//! ([`crate::rules::EVENTS_EXTENSION`]). An event gets a variant only when everything it needs is there: its
//! component survived normalisation, progenitor generated a type for it, and its `type` value is known (a
//! one-value `enum`/`const` on the payload's `type` property, else the `type` of the spec's example). Each
//! event left out is named in a report note and decodes as `Other`, so the emitted code compiles for any spec,
//! with or without `webhooks`.
//!
//! The emitted code calls `{runtime}::webhooks::decode_payload::<T>(body)` and names
//! `{runtime}::webhooks::ParseError`.

use heck::ToUpperCamelCase;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::items::Item;
use crate::rules::EVENTS_EXTENSION;

/// A webhook event given a variant of `Event`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedEvent {
    /// The webhook's name in the spec (`reviewUpdated`).
    pub webhook: String,
    /// The body's `type` value (`review_updated`).
    pub event_type: String,
    /// The `Event` variant (`ReviewUpdated`).
    pub variant: String,
    /// The generated type it holds, in `types` (`ReviewUpdatedEvent`).
    pub rust_type: String,
}

/// The stage: the `webhook_events` module for the events of `doc` that fit (each one left out is a note in
/// `notes`), checked to parse, and those events.
pub(crate) fn stage(
    file: &str,
    doc: &Value,
    types: &[Item],
    runtime: &syn::Path,
    notes: &mut Vec<String>,
) -> Result<(TokenStream, Vec<TypedEvent>), crate::BuildError> {
    let (typed, left_out) = typed_events(doc, types);
    notes.extend(left_out);
    let tokens = emit(&typed, runtime);
    crate::items::check_parses(file, &tokens)?;
    Ok((tokens, typed))
}

/// The events of `doc` that fit, and the notes on those that do not.
fn typed_events(doc: &Value, types: &[Item]) -> (Vec<TypedEvent>, Vec<String>) {
    let mut typed: Vec<TypedEvent> = Vec::new();
    let mut notes = Vec::new();
    let entries = doc
        .get(EVENTS_EXTENSION)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for entry in entries {
        let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
        let (webhook, component) = (text("webhook"), text("schema"));
        let mut leave_out = |why: String| {
            notes.push(format!(
                "webhook `{webhook}`: {why}; its deliveries decode as Event::Other"
            ));
        };
        let Some(schema) = crate::walk::component_schema(doc, component) else {
            leave_out(format!(
                "payload schema `{component}` was removed by normalisation"
            ));
            continue;
        };
        let event_type =
            literal_type(doc, schema).unwrap_or_else(|| text("example_type").to_owned());
        if event_type.is_empty() {
            leave_out(format!(
                "no literal `type` value in `{component}` or in an example"
            ));
            continue;
        }
        let rust_type = crate::operation::typify_ident(component, crate::operation::Case::Pascal);
        let generated = ["struct", "enum", "type"]
            .iter()
            .any(|kind| types.iter().any(|item| item.is(kind, &rust_type)));
        if !generated {
            leave_out(format!("no generated type `types::{rust_type}`"));
            continue;
        }
        let variant = event_type.to_upper_camel_case();
        // `Other` and `Unparsed` are the catch-alls' names: a `type` such as `unparsed` would emit a second
        // variant of the same name.
        if ["Other", "Unparsed"].contains(&variant.as_str())
            || syn::parse_str::<Ident>(&variant).is_err()
        {
            leave_out(format!(
                "`type` value `{event_type}` makes no variant name of its own"
            ));
            continue;
        }
        if let Some(first) = typed
            .iter()
            .find(|t| t.event_type == event_type || t.variant == variant)
        {
            leave_out(format!(
                "`type` value `{event_type}` is already the variant of webhook `{}`",
                first.webhook
            ));
            continue;
        }
        typed.push(TypedEvent {
            webhook: webhook.to_owned(),
            event_type,
            variant,
            rust_type,
        });
    }
    (typed, notes)
}

/// The single `type` value a payload schema allows: a one-value `enum` (what `const` became) on its `type`
/// property, looking through `$ref`s and `allOf` (the nearest declaration that has one wins).
fn literal_type(doc: &Value, schema: &Value) -> Option<String> {
    crate::walk::properties(doc, schema)
        .into_iter()
        .rev()
        .filter(|(name, _)| *name == "type")
        .find_map(|(_, prop)| {
            match prop
                .get("enum")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([Value::String(only)]) => Some(only.clone()),
                _ => None,
            }
        })
}

/// The `webhook_events` module for `events` (possibly none: `Event` then has only `Other` and `Unparsed`).
fn emit(events: &[TypedEvent], runtime: &syn::Path) -> TokenStream {
    let variants: Vec<Ident> = events
        .iter()
        .map(|e| Ident::new(&e.variant, Span::call_site()))
        .collect();
    let names: Vec<&str> = events.iter().map(|e| e.variant.as_str()).collect();
    let tys: Vec<Ident> = events
        .iter()
        .map(|e| Ident::new(&e.rust_type, Span::call_site()))
        .collect();
    let type_strs: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let docs: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                " A `{}` event (webhook `{}` of the spec), decoded as [`super::types::{}`].",
                e.event_type, e.webhook, e.rust_type
            )
        })
        .collect();
    quote! {
        /// Webhook events of the spec (its top-level `webhooks`), decoded by their `type` field.
        pub mod webhook_events {
            /// A webhook delivery's body. Variants hold the generated type of each event the spec describes;
            /// any other `type` is kept as [`Event::Other`], and a body that cannot be typed as
            /// [`Event::Unparsed`] with its raw bytes.
            #[derive(Clone, Debug)]
            #[non_exhaustive]
            pub enum Event {
                #(
                    #[doc = #docs]
                    #variants(super::types::#tys),
                )*
                /// An event type this build does not type: the `type` value and the whole body as JSON.
                Other {
                    /// The body's `type` field.
                    event_type: ::std::string::String,
                    /// The body, parsed as JSON: an integer beyond 64 bits or a number with more digits than
                    /// an `f64` holds comes back rounded, and a repeated key keeps its last value. The exact
                    /// bytes are the body given to `verify_event` (or `Delivery::raw`).
                    body: ::serde_json::Value,
                },
                /// A body that could not be typed, kept whole: a known `type` whose payload does not fit its
                /// schema, or a body that is not a JSON object with a string `type`. Its signature verified,
                /// so it is Partoo's: keep it (answer 2xx), since Partoo does not retry a 4xx.
                Unparsed {
                    /// The body's `type` field, when it has a string one.
                    event_type: ::std::option::Option<::std::string::String>,
                    /// The body's bytes, exactly as received.
                    body: ::std::vec::Vec<u8>,
                    /// Why it could not be typed (for a schema mismatch: the JSON path and serde's message).
                    error: #runtime::webhooks::ParseError,
                },
            }

            /// The `type` values with a variant of their own.
            pub const EVENT_TYPES: &[&str] = &[#(#type_strs),*];

            impl Event {
                /// The body's `type` field; empty only for an [`Event::Unparsed`] body without a string
                /// `type` (its `event_type` is `None`).
                pub fn event_type(&self) -> &str {
                    match self {
                        #(Self::#variants(_) => #type_strs,)*
                        Self::Other { event_type, .. } => event_type,
                        Self::Unparsed { event_type, .. } => event_type.as_deref().unwrap_or_default(),
                    }
                }

                /// The variant's name (`"Other"` for the catch-all, `"Unparsed"` for a body kept untyped).
                pub fn variant_name(&self) -> &'static str {
                    match self {
                        #(Self::#variants(_) => #names,)*
                        Self::Other { .. } => "Other",
                        Self::Unparsed { .. } => "Unparsed",
                    }
                }

                /// The event as JSON: the typed value re-serialised, the body kept by `Other`, or the body
                /// of `Unparsed` read as JSON (`Null` when it is not JSON: its bytes are in `body`).
                pub fn to_json(&self) -> ::serde_json::Value {
                    match self {
                        #(Self::#variants(event) => ::serde_json::to_value(event).unwrap_or(::serde_json::Value::Null),)*
                        Self::Other { body, .. } => body.clone(),
                        Self::Unparsed { body, .. } => ::serde_json::from_slice(body).unwrap_or(::serde_json::Value::Null),
                    }
                }

                /// Decodes `body` as the event `event_type` names (the schema error when it does not fit), or
                /// `None` when no variant has that type.
                pub(crate) fn decode_known(
                    event_type: &str,
                    body: &[u8],
                ) -> ::std::option::Option<::std::result::Result<Self, #runtime::webhooks::ParseError>> {
                    match event_type {
                        #(#type_strs => Some(#runtime::webhooks::decode_payload(body).map(Self::#variants)),)*
                        _ => None,
                    }
                }
            }
        }
    }
}
