//! Merchant management (`merchant-management.txt`): the index, the search with every filter and
//! its Excel export (read back by an independent reader), edits and new shops.

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::common::{each_db, TestApp, MEMBER, STAFF};

/// A staff JWT, as the merchant site sends it.
async fn bearer(app: &TestApp) -> String {
    let (_, body) = app
        .post_json(
            "/api/access/token",
            None,
            json!({ "account": "admin", "password": "123456" }),
        )
        .await;
    format!("Bearer {}", body["data"]["token"].as_str().unwrap())
}

/// The seed's list row, as the demo holds S281196.
fn seed_row() -> Value {
    json!({
        "check_out": 1, "user_id": 73655, "address_label": null, "create_time": "2019-08-19",
        "KID": "K073655", "customer_type": 1, "cname": "商户1", "create_employee_phone": "--",
        "resname": "1", "telephone": "134", "pay_method": "周结", "sales_employee_phone": "--",
        "addr_detail": "123", "settle_way": "先货后款", "create_employee_name": "--",
        "finance_status": 0, "whitelist": 1, "keycustomer": 0, "area_l2": "下沙村",
        "city": "东莞市", "area_l1": "石排镇", "sales_employee_name": "(待定)",
        "service_station": ["喵喵总仓"], "username": "mmsh01", "point": 0, "balance": 6885.93,
        "name": "测试删除", "SID": "S281196"
    })
}

/// The seed's edit request for S312206, as the page posts it (a form).
const SEED_EDIT: &str = "id=S312206&new_cname=%E5%95%86%E6%88%B71&telephone=&settle_way=1&paymentName=%E6%B5%8B%E8%AF%95%E5%88%A0%E9%99%A4&paymentTelephone=134&check_out=1&freezeState=0&white=1&shopName=zzz&address_label_id=-1&receiver=zzz&receiverPhone=13112345678&originalArea=440300&firstArea=30300000000&secondArea=30300500000&shopAddress=%E5%B9%BF%E4%B8%9C%E7%9C%81%E6%B7%B1%E5%9C%B3%E5%B8%82&lat=22.549475&lng=114.085846&map_address=%E5%B9%BF%E4%B8%9C%E7%9C%81&creatEmployeeValue=2011&saleEmployeeValue=2012&settle_date_type=2&pay_method=3&begin_day=1&settle_day=1&effective_date=2019-09-16&settle_remind=-1&is_credit=0";

/// The seed's add request.
fn seed_add() -> Value {
    json!({
        "username": "mmsh01", "KID": "K073655", "company_name": "商户1", "isEditPassword": false,
        "telephone": "", "customer_type": 0, "kid": "K073655", "settle_way": 1,
        "payer_name": "测试删除", "payer_telephone": "134", "finance_status": 0, "whitelist": 1,
        "check_out": 1, "pay_method": 2, "settle_date_type": 1, "is_credit": 0,
        "lng": 114.088007, "lat": 22.548645, "address_label_id": 1911,
        "map_address": "广东省深圳市福田区华强北街道红荔路185群星广场", "restaurant_name": "zzz",
        "receiver_name": "zzz", "receiver_telephone": "13112345678", "district_code": "440300",
        "area_level1": 30300000000_i64, "area_level2": 30300500000_i64,
        "restaurant_address": "广东省深圳市福田区华强北街道红荔路185群星广场",
        "create_employee_id": "2011", "sale_employee_id": "2011", "salemenu_ids": ["S21329"]
    })
}

