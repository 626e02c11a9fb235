//! The diamond market (`kids-coding-market.txt`), URL by URL under both prefixes, and the
//! purchase's all-or-nothing rule under concurrency.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER, STAFF};

const PREFIXES: [&str; 2] = ["/market", "/program_face2face/market"];

fn avatar() -> Value {
    json!({ "pk": 1, "name": "Avatar", "desc": "", "style": "avatar_2", "action": "avatar" })
}

/// Product 1 of the seed's order examples, with `bought` as given.
fn oolong(bought: i64) -> Value {
    json!({
        "pk": 1, "name": "乌龙茶", "content": "乌龙茶饮料", "image": "http://thisisimages/",
        "diamond": 100, "bought": bought, "product_type": 1, "product_type_display": "虚拟商品",
        "create_time": "2017-11-03T14:44:12.099395", "category_detail": avatar()
    })
}

/// The seed's physical product: no `category_detail` key at all.
fn iced_tea() -> Value {
    json!({
        "pk": 2, "name": "冰红茶", "content": "冰红茶饮料", "image": "http://thisisimages/",
        "diamond": 100, "bought": 0, "product_type": 0, "product_type_display": "实物商品",
        "create_time": "2017-11-03T14:45:33.719105"
    })
}

fn virtual_2() -> Value {
    json!({
        "pk": 27, "name": "虚拟商品2", "content": "虚拟商品2", "image": "http://thisisimages/",
        "diamond": 100, "bought": 0, "product_type": 1, "product_type_display": "虚拟商品",
        "create_time": "2017-10-01T00:00:00", "category_detail": avatar()
    })
}

fn seed_order() -> Value {
    json!({
        "owner": "18519791946", "exchange_product": oolong(2),
        "order_number": "17003298818986925262490011", "diamond": 100, "status": 1,
        "status_display": "已兑换", "create_time": "2017-11-03T15:00:47.217734"
    })
}

/// A second member with its own key and diamonds.
async fn other_member(app: &TestApp, diamonds: i64) -> String {
    app.exec(&format!(
        "INSERT INTO user_info (owner, name, avatar, age, points, lesson_total, is_seller, commission_cents, \
         is_pay, is_bind, bind_account, group_status, star, created_at, diamonds) \
         VALUES ('13700000000', '别人', '', 0, 0, 0, false, 0, false, false, '', 3, false, '2020-01-01 00:00:00', {diamonds})"
    ))
    .await;
    let id = app
        .scalar("SELECT id FROM user_info WHERE owner = '13700000000'")
        .await;
    let key = opsgraph::auth::service::create_api_key(&app.state.core.db, None, Some(id as i32))
        .await
        .unwrap();
    format!("Token {key}")
}

async fn put(app: &TestApp, path: &str, auth: Option<&str>) -> (StatusCode, Value) {
    let (s, _, v) = app.send(Method::PUT, path, auth, None, vec![]).await;
    (s, v)
}

