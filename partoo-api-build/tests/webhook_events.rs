//! Top-level `webhooks` → payload components (rule `webhooks`) → `webhook_events::Event` (stage `events`).

mod common;

use common::{at, change, run, yaml};
use partoo_api_build::{Generated, Options, TypedEvent, generate_bytes};
use serde_json::Value;

/// One operation so progenitor has a client to make, and five webhooks covering each way an event can be
/// described: a `$ref`'d payload with a `const` type, an inline payload (hoisted), a type known only from the
/// example, a type nowhere (left out), and a second webhook claiming an existing type (left out).
const SPEC: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {ok: {type: boolean}}}}}}
webhooks:
  reviewUpdated:
    post:
      summary: Review updated
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ReviewUpdatedEvent'}
      responses: {'200': {description: ack}}
  leadReceived:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                type: {type: string, enum: [lead_received]}
                payload:
                  type: object
                  properties:
                    created_at: {type: string, format: date-time}
                    tags: {type: array, items: {type: string}}
                    channel: {type: string, enum: [chatbot, form]}
      responses: {'200': {description: ack}}
  businessCreated:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {type: {type: string}, payload: {type: object}}}
            example: {type: business_created, payload: {}}
      responses: {'200': {description: ack}}
  mystery:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {payload: {type: object}}}
      responses: {'200': {description: ack}}
  reviewUpdatedAgain:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ReviewUpdatedEvent'}
      responses: {'200': {description: ack}}
components:
  schemas:
    ReviewUpdatedEvent:
      type: object
      properties:
        type: {const: review_updated}
        org_id: {type: integer}
        payload: {type: object, properties: {review: {type: object, properties: {id: {type: integer}}}}}
"#;

fn generate(spec: &str) -> Generated {
    generate_bytes("hooks.yaml", spec.as_bytes(), &Options::default())
        .unwrap_or_else(|e| panic!("does not generate: {e}"))
}

fn event(webhook: &str, event_type: &str, variant: &str, rust_type: &str) -> TypedEvent {
    TypedEvent {
        webhook: webhook.to_owned(),
        event_type: event_type.to_owned(),
        variant: variant.to_owned(),
        rust_type: rust_type.to_owned(),
    }
}

#[test]
fn payload_schemas_become_components_and_the_webhooks_map_goes() {
    let (doc, report) = run(yaml(SPEC), &["webhooks"]);
    assert!(doc.get("webhooks").is_none());
    // The inline payload is hoisted under the webhook's name; a `$ref`'d one stays where it is.
    assert_eq!(
        at(
            &doc,
            "/components/schemas/LeadReceivedEvent/properties/type/enum"
        ),
        &serde_json::json!(["lead_received"])
    );
    let hoisted = change(&report, "webhooks", "/webhooks/leadReceived/post");
    assert!(
        hoisted.detail.contains("LeadReceivedEvent"),
        "{}",
        hoisted.detail
    );
    let listed: Vec<&str> = at(&doc, "/x-partoo-webhook-events")
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|e| e.get("schema").and_then(Value::as_str))
        .collect();
    assert_eq!(listed.len(), 5);
    assert!(listed.contains(&"ReviewUpdatedEvent"));
    assert!(listed.contains(&"BusinessCreatedEvent"));
}

#[test]
fn a_hoisted_name_never_overwrites_a_component() {
    let spec = SPEC.replace(
        "  schemas:\n",
        "  schemas:\n    LeadReceivedEvent: {type: string}\n",
    );
    let (doc, _) = run(yaml(&spec), &["webhooks"]);
    assert_eq!(
        at(&doc, "/components/schemas/LeadReceivedEvent"),
        &serde_json::json!({"type": "string"})
    );
    assert!(
        doc.pointer("/components/schemas/LeadReceivedEvent2/properties/payload")
            .is_some()
    );
}

#[test]
fn every_event_with_a_type_and_a_generated_type_gets_a_variant() {
    let out = generate(SPEC);
    let mut typed = out.webhook_events.clone();
    typed.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    assert_eq!(
        typed,
        [
            event(
                "businessCreated",
                "business_created",
                "BusinessCreated",
                "BusinessCreatedEvent"
            ),
            event(
                "leadReceived",
                "lead_received",
                "LeadReceived",
                "LeadReceivedEvent"
            ),
            event(
                "reviewUpdated",
                "review_updated",
                "ReviewUpdated",
                "ReviewUpdatedEvent"
            ),
        ]
    );
    let notes = out.report.notes.join("\n");
    assert!(
        notes.contains("webhook `mystery`: no literal `type`"),
        "{notes}"
    );
    assert!(
        notes.contains("webhook `reviewUpdatedAgain`: `type` value `review_updated` is already"),
        "{notes}"
    );
    for wanted in [
        "pub mod webhook_events",
        "ReviewUpdated (super :: types :: ReviewUpdatedEvent)",
        "\"lead_received\" => Some (crate :: webhooks :: decode_payload (body) . map (Self :: LeadReceived))",
        "Other {",
    ] {
        assert!(out.code.contains(wanted), "missing `{wanted}`");
    }
}