#[tokio::test]
async fn index_answers_the_seed_shape() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, body) = app.get("/custommanage/", Some(&auth)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "data": {
                "sale_employee": {
                    "2011": { "district_code": null, "name": "喵喵总仓" },
                    "2012": { "district_code": "440300", "name": "张经理" } },
                "district": [ { "code": "110000", "name": "北京市" }, { "code": "440300", "name": "深圳市" },
                              { "code": "441900", "name": "东莞市" } ],
                "station": {
                    "T10001": { "distribute_city_ids": ["441900"], "key_url": "mmzc", "district_code": "441900", "name": "喵喵总仓" },
                    "T12469": { "distribute_city_ids": ["110000", "440300", "441900"], "key_url": "xscs",
                                "district_code": "440300", "name": "喵喵分仓二" } },
                "create_employee": { "2011": { "district_code": null, "name": "喵喵总仓" } },
                "city": {
                    "110000": { "area": { "150100000000": { "street": [{ "150100100000": "百善" }], "name": "昌平区" } }, "name": "北京市" },
                    "440300": { "area": {
                        "30100000000": { "street": [{ "30100100000": "华强北" }, { "30100200000": "香蜜湖" }], "name": "福田区" },
                        "30300000000": { "street": [{ "30300500000": "东门" }], "name": "罗湖区" } }, "name": "深圳市" },
                    "441900": { "area": { "44190010000": { "street": [{ "44190010001": "下沙村" }], "name": "石排镇" } }, "name": "东莞市" } },
                "station_salemenu": [
                    { "stations_id": "T10001", "salemenu_id": "S21329", "salemenu_name": "水果报价单", "stations_name": "喵喵总仓" },
                    { "stations_id": "T12469", "salemenu_id": "S21329", "salemenu_name": "水果报价单", "stations_name": "喵喵分仓二" },
                    { "stations_id": "T12469", "salemenu_id": "S8443", "salemenu_name": "蔬菜报价单", "stations_name": "喵喵分仓二" } ],
                "salemenu": { "S21329": "水果报价单", "S8443": "蔬菜报价单" },
                "area": {
                    "30100000000": { "child": [{ "30100100000": "华强北" }, { "30100200000": "香蜜湖" }], "district_code": "440300", "name": "福田区" },
                    "30300000000": { "child": [{ "30300500000": "东门" }], "district_code": "440300", "name": "罗湖区" },
                    "44190010000": { "child": [{ "44190010001": "下沙村" }], "district_code": "441900", "name": "石排镇" },
                    "150100000000": { "child": [{ "150100100000": "百善" }], "district_code": "110000", "name": "昌平区" } }
              }, "msg": "ok", "code": 0 })
        );
    })
    .await;
}

/// Adds shops of varied attributes through the legacy URL; answers their SIDs.
async fn more_shops(app: &TestApp, auth: &str) -> Vec<String> {
    let variants = [
        json!({ "username": "alpha01", "password": "secret1", "company_name": "Alpha Foods", "customer_type": 2,
                "restaurant_name": "阿尔法面馆", "receiver_name": "李雷", "receiver_telephone": "13900001111",
                "district_code": "440300", "area_level1": 30100000000_i64, "area_level2": 30100100000_i64,
                "restaurant_address": "华强北路1号", "salemenu_ids": "S8443", "pay_method": 4, "settle_way": 2,
                "sale_employee_id": 2012, "address_label_id": 1912, "check_out": false }),
        json!({ "username": "beta02", "password": "secret2", "company_name": "=HYPERLINK(\"x\")",
                "restaurant_name": "@SUM(A1)", "receiver_name": "+韩梅梅", "receiver_telephone": "-13700002222",
                "district_code": "110000", "area_level1": 150100000000_i64, "area_level2": 150100100000_i64,
                "restaurant_address": "百善镇", "salemenu_ids": ["S21329", "S8443"], "create_employee_id": 2011 }),
        json!({ "kid": "K073655", "restaurant_name": "第三家店", "receiver_name": "王五", "receiver_telephone": "13600003333",
                "district_code": "440300", "area_level1": 30100000000_i64, "area_level2": 30100200000_i64,
                "restaurant_address": "香蜜湖路", "pay_method": 2 }),
    ];
    let mut sids = Vec::new();
    for v in variants {
        let (status, body) = app
            .post_json("/custommanage/restaurant/add", Some(auth), v)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        sids.push(body["data"]["SID"].as_str().unwrap().to_owned());
    }
    sids
}