#[tokio::test]
async fn product_list_and_detail_answer_the_seed_shape_under_both_prefixes() {
    each_db(|app| async move {
        for prefix in PREFIXES {
            let (status, body) = app
                .get(&format!("{prefix}/exchange_products/?_type=0"), None)
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body,
                json!({ "count": 1, "next": null, "previous": null, "results": [iced_tea()] })
            );
            let (_, body) = app
                .get(&format!("{prefix}/exchange_products/?name=乌龙"), None)
                .await;
            assert_eq!(
                body,
                json!({ "count": 1, "next": null, "previous": null, "results": [oolong(2)] })
            );
            // Public, and only what is on sale (product 30 is not).
            let (_, all) = app
                .get(&format!("{prefix}/exchange_products/?page_size=50"), None)
                .await;
            let on_sale = app
                .scalar("SELECT COUNT(*) FROM exchange_product WHERE on_sale = true")
                .await;
            assert_eq!(all["count"], on_sale);
            assert!(all["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["pk"] != 30));
            let (_, virtuals) = app
                .get(
                    &format!("{prefix}/exchange_products/?_type=1&page_size=50"),
                    None,
                )
                .await;
            assert!(virtuals["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["category_detail"].is_object()));
            assert_eq!(
                app.get(&format!("{prefix}/exchange_products/1/"), None)
                    .await,
                (StatusCode::OK, oolong(2))
            );
            assert_eq!(
                app.get(&format!("{prefix}/exchange_products/2/"), None)
                    .await,
                (StatusCode::OK, iced_tea())
            );
            for missing in ["999", "abc"] {
                assert_eq!(
                    app.get(&format!("{prefix}/exchange_products/{missing}/"), None)
                        .await,
                    (StatusCode::NOT_FOUND, json!({ "detail": "Not found." }))
                );
            }
            for (query, field, message) in [
                (
                    "_type=2",
                    "_type",
                    "Select a valid choice. 2 is not one of the available choices.",
                ),
                ("_type=x", "_type", "A valid integer is required."),
            ] {
                assert_eq!(
                    app.get(&format!("{prefix}/exchange_products/?{query}"), None)
                        .await,
                    (StatusCode::BAD_REQUEST, json!({ field: [message] })),
                    "{query}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn purchase_answers_the_seed_and_moves_diamonds_stock_and_props_together() {
    each_db(|app| async move {
        let (status, body) = app.get("/market/exchange_products/purchase/1/", Some(MEMBER)).await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "message": "兑换成功" })));
        assert_eq!(app.scalar("SELECT diamonds FROM user_info WHERE id = 100").await, 900);
        assert_eq!(app.scalar("SELECT bought FROM exchange_product WHERE id = 1").await, 3);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM exchange_order WHERE owner_id = 100").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_product WHERE owner_id = 100 AND product_id = 1 AND status = 0").await, 1);
        let number = app.scalar("SELECT COUNT(*) FROM exchange_order WHERE LENGTH(order_number) = 26").await;
        assert_eq!(number, 2, "order numbers have 26 digits");
        // POST works too; a physical product adds no prop.
        let (status, _, body) = app
            .send(Method::POST, "/program_face2face/market/exchange_products/purchase/2/", Some(MEMBER), None, vec![])
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "message": "兑换成功" })));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_product WHERE product_id = 2").await, 0);
        assert_eq!(app.scalar("SELECT diamonds FROM user_info WHERE id = 100").await, 800);
    })
    .await;
}

/// Balance, units sold, orders and props: what a purchase changes.
async fn snapshot(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.scalar("SELECT diamonds FROM user_info WHERE id = 100")
            .await,
        app.scalar("SELECT CAST(SUM(bought) AS BIGINT) FROM exchange_product")
            .await,
        app.scalar("SELECT COUNT(*) FROM exchange_order").await,
        app.scalar("SELECT COUNT(*) FROM user_product").await,
    )
}