#[test]
fn event_types_follow_the_response_typing_policy() {
    let out = generate(SPEC);
    let lead = at(&out.normalised, "/components/schemas/LeadReceivedEvent");
    // Extra fields accepted, optional arrays nullable, dates lenient, enums open (checked in the code).
    assert!(lead.get("additionalProperties").is_none(), "{lead:#}");
    let payload = at(lead, "/properties/payload");
    let payload = match payload.get("$ref").and_then(Value::as_str) {
        Some(r) => at(&out.normalised, r.trim_start_matches('#')),
        None => payload,
    };
    assert_eq!(at(payload, "/properties/tags/nullable"), &Value::Bool(true));
    assert_eq!(
        at(payload, "/properties/created_at/$ref"),
        "#/components/schemas/PartooTimestamp"
    );
    assert!(
        out.code
            .contains("pub created_at : :: std :: option :: Option < crate :: Timestamp >")
    );
    assert!(
        out.code
            .contains("pub enum LeadReceivedEventPayloadChannel")
    );
    assert!(out.code.contains("Unknown (:: std :: string :: String)"));
}

#[test]
fn a_body_that_cannot_be_typed_has_a_variant_keeping_its_bytes() {
    let out = generate(SPEC);
    // The variant, its three fields, and each accessor's arm for it.
    for wanted in [
        "Unparsed { # [doc = r\" The body's `type` field, when it has a string one.\"] event_type : :: std :: option :: Option < :: std :: string :: String >",
        "body : :: std :: vec :: Vec < u8 >",
        "error : crate :: webhooks :: ParseError",
        "Self :: Unparsed { event_type , .. } => event_type . as_deref () . unwrap_or_default ()",
        "Self :: Unparsed { .. } => \"Unparsed\"",
        "Self :: Unparsed { body , .. } => :: serde_json :: from_slice (body)",
        "Result < Self , crate :: webhooks :: ParseError >",
    ] {
        assert!(out.code.contains(wanted), "missing `{wanted}`");
    }
}

#[test]
fn a_type_named_like_a_catch_all_is_left_out() {
    // `unparsed` and `other` would give variants `Unparsed` and `Other`, the catch-alls' own names.
    let spec = SPEC
        .replace("business_created", "unparsed")
        .replace("lead_received", "other");
    let out = generate(&spec);
    let mut typed: Vec<&str> = out
        .webhook_events
        .iter()
        .map(|e| e.variant.as_str())
        .collect();
    typed.sort_unstable();
    assert_eq!(typed, ["ReviewUpdated"]);
    let notes = out.report.notes.join("\n");
    for webhook in ["businessCreated", "leadReceived"] {
        assert!(
            notes.contains(&format!("webhook `{webhook}`: `type` value")),
            "{notes}"
        );
    }
    let file = syn::parse_file(&out.code).expect("the code parses");
    let variants = event_variants(&file.items).expect("an `Event` enum");
    let mut unique = variants.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        variants.len(),
        "no variant twice: {variants:?}"
    );
}

/// The variant names of the first `enum Event` in `items` or their modules.
fn event_variants(items: &[syn::Item]) -> Option<Vec<String>> {
    items.iter().find_map(|item| match item {
        syn::Item::Enum(e) if e.ident == "Event" => {
            Some(e.variants.iter().map(|v| v.ident.to_string()).collect())
        }
        syn::Item::Mod(m) => m
            .content
            .as_ref()
            .and_then(|(_, inner)| event_variants(inner)),
        _ => None,
    })
}

#[test]
fn a_spec_without_webhooks_gets_the_catch_all_alone() {
    let spec = SPEC
        .split("webhooks:\n")
        .next()
        .expect("has a paths part")
        .to_owned()
        + "components: {schemas: {}}\n";
    let out = generate(&spec);
    assert!(out.webhook_events.is_empty());
    assert!(
        out.code.contains("pub enum Event { # [doc ="),
        "{}",
        &out.code[out.code.len() - 2000..]
    );
    assert!(
        out.code
            .contains("pub const EVENT_TYPES : & [& str] = & [] ;")
    );
}

#[test]
fn a_payload_component_starting_with_a_digit_is_typed_under_typifys_name() {
    // The webhook `2nd` hoists its payload to `2ndEvent`, which typify names `X2ndEvent` (an identifier
    // cannot start with a digit).
    let spec = SPEC.replace("  businessCreated:\n", "  2nd:\n");
    let out = generate(&spec);
    let second = out
        .webhook_events
        .iter()
        .find(|e| e.webhook == "2nd")
        .unwrap_or_else(|| panic!("`2nd` left out: {:?}", out.report.notes));
    assert_eq!(
        second,
        &event("2nd", "business_created", "BusinessCreated", "X2ndEvent")
    );
    assert!(
        out.code.contains("pub struct X2ndEvent"),
        "no type X2ndEvent"
    );
}