/// The SIDs a filtered list answers.
async fn sids(app: &TestApp, auth: &str, query: &str) -> Vec<String> {
    let (status, body) = app
        .get(&format!("/custommanage/list?num=100&{query}"), Some(auth))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    let rows: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["SID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(body["count"], rows.len(), "{query}");
    rows
}

/// SIDs by SQL, newest first: the independent answer.
async fn sql_sids(app: &TestApp, sql_where: &str) -> Vec<String> {
    let n = app
        .scalar(&format!("SELECT COUNT(*) FROM shop WHERE {sql_where}"))
        .await;
    let mut out = Vec::new();
    for i in 0..n {
        let id = app
            .scalar(&format!(
                "SELECT id FROM shop WHERE {sql_where} ORDER BY id DESC LIMIT 1 OFFSET {i}"
            ))
            .await;
        out.push(format!("S{id}"));
    }
    out
}

#[tokio::test]
async fn list_answers_the_seed_row_and_every_filter() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // The seed's own request: zeros and blanks mean "all".
        let (status, body) = app
            .get("/custommanage/list?export=0&firstMenu=0&secondMenu=0&stationMenu=0&page=1&city=441900&saleMenu=0&num=10&search_text=&address_label_id=0", Some(&auth))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({ "code": 0, "data": [seed_row()], "count": 1 }));
        let new = more_shops(&app, &auth).await;
        assert_eq!(sids(&app, &auth, "").await, sql_sids(&app, "1 = 1").await);
        for (query, sql) in [
            ("firstMenu=30100000000", "area_level1_id = 30100000000"),
            ("secondMenu=30100200000", "area_level2_id = 30100200000"),
            ("stationMenu=T12469", "id IN (SELECT shop_id FROM shop_salemenu WHERE service_station_id = 'T12469')"),
            ("stationMenu=T10001", "id IN (SELECT shop_id FROM shop_salemenu WHERE service_station_id = 'T10001')"),
            ("check_out=1", "check_out = 1"),
            ("check_out=0", "check_out = 0"),
            ("city=440300", "district_code = '440300'"),
            ("crtManeger=2011", "create_employee_id = 2011"),
            ("saleManager=2012", "sale_employee_id = 2012"),
            ("salemenu=S8443", "id IN (SELECT shop_id FROM shop_salemenu WHERE salemenu_id = 'S8443')"),
            ("saleMenu=S21329", "id IN (SELECT shop_id FROM shop_salemenu WHERE salemenu_id = 'S21329')"),
            ("pay_method=4", "pay_method = 4"),
            ("settle_way=2", "settle_way = 2"),
            ("customer_type=2", "account_id IN (SELECT id FROM merchant_account WHERE customer_type = 2)"),
            ("address_label_id=-1", "address_label_id IS NULL"),
            ("address_label_id=1912", "address_label_id = 1912"),
        ] {
            let expected = sql_sids(&app, sql).await;
            assert!(!expected.is_empty(), "{query} selects something");
            assert_eq!(sids(&app, &auth, query).await, expected, "{query}");
        }
        // Free text over company, shop, contact, phone and username, case-insensitive.
        assert_eq!(sids(&app, &auth, "search_text=alpha%20FOODS").await, vec![new[0].clone()]);
        assert_eq!(sids(&app, &auth, "search_text=%E9%9D%A2%E9%A6%86").await, vec![new[0].clone()]);
        assert_eq!(sids(&app, &auth, "search_text=%E9%9F%A9%E6%A2%85").await, vec![new[1].clone()]);
        assert_eq!(sids(&app, &auth, "search_text=13600003333").await, vec![new[2].clone()]);
        assert_eq!(sids(&app, &auth, "search_text=BETA02").await, vec![new[1].clone()]);
        assert_eq!(sids(&app, &auth, "search_text=mmsh01").await.len(), 3);
        assert_eq!(sids(&app, &auth, "search_text=%25").await, Vec::<String>::new());
        // Paging: num and page; past the end is an empty page with the count.
        let all = sids(&app, &auth, "").await;
        let (_, p2) = app.get("/custommanage/list?num=2&page=2", Some(&auth)).await;
        let page2: Vec<&str> = p2["data"].as_array().unwrap().iter().map(|r| r["SID"].as_str().unwrap()).collect();
        assert_eq!(page2, all[2..4].iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(p2["count"], all.len());
        let (_, past) = app.get("/custommanage/list?num=2&page=99", Some(&auth)).await;
        assert_eq!(past, json!({ "code": 0, "data": [], "count": all.len() }));
        // Bad values are clear errors.
        let (status, body) = app.get("/custommanage/list?city=440300&firstMenu=abc", Some(&auth)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], 1);
        assert!(body["msg"].is_string());
    })
    .await;
}

