//! Partial edits of a shop and its account.

use super::*;

/// Applies a partial edit to a shop and its account, every value checked first; one
/// transaction writes both rows.
pub async fn update_shop(
    db: &DatabaseConnection,
    who: &Auth,
    input: UpdateShopInput,
) -> AppResult<shop::Model> {
    let current = shop(db, &input.sid).await?;
    let mut row: shop::ActiveModel = current.clone().into();

    if let Some(v) = input.settle_way {
        row.settle_way = Set(code_in(
            Name::new("settleWay", "settle_way"),
            v,
            SETTLE_WAY,
        )?);
    }
    if let Some(v) = input.pay_method {
        row.pay_method = Set(code_in(
            Name::new("payMethod", "pay_method"),
            v,
            PAY_METHOD,
        )?);
    }
    if let Some(v) = input.check_out {
        row.check_out = Set(flag(Name::new("checkOut", "check_out"), v)?);
    }
    if let Some(v) = input.finance_status {
        row.finance_status = Set(flag(Name::new("financeStatus", "freezeState"), v)?);
    }
    if let Some(v) = input.whitelist {
        row.whitelist = Set(flag(Name::new("whitelist", "white"), v)?);
    }
    if let Some(v) = input.is_credit {
        row.is_credit = Set(flag(Name::new("isCredit", "is_credit"), v)?);
    }
    if let Some(v) = text(Name::alike("shopName"), input.shop_name)? {
        if v.is_empty() {
            return Err(bad(Name::alike("shopName"), "不能为空"));
        }
        row.name = Set(v);
    }
    for (name, value, target) in [
        (
            Name::new("receiverName", "receiver"),
            input.receiver_name,
            &mut row.receiver_name,
        ),
        (
            Name::new("receiverTelephone", "receiverPhone"),
            input.receiver_telephone,
            &mut row.receiver_telephone,
        ),
        (
            Name::new("address", "shopAddress"),
            input.address,
            &mut row.address,
        ),
        (
            Name::new("payerName", "paymentName"),
            input.payer_name,
            &mut row.payer_name,
        ),
        (
            Name::new("payerTelephone", "paymentTelephone"),
            input.payer_telephone,
            &mut row.payer_telephone,
        ),
    ] {
        if let Some(v) = text(name, value)? {
            if v.is_empty() {
                return Err(bad(name, "不能为空"));
            }
            *target = Set(v);
        }
    }
    if let Some(v) = text(Name::new("mapAddress", "map_address"), input.map_address)? {
        row.map_address = Set(v);
    }
    if let Some(v) = clearable(input.lat, |v| coordinate(Name::alike("lat"), v, 90.0))? {
        row.lat = Set(v);
    }
    if let Some(v) = clearable(input.lng, |v| coordinate(Name::alike("lng"), v, 180.0))? {
        row.lng = Set(v);
    }
    if let Some(v) = clearable(input.credit_limit, |v| {
        cents(Name::new("creditLimit", "credit_limit"), v)
    })? {
        row.credit_limit_cents = Set(v);
    }
    let effective_date = match input.effective_date {
        MaybeUndefined::Value(v) if v.trim().is_empty() => MaybeUndefined::Null,
        other => other,
    };
    if let Some(v) = clearable(effective_date, |v| {
        parse_date(Name::new("effectiveDate", "effective_date"), &v)
    })? {
        row.effective_date = Set(v);
    }
    if let Some(v) = clearable(input.begin_day, |v| {
        day(Name::new("beginDay", "begin_day"), v)
    })? {
        row.begin_day = Set(v);
    }
    if let Some(v) = clearable(input.settle_day, |v| {
        day(Name::new("settleDay", "settle_day"), v)
    })? {
        row.settle_day = Set(v);
    }
    if let Some(v) = clearable(input.settle_date_type, |v| match v {
        1 | 2 => Ok(v as i16),
        _ => Err(bad(
            Name::new("settleDateType", "settle_date_type"),
            "只能是 1 或 2",
        )),
    })? {
        row.settle_date_type = Set(v);
    }
    if let Some(v) = clearable(input.settle_remind, |v| {
        if v == -1 || (1..=7).contains(&v) {
            Ok(v)
        } else {
            Err(bad(
                Name::new("settleRemind", "settle_remind"),
                "只能是 -1 或 1 到 7",
            ))
        }
    })? {
        row.settle_remind = Set(v);
    }
    match input.create_employee_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.create_employee_id = Set(None),
        MaybeUndefined::Value(v) => {
            row.create_employee_id = Set(Some(
                check_employee(db, "createEmployeeId", v, Manager::Opening).await?,
            ))
        }
    }
    match input.sale_employee_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.sale_employee_id = Set(None),
        MaybeUndefined::Value(v) => {
            row.sale_employee_id = Set(Some(
                check_employee(db, "saleEmployeeId", v, Manager::Sales).await?,
            ))
        }
    }
    match input.address_label_id {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.address_label_id = Set(None),
        MaybeUndefined::Value(v) => row.address_label_id = Set(check_label(db, v).await?),
    }
    // Geography: a changed piece must still fit the others.
    if input.district_code.is_some()
        || input.area_level1_id.is_some()
        || input.area_level2_id.is_some()
    {
        let district = input
            .district_code
            .clone()
            .unwrap_or(current.district_code.clone());
        let l1 = input.area_level1_id.unwrap_or(current.area_level1_id);
        let l2 = input.area_level2_id.unwrap_or(current.area_level2_id);
        check_geography(db, &district, l1, l2).await?;
        row.district_code = Set(district);
        row.area_level1_id = Set(l1);
        row.area_level2_id = Set(l2);
    }
    let company = text(Name::new("companyName", "new_cname"), input.company_name)?;
    let telephone = text(Name::alike("telephone"), input.telephone)?;

    audit::write(db, who, "updateShop", async |txn, log| {
        let mut changed = false;
        if company.is_some() || telephone.is_some() {
            let before = merchant_account::Entity::find_by_id(current.account_id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::NotFound("商户账户不存在".into()))?;
            let mut account: merchant_account::ActiveModel = before.clone().into();
            crate::db::set_given(&mut account.company_name, company);
            crate::db::set_given(&mut account.telephone, telephone);
            let after = account.update(txn).await?;
            changed |= log
                .updated("merchant_account", after.id, &before, &after)
                .await?;
        }
        let updated = if audit::changes(&row, &current) {
            // The row as this transaction sees it, for the record of what changed.
            let before = shop::Entity::find_by_id(current.id)
                .one(txn)
                .await?
                .unwrap_or(current);
            let after = row.update(txn).await?;
            let sid = crate::merchants::sid(after.id);
            changed |= log.updated("shop", sid, &before, &after).await?;
            after
        } else {
            current
        };
        if !changed {
            who.may_read_unchanged("shop")?;
        }
        Ok(updated)
    })
    .await
}