#[tokio::test]
async fn purchase_failures_keep_the_message_shape_and_change_nothing() {
    each_db(|app| async move {
        app.exec("UPDATE exchange_product SET stock = 0 WHERE id = 29").await;
        app.exec("UPDATE user_info SET diamonds = 250 WHERE id = 100").await;
        let before = snapshot(&app).await;
        for (path, status, body) in [
            ("26", StatusCode::BAD_REQUEST, json!({ "message": "钻石不足" })),
            ("999", StatusCode::NOT_FOUND, json!({ "message": "商品不存在" })),
            ("abc", StatusCode::NOT_FOUND, json!({ "message": "商品不存在" })),
            ("30", StatusCode::BAD_REQUEST, json!({ "message": "商品已下架" })),
            ("29", StatusCode::BAD_REQUEST, json!({ "message": "商品已售罄" })),
        ] {
            let got = app.get(&format!("/market/exchange_products/purchase/{path}/"), Some(MEMBER)).await;
            assert_eq!(got, (status, body), "{path}");
        }
        assert_eq!(
            app.get("/market/exchange_products/purchase/1/", None).await,
            (StatusCode::UNAUTHORIZED, json!({ "detail": "Authentication credentials were not provided." }))
        );
        assert_eq!(
            app.get("/market/exchange_products/purchase/1/", Some(STAFF)).await,
            (StatusCode::FORBIDDEN, json!({ "detail": "You do not have permission to perform this action." }))
        );
        assert_eq!(before, snapshot(&app).await, "a refused purchase wrote something");
        // GraphQL answers the same rules with codes.
        let m = "mutation ($id: Int!) { purchaseProduct(productId: $id) { message order { diamond } } }";
        let v = app.graphql(Some(MEMBER), m, json!({ "id": 26 })).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "INSUFFICIENT_DIAMONDS");
        assert_eq!(v["errors"][0]["message"], "钻石不足");
        let v = app.graphql(Some(MEMBER), m, json!({ "id": 30 })).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "PRODUCT_UNAVAILABLE");
        let v = app.graphql(Some(MEMBER), m, json!({ "id": 2 })).await;
        assert_eq!(v, json!({ "data": { "purchaseProduct": { "message": "兑换成功", "order": { "diamond": 100 } } } }));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_purchases_never_overspend() {
    each_db(|app| async move {
        // Exactly 7 purchases' worth of diamonds.
        app.exec("UPDATE user_info SET diamonds = 700 WHERE id = 100")
            .await;
        let bought_before = app
            .scalar("SELECT bought FROM exchange_product WHERE id = 1")
            .await;
        let props_before = app
            .scalar("SELECT COUNT(*) FROM user_product WHERE owner_id = 100")
            .await;
        let orders_before = app
            .scalar("SELECT COUNT(*) FROM exchange_order WHERE owner_id = 100")
            .await;
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move {
                    app.get("/market/exchange_products/purchase/1/", Some(MEMBER))
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            match status {
                StatusCode::OK => ok += 1,
                StatusCode::BAD_REQUEST => assert_eq!(body, json!({ "message": "钻石不足" })),
                other => panic!("{}: unexpected {other}: {body}", app.name()),
            }
        }
        assert_eq!(ok, 7, "{}", app.name());
        assert_eq!(
            app.scalar("SELECT diamonds FROM user_info WHERE id = 100")
                .await,
            0
        );
        assert_eq!(
            app.scalar("SELECT bought FROM exchange_product WHERE id = 1")
                .await,
            bought_before + 7
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM exchange_order WHERE owner_id = 100")
                .await,
            orders_before + 7
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM user_product WHERE owner_id = 100")
                .await,
            props_before + 7
        );
        assert_eq!(
            app.scalar("SELECT COUNT(DISTINCT order_number) FROM exchange_order")
                .await,
            orders_before + 7
        );
    })
    .await;
}

#[tokio::test]
async fn sqlite_writers_take_turns_and_every_end_of_a_transaction_passes_the_turn_on() {
    use std::sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    };

    use opsgraph::db::begin_write;
    use sea_orm::{ConnectionTrait, DatabaseBackend};

    each_db(|app| async move {
        let db = app.state.core.db.clone();
        let sqlite = db.get_database_backend() == DatabaseBackend::Sqlite;
        let start = app
            .scalar("SELECT diamonds FROM user_info WHERE id = 100")
            .await;
        let first = begin_write(&db).await.unwrap();
        first
            .execute_unprepared("UPDATE user_info SET diamonds = diamonds + 1 WHERE id = 100")
            .await
            .unwrap();
        let first_done = Arc::new(AtomicBool::new(false));
        let (began_tx, began_rx) = tokio::sync::oneshot::channel();
        let second = tokio::spawn({
            let (db, first_done) = (db.clone(), first_done.clone());
            async move {
                let txn = begin_write(&db).await.unwrap();
                // On SQLite the turn comes only once the first writer has committed.
                let after_first = first_done.load(Ordering::SeqCst);
                let _ = began_tx.send(after_first);
                txn.execute_unprepared(
                    "UPDATE user_info SET diamonds = diamonds + 1 WHERE id = 100",
                )
                .await
                .unwrap();
                txn.commit().await.unwrap();
            }
        });
        if !sqlite {
            // PostgreSQL has no turn: the second transaction begins while the first is open
            // (and its update then waits for the first's row lock, as PostgreSQL does).
            assert!(
                !began_rx.await.unwrap(),
                "PostgreSQL began the second at once"
            );
            first_done.store(true, Ordering::SeqCst);
            first.commit().await.unwrap();
        } else {
            first_done.store(true, Ordering::SeqCst);
            first.commit().await.unwrap();
            assert!(
                began_rx.await.unwrap(),
                "SQLite began the second after the first"
            );
        }
        second.await.unwrap();
        assert_eq!(
            app.scalar("SELECT diamonds FROM user_info WHERE id = 100")
                .await,
            start + 2,
            "both writers' updates kept"
        );
        // A transaction dropped unfinished, or rolled back, passes the turn on too (otherwise
        // the next begin would wait out its 10 s and fail).
        let before = app
            .scalar("SELECT diamonds FROM user_info WHERE id = 100")
            .await;
        let dropped = begin_write(&db).await.unwrap();
        dropped
            .execute_unprepared("UPDATE user_info SET diamonds = 0 WHERE id = 100")
            .await
            .unwrap();
        drop(dropped);
        let rolled_back = begin_write(&db).await.unwrap();
        rolled_back
            .execute_unprepared("UPDATE user_info SET diamonds = 0 WHERE id = 100")
            .await
            .unwrap();
        rolled_back.rollback().await.unwrap();
        let last = begin_write(&db).await.unwrap();
        last.commit().await.unwrap();
        assert_eq!(
            app.scalar("SELECT diamonds FROM user_info WHERE id = 100")
                .await,
            before,
            "nothing of the unfinished transactions stayed"
        );
    })
    .await;
}