fn cell_json(d: &Data) -> Value {
    match d {
        Data::Int(i) => json!(i),
        Data::Float(f) => json!(f),
        Data::String(s) => json!(s),
        Data::Bool(b) => json!(b),
        Data::Empty => json!(""),
        other => json!(other.to_string()),
    }
}

#[tokio::test]
async fn export_is_every_matching_row_read_back_independently() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        more_shops(&app, &auth).await;
        let (_, list) = app
            .get("/custommanage/list?num=100&city=0", Some(&auth))
            .await;
        let (status, headers, _) = app
            .send(
                Method::GET,
                "/custommanage/list?export=1&city=0",
                Some(&auth),
                None,
                vec![],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"merchants-"));
        let (_, _, raw) = app
            .get_bytes("/custommanage/list?export=1&city=0", &auth)
            .await;
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(raw.to_vec())).unwrap();
        let range = book.worksheet_range("商户").unwrap();
        let formulas = book.worksheet_formula("商户").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no cell is a formula"
        );
        let mut rows = range.rows();
        let header: Vec<Value> = rows.next().unwrap().iter().map(cell_json).collect();
        assert_eq!(header[0], "商户账户ID");
        assert_eq!(header[2], "商户ID");
        let keys = [
            "KID",
            "cname",
            "SID",
            "create_time",
            "username",
            "resname",
            "settle_way",
            "pay_method",
            "city",
            "area_l1",
            "area_l2",
            "addr_detail",
            "name",
            "telephone",
            "create_employee_name",
            "create_employee_phone",
            "sales_employee_name",
            "sales_employee_phone",
            "whitelist",
            "balance",
            "service_station",
            "address_label",
            "customer_type",
            "point",
            "check_out",
            "finance_status",
            "keycustomer",
            "user_id",
        ];
        assert_eq!(header.len(), keys.len());
        let sheet_rows: Vec<Vec<Value>> = rows.map(|r| r.iter().map(cell_json).collect()).collect();
        let list_rows = list["data"].as_array().unwrap();
        assert_eq!(sheet_rows.len(), list_rows.len());
        for (sheet, row) in sheet_rows.iter().zip(list_rows) {
            for (i, key) in keys.iter().enumerate() {
                let expected = match &row[*key] {
                    Value::Null => json!(""),
                    Value::Array(items) => json!(items
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join("、")),
                    Value::Number(n) => json!(n.as_f64().unwrap()),
                    other => other.clone(),
                };
                let got = match &sheet[i] {
                    Value::Number(n) => json!(n.as_f64().unwrap()),
                    other => other.clone(),
                };
                assert_eq!(got, expected, "{key} of {}", row["SID"]);
            }
        }
        // Formula-like text stays text.
        let texts: Vec<&Value> = sheet_rows.iter().flatten().collect();
        for t in ["=HYPERLINK(\"x\")", "@SUM(A1)", "+韩梅梅", "-13700002222"] {
            assert!(texts.contains(&&json!(t)), "{t} exported as text");
        }
        // Export needs its own permission code.
        app.exec("INSERT INTO role (name, superuser) VALUES ('lister', false)")
            .await;
        let role = app
            .scalar("SELECT id FROM role WHERE name = 'lister'")
            .await;
        app.exec(&format!(
            "INSERT INTO role_permission (role_id, code) VALUES ({role}, 'MERCHANT_LIST')"
        ))
        .await;
        let staff = opsgraph::auth::service::create_staff(
            &app.state.core.db,
            "lister",
            opsgraph::auth::password::hash("secret1".into())
                .await
                .unwrap(),
            None,
            "",
            role as i32,
        )
        .await
        .unwrap();
        let key = opsgraph::auth::service::create_api_key(&app.state.core.db, Some(staff.id), None)
            .await
            .unwrap();
        let lister = format!("Token {key}");
        assert_eq!(
            app.get("/custommanage/list", Some(&lister)).await.0,
            StatusCode::OK
        );
        assert_eq!(
            app.get("/custommanage/list?export=1", Some(&lister)).await,
            (
                StatusCode::FORBIDDEN,
                json!({ "code": 403, "msg": "没有权限" })
            )
        );
    })
    .await;
}

