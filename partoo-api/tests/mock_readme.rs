//! The "Testing your code" example of the workspace README, run as the test it shows. The README holds the
//! text between the markers below verbatim; `the_readme_shows_this_file` fails when the two drift apart.
#![cfg(feature = "mock")]

// README:begin
use futures_util::TryStreamExt;
use partoo_api::mock::httpmock::MockServer;
use partoo_api::mock::{MockPagesExt, MockServerExt, WhenExt, operations};
use partoo_api::{Client, Paginate, SendExt, types};

/// The code under test: who is signed in, and the cities of their businesses.
async fn report(client: &Client) -> Result<(String, Vec<String>), partoo_api::Error> {
    let me = client.get_my_user().send().into_result().await?;
    let businesses: Vec<types::Business> = client.search_businesses().items().try_collect().await?;
    let cities = businesses.into_iter().filter_map(|b| b.city).collect();
    Ok((me.email.unwrap_or_default(), cities))
}

#[tokio::test]
async fn report_reads_the_user_and_every_page() {
    let server = MockServer::start_async().await;
    let user = types::UserWithFeatures {
        email: Some("ada@example.com".to_owned()),
        ..Default::default()
    };
    let me = server.get_my_user(|when, then| {
        when.api_key("test-key");
        then.ok(&user);
    });
    let businesses: Vec<types::Business> = ["Paris", "Lyon", "Nantes"]
        .into_iter()
        .map(|city| types::Business {
            city: Some(city.to_owned()),
            ..Default::default()
        })
        .collect();
    // Two businesses a page: page 1 and page 2 (`?page=N`, `max_page: 2`).
    let pages = server.mock_pages(businesses, 2, |when: operations::SearchBusinessesWhen| {
        when.api_key("test-key")
    });

    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.base_url())
        .build()
        .expect("valid configuration");
    let (email, cities) = report(&client).await.expect("the mocks answer");

    assert_eq!(email, "ada@example.com");
    assert_eq!(cities, ["Paris", "Lyon", "Nantes"]);
    me.assert(); // requested once
    pages.assert(); // each page requested once
}
// README:end

#[test]
fn the_readme_shows_this_file() {
    let this = include_str!("mock_readme.rs");
    let (_, rest) = this.split_once("// README:begin\n").expect("begin marker");
    let (example, _) = rest.split_once("// README:end").expect("end marker");
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(example),
        "README.md's \"Testing your code\" block differs from tests/mock_readme.rs: copy the text between the markers"
    );
}
