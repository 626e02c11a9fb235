//! Every curl in the four seeds, run verbatim by the real `curl` against the real binary
//! (`opsgraph serve --demo` on a free port; SQLite, and PostgreSQL when `TEST_DATABASE_URL` is
//! set), its answer compared with the seed's example answer by shape: the same keys at every
//! level, the same JSON types, and items wherever the example shows items. So the demo answers
//! each example a reader of the seeds tries, and the legacy shapes cannot drift.
//!
//! Each curl is the seed's text, copied exactly (seed file and line beside it; when the seeds
//! sit beside the repository, `../shared/seeds/`, the test checks the copies against them). A
//! run changes only the host (`${API_HOST}`, `http://localhost[:8000]` → the test server),
//! fills `${JWT_TOKEN}` with the token the seed's login curl answered, and applies the case's
//! listed edits, each with the reason the seed's text cannot run as written. The seeds come
//! from a wiki that wrapped commands, so a line break is a blank; a pipe into `jq` only
//! pretty-prints, the test reads the JSON itself. merchant-management.txt has no curl: its
//! documented example requests are sent with curls written here.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use serde_json::{Map, Value};

use crate::{
    common::{backends, curl_command, curled, fresh_database, under_ci, Backend},
    resilience::Server,
};

/// One seed curl and the answer its seed shows.
struct Case {
    /// Where the curl (or, `written`, the documented request) is: seed file and line.
    at: &'static str,
    /// The seed has no curl here: `curl` is written from the documented URL and request.
    written: bool,
    /// The seed's text, exactly.
    curl: &'static str,
    /// (seed text, replacement): what cannot run as written; the reason is beside each.
    edits: &'static [(&'static str, &'static str)],
    /// merchant-management's documented request (`key: value` lines), sent as form fields.
    form: Option<&'static str>,
    /// The seed's example answer, exactly, in the seeds' loose JSON (see [`seed_json`]).
    answer: Option<&'static str>,
    /// (seed text, replacement): where the example is not even loose JSON.
    answer_edits: &'static [(&'static str, &'static str)],
    /// Keys the server answers beyond the example's (each case says why).
    extra: &'static [&'static str],
    /// Paths (`[]` for any item) whose type the seed's field table settles against its example.
    untyped: &'static [&'static str],
    /// Paths (`[]` for any item) that may answer `null` where the example shows a value.
    nullable: &'static [&'static str],
    /// The status the seed's example comes with.
    status: u16,
    /// The answer is a spreadsheet download, not JSON.
    xlsx: bool,
    /// Names under which the downloaded file is kept in curl's directory, for later curls.
    save_as: &'static [&'static str],
    /// (variable, JSON pointer): a value of the answer later curls use.
    keep: Option<(&'static str, &'static str)>,
}

const CASE: Case = Case {
    at: "",
    written: false,
    curl: "",
    edits: &[],
    form: None,
    answer: None,
    answer_edits: &[],
    extra: &[],
    untyped: &[],
    nullable: &[],
    status: 200,
    xlsx: false,
    save_as: &[],
    keep: None,
};