/// The shop as GraphQL sees it: what an edit must (not) have changed.
async fn shop_view(app: &TestApp, sid: &str) -> Value {
    let q = "query ($sid: String!) { merchant(sid: $sid) { sid companyName accountTelephone shopName receiverName
        receiverTelephone payerName payerTelephone address lat lng mapAddress settleWay payMethod checkOut financeStatus
        whitelist isCredit creditLimit effectiveDate beginDay settleDay settleDateType settleRemind
        city { code } areaLevel1 { id } areaLevel2 { id } createEmployee { id } saleEmployee { id }
        addressLabel { id } quoteSheets { recordId quoteSheet { id } serviceStation { id } } } }";
    let v = app.graphql(Some(STAFF), q, json!({ "sid": sid })).await;
    v["data"]["merchant"].clone()
}

#[tokio::test]
async fn edit_answers_the_seed_and_applies_each_section() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, body) = app
            .post_raw("/custommanage/edit", Some(&auth), SEED_EDIT)
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "code": 0, "msg": "success" }))
        );
        let after = shop_view(&app, "S312206").await;
        assert_eq!(after["companyName"], "商户1");
        assert_eq!(after["accountTelephone"], "");
        assert_eq!(after["payMethod"], 3);
        assert_eq!(after["saleEmployee"], json!({ "id": 2012 }));
        assert_eq!(after["addressLabel"], Value::Null);
        assert_eq!(after["effectiveDate"], "2019-09-16");
        assert_eq!(after["settleDateType"], 2);
        assert_eq!(after["settleRemind"], -1);
        assert_eq!(after["lat"], 22.549475);
        // One section at a time: the rest stays.
        let (status, _) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "id=S312206&shopName=%E6%96%B0%E5%BA%97%E5%90%8D",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut expected = after.clone();
        expected["shopName"] = json!("新店名");
        assert_eq!(shop_view(&app, "S312206").await, expected);
        // JSON works too, and KID-less numbers are accepted for the shop id.
        let (status, _) = app
            .post_json(
                "/custommanage/edit",
                Some(&auth),
                json!({ "id": "312206", "white": 0, "is_credit": 1, "credit_limit": "1500.5" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let v = shop_view(&app, "S312206").await;
        assert_eq!(
            (
                v["whitelist"].clone(),
                v["isCredit"].clone(),
                v["creditLimit"].clone()
            ),
            (json!(0), json!(1), json!(1500.5))
        );
        // Quote sheets: delete binding 530223 (the seed's form), then bind one back.
        let (status, body) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=deleteSSM&record_id=530223&id=S312206",
            )
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({ "code": 0, "msg": "success" }))
        );
        assert_eq!(shop_view(&app, "S312206").await["quoteSheets"], json!([]));
        let (status, body) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=deleteSSM&record_id=530223&id=S312206",
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!(404))
        );
        let (status, _) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=addSSM&id=S312206&salemenu_id=S21329",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let sheets = shop_view(&app, "S312206").await["quoteSheets"].clone();
        assert_eq!(sheets[0]["quoteSheet"], json!({ "id": "S21329" }));
        assert_eq!(
            sheets[0]["serviceStation"],
            json!({ "id": "T12469" }),
            "the station serving Shenzhen"
        );
        // Another shop's binding cannot be removed through this one.
        let (status, _) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=deleteSSM&record_id=530222&id=S312206",
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM shop_salemenu WHERE id = 530222")
                .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn edit_refuses_bad_input_and_writes_nothing() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let before = shop_view(&app, "S312206").await;
        for (body, status) in [
            ("shopName=x", StatusCode::BAD_REQUEST),
            ("id=S999999&shopName=x", StatusCode::NOT_FOUND),
            ("id=X1&shopName=x", StatusCode::BAD_REQUEST),
            ("id=S312206&shopName=%20", StatusCode::BAD_REQUEST),
            ("id=S312206&originalArea=999999", StatusCode::BAD_REQUEST),
            ("id=S312206&firstArea=150100000000", StatusCode::BAD_REQUEST),
            ("id=S312206&secondArea=30100100000", StatusCode::BAD_REQUEST),
            ("id=S312206&lat=91&shopName=x", StatusCode::BAD_REQUEST),
            ("id=S312206&lng=abc", StatusCode::BAD_REQUEST),
            ("id=S312206&settle_way=9", StatusCode::BAD_REQUEST),
            ("id=S312206&freezeState=5", StatusCode::BAD_REQUEST),
            ("id=S312206&creatEmployeeValue=1", StatusCode::BAD_REQUEST),
            ("id=S312206&address_label_id=77", StatusCode::BAD_REQUEST),
            (
                "id=S312206&effective_date=2019-13-01",
                StatusCode::BAD_REQUEST,
            ),
            ("id=S312206&settle_remind=9", StatusCode::BAD_REQUEST),
            ("id=S312206&credit_limit=-1", StatusCode::BAD_REQUEST),
            ("id=S312206&status=renameSSM", StatusCode::BAD_REQUEST),
            (
                "id=S312206&status=addSSM&salemenu_id=S0",
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let (got, v) = app.post_raw("/custommanage/edit", Some(&auth), body).await;
            assert_eq!(got, status, "{body}: {v}");
            assert!(
                v["code"].as_i64().unwrap() != 0
                    && v["msg"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}: {v}"
            );
        }
        assert_eq!(
            shop_view(&app, "S312206").await,
            before,
            "a refused edit wrote something"
        );
    })
    .await;
}

