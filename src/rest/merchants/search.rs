//! `GET /custommanage/list`: the merchant search, a page of flat legacy rows or, with
//! `export=1`, every matching row as a spreadsheet. The row is declared once ([`ROW`]).

use super::{envelope::MerchantsResult, items_of, ok};
use crate::rest::prelude::*;
use crate::{
    rest::{rows, rows::col, rows::Column, rows::Format, rows::Row},
    state::SheetJob,
    xlsx::{Cell, SheetWriter},
};

/// The list's page parameters: `page` and `num` (10 rows by default).
const PAGING: Paging = Paging::numbered("num", "Rows per page (default 10)");

/// The search route.
pub(super) fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/custommanage/list",
        get(list),
        Doc::new(
            "Merchant search; `export=1` answers every matching row as an .xlsx \
             (needs MERCHANT_EXPORT)",
            Access::Staff(Permission::MerchantList),
        )
        .query("firstMenu", int(), "First-level area id (0: all)")
        .query("secondMenu", int(), "Second-level area id (0: all)")
        .query("stationMenu", filter_text(), "Service station id (0: all)")
        .query("check_out", int(), "Review state; 0 is unreviewed")
        .query("city", filter_text(), "City code (0: all)")
        .query("crtManeger", int(), "Account manager id (0: all)")
        .query("saleManager", int(), "Sales manager id (0: all)")
        .query(
            "salemenu",
            filter_text(),
            "Quote sheet id (also `saleMenu`; 0: all)",
        )
        .query("pay_method", int(), "Settlement cycle (0: all)")
        .query("settle_way", int(), "Settlement way (0: all)")
        .query(
            "search_text",
            filter_text(),
            "KID, SID, company, shop, contact or phone",
        )
        .query("customer_type", int(), "Merchant type (0: all)")
        .query("address_label_id", int(), "Label id; -1 is none (0: all)")
        .query(
            "export",
            int_of(&[0, 1]),
            "1: the whole result as a spreadsheet",
        )
        .paged(&PAGING)
        .answer(
            200,
            object(&[
                ("code", int_of(&[0])),
                ("data", array(ROW.schema())),
                ("count", int()),
            ]),
        )
        .xlsx()
        // 503: `export=1` while every export's place is taken.
        .errors(&[400, 503]),
    )
    // `export=1` pages through the export instead of the list.
    .runs(&[MERCHANT_LIST, MERCHANT_EXPORT])]
}

/// The GraphQL selection of a list row: every source of [`ROW`].
const ROW_FIELDS: &str = "fragment Row on Merchant {
  checkOut accountId addressLabel { name } createTime kid customerType companyName
  createEmployee { name phone } shopName receiverTelephone payMethodDisplay saleEmployee { name phone }
  address settleWayDisplay financeStatus whitelist keycustomer areaLevel2 { name }
  city { name } areaLevel1 { name } serviceStations { name } username point balance
  receiverName sid
}";

/// The legacy list row, keys in the seed's order; each exported column with its place in
/// the spreadsheet and its header.
const ROW: Row = Row {
    document: MERCHANT_LIST,
    rows_at: "merchants.items",
    columns: ROW_COLUMNS,
};

const ROW_COLUMNS: &[Column] = &[
    col("check_out", "checkOut").sheet(24, "审核状态"),
    col("user_id", "accountId").sheet(27, "账户ID"),
    col("address_label", "addressLabel.name").sheet(21, "商户标签"),
    col("create_time", "createTime").sheet(3, "注册日期"),
    col("KID", "kid").sheet(0, "商户账户ID"),
    col("customer_type", "customerType").sheet(22, "商户类型"),
    col("cname", "companyName").sheet(1, "公司名"),
    col("create_employee_phone", "createEmployee.phone")
        .or("--")
        .sheet(15, "开户经理电话"),
    col("resname", "shopName").sheet(5, "店铺名"),
    col("telephone", "receiverTelephone").sheet(13, "电话"),
    col("pay_method", "payMethodDisplay").sheet(7, "结算周期"),
    col("sales_employee_phone", "saleEmployee.phone")
        .or("--")
        .sheet(17, "销售经理电话"),
    col("addr_detail", "address").sheet(11, "店铺地址"),
    col("settle_way", "settleWayDisplay").sheet(6, "结款方式"),
    col("create_employee_name", "createEmployee.name")
        .or("--")
        .sheet(14, "开户经理"),
    col("finance_status", "financeStatus").sheet(25, "财务状态"),
    col("whitelist", "whitelist").sheet(18, "是否白名单"),
    col("keycustomer", "keycustomer").sheet(26, "重点客户"),
    col("area_l2", "areaLevel2.name").sheet(10, "二级区域"),
    col("city", "city.name").sheet(8, "城市"),
    col("area_l1", "areaLevel1.name").sheet(9, "一级区域"),
    col("sales_employee_name", "saleEmployee.name")
        .or("(待定)")
        .sheet(16, "销售经理"),
    col("service_station", "serviceStations.name").sheet(20, "从属站点"),
    col("username", "username").sheet(4, "登录账号"),
    col("point", "point").sheet(23, "积分"),
    // The legacy answer prints the balance as a float (`100.0`).
    col("balance", "balance")
        .format(Format::Float)
        .sheet(19, "余额"),
    col("name", "receiverName").sheet(12, "店铺联系人"),
    col("SID", "sid").sheet(2, "商户ID"),
];

