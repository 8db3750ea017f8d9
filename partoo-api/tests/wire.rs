//! What goes on the wire and comes back through the real client: comma-separated query arrays, dates in
//! queries, Partoo's date forms and unknown enum values in responses.

use futures_util::TryStreamExt;
use partoo_api::types::{
    Lang, ReviewPartner, ReviewPublisherLabel, ReviewState, Role, SidebarPage, UserStatus,
};
use partoo_api::{Client, Paginate, SendExt, Timestamp, operations};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(route: &str, body: Value) -> (MockServer, Client) {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);
    (server, client)
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

/// The raw query string of the only request the server received.
async fn raw_query(server: &MockServer) -> String {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    requests[0].url.query().unwrap_or_default().to_owned()
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

const A: &str = "5d2f1a9e8b7c6d5e4f3a2b1c";
const B: &str = "5d2f1a9e8b7c6d5e4f3a2b1d";
const C: &str = "64b7f0c2e1d3a5b6c7d8e9f0";

#[test]
fn the_operations_table_lists_the_csv_parameters() {
    let search = operations::find("search_businesses").unwrap();
    assert_eq!((search.method, search.path), ("GET", "/business/search"));
    assert_eq!(
        search.csv_query,
        ["business__in", "features__in", "features__notin"]
    );
    let reviews = operations::find("search_reviews").unwrap();
    assert!(reviews.csv_query.contains(&"state__in"));
    assert!(reviews.csv_query.contains(&"gmb_rating__in"));
    assert_eq!(operations::ALL.len(), 150);
    assert!(operations::find("no_such_operation").is_none());
}

#[tokio::test]
async fn business_in_is_one_comma_separated_value() {
    let (server, client) = serve(
        "/business/search",
        json!({"page": 1, "max_page": 1, "businesses": []}),
    )
    .await;
    client
        .search_businesses()
        .business_in(ids(&[A, B, C]))
        .city("Saint-Étienne")
        .query("Boulangerie & Café")
        .page(1)
        .send()
        .into_result()
        .await
        .unwrap();
    let query = raw_query(&server).await;
    // The hook re-encodes the query with form encoding, so the commas travel as `%2C`.
    assert!(
        query.contains(&format!("business__in={A}%2C{B}%2C{C}")),
        "{query}"
    );
    assert_eq!(query.matches("business__in=").count(), 1, "{query}");
    // The other parameters survive the rewrite, encoded the same way.
    let requests = server.received_requests().await.unwrap();
    let pairs: Vec<(String, String)> = requests[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("business__in"), Some(format!("{A},{B},{C}").as_str()));
    assert_eq!(get("city"), Some("Saint-Étienne"));
    assert_eq!(get("query"), Some("Boulangerie & Café"));
    assert_eq!(get("page"), Some("1"));
}

#[tokio::test]
async fn a_single_element_array_is_a_plain_value() {
    let (server, client) = serve("/business/search", json!({"businesses": []})).await;
    client
        .search_businesses()
        .business_in(ids(&[A]))
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(raw_query(&server).await, format!("business__in={A}"));
}

/// A value with a comma cannot travel in a comma-separated array: Partoo would read `["prix, qualité"]` as two
/// keywords, and `["a,b"]` goes out as the same bytes as `["a", "b"]`. It is refused, and nothing is sent.
#[tokio::test]
async fn a_csv_array_value_with_a_comma_is_refused() {
    let (server, client) =
        serve("/reviews", json!({"page": 1, "max_page": 1, "reviews": []})).await;
    let err = client
        .search_reviews()
        .keywords(vec!["accueil".to_owned(), "prix, qualité".to_owned()])
        .send()
        .into_result()
        .await
        .expect_err("a comma inside a value");
    assert!(
        matches!(&err, partoo_api::Error::InvalidRequest(_)),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("keywords") && message.contains("\"prix, qualité\""),
        "{message}"
    );
    let sent = server.received_requests().await.expect("recording is on");
    assert!(sent.is_empty(), "sent: {sent:?}");
}

#[tokio::test]
async fn every_csv_array_of_search_reviews_is_joined() {
    let (server, client) =
        serve("/reviews", json!({"page": 1, "max_page": 1, "reviews": []})).await;
    client
        .search_reviews()
        .business_in(ids(&[A, B]))
        .state_in(vec![ReviewState::NotTreated, ReviewState::Treated])
        .partner_in(vec![
            ReviewPublisherLabel::GoogleMyBusiness,
            ReviewPublisherLabel::Facebook,
        ])
        .keywords(vec!["accueil".to_owned(), "prix".to_owned()])
        .recommended_in(vec![true, false])
        .update_date_gte(Timestamp::from(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
        ))
        .send()
        .into_result()
        .await
        .unwrap();
    let query = raw_query(&server).await;
    for expected in [
        format!("business__in={A}%2C{B}"),
        "state__in=not_treated%2Ctreated".to_owned(),
        "partner__in=google_my_business%2Cfacebook".to_owned(),
        "keywords=accueil%2Cprix".to_owned(),
        "recommended__in=true%2Cfalse".to_owned(),
        "update_date__gte=2024-01-31".to_owned(),
    ] {
        assert!(query.contains(&expected), "{expected} not in {query}");
    }
    for key in [
        "business__in=",
        "state__in=",
        "partner__in=",
        "keywords=",
        "recommended__in=",
    ] {
        assert_eq!(query.matches(key).count(), 1, "{key} repeated in {query}");
    }
}

#[tokio::test]
async fn review_dates_in_every_partoo_form_decode_through_the_client() {
    let forms = [
        (
            json!("2017-08-01T19:15:54.256000+02:00"),
            "2017-08-01T17:15:54.256+00:00",
        ),
        (
            json!("2024-11-27T16:10:44.929678Z"),
            "2024-11-27T16:10:44.929678+00:00",
        ),
        (
            json!("2023-01-31 16:22:17.327878+00:00"),
            "2023-01-31T16:22:17.327878+00:00",
        ),
        (
            json!("2019-08-22 11:46:38.914467+00"),
            "2019-08-22T11:46:38.914467+00:00",
        ),
        (json!("2017-08-01T00:00:00"), "2017-08-01T00:00:00+00:00"),
        (json!(1409925979.5), "2014-09-05T14:06:19.500+00:00"),
        (json!(1615299414), "2021-03-09T14:16:54+00:00"),
        (json!("2025-01-01"), "2025-01-01T00:00:00+00:00"),
        (json!("05-11-2021"), "2021-11-05T00:00:00+00:00"),
    ];
    let reviews: Vec<Value> = forms
        .iter()
        .enumerate()
        .map(|(i, (date, _))| {
            json!({
                "id": 880_000 + i, "business_id": A, "org_id": 5281,
                "author_name": "Julie R.", "content": "Accueil chaleureux, pain excellent.",
                "rating": 5, "partner": "google_my_business", "state": "not_treated",
                "date": date, "update_date": "2024-11-27T16:10:44.929678Z"
            })
        })
        .collect();
    let count = reviews.len();
    let body = json!({"page": 1, "max_page": 1, "count": count, "reviews": reviews});
    let (_server, client) = serve("/reviews", body).await;
    let decoded: Vec<_> = client.search_reviews().items().try_collect().await.unwrap();
    assert_eq!(decoded.len(), forms.len());
    for (review, (sent, utc)) in decoded.iter().zip(&forms) {
        let date: &Timestamp = review.date.as_ref().expect("date");
        assert_eq!(
            date.to_utc().map(|t| t.to_rfc3339()).as_deref(),
            Some(*utc),
            "{sent}"
        );
        assert_eq!(&serde_json::to_value(date).unwrap(), sent, "kept as sent");
        assert_eq!(review.state, Some(ReviewState::NotTreated));
    }
}

#[tokio::test]
async fn unknown_enum_values_and_odd_dates_do_not_break_a_review_page() {
    let body = json!({"page": 1, "max_page": 1, "count": 1, "reviews": [{
        "id": 880_101, "business_id": B, "rating": 4,
        "partner": "trustpilot", "state": "archived",
        "date": "next tuesday", "delete_date": null,
        "comments": {"id": 12, "content": "Merci !", "date": "2023-01-31 16:22:17.327878+00:00"},
        "a_field_added_later": {"nested": [1, 2, 3]}
    }]});
    let (_server, client) = serve("/reviews", body).await;
    let page = client.search_reviews().send().into_result().await.unwrap();
    let review = &page.reviews.expect("reviews")[0];
    assert_eq!(
        review.partner,
        Some(ReviewPartner::Unknown("trustpilot".into()))
    );
    assert_eq!(review.state, Some(ReviewState::Unknown("archived".into())));
    let date = review.date.as_ref().expect("date");
    assert_eq!(date.raw(), "next tuesday");
    assert_eq!(date.to_utc(), None);
    assert!(review.delete_date.is_none());
}

#[tokio::test]
async fn a_user_with_unknown_role_status_lang_and_product_decodes() {
    let mut user: Value = serde_json::from_str(include_str!("fixtures/user_me.json")).unwrap();
    user["role"] = json!("SUPER_ADMIN");
    user["status"] = json!("suspended");
    user["lang"] = json!("tlh");
    user["sidebar_pages"] = json!(["posts", "local_ads"]);
    let (_server, client) = serve("/user/5e2b9c41a0f3d26b8c7e1f04", user).await;
    let user = client
        .get_user()
        .user_id("5e2b9c41a0f3d26b8c7e1f04")
        .send()
        .into_result()
        .await
        .unwrap();
    assert_eq!(user.role, Some(Role::Unknown("SUPER_ADMIN".into())));
    assert_eq!(user.status, Some(UserStatus::Unknown("suspended".into())));
    assert_eq!(user.lang, Some(Lang::Unknown("tlh".into())));
    assert_eq!(
        user.sidebar_pages,
        Some(vec![
            SidebarPage::Posts,
            SidebarPage::Unknown("local_ads".into())
        ])
    );
    // The current reference does not show the type of `created_at`: any JSON, kept as sent.
    assert_eq!(user.created_at, Some(json!(1580383297.285134)));
    // Unknown values re-serialize as received.
    assert_eq!(
        serde_json::to_value(&user.role).unwrap(),
        json!("SUPER_ADMIN")
    );
}

#[tokio::test]
async fn the_fixture_user_decodes_with_known_values() {
    let user: Value = serde_json::from_str(include_str!("fixtures/user_me.json")).unwrap();
    let (_server, client) = serve("/user/me", user).await;
    let me = client.get_my_user().send().into_result().await.unwrap();
    assert_eq!(me.role, Some(Role::OrgAdmin));
    assert_eq!(me.status, Some(UserStatus::Active));
    assert_eq!(me.lang, Some(Lang::Fr));
    assert_eq!(me.org_id, Some(5281));
    assert!(me.group_id.is_none(), "null decodes as absent");
    assert_eq!(me.id.as_deref(), Some("5e2b9c41a0f3d26b8c7e1f04"));
}

#[tokio::test]
async fn a_business_with_an_unknown_status_decodes() {
    let body = json!({
        "id": C, "org_id": 5281, "name": "Caviste Maison Lumière Bordeaux", "city": "Bordeaux",
        "status": "temporarily_closed", "created": 1615299414, "modified": 1561335111.681374,
        "country": "FR", "zipcode": "33000"
    });
    let (_server, client) = serve(&format!("/business/{C}"), body).await;
    let business = client
        .get_business()
        .business_id(C)
        .send()
        .into_result()
        .await
        .unwrap();
    // The current reference types a business's status as a plain string (the search filter keeps the enum).
    assert_eq!(business.status.as_deref(), Some("temporarily_closed"));
    assert_eq!(business.city.as_deref(), Some("Bordeaux"));
    assert!(business.created.is_some());
    // Epoch seconds with microseconds survive (f64, not f32: `float_precision`).
    let modified = serde_json::to_value(business.modified).unwrap();
    assert_eq!(modified, json!(1561335111.681374));
}

/// A request body can be built field by field (`body_map`), and the JSON sent holds exactly the fields set.
#[tokio::test]
async fn a_body_built_with_body_map_goes_out_as_set() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/org"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"org_id": 7})))
        .mount(&server)
        .await;
    let created = client(&server)
        .create_organization()
        .body_map(|b| b.name("Fast Retailer").max_businesses(Some(12)))
        .send()
        .into_result()
        .await
        .expect("created");
    assert_eq!(created.org_id, Some(7));
    let requests = server.received_requests().await.expect("recording is on");
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    assert_eq!(sent["name"], "Fast Retailer");
    assert_eq!(sent["max_businesses"], 12);
}