/// Accounts, shops and bindings: what an add writes.
async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (
        app.scalar("SELECT COUNT(*) FROM merchant_account").await,
        app.scalar("SELECT COUNT(*) FROM shop").await,
        app.scalar("SELECT COUNT(*) FROM shop_salemenu").await,
    )
}

#[tokio::test]
async fn add_answers_the_seed_and_creates_accounts_in_one_go() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, body) = app
            .post_json("/custommanage/restaurant/add", Some(&auth), seed_add())
            .await;
        assert_eq!(status, StatusCode::OK);
        let sid = body["data"]["SID"].as_str().unwrap().to_owned();
        assert_eq!(
            body,
            json!({ "code": 0, "msg": "ok", "data": { "KID": "K073655", "SID": sid } })
        );
        let v = shop_view(&app, &sid).await;
        assert_eq!(v["quoteSheets"][0]["quoteSheet"], json!({ "id": "S21329" }));
        assert_eq!(v["addressLabel"], json!({ "id": 1911 }));
        assert_eq!(v["checkOut"], 1);
        // Without kid: a new account with its password, then the username is taken.
        let mut fresh = seed_add();
        let obj = fresh.as_object_mut().unwrap();
        obj.remove("kid");
        obj.remove("KID");
        obj.insert("username".into(), json!("newshop01"));
        obj.insert("password".into(), json!("secret99"));
        let (status, body) = app
            .post_json("/custommanage/restaurant/add", Some(&auth), fresh.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let kid = body["data"]["KID"].as_str().unwrap().to_owned();
        assert_ne!(kid, "K073655");
        let id: i64 = kid[1..].parse().unwrap();
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM merchant_account WHERE id = {id} AND username = 'newshop01'"
            ))
            .await,
            1
        );
        let before = counts(&app).await;
        let (status, body) = app
            .post_json("/custommanage/restaurant/add", Some(&auth), fresh.clone())
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::CONFLICT,
                json!({ "code": 409, "msg": "用户名已存在" })
            )
        );
        for (key, value) in [
            ("restaurant_name", json!("")),
            ("district_code", json!("999999")),
            ("area_level2", json!(30100100000_i64)),
            ("lat", json!(120.5)),
            ("salemenu_ids", json!(["S0"])),
            ("password", json!("123")),
            ("pay_method", json!(9)),
            ("create_employee_id", json!("abc")),
        ] {
            let mut bad = fresh.clone();
            bad["username"] = json!("another01");
            bad[key] = value;
            let (status, body) = app
                .post_json("/custommanage/restaurant/add", Some(&auth), bad)
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{key}: {body}");
            assert_eq!(body["code"], 1, "{key}");
        }
        let mut no_name = fresh.clone();
        no_name["username"] = json!("another02");
        no_name.as_object_mut().unwrap().remove("receiver_name");
        let (status, body) = app
            .post_json("/custommanage/restaurant/add", Some(&auth), no_name)
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::BAD_REQUEST,
                json!({ "code": 1, "msg": "receiver_name 不能为空" })
            )
        );
        assert_eq!(counts(&app).await, before, "a refused add wrote something");
    })
    .await;
}

