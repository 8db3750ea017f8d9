//! Decoding through the generated client and types: the forward-compatibility policy of partoo-api-build
//! (error bodies, discriminated unions, open enums, dates), checked on the committed spec.

use partoo_api::types::{CreateOrganizationResponse, GoogleAttributeValue, RequestStatus};
use partoo_api::{Client, GeneratedError, Timestamp, types};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

fn org_body() -> types::CreateOrganizationBody {
    serde_json::from_value(json!({"name": "Fast Retailer", "alias": "fast_retailer"}))
        .expect("valid body")
}

#[tokio::test]
async fn a_403_body_lands_in_the_error_type_not_the_success_type() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"errors": {"authorization": "Operation not allowed"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client
        .create_organization()
        .body(org_body())
        .send()
        .await
        .unwrap_err();
    match err {
        GeneratedError::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), 403);
            let body: &types::PartooError = &rv;
            assert_eq!(
                body.errors,
                Some(json!({"authorization": "Operation not allowed"}))
            );
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn success_decodes_with_an_unknown_status_value() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "succeeded", "org_id": 42, "alias": "fast_retailer", "max_businesses": null,
            "a_field_added_later": {"x": 1}
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let ok: CreateOrganizationResponse = client
        .create_organization()
        .body(org_body())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.status, Some(RequestStatus::Unknown("succeeded".into())));
    assert_eq!(ok.org_id, Some(42));
    // `null` for a nullable field decodes as absent.
    assert!(ok.max_businesses.is_none());
}

#[test]
fn open_enums_round_trip_known_and_unknown_values() {
    let known: RequestStatus = serde_json::from_str("\"success\"").unwrap();
    assert_eq!(known, RequestStatus::Success);
    assert_eq!(serde_json::to_string(&known).unwrap(), "\"success\"");
    let new: RequestStatus = serde_json::from_str("\"partial\"").unwrap();
    assert_eq!(new.as_str(), "partial");
    assert_eq!(serde_json::to_string(&new).unwrap(), "\"partial\"");
    assert_eq!(
        "success".parse::<RequestStatus>().unwrap(),
        RequestStatus::Success
    );
}

#[test]
fn a_discriminated_union_keeps_each_variants_values() {
    let attrs: Vec<GoogleAttributeValue> = serde_json::from_value(json!([
        {"gmb_id": "has_wheelchair_accessible_entrance", "type": "BOOL", "value": true},
        {"gmb_id": "wi_fi", "type": "ENUM", "value": "free_wi_fi"},
        {"gmb_id": "url_menu", "type": "URL", "value": "https://example.com/menu"},
        {"gmb_id": "something_new", "type": "HOLOGRAM", "value": {"beam": 3}}
    ]))
    .unwrap();
    match &attrs[0] {
        GoogleAttributeValue::GoogleAttributeBool(b) => assert_eq!(b.value, Some(true)),
        other => panic!("expected the BOOL variant, got {other:?}"),
    }
    match &attrs[1] {
        GoogleAttributeValue::GoogleAttributeEnum(e) => {
            assert_eq!(serde_json::to_value(&e.value).unwrap(), json!("free_wi_fi"));
        }
        other => panic!("expected the ENUM variant, got {other:?}"),
    }
    match &attrs[2] {
        GoogleAttributeValue::GoogleAttributeUrl(u) => {
            assert_eq!(u.value.as_deref(), Some("https://example.com/menu"));
        }
        other => panic!("expected the URL variant, got {other:?}"),
    }
    match &attrs[3] {
        GoogleAttributeValue::Object(raw) => assert_eq!(raw["value"], json!({"beam": 3})),
        other => panic!("an unknown type must land in the catch-all, got {other:?}"),
    }
}

#[test]
fn every_partoo_date_form_decodes_in_a_generated_type() {
    let forms = [
        json!("2017-08-01T19:15:54.256000+02:00"),
        json!("2024-11-27T16:10:44.929678Z"),
        json!("2023-01-31 16:22:17.327878+00:00"),
        json!("2019-08-22 11:46:38.914467+00"),
        json!("2017-08-01T00:00:00"),
        json!(1409925979.5),
        json!(1615299414),
        json!("2025-01-01"),
        json!("05-11-2021"),
    ];
    for form in forms {
        let key: types::ApiKey =
            serde_json::from_value(json!({"id": 7, "last_used_at": form, "created_at": null}))
                .unwrap_or_else(|e| panic!("{form} did not decode: {e}"));
        let t: &Timestamp = key.last_used_at.as_ref().unwrap();
        assert!(t.to_utc().is_some(), "{form} decoded but did not parse");
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            form,
            "re-serializes as received"
        );
    }
}

#[test]
fn null_in_optional_collections_decodes() {
    let key: types::ApiKey =
        serde_json::from_value(json!({"id": 1, "ip_whitelist": null})).unwrap();
    assert!(key.ip_whitelist.is_none());
}

#[test]
fn epoch_milliseconds_decode_the_same_as_a_number_or_as_text() {
    for form in [json!(1_700_000_000_000u64), json!("1700000000000")] {
        let key: types::ApiKey =
            serde_json::from_value(json!({"id": 7, "last_used_at": form})).expect("decodes");
        let t = key.last_used_at.expect("a timestamp");
        assert_eq!(
            t.date(),
            chrono::NaiveDate::from_ymd_opt(2023, 11, 14),
            "{form} is 2023-11-14, not a day of year 55,840"
        );
        assert_eq!(serde_json::to_value(&t).unwrap(), form, "kept as sent");
    }
}