#[tokio::test]
async fn orders_answer_the_seed_and_only_to_their_owner() {
    each_db(|app| async move {
        for prefix in PREFIXES {
            assert_eq!(
                app.get(&format!("{prefix}/exchange_product_order/"), Some(MEMBER)).await,
                (StatusCode::OK, json!({ "count": 1, "next": null, "previous": null, "results": [seed_order()] }))
            );
            assert_eq!(
                app.get(&format!("{prefix}/exchange_product_order/17003298818986925262490011/"), Some(MEMBER)).await,
                (StatusCode::OK, seed_order())
            );
            assert_eq!(
                app.get(&format!("{prefix}/exchange_product_order/00000000000000000000000000/"), Some(MEMBER)).await,
                (StatusCode::NOT_FOUND, json!({ "detail": "Not found." }))
            );
        }
        let other = other_member(&app, 0).await;
        assert_eq!(
            app.get("/market/exchange_product_order/", Some(&other)).await,
            (StatusCode::OK, json!({ "count": 0, "next": null, "previous": null, "results": [] }))
        );
        assert_eq!(
            app.get("/market/exchange_product_order/17003298818986925262490011/", Some(&other)).await,
            (StatusCode::NOT_FOUND, json!({ "detail": "Not found." }))
        );
        let q = r#"{ exchangeOrder(orderNumber: "17003298818986925262490011") { diamond } }"#;
        let v = app.graphql(Some(&other), q, json!({})).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND");
        assert_eq!(
            app.get("/market/exchange_product_order/", None).await.0,
            StatusCode::UNAUTHORIZED
        );
        // Staff see any member's orders with the permission code.
        let q = r#"{ memberExchangeOrders(owner: "18519791946") { totalCount items { orderNumber owner } } }"#;
        let v = app.graphql(Some(STAFF), q, json!({})).await;
        assert_eq!(v, json!({ "data": { "memberExchangeOrders": { "totalCount": 1, "items": [
            { "orderNumber": "17003298818986925262490011", "owner": "18519791946" }] } } }));
        let v = app.graphql(Some(MEMBER), q, json!({})).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    })
    .await;
}