#[tokio::test]
async fn merchant_routes_need_a_staff_token_with_codes() {
    each_db(|app| async move {
        for (method, path) in [
            (Method::GET, "/custommanage/"),
            (Method::GET, "/custommanage/list"),
            (Method::POST, "/custommanage/edit"),
            (Method::POST, "/custommanage/restaurant/add"),
        ] {
            let (status, _, body) = app
                .send(method.clone(), path, None, None, b"id=S312206".to_vec())
                .await;
            assert_eq!(
                (status, body),
                (
                    StatusCode::UNAUTHORIZED,
                    json!({ "code": 401, "msg": "未登录或登录已失效" })
                ),
                "{path}"
            );
            let (status, _, body) = app
                .send(method, path, Some(MEMBER), None, b"id=S312206".to_vec())
                .await;
            assert_eq!(
                (status, body),
                (
                    StatusCode::FORBIDDEN,
                    json!({ "code": 403, "msg": "没有权限" })
                ),
                "{path}"
            );
        }
        let (status, _, body) = app
            .send(Method::PUT, "/custommanage/edit", Some(STAFF), None, vec![])
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({ "code": 405, "msg": "Method \"PUT\" not allowed." })
            )
        );
    })
    .await;
}

#[tokio::test]
async fn a_merchant_page_costs_the_same_statements_whatever_its_size() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        for i in 0..55 {
            let body = json!({ "kid": "K073655", "restaurant_name": format!("店{i}"), "receiver_name": "r",
                "receiver_telephone": "1", "district_code": "440300", "area_level1": 30100000000_i64,
                "area_level2": 30100100000_i64, "restaurant_address": "a", "salemenu_ids": ["S8443"],
                "create_employee_id": 2011, "sale_employee_id": 2012, "address_label_id": 1911 });
            let (status, _) = app.post_json("/custommanage/restaurant/add", Some(STAFF), body).await;
            assert_eq!(status, StatusCode::OK);
        }
        let mut costs = Vec::new();
        for num in [50, 5, 50] {
            let before = app.statements();
            let (_, body) = app.get(&format!("/custommanage/list?num={num}"), Some(&auth)).await;
            assert_eq!(body["data"].as_array().unwrap().len(), num);
            costs.push(app.statements() - before);
        }
        // The first page pays for the credentials and the total; later ones reuse them.
        assert_eq!(costs[1], costs[2], "{}: {costs:?}", app.name());
        assert!(costs[0] > costs[1], "{}: {costs:?}", app.name());
    })
    .await;
}