/// The seeds' curls in the order a reader runs them: the seed's order, except that the example
/// sheet is downloaded before the import that uploads it.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // The seed's login (GET_BEARER_TOKEN): its token fills `${JWT_TOKEN}` in the curls after it.
    Case {
        at: "paid-reports.txt:69",
        curl: r#"curl --request POST \
   --url  '${API_HOST}/api/access/token' \
   --header 'Content-Type: application/json' \
   --data-raw '{"account":"13333891144","password":"123456"}' | jq"#,
        // paid-reports.txt:73-82
        answer: Some(r#"{
    "status": 0,
    "data": {
        "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFjcC1hcGkifQ.eyJjb2RlIjoiM2MwZTMyYTciLCJkZXZpY2UiOiI0NSIsImF1ZCI6MzAzLCJpc3MiOiJhY3AtYXBpLWRldmVsb3BtZW50Iiwic3ViIjoiYWNwX21vYmlsZV91c2VyIiwiaWRlbnQiOiIyMGM2MDRiZCIsImlhdCI6MTY1NTk3ODQ5MywiZXhwIjoxNjU2MDY0ODkzfQ.SOXPoyApPWgmQGEkHBiXEjrjkS0FJ4zJxCFTU2Cpiuw",
        "token_method": "HS256",
        "token_type": "Bearer",
        "expire_time": 1656064893,
        "nickname": "zhusj"
    }
}"#),
        keep: Some(("${JWT_TOKEN}", "/data/token")),
        ..CASE
    },
    // PAYMENT_REPORT_LIST
    Case {
        at: "paid-reports.txt:134",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report?title=测试&start_ctime=2022-06-16&end_ctime=2022-06-22" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:137-156
        answer: Some(r#"{
    "status": 0,
    "data": {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 1,
        "data": [
            {
                "id": 1,
                "cover": "http://static.ijiwei.com/20210108%3Aeep-h5-title.png",
                "title": "2022全球半导体产业集微分析报告",
                "price": 100,
                "status": 2,
                "subscribe_count": 0,
                "publish_at": "2022-06-30 08:00:00"
            }
        ]
    }
}"#),
        ..CASE
    },
    // PAYMENT_REPORT_ADD: the new report's id fills `${NEW_REPORT}` (the delete below).
    // Its `date` also comes as `data` (CONTRACT.md §10), as in every paid-reports answer below that shows `date`.
    Case {
        at: "paid-reports.txt:200",
        curl: r#"curl --request POST \
   --url  '${API_HOST}/api/report' \
   --header "Authorization: Bearer ${JWT_TOKEN}" \
   --header 'Content-Type: application/json' \
   --data-raw '{"title":"测试数据1","cover":"15421639996676.jpeg","type_id":1,"intro":"简介","directory":"目录介绍","file":{"file_name":"test","src":"static/test.pdf","format":"pdf","size":1000},"price":100,"read_count":300,"status":1,"publish_time":"2022-06-22 08:00:00","white_list":[{"given_user":"朱思嘉","given_position":"18434910083","given_company":"爱集微","read_count":100},{"given_user":"史蒂夫","given_position":"18434910085","given_company":"爱集微","read_count":100}]}' | jq"#,
        // paid-reports.txt:205-210
        answer: Some(r#"{
  "status": 0,
  "date":{
     "id": 1
  }
}"#),
        extra: &["data"],
        keep: Some(("${NEW_REPORT}", "/data/id")),
        ..CASE
    },
    // PAYMENT_REPORT_INFO
    Case {
        at: "paid-reports.txt:296",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report/1" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:299-315
        answer: Some(r#"{
    "status": 0,
    "data": {
        "id": 1,
        "title": "测试数据1",
        "cover": "http://s.laoyaoba.com/15421639996676.jpeg",
        "type_id": 1,
        "intro": "简介",
        "directory": "目录介绍",
        "file_address": "http://s.laoyaoba.com/15421639996676.pdf",
        "price":100,
        "read_count":300,
        "status":1,
        "publish_time":"2022-06-22 08:00:00",
        "short_intro":"购买须知"
    }
}"#),
        ..CASE
    },
    // PAYMENT_REPORT_MODIFY
    Case {
        at: "paid-reports.txt:347",
        curl: r#"curl --request PUT \ 
    -- url '${API_HOST}/api/report/1' \
    --header 'Content-Type: application/json' \
    --header "Authorization: Bearer ${JWT_TOKEN}" \
    --data-raw '{"price":100,"read_count":300,"status":1,"publish_time":"2022-06-22 08:00:00","white_list":[{"given_user":"朱思嘉","given_position":"php","given_company":"爱集微","residue_count":100,"state":0},{"given_user":"史蒂夫","given_position":"php","given_company":"爱集微","residue_count":100,"state":0}]}'"#,
        // paid-reports.txt:352-357
        answer: Some(r#"{
  "status": 0,
  "date":{
     "id": 1
  }
}"#),
        edits: &[
            // `\ ` then a line break is an escaped blank, and the line break ends the command:
            // the continuation the author meant
            ("\\ \n", "\\\n"),
            // `-- url` makes curl fetch a first URL `url` (a host named url) before the real one
            ("-- url", "--url"),
        ],
        extra: &["data"],
        ..CASE
    },
    // PAYMENT_REPORT_DELETE
    Case {
        at: "paid-reports.txt:391",
        curl: r#"curl --request DELETE \
  --url "${API_HOST}/api/report/{report_id}" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:394-399
        answer: Some(r#"{
  "status": 0,
  "date":{
     "id": 1
  }
}"#),
        edits: &[
            // The seed leaves the id a placeholder; its answer names the report the add curl made (id 1
            // there), so the flow deletes that one: deleting demo report 1 would empty the curls after it.
            ("{report_id}", "${NEW_REPORT}"),
        ],
        extra: &["data"],
        ..CASE
    },
    // REPORT_WHITE_LIST: the demo's report 1 has two entries last modified by `test`.
    Case {
        at: "paid-reports.txt:420",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report/1/white?search=test"  \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:423-456
        answer: Some(r#"{
    "status": 0,
    "date": {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 1,
        "data": [{
                "id": 1,
                "given_user": "朱思嘉",
                "given_position": "php",
                "given_company": "爱集微",
                "mobile": "18343819907",
                "read_count": 200,
                "residue_count": 100,
                "last_modify_author": "朱思嘉",
                "updated_at": "2020-07-23 9:00:00",
                "state": 0
            },
            {
                "id": 2,
                "given_user": "史蒂夫",
                "given_position": "php",
                "given_company": "爱集微",
                "mobile": "18343819907",
                "read_count": 200,
                "residue_count": 0,
                "last_modify_author": "朱思嘉",
                "updated_at": "2020-07-23 9:00:00",
                "state": 0
            }
        ]
    }
}"#),
        extra: &["data"],
        ..CASE
    },
    // REPORT_WHITE_ADD
    Case {
        at: "paid-reports.txt:493",
        curl: r#"curl --request POST \ 
    -- url '${API_HOST}/api/report/1/white' \
    --header 'Content-Type: application/json' \
    --header "Authorization: Bearer ${JWT_TOKEN}" \
    --data-raw '{"given_user":"朱思嘉","given_position":"php","given_company":"爱集微","read_count":100,"mobile":"18434819907"}'"#,
        // paid-reports.txt:498-503
        answer: Some(r#"{
  "status": 0,
  "date":{
     "id": 1
  }
}"#),
        edits: &[
            // `\ ` then a line break is an escaped blank, and the line break ends the command:
            // the continuation the author meant
            ("\\ \n", "\\\n"),
            // `-- url` makes curl fetch a first URL `url` (a host named url) before the real one
            ("-- url", "--url"),
        ],
        extra: &["data"],
        ..CASE
    },
    // REPORT_WHITE_INFO
    Case {
        at: "paid-reports.txt:537",
        curl: r#"curl --request Get \ 
    -- url '${API_HOST}/api/report/37/white/36' \
    --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:540-552
        answer: Some(r#"{
    "status": 0,
    "data": {
        "id": 1,
        "given_user": "朱思嘉",
        "given_position": "php",
        "given_company": "爱集微",
        "mobile": "18434819907",
        "read_count": 0,
        "residue_count": 0,
        "state": 0
    }
}"#),
        edits: &[
            // HTTP methods are case-sensitive: curl sends `Get` as written, which no server routes
            ("--request Get", "--request GET"),
            // `\ ` then a line break is an escaped blank, and the line break ends the command:
            // the continuation the author meant
            ("\\ \n", "\\\n"),
            // `-- url` makes curl fetch a first URL `url` (a host named url) before the real one
            ("-- url", "--url"),
        ],
        ..CASE
    },
    // REPORT_WHITE_EDIT
    Case {
        at: "paid-reports.txt:580",
        curl: r#"curl --request PUT \ 
    -- url '${API_HOST}/api/report/1/white/1' \
    --header 'Content-Type: application/json' \
    --header "Authorization: Bearer ${JWT_TOKEN}" \
    --data-raw '{"given_user":"朱思嘉","given_position":"php","given_company":"爱集微","residue_count":100,"state":0}'"#,
        // paid-reports.txt:585-590
        answer: Some(r#"{
  "status": 0,
  "date":{
     "id": 1
  }
}"#),
        edits: &[
            // `\ ` then a line break is an escaped blank, and the line break ends the command:
            // the continuation the author meant
            ("\\ \n", "\\\n"),
            // `-- url` makes curl fetch a first URL `url` (a host named url) before the real one
            ("-- url", "--url"),
        ],
        extra: &["data"],
        ..CASE
    },
    // WHITE_LIST_EXAMPLE, run before the import: the sheet it downloads is the seed's `示例表.xlsx`
    // (and the convert curl's file). The seed shows no answer: a sheet comes back.
    Case {
        at: "paid-reports.txt:785",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/white/example' \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        edits: &[
            // The URL opens with `"` and closes with `'`: the shell would read on to the next `"`
            (r#""${API_HOST}/api/white/example'"#, r#""${API_HOST}/api/white/example""#),
        ],
        save_as: &["示例表.xlsx", "抽奖人员示例表.xlsx"],
        xlsx: true,
        ..CASE
    },
    // REPORT_WHITE_IMPORT: `./示例表.xlsx` is the example sheet downloaded above, in curl's
    // working directory. The answer also lists the failed rows (`errors`, CONTRACT.md §16).
    Case {
        at: "paid-reports.txt:620",
        curl: r#"curl --request POST \
  --url "${API_HOST}/api/report/1/excel" \
  --header "Authorization: Bearer ${JWT_TOKEN}" \
  --form 'file=@"./示例表.xlsx"' | jq"#,
        // paid-reports.txt:624-632
        answer: Some(r#"{
  "status": 0,
  "date":{
    "total": 100,
    "success": 50,
    "repeat": 50,
    "error": 0
  }
}"#),
        extra: &["data", "errors"],
        ..CASE
    },
    // REPORT_WHITE_EXPORT: the seed shows no answer; a sheet comes back.
    Case {
        at: "paid-reports.txt:659",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report/1/excel?id=[100,101,102]' \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        edits: &[
            // The URL opens with `"` and closes with `'`; and curl reads `[100,101,102]` as a glob range
            // ("bad range") unless told not to
            (r#""${API_HOST}/api/report/1/excel?id=[100,101,102]'"#, r#""${API_HOST}/api/report/1/excel?id=[100,101,102]" --globoff"#),
        ],
        xlsx: true,
        ..CASE
    },
    // GET_REPORT_CUSTOMER: the seed's two customers, whitelisted on the demo's report 1.
    Case {
        at: "paid-reports.txt:683",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report/1/customer" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:686-719
        answer: Some(r#"{
    "status": 0,
    "date": {
        "current_page": 1,
        "last_page": 1,
        "per_page": 20,
        "total": 1,
        "data": [{
                "user_id": 231232,
                "nick_name": "王强",
                "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
                "mobile": "133422898123",
                "occurred_count": 50,
                "residue_count": 100,
                "last_payment_at": 1323892332,
                "last_login_at": 12312321908,
                "last_review_at": 12312321908,
                "regist_at": 1323892332
            },
            {
                "user_id": 231233,
                "nick_name": "李刚",
                "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
                "mobile": "133422892109",
                "occurred_count": 100,
                "residue_count": 200,
                "last_payment_at": 1323892332,
                "last_login_at": 12312321908,
                "last_review_at": 12312321908,
                "regist_at": 1323892332
            }
        ]
    }
}"#),
        extra: &["data"],
        ..CASE
    },
    // GET_REPORT_DOWNLOADURL has no curl: the documented URL and `report_name`.
    Case {
        at: "paid-reports.txt:757",
        written: true,
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/report/downloadurl?report_name=02_SHELL编程之变量定义.pdf" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:770-773
        answer: Some(r#"{
  "status": 0,
  "data": "https://privte.laoyaoba.com/uploads/02_SHELL编程之变量定义.pdf?e=1686924541&token=99vFAJy1wVeXiJdSV2BB-VHqOhgKrdRZydXfUv58:kM-pmz7QUgIK13N7yInyfXU4RL8="
}"#),
        ..CASE
    },
    // WHITE_EXPORT_CONVERT
    Case {
        at: "paid-reports.txt:807",
        curl: r#"curl --request POST \
  --url "${API_HOST}/api/white/example' \
  --header "Authorization: Bearer ${JWT_TOKEN}" \
  --form "file=@"/Users/zhusijia/Downloads/公司-record/抽奖人员示例表.xlsx" | jq"#,
        // paid-reports.txt:811-829
        answer: Some(r#"{
    "status": 0,
    "data": [
        {
            "given_user": "朱思嘉1",
            "given_position": "php1",
            "given_company": "爱集微1",
            "mobile": 1,
            "read_count": 100
        },
        {
            "given_user": "朱思嘉2",
            "given_position": "php2",
            "given_company": "爱集微2",
            "mobile": 2,
            "read_count": 101
        }
    ]
}"#),
        edits: &[
            // The URL opens with `"` and closes with `'`
            (r#""${API_HOST}/api/white/example'"#, r#""${API_HOST}/api/white/example""#),
            // The file is on the author's machine (and its quotes leave `" | jq` open): the example
            // sheet downloaded above, under the same name
            (r#""file=@"/Users/zhusijia/Downloads/公司-record/抽奖人员示例表.xlsx""#, r#""file=@抽奖人员示例表.xlsx""#),
        ],
        untyped: &["data[].mobile"],
        ..CASE
    },
    // GET_QINIU_TOKEN (the copyfile route below it documents no request: it is not run here).
    Case {
        at: "paid-reports.txt:857",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/qiniu/token' | jq"#,
        // paid-reports.txt:859-862
        answer: Some(r#"{
  "status": 0,
  "qiniu_token": "99vFAJy1wVeXiJdSV2BB-VHqOhgKrdRZydXfUv58:EB38gPLhyCYExdrLZyC7q3mc25k=:eyJzY29wZSI6Imppd2VpLW1hcmtldCIsImRlYWRsaW5lIjoxNjU0NzY5MzU4fQ=="
}"#),
        edits: &[
            // The URL opens with `"` and closes with `'`; and the route, like every paid-reports route, needs
            // the staff token (its permission code GET_QINIU_TOKEN, CONTRACT.md §14), which the curl omits
            (r#""${API_HOST}/api/qiniu/token' | jq"#, r#""${API_HOST}/api/qiniu/token" --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#),
        ],
        ..CASE
    },
    // Payment_Customer_List: the count also comes as `payment_count` (CONTRACT.md §17).
    Case {
        at: "paid-reports.txt:936",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/customer?start_date=2022-06-16&end_date=2022-06-22" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:939-967
        answer: Some(r#"{
  "status": 0,
  "date": [
    {
      "user_id": 231232,
      "nick_name": "王强",
      "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
      "mobile": "133422898123",
      "payment_time": 3,
      "payment_total": "1200000",
      "last_payment_at": 1323892332,
      "last_login_at": 12312321908,
      "last_review_at": 12312321908,
      "regist_at": 1323892332
    },
    {
      "user_id": 231233,
      "nick_name": "李刚",
      "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
      "mobile": "133422892109",
      "payment_time": 1,
      "payment_total": "0",
      "last_payment_at": 1323892332,
      "last_login_at": 12312321908,
      "last_review_at": 12312321908,
      "regist_at": 1323892332
    }
  ]
}"#),
        extra: &["payment_count", "data"],
        ..CASE
    },
    // Payment_Customer_Info
    Case {
        at: "paid-reports.txt:1005",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/customer/612381/order?limit=15&page=1" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:1008-1050
        answer: Some(r#"{
  "status": 0,
  "current_page": 1,
  "last_page": 1,
  "total": 1,
  "date": [
    {
      "id": 1,
      "number": "423132323232372212",
      "order_title": "概念股投资报告第1期",
      "total": "300000",
      "size": 1,
      "state": 3,
      "checkout_at": 1323892332,
      "expire_at": 1323910332,
      "paid_at": 1982719021,
      "fulfilled_at": 1982719021,
      "trade_info": {
        "third_trade_num": "",
        "third_trade_identity": "",
        "payment_source": 1,
        "payment_channel": 2
      },
      "order_item": {
        "id": 2,
        "title": "2022全球半导体产业集微分析报告(修订版)",
        "cover": "http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg",
        "price": "600000"
      },
      "customer_info": {
        "id": 22342342,
        "nick_name": "李刚",
        "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
        "mobile": "133422892109"
      },
      "order_item_usage": {
        "quantity_count":100,
        "available_count": 0,
        "expend_status": 0
      }
    }
  ]
}"#),
        extra: &["data"],
        ..CASE
    },
    // Payment_Customer_Total
    Case {
        at: "paid-reports.txt:1145",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/customer/612381" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:1148-1161
        answer: Some(r#"{
    "status": 0,
    "data": {
        "user_id": 5181743,
        "nick_name": "N_183****6948",
        "mobile": "18334786948",
        "payment_count": 12,
        "payment_total": 40206,
        "last_payment_at": 1656749462,
        "last_login_at": 1627623392,
        "last_review_at": 0,
        "regist_at": 1627639454
    }
}"#),
        ..CASE
    },
    // Payment_Order_List (the seed's `?state=1` lands in `start_date`, as curl sends it).
    Case {
        at: "paid-reports.txt:1194",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/order?limit=15&page=1&start_date=2022-03-06?state=1" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:1197-1309
        answer: Some(r#"{
  "status": 0,
  "current_page": 1,
  "last_page": 1,
  "total": 1,
  "date": [
    {
      "id": 1,
      "number": "423132323232372212",
      "order_title": "概念股投资报告第1期",
      "total": "300000",
      "size": 1,
      "state": 3,
      "checkout_at": 1323892332,
      "expire_at": 1323910332,
      "paid_at": 1982719021,
      "fulfilled_at": 1982719021,
      "trade_info": {
        "third_trade_num": "",
        "third_trade_identity": "",
        "payment_source": 1,
        "payment_channel": 2
      },
      "order_item": {
        "id": 2,
        "title": "2022全球半导体产业集微分析报告(修订版)",
        "cover": "http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg",
        "price": "600000"
      },
      "customer_info": {
        "id": 22342342,
        "nick_name": "李刚",
        "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
        "mobile": "133422892109"
      },
      "order_item_usage": {
        "quantity_count":100,
        "available_count": 0,
        "expend_status": 0
      }
    },
    {
      "id": 2,
      "number": "42313232323231232",
      "order_title": "2022全球半导体产业集微分析报告",
      "total": "600000",
      "size": 1,
      "state": 1,
      "checkout_at": 1323892332,
      "expire_at": 1323910332,
      "paid_at": 1982719021,
      "fulfilled_at": 1982719021,
      "trade_info": {
        "third_trade_num": "123870sacsa0cxawdawd",
        "third_trade_identity": "a2dc123asdsahdlhqkwjewa",
        "payment_source": 2,
        "payment_channel": 2
      },
      "order_item": {
        "id": 2,
        "title": "2022全球半导体产业集微分析报告(修订版)",
        "cover": "http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg",
        "price": "600000"
      },
      "customer_info": {
        "id": 22342342,
        "nick_name": "李刚",
        "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
        "mobile": "133422892109"
      },
      "order_item_usage": {
        "quantity_count":100,
        "available_count": 23,
        "expend_status": 0
      }
    },
    {
      "id": 3,
      "number": "423132323232310973",
      "order_title": "概念股投资报告",
      "total": "300000",
      "size": 1,
      "state": 1,
      "checkout_at": 1323892332,
      "expire_at": 1323910332,
      "paid_at": 1982719021,
      "fulfilled_at": 1982719021,
      "trade_info": {
        "third_trade_num": "123870sacsa0cxawdawd",
        "third_trade_identity": "a2dc123asdsahdlhqkwjewa",
        "payment_source": 4,
        "payment_channel": 1
      },
      "order_item": {
        "id": 2,
        "title": "2022全球半导体产业集微分析报告(修订版)",
        "cover": "http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg",
        "price": "600000"
      },
      "customer_info": {
        "id": 22342342,
        "nick_name": "李刚",
        "avatar": "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
        "mobile": "133422892109"
      },
      "order_item_usage": {
        "quantity_count":100,
        "available_count": 100,
        "expend_status": 1
      }
    }
  ]
}"#),
        extra: &["data"],
        ..CASE
    },
    // Payment_Order_Info
    Case {
        at: "paid-reports.txt:1422",
        curl: r#"curl --request GET \
  --url "${API_HOST}/api/order/423132323232372212" \
  --header "Authorization: Bearer ${JWT_TOKEN}" | jq"#,
        // paid-reports.txt:1425-1482
        answer: Some(r#"{
    "status":0,
    "current_page":1,
    "last_page":1,
    "total":1,
    "date":{
        "id":1,
        "number":"423132323232372212",
        "order_title":"概念股投资报告第1期",
        "total":"300000",
        "size":1,
        "state":3,
        "checkout_at":1323892332,
        "expire_at":1323910332,
        "paid_at":1982719021,
        "fulfilled_at":1982719021,
        "trade_info":{
            "third_trade_num":"",
            "third_trade_identity":"",
            "payment_source":1,
            "payment_channel":2
        },
        "order_item":{
            "id":2,
            "title":"2022全球半导体产业集微分析报告(修订版)",
            "cover":"http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg",
            "price":"600000"
        },
        "customer_info":{
            "id":22342342,
            "nick_name":"李刚",
            "avatar":"http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg",
            "mobile":"133422892109"
        },
        "order_item_usage":{
            "quantity_count":100,
            "available_count":0,
            "expend_status":0
        },
        "invoice_info":{
            "state": 0,
            "create_time": 1655706447,
            "is_vat": 0,
            "invoice_title": "爱集微咨询(厦门)有限公司",
            "invoice_amount": 0.01,
            "invoice_tax_num": "91350200MA2YC2UA52",
            "vat_name": "小小",
            "vat_mail_address": "954398065@qq.com",
            "vat_company_name": "小小",
            "vat_company_address": "",
            "vat_company_mobile": "",
            "vat_telphone": "13810875748",
            "vat_bank_name": "",
            "vat_bank_accoun": "",
            "invoice_option": 2
        }
    }
}"#),
        extra: &["data"],
        ..CASE
    },
    // 商品列表
    Case {
        at: "kids-coding-market.txt:30",
        curl: r#"curl -X GET
http://localhost/market/exchange_products/"#,
        // kids-coding-market.txt:63-98
        answer: Some(r#"{
"count": 2,
"next": null,
"previous": null,
"results": [
{
"pk": 2,
"name": "冰红茶",
"content": "冰红茶饮料",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 0,
"product_type": 0,
"product_type_display": "实物商品",
"create_time": "2017-11-03T14:45:33.719105"
},
{
"pk": 1,
"name": "虚拟商品",
"content": "虚拟商品",
"image": "http://thisisimages/",
"diamond": 100,
"product_type": 1,
"product_type_display": "虚拟商品",
"bought": 0,
"create_time": "2017-11-03T14:44:12.099395"
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
}
]
}"#),
        ..CASE
    },
    // 商品详情: a product answers its type and category too, as the list shows them.
    Case {
        at: "kids-coding-market.txt:106",
        curl: r#"curl -X GET
http://localhost/market/exchange_products/1/"#,
        // kids-coding-market.txt:109-117
        answer: Some(r#"{
"pk": 1,
"name": "乌龙茶",
"content": "乌龙茶饮料",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 0,
"create_time": "2017-11-03T14:44:12.099395"
}"#),
        extra: &["product_type", "product_type_display", "category_detail"],
        ..CASE
    },
    // 兑换商品
    Case {
        at: "kids-coding-market.txt:125",
        curl: r#"curl -X GET -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194'
http://localhost:8000/market/exchange_products/purchase/1/"#,
        // kids-coding-market.txt:128-130
        answer: Some(r#"{
"message": "兑换成功"
}"#),
        ..CASE
    },
    // 订单列表: the product answers its type and category too, as the product list shows them.
    Case {
        at: "kids-coding-market.txt:138",
        curl: r#"curl -X GET -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194'
http://localhost/market/exchange_product_order/"#,
        // kids-coding-market.txt:141-164
        answer: Some(r#"{
"count": 1,
"next": null,
"previous": null,
"results": [
{
"owner": "18519791946",
"exchange_product": {
"pk": 1,
"name": "乌龙茶",
"content": "乌龙茶饮料",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 2,
"create_time": "2017-11-03T14:44:12.099395"
},
"order_number": "17003298818986925262490011",
"diamond": 100,
"status": 1,
"status_display": "已兑换",
"create_time": "2017-11-03T15:00:47.217734"
}
]
}"#),
        extra: &["product_type", "product_type_display", "category_detail"],
        ..CASE
    },
    // 兑换商品订单详情: the product answers its type too, as the product list shows it.
    Case {
        at: "kids-coding-market.txt:172",
        curl: r#"curl -X GET -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194'
http://localhost:8000/market/exchange_product_order/17003298818986925262490011/"#,
        // kids-coding-market.txt:175-198
        answer: Some(r#"{
"owner": "18519791946",
"exchange_product": {
"pk": 1,
"name": "乌龙茶",
"content": "乌龙茶饮料",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 2,
"create_time": "2017-11-03T14:44:12.099395"
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
},
"order_number": "17003298818986925262490011",
"diamond": 100,
"status": 1,
"status_display": "已兑换",
"create_time": "2017-11-03T15:00:47.217734"
}"#),
        extra: &["product_type", "product_type_display"],
        ..CASE
    },
    // 用户的商品列表: the product answers its `pk` too, as the product list shows it.
    Case {
        at: "kids-coding-market.txt:226",
        curl: r#"curl -X GET
http://localhost/market/user_products/"#,
        // kids-coding-market.txt:229-282
        answer: Some(r#"{
"count": 2,
"next": null,
"previous": null,
"results": [
{
"pk": 129,
"status": 0,
"status_display": "未使用",
"create_time": "2017-11-03T14:45:33.719105"
"exchange_product": {
"name": "虚拟商品2",
"content": "虚拟商品2",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 0,
"product_type": 0,
"product_type_display": "虚拟商品",
"create_time": "2017-10-01T00:00:00"
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
},
},
{
"pk": 131,
"status": 0,
"status_display": "未使用",
"create_time": "2017-11-03T14:45:33.719105"
"exchange_product": {
"exchange_product": {
"name": "虚拟商品3",
"content": "虚拟商品3",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 0,
"product_type": 0,
"product_type_display": "虚拟商品",
"create_time": "2017-11-01T00:00:00"
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
},
}
]
}"#),
        edits: &[
            // The route needs the member's key (Authorization YES in the seed's table), which this curl
            // omits: the key the seed's other market curls send
            ("curl -X GET\n", "curl -X GET -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194'\n"),
        ],
        answer_edits: &[
            // The second item opens `exchange_product` twice and closes it once
            ("\"exchange_product\": {\n\"exchange_product\": {\n", "\"exchange_product\": {\n"),
        ],
        extra: &["pk"],
        ..CASE
    },
    // 使用商品: the product answers its `pk` too, as the product list shows it.
    Case {
        at: "kids-coding-market.txt:313",
        curl: r#"curl -X GET
http://localhost/market/use_product/129/"#,
        // kids-coding-market.txt:316-338
        answer: Some(r#"{
"pk": 129,
"status": 1,
"status_display": "使用",
"create_time": "2017-11-03T14:45:33.719105"
"exchange_product": {
"name": "虚拟商品2",
"content": "虚拟商品2",
"image": "http://thisisimages/",
"diamond": 100,
"bought": 0,
"product_type": 0,
"product_type_display": "虚拟商品",
"create_time": "2017-10-01T00:00:00"
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
},
}"#),
        edits: &[
            // The seed's table (and CONTRACT.md §7) says PUT, the curl GET, which answers 405; and the
            // route needs the member's key, which the curl omits
            ("curl -X GET\n", "curl -X PUT -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194'\n"),
        ],
        extra: &["pk"],
        ..CASE
    },
    // UserInfo's props: the seed documents the answer only; the URL is CONTRACT.md §7's.
    Case {
        at: "kids-coding-market.txt:339",
        written: true,
        curl: r#"curl -X GET -H 'Authorization: Token 40563641ffd7245dfe80b7a8cd000e3bebc4d194' http://localhost:8000/program_face2face/userinfo/"#,
        // kids-coding-market.txt:341-370
        answer: Some(r#"{
"pk":1,
"owner":"18516271364",
"name":"赵小明",
"props":[{
"owner":1,
"exchange_product":{
"pk":26,
"name":"虚拟商品",
"content":"虚拟商品",
"image":"http://imag.example.com/1.png",
"diamond":300,
"bought":1,
"create_time":"2017-12-07T12:31:21.049329",
"product_type_display":"虚拟物品",
"product_type":1
"category_detail":{
"pk":1,
"name":"Avatar",
"desc":"",
"style":"avatar_2",
"action":"avatar"
}
},
"status":1,
"status_display":"已使用",
"create_time":"2017-12-07T12:31:21.084266",
"pk":3
}]
}"#),
        ..CASE
    },
    // 获取付费用户列表: a payer without a teacher answers `teacher: null` (24 of the demo's 39 payers
    // have none; the seed's example payer has one).
    Case {
        at: "kids-coding-payers.txt:11",
        curl: r#"curl -X GET -H 'Authorization: Token admin123' -d data{...}http://localhost:8000/server/userinfo/payer_list/"#,
        // kids-coding-payers.txt:40
        answer: Some(r#"{ "count": 39, "next": "http://localhost:8000/server/userinfo/payer_list/?page=2", "previous": null, "results": [ { "pk": 98, "owner": "12345678900", "name": "昵称", "avatar": "https://static1.bcjiaoyu.com/head1@3x.png", "age": 0, "points": 0, "lesson_total": 0, "is_seller": false, "commission": "0.00", "my_seller": null, "remark": null, "teacher": { "owner": "12345", "pk": 108 }, "student": { "pk": 92, "owner": "12345", "name": "", "nickname": "", "avatar": "", "sex": "S", "birthday": null }, "identity": "student", "is_pay": true, "is_bind": false, "bind_account": "tester003", "group_info": { "status": 3, "status_display": "未组队有资格" }, "star": false, "realname": null, "city": null, "learn_extent": null, "follow_up": null, "follow_up_display": null, "deep_consume": null, "deep_consume_display": null, "sex": null, "sex_display": null }, ...}"#),
        edits: &[
            // `data{...}` stands for the request and is glued to the URL, so curl gets no URL: a GET's
            // query is in its URL (the body, as DRF did, is not read)
            ("data{...}http", "data{...} http"),
        ],
        answer_edits: &[
            // The results' `[` is never closed
            (r#""sex_display": null }, ...}"#, r#""sex_display": null }, ...]}"#),
        ],
        nullable: &["results[].teacher"],
        ..CASE
    },
    // 更新用户信息
    Case {
        at: "kids-coding-payers.txt:91",
        curl: r#"curl -X POST -H 'Authorization: Token admin123' -d data{...}http://localhost:8000/server/userinfo/payer_update/"#,
        // kids-coding-payers.txt:93
        answer: Some(r#"{ "pk": 1, "owner": "tester001", "name": "001tester", "avatar": "http://test.png", "age": 100, "points": 0, "lesson_total": 0, "is_seller": false, "commission": "0.00", "my_seller": null, "remark": "备注备注", "teacher": { "owner": "tester001", "pk": 2 }, "student": { "pk": 1, "owner": "tester001", "name": "tester", "nickname": "test", "avatar": "http://test.png", "sex": "S", "birthday": null }, "identity": null, "is_pay": true, "is_bind": false, "bind_account": "o-Iae4g9R2hdZNt0VMXWTrvb510Q", "group_info": { "status": 3, "status_display": "未组队有资格" }, "star": false, "realname": "真实姓名", "city": "城市", "learn_extent": null, "follow_up": "one2one", "follow_up_display": "购买一对一", "deep_consume": "5_class_bag", "deep_consume_display": "5课时课时包", "sex": "male", "sex_display": "男"}"#),
        edits: &[
            // `data{...}` stands for the request and is glued to the URL, so curl gets no URL: the
            // seed's request above it
            ("data{...}http", r#"'{ "username": "tester001", "star": false, "realname": "真实姓名", "age":100, "sex": "male", "city": "城市", "remark": "备注备注", "follow_up": "one2one", "deep_consume": "5_class_bag"}' http"#),
        ],
        ..CASE
    },
    // 获取访问记录
    Case {
        at: "kids-coding-payers.txt:101",
        curl: r#"curl -X GET -H 'Authorization: Token admin123' -d data{...}http://localhost:8000/server/userinfo/visit_records/?contact=tester001"#,
        // kids-coding-payers.txt:114
        answer: Some(r#"{ "count": 2, "next": null, "previous": null, "results": [ { "pk": 2, "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-05-05" }, { "pk": 1, "contact": "tester001", "detail": "访问内容详情", "visit_time": null } ]}"#),
        edits: &[
            // `data{...}` stands for the request and is glued to the URL, so curl gets no URL: a GET's
            // query is in its URL (the body, as DRF did, is not read)
            ("data{...}http", "data{...} http"),
        ],
        ..CASE
    },
    // 创建访问记录: 201 Created, as DRF answers a create.
    Case {
        at: "kids-coding-payers.txt:141",
        curl: r#"curl -X POST -H 'Authorization: Token admin123' -d data{...}http://localhost:8000/server/userinfo/visit_record_create/"#,
        // kids-coding-payers.txt:143
        answer: Some(r#"{ "pk": 2, "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-05-05"}"#),
        edits: &[
            // `data{...}` stands for the request and is glued to the URL, so curl gets no URL: the
            // seed's request above it
            ("data{...}http", r#"'{ "contact": "tester001", "detail": "访问内容详情", "visit_time": "2018-5-5"}' http"#),
        ],
        status: 201,
        ..CASE
    },
    // merchant-management.txt has no curl: each documented example request is sent as the merchant
    // page sends it, its `key: value` lines as form fields, with the staff JWT (CONTRACT.md).
    // /custommanage/ (IndexView)
    Case {
        at: "merchant-management.txt:113",
        written: true,
        curl: r#"curl -X GET http://localhost:8000/custommanage/ -H "Authorization: Bearer ${JWT_TOKEN}""#,
        // merchant-management.txt:116-199
        answer: Some(r#"{
"data":{
"sale_employee":{
"2011":{
"district_code":null,
"name":"喵喵总仓"
},
...
},
"district":[
{
"code":"110000",
"name":"北京市"
},
...
],
"station":{
"T12469":{
"distribute_city_ids":[
"440300",
"441900",
"110000"
],
"key_url":"xscs",
"district_code":"440300",
"name":"喵喵分仓二"
},
...
},
"create_employee":{
"2011":{
"district_code":null,
"name":"喵喵总仓"
},
...
},
"city":{
"110000":{
"area":{
"150100000000":{
"street":[
{
"150100100000":"百善"
},
...
],
"name":"昌平区"
},
...
},
"name":"北京市"
},
...
},
"station_salemenu":[
{
"stations_id":"T12469",
"salemenu_id":"S8443",
"salemenu_name":"蔬菜报价单",
"stations_name":"喵喵分仓二"
},
...
],
"salemenu":{
"S8443":"蔬菜报价单",
...
},
"area":{
"30100000000":{
"child":[
{
"30100100000":"华强北"
},
...
],
"district_code":"440300",
"name":"福田区"
},
...
}
},
"msg":"ok",
"code":0
}"#),
        ..CASE
    },
    // /custommanage/list (SearchView), the example's query
    Case {
        at: "merchant-management.txt:262",
        written: true,
        curl: r#"curl -G http://localhost:8000/custommanage/list -H "Authorization: Bearer ${JWT_TOKEN}""#,
        // merchant-management.txt:263-274
        form: Some(r#"{
export: 0
firstMenu: 0
secondMenu: 0
stationMenu: 0
page: 1
city: 0
saleMenu: 0
num: 10
search_text:
address_label_id: 0
}"#),
        // merchant-management.txt:276-309
        answer: Some(r#"{
"code": 0,
"data": [{
"check_out": 1,
"user_id": 73655,
"address_label": null,
"create_time": "2019-08-19",
"KID": "K073655",
"customer_type": 1,
"cname": "商户1",
"create_employee_phone": "--",
"resname": "1",
"telephone": "134",
"pay_method": "周结",
"sales_employee_phone": "--",
"addr_detail": "123",
"settle_way": "先货后款",
"create_employee_name": "--",
"finance_status": 0,
"whitelist": 1,
"keycustomer": 0,
"area_l2": "下沙村",
"city": "东莞市",
"area_l1": "石排镇",
"sales_employee_name": "(待定)",
"service_station": ["喵喵总仓"],
"username": "mmsh01",
"point": 0,
"balance": 6885.93,
"name": "测试删除",
"SID": "S281196"
}],
"count": 1
}"#),
        ..CASE
    },
    // /custommanage/edit (EditView), the example's shop form
    Case {
        at: "merchant-management.txt:357",
        written: true,
        curl: r#"curl -X POST http://localhost:8000/custommanage/edit -H "Authorization: Bearer ${JWT_TOKEN}""#,
        // merchant-management.txt:358-388
        form: Some(r#"{
id: S312206
new_cname: 商户1
telephone:
settle_way: 1
paymentName: 测试删除
paymentTelephone: 134
check_out: 1
freezeState: 0
white: 1
shopName: zzz
address_label_id: -1
receiver: zzz
receiverPhone: 13112345678
originalArea: 440300
firstArea: 30300000000
secondArea: 30300500000
shopAddress: 广东省深圳市福田区华强北街道华新村交行大厦(红荔路)
lat: 22.549475
lng: 114.085846
map_address: 广东省深圳市福田区华强北街道华新村交行大厦(红荔路)
creatEmployeeValue: 2011
saleEmployeeValue: 2011
settle_date_type: 2
pay_method: 3
begin_day: 1
settle_day: 1
effective_date: 2019-09-16
settle_remind: -1
is_credit: 0
}"#),
        // merchant-management.txt:395-398
        answer: Some(r#"{
code: 0
msg: "success"
}"#),
        ..CASE
    },
    // /custommanage/edit, the example's quote-sheet removal
    Case {
        at: "merchant-management.txt:357",
        written: true,
        curl: r#"curl -X POST http://localhost:8000/custommanage/edit -H "Authorization: Bearer ${JWT_TOKEN}""#,
        // merchant-management.txt:389-393
        form: Some(r#"{
status: deleteSSM
record_id: 530223
id: S312206
}"#),
        // merchant-management.txt:395-398
        answer: Some(r#"{
code: 0
msg: "success"
}"#),
        ..CASE
    },
    // /custommanage/restaurant/add (RestaurantAddView)
    Case {
        at: "merchant-management.txt:447",
        written: true,
        curl: r#"curl -X POST http://localhost:8000/custommanage/restaurant/add -H "Authorization: Bearer ${JWT_TOKEN}""#,
        // merchant-management.txt:448-479
        form: Some(r#"{
username: mmsh01
KID: K073655
company_name: 商户1
isEditPassword: false
telephone:
customer_type: 0
kid: K073655
settle_way: 1
payer_name: 测试删除
payer_telephone: 134
finance_status: 0
whitelist: 1
check_out: 1
pay_method: 2
settle_date_type: 1
is_credit: 0
lng: 114.088007
lat: 22.548645
address_label_id: 1911
map_address: 广东省深圳市福田区华强北街道红荔路185群星广场
restaurant_name: zzz
receiver_name: zzz
receiver_telephone: 13112345678
district_code: 440300
area_level1: 30300000000
area_level2: 30300500000
restaurant_address: 广东省深圳市福田区华强北街道红荔路185群星广场
create_employee_id: 2011
sale_employee_id: 2011
salemenu_ids: ["S21329"]
}"#),
        // merchant-management.txt:481-488
        answer: Some(r#"{
code: 0,
msg: 'ok',
data: {
KID: "K073655"
SID: "S312206"
}
}"#),
        ..CASE
    },
];

#[tokio::test]
async fn every_seed_curl_answers_the_seed_shape() {
    check_copies();
    for backend in backends() {
        let (url, cleanup) = fresh_database(&backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let server = Server::start(&url, dir.path()).await;
        // curl runs here: relative `-F file=@…` paths resolve against it.
        let work = dir.path().join("curl");
        std::fs::create_dir(&work).expect("curl's directory");
        let mut vars = HashMap::from([("${API_HOST}", server.url(""))]);
        // Every difference, not only the first case's: one run shows them all.
        let differences: Vec<String> = CASES
            .iter()
            .filter_map(|case| run(case, &mut vars, &work, &backend).err())
            .collect();
        assert!(
            differences.is_empty(),
            "{}\nthe server's log:\n{}",
            differences.join("\n"),
            server.log_text()
        );
        drop(server);
        cleanup.run().await;
    }
}

/// Runs one case; `Err` says how its answer differs from the seed's.
fn run(
    case: &Case,
    vars: &mut HashMap<&'static str, String>,
    work: &Path,
    backend: &Backend,
) -> Result<(), String> {
    let at = format!("{} ({backend:?})", case.at);
    let mut text = case.curl.to_owned();
    for (from, to) in case.edits {
        assert!(
            text.contains(from),
            "{at}: the edit's {from:?} is not in the curl"
        );
        text = text.replace(from, to);
    }
    // The host: the seeds' `${API_HOST}` and `http://localhost[:8000]`.
    let base = &vars["${API_HOST}"];
    text = text
        .replace("http://localhost:8000", base)
        .replace("http://localhost", base);
    for (name, value) in vars.iter() {
        text = text.replace(name, value);
    }
    assert!(
        !text.contains("${"),
        "{at}: a variable no earlier curl set: {text}"
    );
    let (words, piped) = shell_words(&text);
    assert_eq!(words.first().map(String::as_str), Some("curl"), "{at}");
    assert!(
        piped.is_empty() || piped == ["jq"],
        "{at}: piped into {piped:?}"
    );
    let mut args = words[1..].to_vec();
    if let Some(form) = case.form {
        for (key, value) in form_fields(form) {
            args.push("--data-urlencode".into());
            args.push(format!("{key}={value}"));
        }
    }
    let (status, content_type, body) = curl(&args, work);
    // Enough of an answer to see what went wrong.
    let shown: String = String::from_utf8_lossy(&body).chars().take(800).collect();
    if status != case.status {
        return Err(format!("{at}: status {status}: {shown}"));
    }
    if case.xlsx {
        if content_type != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            || !body.starts_with(b"PK")
        {
            return Err(format!("{at}: not a spreadsheet ({content_type}): {shown}"));
        }
        for name in case.save_as {
            std::fs::write(work.join(name), &body).expect("keep the file");
        }
        return Ok(());
    }
    let got: Value =
        serde_json::from_slice(&body).map_err(|e| format!("{at}: not JSON ({e}): {shown}"))?;
    let mut seed = case
        .answer
        .expect("a JSON case shows its answer")
        .to_owned();
    for (from, to) in case.answer_edits {
        assert!(
            seed.contains(from),
            "{at}: the answer edit's {from:?} is not in it"
        );
        seed = seed.replace(from, to);
    }
    let want = seed_json(&seed);
    if let Some((name, pointer)) = case.keep {
        let value = got
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{at}: no {pointer} in {got}"));
        let value = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        vars.insert(name, value);
    }
    let allowed: Allowed = (case.extra.iter().map(|k| Allowance::Extra(k)))
        .chain(case.untyped.iter().map(|p| Allowance::Untyped(p)))
        .chain(case.nullable.iter().map(|p| Allowance::Nullable(p)))
        .collect();
    shape(&want, &got, "", &allowed).map_err(|d| format!("{at}: {d}\n  answered: {shown}"))?;
    // Each allowance is needed: without it the answer would differ.
    for (unneeded, without) in each_one_less(&allowed) {
        if shape(&want, &got, "", &without).is_ok() {
            return Err(format!(
                "{at}: an allowance the answer does not need: {unneeded:?}"
            ));
        }
    }
    Ok(())
}

/// Runs `curl -sS <args>` in `dir`; answers the final status, the content type and the body.
fn curl(args: &[String], dir: &Path) -> (u16, String, Vec<u8>) {
    let out = tempfile::tempdir().expect("temp dir");
    let (head, body) = (out.path().join("head"), out.path().join("body"));
    let done = curl_command(&head, &body, args)
        .current_dir(dir)
        .output()
        .expect("curl runs");
    let curled = curled(&done, args, &head, &body);
    let content_type = curled.header("content-type").unwrap_or_default().to_owned();
    (curled.status, content_type, curled.body)
}

/// The words of a command as `sh` splits them: blanks separate (a line break too: the seeds'
/// wiki wrapped commands), `'…'` is literal, `"…"` keeps blanks and takes `\` before `"`, `\`,
/// `$` and `` ` ``, an unquoted `\` escapes the next character (`\` + line break joins lines).
/// An unquoted `|` ends the command: answers its words and those of the command piped to.
/// Panics on an unclosed quote.
fn shell_words(text: &str) -> (Vec<String>, Vec<String>) {
    let mut commands = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => panic!("an unclosed ' in {text}"),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => w.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => panic!("an unclosed \" in {text}"),
                        },
                        Some(c) => w.push(c),
                        None => panic!("an unclosed \" in {text}"),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(c) => word.get_or_insert_with(String::new).push(c),
            },
            '|' => {
                if let Some(w) = word.take() {
                    commands.last_mut().expect("a command").push(w);
                }
                commands.push(Vec::new());
            }
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    commands.last_mut().expect("a command").push(w);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        commands.last_mut().expect("a command").push(w);
    }
    assert!(commands.len() <= 2, "more than one pipe in {text}");
    let mut commands = commands.into_iter();
    let first = commands.next().unwrap_or_default();
    (first, commands.next().unwrap_or_default())
}

/// The `key: value` lines of merchant-management's example requests (braces left out).
fn form_fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// JSON as the seeds write their examples: commas may be missing or trailing, `...` elides
/// further entries, keys may be bare words and strings single-quoted (merchant-management).
/// Panics, with the offset, on anything else.
fn seed_json(text: &str) -> Value {
    let mut parser = Loose {
        text: text.chars().collect(),
        at: 0,
    };
    let value = parser.value();
    parser.blanks();
    assert_eq!(parser.at, parser.text.len(), "text after the value: {text}");
    value
}

struct Loose {
    text: Vec<char>,
    at: usize,
}

impl Loose {
    fn peek(&self) -> char {
        *self
            .text
            .get(self.at)
            .unwrap_or_else(|| panic!("the example ends early"))
    }

    /// Skips blanks and commas: commas only separate, so a missing or extra one is no matter.
    fn blanks(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|c| c.is_whitespace() || *c == ',')
        {
            self.at += 1;
        }
    }

    /// Skips a `...` elision, if one comes next.
    fn elision(&mut self) -> bool {
        self.blanks();
        let found = self.text[self.at..].starts_with(&['.', '.', '.']);
        if found {
            self.at += 3;
        }
        found
    }

    fn value(&mut self) -> Value {
        self.blanks();
        match self.peek() {
            '{' => {
                self.at += 1;
                let mut map = Map::new();
                loop {
                    if self.elision() {
                        continue;
                    }
                    if self.peek() == '}' {
                        self.at += 1;
                        return Value::Object(map);
                    }
                    let key = match self.peek() {
                        '"' | '\'' => self.string(),
                        _ => self.word(),
                    };
                    self.blanks();
                    assert_eq!(self.peek(), ':', "no `:` after {key:?} at {}", self.at);
                    self.at += 1;
                    let value = self.value();
                    map.insert(key, value);
                }
            }
            '[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    if self.elision() {
                        continue;
                    }
                    if self.peek() == ']' {
                        self.at += 1;
                        return Value::Array(items);
                    }
                    items.push(self.value());
                }
            }
            '"' | '\'' => Value::String(self.string()),
            _ => {
                let word = self.word();
                serde_json::from_str(&word).unwrap_or(Value::String(word))
            }
        }
    }

    fn string(&mut self) -> String {
        let quote = self.peek();
        self.at += 1;
        let mut out = String::new();
        loop {
            let c = self.peek();
            self.at += 1;
            match c {
                c if c == quote => return out,
                '\\' => {
                    let escaped = self.peek();
                    self.at += 1;
                    out.push(if escaped == 'n' { '\n' } else { escaped });
                }
                c => out.push(c),
            }
        }
    }

    /// A bare word: a number, `true`, `null`, or an unquoted key.
    fn word(&mut self) -> String {
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|c| !c.is_whitespace() && !",:{}[]".contains(*c))
        {
            self.at += 1;
        }
        assert!(self.at > start, "a value expected at {start}");
        self.text[start..self.at].iter().collect()
    }
}

/// A key that is an id (`2011`, `T12469`, `S8443`), not a field name: an object of such keys
/// is a map from ids to entries of one shape.
fn is_id(key: &str) -> bool {
    let digits = key
        .strip_prefix(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(key);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether `got` has `want`'s shape: at every level the same keys (beyond them only the case's
/// `extra`), the same JSON types, and items wherever `want` shows items; each item of an array
/// has the shape of one of the example's items, each entry of a map from ids (see [`is_id`])
/// that of the example's first. The seed's `null` says nothing of a type (its other examples
/// fill the same fields). `Err` names the JSON path of the first difference.
fn shape(want: &Value, got: &Value, path: &str, case: &Allowed) -> Result<(), String> {
    let at = if path.is_empty() { "the answer" } else { path };
    match (want, got) {
        (Value::Null, _) => Ok(()),
        (Value::Object(w), Value::Object(g)) if !w.is_empty() && w.keys().all(|k| is_id(k)) => {
            let entry = w.values().next().expect("an entry");
            if g.is_empty() {
                return Err(format!("{at}: no entries; the seed's example shows some"));
            }
            for (key, value) in g {
                let path = format!("{path}.{key}");
                if !is_id(key) {
                    return Err(format!("{path}: not an id, in a map from ids"));
                }
                shape(entry, value, &path, case)?;
            }
            Ok(())
        }
        (Value::Object(w), Value::Object(g)) => {
            let join = |key: &str| {
                if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                }
            };
            if let Some(key) = w.keys().find(|k| !g.contains_key(*k)) {
                return Err(format!("{}: missing", join(key)));
            }
            if let Some(key) = g
                .keys()
                .find(|k| !w.contains_key(*k) && !allows(case, Allowance::Extra(k)))
            {
                return Err(format!("{}: not in the seed's example", join(key)));
            }
            for (key, value) in w {
                shape(value, &g[key], &join(key), case)?;
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(g)) => {
            if !w.is_empty() && g.is_empty() {
                return Err(format!(
                    "{at}: no items; the seed's example shows {}",
                    w.len()
                ));
            }
            for (i, item) in g.iter().enumerate() {
                let path = format!("{path}[{i}]");
                let mut first = None;
                for example in w {
                    match shape(example, item, &path, case) {
                        Ok(()) => {
                            first = None;
                            break;
                        }
                        Err(e) => {
                            first.get_or_insert(e);
                        }
                    }
                }
                if let Some(difference) = first {
                    return Err(difference);
                }
            }
            Ok(())
        }
        _ if kind(want) == kind(got) => Ok(()),
        (_, Value::Null) if allows(case, Allowance::Nullable(&pattern(path))) => Ok(()),
        _ if allows(case, Allowance::Untyped(&pattern(path))) => Ok(()),
        _ => Err(format!(
            "{at}: {} in the seed's example, {} answered",
            kind(want),
            kind(got)
        )),
    }
}

/// One thing a case allows beyond the seed's example (see [`Case`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Allowance<'a> {
    Extra(&'a str),
    Untyped(&'a str),
    Nullable(&'a str),
}

/// A case's allowances.
type Allowed = Vec<Allowance<'static>>;

/// Whether `allowed` holds `wanted` (a path built on the spot lives less than the cases).
fn allows<'a>(allowed: &[Allowance<'a>], wanted: Allowance<'a>) -> bool {
    allowed.contains(&wanted)
}

/// The allowances with one of them left out, each in turn, beside the one left out.
fn each_one_less(allowed: &Allowed) -> Vec<(Allowance<'static>, Allowed)> {
    (0..allowed.len())
        .map(|i| {
            let mut less = allowed.clone();
            (less.remove(i), less)
        })
        .collect()
}

/// `path` (`data[3].mobile`) as the cases name it (`data[].mobile`).
fn pattern(path: &str) -> String {
    let mut pattern = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                pattern.push_str("[]");
            }
            ']' => in_index = false,
            c if !in_index => pattern.push(c),
            _ => {}
        }
    }
    pattern
}

/// The seeds, where the repository's checkout has them beside it (`../shared/seeds/`, as in
/// CI, where they must be there).
fn seeds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let found = dir.is_dir();
    assert!(
        found || !under_ci(),
        "{} is missing under CI",
        dir.display()
    );
    if !found {
        eprintln!("seeds not found at {}: copies not checked", dir.display());
    }
    found.then_some(dir)
}

/// Every curl, example answer and documented request here is the seed's text exactly, every
/// edit applies to it, and every curl of the seeds has its case.
fn check_copies() {
    let Some(dir) = seeds_dir() else { return };
    let mut seeds = HashMap::new();
    for case in CASES {
        let (file, line) = case.at.split_once(':').expect("file:line");
        let seed = seeds.entry(file).or_insert_with(|| {
            std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
        });
        let line: usize = line.parse().expect("a line number");
        if !case.written {
            let from_line = seed.lines().skip(line - 1).collect::<Vec<_>>().join("\n");
            assert!(
                from_line.starts_with(case.curl),
                "{}: not the seed's curl",
                case.at
            );
        }
        for text in [case.answer, case.form].into_iter().flatten() {
            assert!(
                seed.contains(text),
                "{}: not the seed's text:\n{text}",
                case.at
            );
        }
    }
    let mut curls = 0;
    for entry in std::fs::read_dir(&dir).expect("the seeds") {
        let text = std::fs::read_to_string(entry.expect("an entry").path()).unwrap_or_default();
        curls += text
            .lines()
            .filter(|l| l.trim_start().starts_with("curl "))
            .count();
    }
    let cases = CASES.iter().filter(|c| !c.written).count();
    assert_eq!(cases, curls, "a seed curl without its case");
}

#[test]
fn shell_words_split_as_sh_does() {
    let (words, piped) = shell_words("curl -X GET \\\n  --url \"a b\\\"c\" -d '{\"x\": 1}'x | jq");
    assert_eq!(
        words,
        ["curl", "-X", "GET", "--url", "a b\"c", "-d", "{\"x\": 1}x"]
    );
    assert_eq!(piped, ["jq"]);
}

#[test]
fn seed_json_reads_the_seeds_loose_json() {
    let v = seed_json("{ code: 0 msg: 'ok', \"a\": [1, 2, ...,], \"m\": {\"T1\": null, ...} }");
    assert_eq!(
        v,
        serde_json::json!({ "code": 0, "msg": "ok", "a": [1, 2], "m": { "T1": null } })
    );
}

#[test]
fn shape_names_the_first_difference() {
    let want =
        serde_json::json!({ "data": [{ "id": 1, "s": "x", "m": { "2011": { "n": "a" } } }] });
    let case = vec![Allowance::Extra("date")];
    let same = serde_json::json!({ "data": [{ "id": 9, "s": "y", "m": { "T7": { "n": "b" } } }], "date": 1 });
    assert_eq!(shape(&want, &same, "", &case), Ok(()));
    let cases = [
        (
            serde_json::json!({ "data": [] }),
            "data: no items; the seed's example shows 1",
        ),
        (
            serde_json::json!({ "data": [{ "id": "1", "s": "", "m": {} }] }),
            "data[0].id: a number in the seed's example, a string answered",
        ),
        (
            serde_json::json!({ "data": [{ "id": 1, "s": "", "m": { "x": { "n": "" } } }] }),
            "data[0].m.x: not an id, in a map from ids",
        ),
        (
            serde_json::json!({ "data": [{ "id": 1, "m": {} }] }),
            "data[0].s: missing",
        ),
        (
            serde_json::json!({ "data": [], "more": 1 }),
            "more: not in the seed's example",
        ),
    ];
    for (got, difference) in cases {
        assert_eq!(
            shape(&want, &got, "", &case),
            Err(difference.to_owned()),
            "{got}"
        );
    }
}