#[tokio::test]
async fn user_products_filter_and_use_one_prop_per_action() {
    each_db(|app| async move {
        let (_, body) = app.get("/program_face2face/market/user_products/?_type=1&status=0", Some(MEMBER)).await;
        assert_eq!(body["count"], 2);
        assert_eq!(
            body["results"][1],
            json!({ "pk": 129, "status": 0, "status_display": "未使用",
                    "create_time": "2017-11-03T14:45:33.719105", "exchange_product": virtual_2() })
        );
        let (_, used) = app.get("/market/user_products/?status=1", Some(MEMBER)).await;
        assert_eq!(used["count"], 1);
        assert_eq!(used["results"][0]["pk"], 3);
        let (_, physical) = app.get("/market/user_products/?_type=0", Some(MEMBER)).await;
        assert_eq!(physical["count"], 0);
        assert_eq!(
            app.get("/market/user_products/?status=7", Some(MEMBER)).await,
            (StatusCode::BAD_REQUEST, json!({ "status": ["Select a valid choice. 7 is not one of the available choices."] }))
        );
        // Own a background prop in use too: using an avatar must leave it alone.
        app.exec("INSERT INTO user_product (owner_id, product_id, status, create_time) VALUES (100, 29, 1, '2020-01-01 00:00:00')").await;
        for prefix in PREFIXES {
            let (status, body) = put(&app, &format!("{prefix}/use_product/129/"), Some(MEMBER)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body,
                json!({ "pk": 129, "status": 1, "status_display": "已使用",
                        "create_time": "2017-11-03T14:45:33.719105", "exchange_product": virtual_2() })
            );
        }
        assert_eq!(app.scalar("SELECT status FROM user_product WHERE id = 3").await, 0, "the other avatar");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_product WHERE product_id = 29 AND status = 1").await, 1);
        let (_, info) = app.get("/program_face2face/userinfo/", Some(MEMBER)).await;
        assert_eq!(info["pk"], 100);
        assert_eq!(info["owner"], "18519791946");
        assert_eq!(info["name"], "赵小明");
        let props = info["props"].as_array().unwrap();
        assert_eq!(props.len(), 2);
        assert_eq!(
            props[0],
            json!({ "owner": 100, "exchange_product": virtual_2(), "status": 1, "status_display": "已使用",
                    "create_time": "2017-11-03T14:45:33.719105", "pk": 129 })
        );
        assert_eq!(app.get("/userinfo/", Some(MEMBER)).await.1, info);
        let (status, body) = put(&app, "/market/unuse_product/129/", Some(MEMBER)).await;
        assert_eq!((status, body["status"].clone(), body["status_display"].clone()), (StatusCode::OK, json!(0), json!("未使用")));
        // Someone else's prop is not there for another member.
        let other = other_member(&app, 0).await;
        for path in ["/market/use_product/131/", "/market/unuse_product/3/", "/market/use_product/x/"] {
            assert_eq!(put(&app, path, Some(&other)).await, (StatusCode::NOT_FOUND, json!({ "detail": "Not found." })), "{path}");
        }
        assert_eq!(app.scalar("SELECT status FROM user_product WHERE id = 131").await, 0);
        let v = app.graphql(Some(&other), "mutation { useProduct(id: 131) { status } }", json!({})).await;
        assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND");
        assert_eq!(put(&app, "/market/use_product/131/", None).await.0, StatusCode::UNAUTHORIZED);
        let v = app.graphql(Some(MEMBER), "{ me { diamonds props { id } } }", json!({})).await;
        assert_eq!(v, json!({ "data": { "me": { "diamonds": 1000, "props": [{ "id": 132 }] } } }));
    })
    .await;
}