#[tokio::test]
async fn bindings_managers_and_control_characters() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        // A sheet is bound once per shop; a station must carry the sheet it delivers.
        let (status, body) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=addSSM&id=S312206&salemenu_id=S8443",
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::CONFLICT, json!(409))
        );
        let (status, _) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=addSSM&id=S312206&salemenu_id=S21329&service_station_id=T10001",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "T10001 carries S21329");
        let (status, body) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "status=addSSM&id=S281196&salemenu_id=S8443&service_station_id=T10001",
            )
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(1)),
            "T10001 does not carry S8443"
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM shop_salemenu WHERE shop_id = 281196")
                .await,
            1
        );
        // Managers in the role they are named for: 2012 sells but opens no accounts.
        let (status, body) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "id=S312206&creatEmployeeValue=2012",
            )
            .await;
        assert_eq!(
            (status, body),
            (
                StatusCode::BAD_REQUEST,
                json!({ "code": 1, "msg": "员工 2012 不是开户经理" })
            )
        );
        let (status, _) = app
            .post_raw(
                "/custommanage/edit",
                Some(&auth),
                "id=S312206&saleEmployeeValue=2012&address_label_id=0",
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            shop_view(&app, "S312206").await["addressLabel"],
            Value::Null,
            "0 is no label, as in add"
        );
        // A stored control character does not break the export.
        let (status, _) = app
            .post_json(
                "/custommanage/edit",
                Some(&auth),
                json!({ "id": "S312206", "shopName": "坏\u{b}名" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, headers, _) = app
            .send(
                Method::GET,
                "/custommanage/list?export=1",
                Some(&auth),
                None,
                vec![],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let (_, _, raw) = app.get_bytes("/custommanage/list?export=1", &auth).await;
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(raw.to_vec())).unwrap();
        let range = book.worksheet_range("商户").unwrap();
        let names: Vec<String> = range.rows().skip(1).map(|r| r[5].to_string()).collect();
        assert!(names.contains(&"坏名".to_owned()), "{names:?}");
    })
    .await;
}

#[tokio::test]
async fn edit_clears_optional_fields_with_null() {
    each_db(|app| async move {
        let auth = bearer(&app).await;
        let (status, _) = app
            .post_json("/custommanage/edit", Some(&auth), json!({ "id": "S312206", "credit_limit": 800, "begin_day": 5 }))
            .await;
        assert_eq!(status, StatusCode::OK);
        let before = shop_view(&app, "S312206").await;
        assert_eq!((before["creditLimit"].clone(), before["beginDay"].clone()), (json!(800), json!(5)));
        let (status, body) = app
            .post_json("/custommanage/edit", Some(&auth),
                json!({ "id": "S312206", "lat": null, "lng": null, "credit_limit": null, "saleEmployeeValue": null, "address_label_id": null }))
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({ "code": 0, "msg": "success" })));
        let after = shop_view(&app, "S312206").await;
        let mut expected = before.clone();
        for key in ["lat", "lng", "creditLimit", "saleEmployee", "addressLabel"] {
            expected[key] = Value::Null;
        }
        assert_eq!(after, expected, "null clears; absent fields (beginDay) stay");
    })
    .await;
}
