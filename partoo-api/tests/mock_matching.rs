//! The typed mocks' parameter matchers against the real client, the same value on both sides: a mock matches
//! exactly what the client sends for that value (httpmock answers `404` when no mock matches). Run with
//! `cargo test -p partoo-api --features mock --test mock_matching`.
#![cfg(feature = "mock")]

mod mock_support;

use mock_support::panic_message;
use partoo_api::mock::MockServerExt;
use partoo_api::mock::httpmock::MockServer;
use partoo_api::{Client, Error, RetryPolicy, SendExt, types};
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// The status of a failed call (`None` for a success), for `assert_eq!` with a message.
fn failed_status<T>(result: Result<T, Error>) -> Option<u16> {
    result.err().map(|e| e.status().map_or(0, |s| s.as_u16()))
}

#[tokio::test]
async fn path_values_match_as_the_client_percent_encodes_them() {
    let mut unmatched = Vec::new();
    for id in ["a b", "a/b", "é", "a%b", "x?y", "b.42", "50%"] {
        let server = MockServer::start_async().await;
        let mock = server.get_business(|when, then| {
            when.business_id(id);
            then.ok(&types::Business::default());
        });
        let sent = client(&server)
            .get_business()
            .business_id(id)
            .send()
            .into_result()
            .await;
        if failed_status(sent).is_some() || mock.calls() != 1 {
            unmatched.push(id);
        }
    }
    assert!(
        unmatched.is_empty(),
        "no match for business ids {unmatched:?}"
    );
}

#[tokio::test]
async fn an_encoded_path_value_does_not_match_another_value() {
    let server = MockServer::start_async().await;
    server.get_business(|when, then| {
        when.business_id("a b");
        then.ok(&types::Business::default());
    });
    // `a%20b` is what the client sends for `a b`, but the value `a%20b` itself is sent as `a%2520b`.
    let sent = client(&server)
        .get_business()
        .business_id("a%20b")
        .send()
        .into_result()
        .await;
    assert_eq!(failed_status(sent), Some(404));
}

#[tokio::test]
async fn float_query_values_match_as_the_client_serialises_them() {
    let mut unmatched = Vec::new();
    for value in [
        1.0,
        2.5,
        1e21,
        1e-7,
        -0.0,
        123_456.789,
        1e15,
        1e16,
        1.5e300,
        0.1,
        1e-4,
        1e-5,
        1.234e-5,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let server = MockServer::start_async().await;
        let mock = server.search_businesses(|when, then| {
            when.modified_gte(value);
            then.ok(&types::SearchBusinessesResponse::default());
        });
        let sent = client(&server)
            .search_businesses()
            .modified_gte(value)
            .send()
            .into_result()
            .await;
        if failed_status(sent).is_some() || mock.calls() != 1 {
            unmatched.push(value);
        }
    }
    assert!(
        unmatched.is_empty(),
        "no match for modified__gte {unmatched:?}"
    );
}

#[tokio::test]
async fn float_array_values_match_as_the_client_serialises_them() {
    // `gmb_rating__in` is comma-separated: the client sends `gmb_rating__in=1.0,2.5`.
    let ratings = vec![1.0, 2.5];
    let server = MockServer::start_async().await;
    let mock = server.search_reviews(|when, then| {
        when.gmb_rating_in(&ratings);
        then.ok(&types::ReviewsSearchResponse::default());
    });
    let sent = client(&server)
        .search_reviews()
        .gmb_rating_in(ratings.clone())
        .send()
        .into_result()
        .await;
    assert_eq!(failed_status(sent), None);
    mock.assert();
}

#[tokio::test]
async fn json_query_values_match_as_the_client_serialises_them() {
    let mut unmatched = Vec::new();
    for value in [
        json!("True"),
        json!("a b&c"),
        json!(true),
        json!(3),
        json!(1.0),
    ] {
        let server = MockServer::start_async().await;
        let mock = server.get_my_user(|when, then| {
            when.display_business_ids(&value);
            then.ok(&types::UserWithFeatures::default());
        });
        let sent = client(&server)
            .get_my_user()
            .display_business_ids(value.clone())
            .send()
            .into_result()
            .await;
        if failed_status(sent).is_some() || mock.calls() != 1 {
            unmatched.push(value);
        }
    }
    assert!(
        unmatched.is_empty(),
        "no match for display_business_ids {unmatched:?}"
    );
}

#[tokio::test]
async fn a_json_query_value_matches_only_the_same_list_of_values() {
    // A JSON array is sent as repeated keys: a mock for `[1]` must not match a client sending `[1, 2]`, nor
    // one for `"a"` a client sending `["a", "a"]`.
    let mut wrong = Vec::new();
    for (mocked, sent) in [(json!([1]), json!([1, 2])), (json!("a"), json!(["a", "a"]))] {
        let server = MockServer::start_async().await;
        let mock = server.get_my_user(|when, then| {
            when.display_business_ids(&mocked);
            then.ok(&types::UserWithFeatures::default());
        });
        let _ = client(&server)
            .get_my_user()
            .display_business_ids(sent.clone())
            .send()
            .into_result()
            .await;
        if mock.calls() != 0 {
            wrong.push((mocked, sent));
        }
    }
    assert!(wrong.is_empty(), "matched another list: {wrong:?}");
}