#[tokio::test]
async fn market_pages_cost_the_same_statements_whatever_their_size() {
    each_db(|app| async move {
        for i in 0..60 {
            app.exec(&format!(
                "INSERT INTO exchange_order (order_number, owner_id, product_id, diamond, status, create_time) \
                 VALUES ('{:026}', 100, {}, 100, 1, '2020-01-01 00:00:00')",
                i,
                [1, 2, 26, 27, 28, 29][i % 6]
            ))
            .await;
        }
        let mut costs = Vec::new();
        for size in [50, 5, 50] {
            let before = app.statements();
            let (status, body) = app
                .get(&format!("/market/exchange_product_order/?page_size={size}"), Some(MEMBER))
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["results"].as_array().unwrap().len(), size);
            costs.push(app.statements() - before);
        }
        // Credentials (remembered from then on), count, page, owners, products, categories;
        // the first use of the key notes it (once a minute); later pages reuse the credential
        // and the total.
        assert_eq!(costs, [7, 4, 4], "{}", app.name());
    })
    .await;
}

#[tokio::test]
async fn market_page_links_keep_their_prefix() {
    each_db(|app| async move {
        for prefix in PREFIXES {
            let (_, first) = app
                .get(
                    &format!("{prefix}/exchange_products/?page_size=2&_type=1"),
                    None,
                )
                .await;
            assert_eq!(
                first["next"],
                format!(
                    "http://localhost:8000{prefix}/exchange_products/?_type=1&page=2&page_size=2"
                )
            );
            let (status, second) = app
                .get(
                    first["next"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("http://localhost:8000"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                second["previous"],
                format!("http://localhost:8000{prefix}/exchange_products/?_type=1&page_size=2")
            );
        }
    })
    .await;
}

#[tokio::test]
async fn null_characters_and_unknown_urls_answer_drf_errors() {
    each_db(|app| async move {
        assert_eq!(
            app.get("/market/exchange_products/?name=a%00b", None).await,
            (
                StatusCode::BAD_REQUEST,
                json!({ "name": ["Null characters are not allowed."] })
            )
        );
        assert_eq!(
            app.get("/server/userinfo/payer_list/?kw=%00", Some(STAFF))
                .await,
            (
                StatusCode::BAD_REQUEST,
                json!({ "kw": ["Null characters are not allowed."] })
            )
        );
        let (status, body) = app
            .post_json(
                "/server/userinfo/visit_record_create/",
                Some(STAFF),
                json!({ "contact": "a", "detail": "x\u{0}y" }),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::BAD_REQUEST,
                json!({ "detail": ["Null characters are not allowed."] })
            )
        );
        assert_eq!(
            app.get("/market/exchange_product_order/%00/", Some(MEMBER))
                .await,
            (
                StatusCode::BAD_REQUEST,
                json!({ "detail": "Null characters are not allowed." })
            )
        );
        // Through GraphQL the database's refusal is a clear input error on both engines.
        let v = app
            .graphql(
                Some(STAFF),
                "{ payers(filter: {kw: \"\\u0000\"}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{v}"
        );
        let v = app
            .graphql(
                Some(STAFF),
                "query ($kw: String) { payers(filter: {kw: $kw}) { totalCount } }",
                json!({ "kw": "a\u{0}" }),
            )
            .await;
        assert_eq!(
            v["errors"][0]["message"], "Null characters are not allowed.",
            "{v}"
        );
        assert_eq!(
            app.get("/market/nowhere/", None).await,
            (StatusCode::NOT_FOUND, json!({ "detail": "Not found." }))
        );
        assert_eq!(
            app.get("/market/use_product/129/", Some(MEMBER)).await,
            (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({ "detail": "Method \"GET\" not allowed." })
            )
        );
        assert_eq!(
            app.get("/api/nowhere", None).await,
            (
                StatusCode::NOT_FOUND,
                json!({ "status": 1, "error": "Not found.", "errors": {} })
            )
        );
    })
    .await;
}
