//! `partoo_api::mock` used the way a user's test would: typed mocks on httpmock's server, the real client
//! pointed at it. Run with `cargo test -p partoo-api --features mock --test mock`.
#![cfg(feature = "mock")]

mod mock_support;

use futures_util::TryStreamExt;
use mock_support::panic_message;
use partoo_api::mock::httpmock::{Method, MockServer};
use partoo_api::mock::{
    MockPagesExt, MockServerExt, ThenExt, WhenExt, operations, partoo_error, query_array,
};
use partoo_api::{Client, Error, Paginate, RetryPolicy, SendExt, types};
use serde_json::json;

fn client(server: &MockServer, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

fn business(id: &str, city: &str) -> types::Business {
    types::Business {
        id: Some(id.to_owned()),
        city: Some(city.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_typed_mock_serves_the_typed_body_to_the_client() {
    let server = MockServer::start_async().await;
    let user = types::UserWithFeatures {
        email: Some("ada@example.com".to_owned()),
        ..Default::default()
    };
    let mock = server.get_my_user(|when, then| {
        when.api_key("secret");
        then.ok(&user);
    });
    let me = client(&server, "secret")
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect("the mock answers");
    assert_eq!(me.email.as_deref(), Some("ada@example.com"));
    mock.assert();
}

#[tokio::test]
async fn pages_from_a_vec_are_streamed_in_order_and_each_served_once() {
    let server = MockServer::start_async().await;
    let all = vec![
        business("b1", "Paris"),
        business("b2", "Paris"),
        business("b3", "Paris"),
    ];
    let pages = server.mock_pages(all, 2, |when: operations::SearchBusinessesWhen| {
        when.city("Paris")
    });
    assert_eq!(pages.mocks.len(), 2);
    let got: Vec<types::Business> = client(&server, "k")
        .search_businesses()
        .city("Paris")
        .items()
        .try_collect()
        .await
        .expect("both pages decode");
    let ids: Vec<_> = got.iter().filter_map(|b| b.id.as_deref()).collect();
    assert_eq!(ids, ["b1", "b2", "b3"]);
    pages.assert();
    assert_eq!(pages.calls(), 2);
}

#[tokio::test]
async fn an_empty_list_is_one_empty_page() {
    let server = MockServer::start_async().await;
    let pages = server.mock_pages(Vec::new(), 10, |when: operations::SearchBusinessesWhen| {
        when
    });
    let got: Vec<types::Business> = client(&server, "k")
        .search_businesses()
        .items()
        .try_collect()
        .await
        .expect("the page decodes");
    assert!(got.is_empty());
    pages.assert();
}

#[tokio::test]
async fn a_partoo_error_body_reaches_the_caller_as_an_api_error() {
    let server = MockServer::start_async().await;
    let body = partoo_error(json!({"authorization": "Operation not allowed"}));
    let mock = server.get_my_user(|_when, then| {
        then.partoo_error(403, &body);
    });
    let err = client(&server, "k")
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("403 is an error");
    match &err {
        Error::Api { status, body, .. } => {
            assert_eq!(status.as_u16(), 403);
            assert_eq!(
                body.messages(),
                [(
                    "authorization".to_owned(),
                    "Operation not allowed".to_owned()
                )]
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    mock.assert();
}

#[tokio::test]
async fn a_request_no_mock_matches_fails_at_once_and_the_assert_says_why() {
    let server = MockServer::start_async().await;
    let user = types::UserWithFeatures::default();
    let mock = server.get_my_user(|when, then| {
        when.api_key("right-key");
        then.ok(&user);
    });
    // A different key: the mock does not match, httpmock answers 404 and the call fails (no hang, no retry).
    let err = client(&server, "wrong-key")
        .get_my_user()
        .send()
        .into_result()
        .await
        .expect_err("no mock matches");
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 404),
        "{err:?}"
    );
    assert_eq!(mock.calls(), 0);
    let message = panic_message("assert fails when the mock was not hit", || mock.assert());
    assert!(
        message.to_ascii_lowercase().contains("x-apikey"),
        "the failure names the header that differs: {message}"
    );
}

#[tokio::test]
async fn typed_matchers_cover_path_query_arrays_and_bodies() {
    let server = MockServer::start_async().await;
    let ids = vec!["a1".to_owned(), "b2".to_owned()];
    let page = types::SearchBusinessesResponse {
        businesses: Some(vec![business("a1", "Lyon")]),
        ..Default::default()
    };
    // `business__in` is a comma-separated array: the matcher expects `business__in=a1,b2`, as the client sends.
    let search = server.search_businesses(|when, then| {
        when.business_in(&ids).page(1);
        then.ok(&page);
    });
    let got = client(&server, "k")
        .search_businesses()
        .business_in(ids.clone())
        .page(1)
        .send()
        .into_result()
        .await
        .expect("the array matcher matches what the client sends");
    assert_eq!(got.businesses.map(|b| b.len()), Some(1));
    search.assert();

    // The id is matched literally: `.` is not a regex wildcard here.
    let lookup = server.get_business(|when, then| {
        when.business_id("b.42");
        then.ok(&business("b.42", "Nantes"));
    });
    let got = client(&server, "k")
        .get_business()
        .business_id("b.42")
        .send()
        .into_result()
        .await
        .expect("the path matcher matches");
    assert_eq!(got.city.as_deref(), Some("Nantes"));
    let other = client(&server, "k")
        .get_business()
        .business_id("bx42")
        .send()
        .into_result()
        .await
        .expect_err("another id is not matched");
    assert_eq!(other.status().map(|s| s.as_u16()), Some(404));
    lookup.assert();

    let body: types::CreateOrganizationBody =
        serde_json::from_value(json!({"name": "Acme", "max_businesses": 3})).expect("valid body");
    let created = types::CreateOrganizationResponse {
        org_id: Some(7),
        status: Some(types::RequestStatus::Success),
        ..Default::default()
    };
    let create = server.create_organization(|when, then| {
        when.body(&body);
        then.ok(&created);
    });
    let got = client(&server, "k")
        .create_organization()
        .body(body.clone())
        .send()
        .into_result()
        .await
        .expect("the body matcher matches the same body");
    assert_eq!(got.org_id, Some(7));
    assert_eq!(got.status, Some(types::RequestStatus::Success));
    create.assert();
}

#[test]
fn array_parameters_outside_csv_query_match_repeated_keys() {
    use std::io::{Read, Write};
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        query_array(
            when.method(Method::GET).path("/x"),
            "no_such_operation",
            "id",
            &[1, 2],
        );
        then.status(204);
    });
    // A bare HTTP/1.1 exchange: this test is about the matcher, not the client.
    let exchange = |target: &str| {
        let mut stream = std::net::TcpStream::connect(server.address()).expect("connects");
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .expect("request written");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response read");
        response
    };
    assert!(exchange("/x?id=1&id=2").starts_with("HTTP/1.1 204"));
    assert!(exchange("/x?id=1,2").starts_with("HTTP/1.1 404"));
    // The whole ordered list: no extra element, no missing one, no other order.
    assert!(exchange("/x?id=1&id=2&id=3").starts_with("HTTP/1.1 404"));
    assert!(exchange("/x?id=1").starts_with("HTTP/1.1 404"));
    assert!(exchange("/x?id=2&id=1").starts_with("HTTP/1.1 404"));
    mock.assert();
}

/// A review reply template with id `id`.
fn template(id: i64) -> types::ReviewReplyTemplate {
    types::ReviewReplyTemplate {
        id: Some(id),
        ..Default::default()
    }
}

#[tokio::test]
async fn mock_pages_of_an_operation_counting_from_zero_are_numbered_as_it_counts() {
    let server = MockServer::start_async().await;
    let pages = server.mock_pages(
        vec![template(1), template(2)],
        1,
        |when: operations::SearchTemplateWhen| when,
    );
    assert_eq!(pages.first_page, 0);
    // Only page 1 is requested: page 0, the first one, is the one never asked for.
    client(&server, "k")
        .search_template()
        .page(1)
        .send()
        .into_result()
        .await
        .expect("page 1 decodes");
    assert_eq!(pages.page(0).map(|m| m.calls()), Some(0));
    assert_eq!(pages.page(1).map(|m| m.calls()), Some(1));
    assert!(pages.page(2).is_none());
    let message = panic_message("page 0 was not requested", || pages.assert());
    assert!(
        message.starts_with("page 0 (of pages 0..=1) was requested 0 times"),
        "{message}"
    );
    // Streamed from its first page: both pages, each once.
    let got: Vec<types::ReviewReplyTemplate> = client(&server, "k")
        .search_template()
        .items()
        .try_collect()
        .await
        .expect("both pages decode");
    assert_eq!(got.len(), 2);
    assert_eq!(pages.page(0).map(|m| m.calls()), Some(1));
    assert_eq!(pages.page(1).map(|m| m.calls()), Some(2));
}

/// Two pages with the same items would stop the client's stream at the second (`RepeatedItems`: a page
/// repeated whole is how a server that ignores `?page=` looks) while `pages.assert()` passed, so
/// `mock_pages` refuses them when the mocks are set up, saying why. `vec![Business::default(); 4]` and the
/// README's example with two cities repeated both failed that way.
#[tokio::test]
async fn mock_pages_refuses_two_pages_with_the_same_items() {
    let server = MockServer::start_async().await;
    let repeated: Vec<types::Business> = [("b-1", "Paris"), ("b-2", "Lyon")]
        .repeat(2)
        .into_iter()
        .map(|(id, city)| business(id, city))
        .collect();
    let message = panic_message("pages 1 and 2 are the same", || {
        server.mock_pages(repeated, 2, |when: operations::SearchBusinessesWhen| when)
    });
    assert!(
        message.starts_with("mock_pages: page 2 holds the same items as page 1"),
        "{message}"
    );
    assert!(message.contains("RepeatedItems"), "{message}");
    // The same items in another order, or split differently, are other pages: served and streamed whole.
    let reordered = vec![
        business("b-1", "Paris"),
        business("b-2", "Lyon"),
        business("b-2", "Lyon"),
        business("b-1", "Paris"),
    ];
    let pages = server.mock_pages(reordered, 2, |when: operations::SearchBusinessesWhen| when);
    let got: Vec<types::Business> = client(&server, "k")
        .search_businesses()
        .items()
        .try_collect()
        .await
        .expect("two different pages");
    assert_eq!(got.len(), 4);
    pages.assert();
}

/// `partoo_error` with a status that is not 4xx or 5xx is refused when the mock is set up: a 200 decoded as
/// an empty success, a 204 as a decode error, a 304 as an error without its details, and a status outside
/// 100–999 became httpmock's own 500 at request time.
#[tokio::test]
async fn partoo_error_refuses_a_status_that_is_not_an_error() {
    let server = MockServer::start_async().await;
    let body = partoo_error(json!({"authorization": "Operation not allowed"}));
    for status in [200, 204, 304, 99, 600, 1000] {
        let message = panic_message("not an error status", || {
            server.get_my_user(|_when, then| {
                then.partoo_error(status, &body);
            })
        });
        assert!(
            message.starts_with(&format!(
                "partoo_error: {status} is not an error status (400 to 599)"
            )),
            "{message}"
        );
    }
}