#[tokio::test]
async fn repeated_key_arrays_match_the_whole_ordered_list() {
    // `groups` is not comma-separated: the client sends `groups=1&groups=2`.
    let cases: [(&[i64], &[i64], bool); 6] = [
        (&[1, 2], &[1, 2], true),
        (&[7], &[7], true),
        (&[1], &[1, 2, 3], false),
        (&[1, 1], &[1], false),
        (&[1, 2], &[2, 1], false),
        (&[1, 2, 3], &[1, 2], false),
    ];
    let mut wrong = Vec::new();
    for (mocked, sent, matches) in cases {
        let server = MockServer::start_async().await;
        let mocked = mocked.to_vec();
        let mock = server.search_businesses(|when, then| {
            when.groups(&mocked);
            then.ok(&types::SearchBusinessesResponse::default());
        });
        let result = client(&server)
            .search_businesses()
            .groups(sent.to_vec())
            .send()
            .into_result()
            .await;
        let expected = if matches { None } else { Some(404) };
        if failed_status(result) != expected || mock.calls() != usize::from(matches) {
            wrong.push(format!("mock groups={mocked:?}, client groups={sent:?}"));
        }
    }
    assert!(wrong.is_empty(), "wrong match for: {wrong:#?}");
}

#[tokio::test]
async fn scalar_query_values_still_match_when_display_and_serde_agree() {
    let server = MockServer::start_async().await;
    let mock = server.search_businesses(|when, then| {
        when.city("Saint-Étienne & Co").page(2).groups(&vec![]);
        then.ok(&types::SearchBusinessesResponse::default());
    });
    let sent = client(&server)
        .search_businesses()
        .city("Saint-Étienne & Co")
        .page(2)
        .send()
        .into_result()
        .await;
    assert_eq!(failed_status(sent), None);
    mock.assert();
}

/// A mock of `/user/{user_id}` does not answer `/user/me` or `/user/search`, which Partoo routes to other
/// operations: its path regex took them as a user id, so a test mocking `get_user` silently answered
/// `get_my_user` (and `search_user`, decoded as an empty search) with the wrong body.
#[tokio::test]
async fn a_path_template_does_not_match_another_operations_literal_path() {
    let server = MockServer::start_async().await;
    let get_user = server.get_user(|_when, then| {
        then.ok(&types::UserWithFeatures::default());
    });
    let client = client(&server);
    let me = client.get_my_user().send().into_result().await;
    let search = client.search_user().send().into_result().await;
    let user = client.get_user().user_id("u-1").send().into_result().await;
    assert_eq!(
        failed_status(me),
        Some(404),
        "get_my_user reached get_user's mock"
    );
    assert_eq!(
        failed_status(search),
        Some(404),
        "search_user reached get_user's mock"
    );
    assert_eq!(failed_status(user), None);
    assert_eq!(get_user.calls(), 1);
}

/// A value with a comma in a comma-separated array is refused by the matcher, as the client refuses to send
/// it: the mock for `["a,b"]` matched a client sending `["a", "b"]`.
#[test]
fn a_csv_array_value_with_a_comma_is_refused_like_the_client_refuses_it() {
    let server = MockServer::start();
    let message = panic_message("the client cannot send it", || {
        server.search_businesses(|when, then| {
            when.business_in(&vec!["a,b".to_owned()]);
            then.ok(&types::SearchBusinessesResponse::default());
        })
    });
    assert!(
        message.starts_with("query parameter `business__in`: the value \"a,b\" contains a comma"),
        "{message}"
    );
}

/// The message of a failed `assert` names the query parameter that differs and both values: it said only
/// "Custom matcher function is_true with index 0 did not match the request".
#[tokio::test]
async fn a_query_mismatch_is_named_in_the_assert_message() {
    let server = MockServer::start_async().await;
    let mock = server.search_businesses(|when, then| {
        when.city("Paris").groups(&vec![1, 2]);
        then.ok(&types::SearchBusinessesResponse::default());
    });
    let sent = client(&server)
        .search_businesses()
        .city("Lyon")
        .groups(vec![1, 3])
        .send()
        .into_result()
        .await;
    assert_eq!(failed_status(sent), Some(404));
    let message = panic_message("the mock was not hit", || mock.assert());
    for expected in ["city", "Paris", "Lyon", "groups"] {
        assert!(
            message.contains(expected),
            "{expected} missing from: {message}"
        );
    }
}
