//! The families Partoo added since 2021, through the real client against wiremock, with JSON fixtures shaped
//! like the reference facts: conversations and messages walked by cursor, sending a message, webhook
//! configurations, posts, sections and groups, custom roles. New enum values and extra fields decode.

use futures_util::TryStreamExt;
use partoo_api::types::{
    ConversationStatus, CreateWebhooksPayload, CreateWebhooksPayloadItemsItem, MessageContentType,
    MessageSenderType, MessagingPartner, PostPostType, SendMessageBody, SendMessageText,
    SendMessageTextContentType, WebhookEventType,
};
use partoo_api::{Client, Paginate, PaginateCursor, SendExt};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let file = format!(
        "{}/tests/fixtures/current/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("k")
        .base_url(server.uri())
        .build()
        .expect("client builds")
}

/// The `cursor` query values of the requests `server` received on `route`, in order (`None`: no cursor).
async fn cursors(server: &MockServer, route: &str) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .iter()
        .filter(|r| r.url.path() == route)
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn conversations_then_messages_are_walked_by_cursor() {
    let server = MockServer::builder().start().await;
    let (page_1, page_2) = (
        fixture("conversations_page_1"),
        fixture("conversations_page_2"),
    );
    let opaque = page_1["next_cursor"].as_str().expect("a cursor").to_owned();
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok(&page_1))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/conversations"))
        .and(query_param("cursor", opaque.as_str()))
        .respond_with(ok(&page_2))
        .expect(1)
        .mount(&server)
        .await;
    let messages_cursor = fixture("messages_page_1")["next_cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    Mock::given(method("GET"))
        .and(path("/messages"))
        .and(query_param("conversation_id", "4101"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok(&fixture("messages_page_1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/messages"))
        .and(query_param("conversation_id", "4101"))
        .and(query_param("cursor", messages_cursor.as_str()))
        .respond_with(ok(&fixture("messages_page_2")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    // `cursor_paging()` on a generated builder, whose own `cursor(value)` setter hid the trait's `cursor()`.
    let conversations: Vec<_> = client
        .list_conversations()
        .per_page(2)
        .cursor_paging()
        .max_pages(10)
        .items()
        .try_collect()
        .await
        .expect("every conversation");
    assert_eq!(
        conversations.iter().map(|c| c.id).collect::<Vec<_>>(),
        [Some(4101), Some(4102), Some(4103)]
    );
    // The opaque cursor went back unchanged, and `next_cursor: null` ended the walk: no third request.
    assert_eq!(
        cursors(&server, "/conversations").await,
        [None, Some(opaque)]
    );
    let first = &conversations[0];
    assert_eq!(first.status, Some(ConversationStatus::Open));
    assert_eq!(first.messaging_partner, Some(MessagingPartner::Sms));
    assert_eq!(
        first.business.as_ref().and_then(|b| b.id.as_deref()),
        Some("5d2f1a9e8b7c6d5e4f3a2b1c")
    );
    assert_eq!(
        conversations[2].status,
        Some(ConversationStatus::Unknown("Snoozed".to_owned())),
        "a status Partoo added later is kept"
    );

    let id = first.id.expect("an id");
    let pages: Vec<_> = client
        .list_messages()
        .conversation_id(id)
        .cursor_pages()
        .try_collect()
        .await
        .expect("every message");
    // Each page carries the envelope's `count`, the size of the whole conversation: a sync can check it.
    assert_eq!(
        pages.iter().map(|p| p.count).collect::<Vec<_>>(),
        [Some(3), Some(3)]
    );
    let messages: Vec<_> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0].content_type, Some(MessageContentType::Text));
    assert_eq!(messages[1].sender_type, Some(MessageSenderType::User));
    assert_eq!(
        messages[2].content_type,
        Some(MessageContentType::Unknown("Carousel".to_owned()))
    );
    assert_eq!(
        messages[2].sender_type,
        Some(MessageSenderType::Unknown("Bot".to_owned()))
    );
    assert_eq!(
        cursors(&server, "/messages").await,
        [None, Some(messages_cursor)]
    );
}

#[tokio::test]
async fn a_text_message_is_sent() {
    let server = MockServer::builder().start().await;
    let sent = json!({"conversation_id": 4101, "content_type": "Text", "content": "À dimanche !"});
    Mock::given(method("POST"))
        .and(path("/messages"))
        .and(body_json(&sent))
        .respond_with(ok(&json!({"status": "success", "message_id": 90004})))
        .expect(1)
        .mount(&server)
        .await;
    let reply = client(&server)
        .send_message()
        .body(SendMessageBody::Text(SendMessageText {
            conversation_id: 4101,
            content_type: SendMessageTextContentType::Text,
            content: "À dimanche !".to_owned(),
        }))
        .send()
        .into_result()
        .await
        .expect("sent");
    assert_eq!(reply.message_id, Some(90004));
}

#[tokio::test]
async fn webhook_configurations_are_created_and_listed() {
    let server = MockServer::builder().start().await;
    let created = json!({"items": [{"url": "https://hooks.example.com/partoo/messages", "event_type": "message_created"}]});
    let page = fixture("webhooks_page_1");
    Mock::given(method("POST"))
        .and(path("/webhooks"))
        .and(body_json(&created))
        .respond_with(ok(&json!({"items": [page["items"][0].clone()]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/webhooks"))
        .and(query_param("page", "1"))
        .respond_with(ok(&page))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let made = client
        .create_webhooks()
        .body(CreateWebhooksPayload {
            items: Some(vec![CreateWebhooksPayloadItemsItem {
                url: Some("https://hooks.example.com/partoo/messages".to_owned()),
                event_type: Some(WebhookEventType::MessageCreated),
            }]),
        })
        .send()
        .into_result()
        .await
        .expect("created");
    assert_eq!(made.items.as_deref().map(<[_]>::len), Some(1));

    // The list envelope keeps its items under `items`; `max_page: 1` ends the stream after one request.
    let hooks: Vec<_> = client
        .get_webhook_list()
        .items()
        .try_collect()
        .await
        .expect("listed");
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].event_type, WebhookEventType::MessageCreated);
    assert_eq!(
        hooks[0]
            .custom_headers
            .as_ref()
            .and_then(|h| h.get("X-Shop"))
            .map(|v| v.as_str()),
        Some("rivoli")
    );
    // Subscribed to review updates, an event type the reference's list left out and the spec now names.
    assert_eq!(hooks[1].event_type, WebhookEventType::ReviewUpdated);
}

#[tokio::test]
async fn posts_are_listed_page_by_page() {
    let server = MockServer::builder().start().await;
    for (n, name) in [(1, "posts_page_1"), (2, "posts_page_2")] {
        Mock::given(method("GET"))
            .and(path("/posts"))
            .and(query_param("page", n.to_string().as_str()))
            .respond_with(ok(&fixture(name)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let posts: Vec<_> = client(&server)
        .search_post()
        .business_in(vec!["5d2f1a9e8b7c6d5e4f3a2b1c".to_owned()])
        .items()
        .try_collect()
        .await
        .expect("every post");
    assert_eq!(
        posts.iter().map(|p| p.id).collect::<Vec<_>>(),
        [Some(501), Some(502), Some(503)]
    );
    assert_eq!(posts[1].post_type, Some(PostPostType::Offer));
    assert_eq!(posts[1].offer_code.as_deref(), Some("MARDI10"));
    assert_eq!(
        posts[2].post_type,
        Some(PostPostType::Unknown("product".to_owned()))
    );
}

#[tokio::test]
async fn a_section_with_its_groups_and_a_custom_role() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/sections/77"))
        .respond_with(ok(&fixture("section")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/custom_role/store_manager"))
        .respond_with(ok(&fixture("custom_role")))
        .mount(&server)
        .await;
    let client = client(&server);
    let section = client
        .get_group_section_by_id()
        .section_id("77")
        .send()
        .into_result()
        .await
        .expect("a section");
    let groups: Vec<_> = section
        .groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.name)
        .collect();
    assert_eq!(groups, ["Île-de-France", "Bretagne"]);

    let role = client
        .get_custom_role()
        .custom_role_api_id("store_manager")
        .send()
        .into_result()
        .await
        .expect("a custom role");
    assert_eq!(role.is_builtin, Some(false));
    assert_eq!(
        role.permissions.unwrap_or_default(),
        ["reviews:reply", "messages:send", "posts:create"]
    );
}
