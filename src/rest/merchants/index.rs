//! `GET /custommanage/`: geography, stations, managers and quote sheets, keyed by id.

use serde_json::Map;

use super::{envelope::MerchantsResult, items_of, ok, ok_schema};
use crate::rest::prelude::*;

/// The index route.
pub(super) fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::GET,
        "/custommanage/",
        get(index),
        Doc::new(
            "Geography, stations, managers and quote sheets, keyed by id",
            Access::Staff(Permission::MerchantIndex),
        )
        .answer(200, ok_schema(index_schema())),
    )
    .runs(&[MERCHANT_INDEX])]
}

/// The index answer's `data`.
fn index_schema() -> Value {
    let ix = |path: &str| from_document(MERCHANT_INDEX, &format!("merchantIndex.{path}"));
    let employee = map_of(object(&[
        ("district_code", ix("createEmployees.districtCode")),
        ("name", ix("createEmployees.name")),
    ]));
    let streets = array(map_of(ix("cities.areas.streets.name")));
    object(&[
        ("sale_employee", employee.clone()),
        (
            "district",
            array(object(&[
                ("code", ix("cities.code")),
                ("name", ix("cities.name")),
            ])),
        ),
        (
            "station",
            map_of(object(&[
                ("distribute_city_ids", ix("stations.distributeCityIds")),
                ("key_url", ix("stations.keyUrl")),
                ("district_code", ix("stations.districtCode")),
                ("name", ix("stations.name")),
            ])),
        ),
        ("create_employee", employee),
        (
            "city",
            map_of(object(&[
                (
                    "area",
                    map_of(object(&[
                        ("street", streets.clone()),
                        ("name", ix("cities.areas.name")),
                    ])),
                ),
                ("name", ix("cities.name")),
            ])),
        ),
        (
            "station_salemenu",
            array(object(&[
                ("stations_id", ix("stationQuoteSheets.station.id")),
                ("salemenu_id", ix("stationQuoteSheets.quoteSheet.id")),
                ("salemenu_name", ix("stationQuoteSheets.quoteSheet.name")),
                ("stations_name", ix("stationQuoteSheets.station.name")),
            ])),
        ),
        ("salemenu", map_of(ix("quoteSheets.name"))),
        (
            "area",
            map_of(object(&[
                ("child", streets),
                ("district_code", ix("cities.areas.districtCode")),
                ("name", ix("cities.areas.name")),
            ])),
        ),
    ])
}

/// `{"<id>": name}`.
fn one_key(id: &Value, name: &Value) -> Value {
    let mut m = Map::new();
    m.insert(key(id), name.clone());
    Value::Object(m)
}

/// An id as a map key.
fn key(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn employees(list_of: &Value) -> Value {
    let mut out = Map::new();
    for e in items_of(list_of) {
        out.insert(
            key(&e["id"]),
            json!({ "district_code": e["districtCode"], "name": e["name"] }),
        );
    }
    Value::Object(out)
}

const MERCHANT_INDEX: &str = "query MerchantIndex { merchantIndex {
        cities { code name areas { id name districtCode streets { id name } } }
        stations { id name districtCode keyUrl distributeCityIds }
        createEmployees { id name districtCode }
        saleEmployees { id name districtCode }
        quoteSheets { id name }
        stationQuoteSheets { station { id name } quoteSheet { id name } }
    } }";
/// `GET /custommanage/`: the nested index, maps keyed by id as the seed shapes it.
async fn index(caller: Caller) -> MerchantsResult {
    let ix = take(
        caller.run(MERCHANT_INDEX, json!({})).await?,
        "merchantIndex",
    );
    let mut area = Map::new();
    let mut city = Map::new();
    let mut district = Vec::new();
    for c in items_of(&ix["cities"]) {
        district.push(json!({ "code": c["code"], "name": c["name"] }));
        let mut city_areas = Map::new();
        for a in items_of(&c["areas"]) {
            let streets: Vec<Value> = items_of(&a["streets"])
                .iter()
                .map(|s| one_key(&s["id"], &s["name"]))
                .collect();
            area.insert(
                key(&a["id"]),
                json!({ "child": streets, "district_code": a["districtCode"], "name": a["name"] }),
            );
            city_areas.insert(
                key(&a["id"]),
                json!({ "street": streets, "name": a["name"] }),
            );
        }
        city.insert(
            key(&c["code"]),
            json!({ "area": city_areas, "name": c["name"] }),
        );
    }
    let mut station = Map::new();
    for s in items_of(&ix["stations"]) {
        station.insert(
            key(&s["id"]),
            json!({
                "distribute_city_ids": s["distributeCityIds"], "key_url": s["keyUrl"],
                "district_code": s["districtCode"], "name": s["name"],
            }),
        );
    }
    let mut salemenu = Map::new();
    for q in items_of(&ix["quoteSheets"]) {
        salemenu.insert(key(&q["id"]), q["name"].clone());
    }
    let station_salemenu: Vec<Value> = items_of(&ix["stationQuoteSheets"])
        .iter()
        .map(|ss| {
            json!({
                "stations_id": ss["station"]["id"], "salemenu_id": ss["quoteSheet"]["id"],
                "salemenu_name": ss["quoteSheet"]["name"], "stations_name": ss["station"]["name"],
            })
        })
        .collect();
    Ok(ok(json!({
        "data": {
            "sale_employee": employees(&ix["saleEmployees"]),
            "district": district,
            "station": station,
            "create_employee": employees(&ix["createEmployees"]),
            "city": city,
            "station_salemenu": station_salemenu,
            "salemenu": salemenu,
            "area": area,
        },
        "msg": "ok",
        "code": 0,
    })))
}