/// The search filter from the list's parameters; 0 (or empty) means "all", as the page sends.
fn filter(q: &Fields) -> Result<Value, AppError> {
    let nonzero_int =
        |k: &str| -> Result<Option<i64>, AppError> { Ok(q.int(k)?.filter(|v| *v != 0)) };
    let nonzero_text = |k: &str| -> Result<Option<String>, AppError> {
        Ok(q.string(k)?
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v != "0"))
    };
    let salemenu = match nonzero_text("salemenu")? {
        Some(v) => Some(v),
        None => nonzero_text("saleMenu")?,
    };
    Ok(json!({
        "areaLevel1": q.big_int("firstMenu")?.filter(|v| *v != 0),
        "areaLevel2": q.big_int("secondMenu")?.filter(|v| *v != 0),
        "station": nonzero_text("stationMenu")?,
        "checkOut": q.int("check_out")?,
        "city": nonzero_text("city")?,
        "createEmployee": nonzero_int("crtManeger")?,
        "saleEmployee": nonzero_int("saleManager")?,
        "quoteSheet": salemenu,
        "payMethod": nonzero_int("pay_method")?,
        "settleWay": nonzero_int("settle_way")?,
        "search": q.string("search_text")?.filter(|s| !s.trim().is_empty()),
        "customerType": nonzero_int("customer_type")?,
        "addressLabel": nonzero_int("address_label_id")?,
    }))
}

const MERCHANT_LIST: &str = concatcp!(
    "query MerchantList($filter: MerchantFilter, $page: Int, $num: Int) {
           merchants(filter: $filter, page: $page, pageSize: $num) { totalCount items { ...Row } }
         } ",
    ROW_FIELDS
);
/// `GET /custommanage/list`: filters, `num`/`page`; `export=1` answers an `.xlsx` of every
/// matching row instead.
async fn list(caller: Caller, QueryFields(q): QueryFields) -> MerchantsResult {
    let filter = filter(&q)?;
    if q.int("export")? == Some(1) {
        return export(&caller, filter).await;
    }
    let (page, num) = q.paging(&PAGING)?;
    let vars = json!({ "filter": filter, "page": page, "num": num });
    let found = take(caller.run(MERCHANT_LIST, vars).await?, "merchants");
    let rows = ROW.reshape_all(&found["items"]);
    Ok(ok(
        json!({ "code": 0, "data": rows, "count": found["totalCount"] }),
    ))
}

const MERCHANT_EXPORT: &str = concatcp!(
    "query MerchantExport($filter: MerchantFilter, $page: Int) {
           merchantExport(filter: $filter, page: $page) { totalCount pageSize items { ...Row } }
         } ",
    ROW_FIELDS
);
/// Every matching row, read 1,000 at a time and written before the next page is read, as a
/// spreadsheet download.
async fn export(caller: &Caller, filter: Value) -> MerchantsResult {
    // Held until the file is written: at most N exports at once (503 beyond).
    let _permit = caller.state.core.sheet_jobs.start(SheetJob::Export)?;
    let columns = ROW.sheet();
    let headers: Vec<&str> = columns.iter().map(|(_, h)| *h).collect();
    let mut sheet = SheetWriter::new("商户", &headers)?;
    let mut written = 0u64;
    let mut page = 1;
    loop {
        let vars = json!({ "filter": filter, "page": page });
        let found = take(caller.run(MERCHANT_EXPORT, vars).await?, "merchantExport");
        let items = items_of(&found["items"]);
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|item| rows::cells(&ROW.reshape(item), columns.iter().map(|(k, _)| *k)))
            .collect();
        written += rows.len() as u64;
        sheet = sheet.append(rows).await?;
        let total = found["totalCount"].as_u64().unwrap_or(0);
        if items.is_empty() || written >= total {
            break;
        }
        page += 1;
    }
    let bytes = sheet.finished().await?;
    let name = format!("merchants-{}.xlsx", crate::db::now().format("%Y%m%d"));
    Ok(rows::download(bytes, &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_exported_once() {
        let mut positions: Vec<usize> = ROW_COLUMNS
            .iter()
            .map(|c| c.sheet.expect("exported").0)
            .collect();
        positions.sort_unstable();
        assert_eq!(positions, (0..ROW_COLUMNS.len()).collect::<Vec<_>>());
    }
}
