//! New shops, with a new account or an existing one, and their quote sheets.

use super::*;

/// The account a new shop goes to.
pub(super) enum Account {
    Existing(i32),
    New { username: String, hash: String },
}

/// Creates a shop, and its account when `kid` is absent, and binds its quote sheets: all in
/// one transaction, every value checked first.
pub async fn create_shop(
    db: &DatabaseConnection,
    who: &Auth,
    input: CreateShopInput,
) -> AppResult<shop::Model> {
    let shop_name = required_text(Name::new("shopName", "restaurant_name"), input.shop_name)?;
    let receiver = required_text(
        Name::new("receiverName", "receiver_name"),
        input.receiver_name,
    )?;
    let receiver_phone = required_text(
        Name::new("receiverTelephone", "receiver_telephone"),
        input.receiver_telephone,
    )?;
    let address = required_text(Name::new("address", "restaurant_address"), input.address)?;
    let district = required_text(
        Name::new("districtCode", "district_code"),
        input.district_code,
    )?;
    let l1 = input
        .area_level1_id
        .ok_or_else(|| bad(Name::new("areaLevel1Id", "area_level1"), "不能为空"))?;
    let l2 = input
        .area_level2_id
        .ok_or_else(|| bad(Name::new("areaLevel2Id", "area_level2"), "不能为空"))?;
    check_geography(db, &district, l1, l2).await?;
    let settle_way = code_in(
        Name::new("settleWay", "settle_way"),
        input.settle_way.unwrap_or(1),
        SETTLE_WAY,
    )?;
    let pay_method = code_in(
        Name::new("payMethod", "pay_method"),
        input.pay_method.unwrap_or(1),
        PAY_METHOD,
    )?;
    let customer_type = match input.customer_type.unwrap_or(0) {
        // The seed's own example sends 0: not chosen, a shop.
        0 => 1,
        v => code_in(Name::new("customerType", "customer_type"), v, CUSTOMER_TYPE)?,
    };
    let finance_status = match input.finance_status.unwrap_or(0) {
        v @ 0..=2 => v as i16,
        v => {
            return Err(bad(
                Name::new("financeStatus", "finance_status"),
                format!("的值 {v} 无效"),
            ))
        }
    };
    let whitelist = flag(Name::alike("whitelist"), input.whitelist.unwrap_or(0))?;
    let check_out = flag(
        Name::new("checkOut", "check_out"),
        input.check_out.unwrap_or(0),
    )?;
    let is_credit = flag(
        Name::new("isCredit", "is_credit"),
        input.is_credit.unwrap_or(0),
    )?;
    let settle_date_type = match input.settle_date_type {
        None => None,
        Some(v @ (1 | 2)) => Some(v as i16),
        Some(_) => {
            return Err(bad(
                Name::new("settleDateType", "settle_date_type"),
                "只能是 1 或 2",
            ))
        }
    };
    let credit_limit = input
        .credit_limit
        .map(|v| cents(Name::new("creditLimit", "credit_limit"), v))
        .transpose()?;
    let lat = input
        .lat
        .map(|v| coordinate(Name::alike("lat"), v, 90.0))
        .transpose()?;
    let lng = input
        .lng
        .map(|v| coordinate(Name::alike("lng"), v, 180.0))
        .transpose()?;
    let create_employee = match input.create_employee_id {
        Some(id) => Some(check_employee(db, "createEmployeeId", id, Manager::Opening).await?),
        None => None,
    };
    let sale_employee = match input.sale_employee_id {
        Some(id) => Some(check_employee(db, "saleEmployeeId", id, Manager::Sales).await?),
        None => None,
    };
    let label = match input.address_label_id {
        Some(id) if id != 0 => check_label(db, id).await?,
        _ => None,
    };
    let requested = input.quote_sheet_ids.unwrap_or_default();
    if requested.len() > MAX_QUOTE_SHEETS {
        return Err(AppError::field(
            "quoteSheetIds",
            format!("一个店铺最多绑定 {MAX_QUOTE_SHEETS} 个报价单"),
        ));
    }
    let mut sheets = Vec::new();
    for id in requested {
        let id = id.trim().to_owned();
        check_quote_sheet(db, "quoteSheetIds", &id).await?;
        if !sheets.contains(&id) {
            sheets.push(id);
        }
    }
    let company =
        text(Name::new("companyName", "company_name"), input.company_name)?.unwrap_or_default();
    let telephone = text(Name::alike("telephone"), input.telephone)?.unwrap_or_default();

    // The account: an existing one, or a new one whose password is hashed before the
    // transaction takes the write lock.
    let new_account = match crate::text::non_blank(&input.kid) {
        Some(kid) => {
            let id =
                parse_prefixed(kid, 'K').ok_or_else(|| AppError::field("kid", "kid 格式错误"))?;
            if merchant_account::Entity::find_by_id(id)
                .one(db)
                .await?
                .is_none()
            {
                return Err(AppError::NotFound(format!("商户账户 {kid} 不存在")));
            }
            Account::Existing(id)
        }
        None => {
            let username = required_text(Name::alike("username"), input.username)?;
            let password_text = input.password.unwrap_or_default();
            if password_text.chars().count() < 6 {
                return Err(AppError::field("password", "password 至少 6 位"));
            }
            if merchant_account::Entity::find()
                .filter(merchant_account::Column::Username.eq(&username))
                .one(db)
                .await?
                .is_some()
            {
                return Err(AppError::Conflict("用户名已存在".into()));
            }
            Account::New {
                username,
                hash: password::hash(password_text).await?,
            }
        }
    };

    let now = db::now();
    audit::write(db, who, "createShop", async |txn, log| {
        let account_id = match new_account {
            Account::Existing(id) => id,
            Account::New { username, hash } => {
                let account = merchant_account::ActiveModel {
                    username: Set(username),
                    password_hash: Set(hash),
                    company_name: Set(company),
                    telephone: Set(telephone),
                    customer_type: Set(customer_type),
                    create_time: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .map_err(|e| db::conflict_on_unique(e, "用户名已存在"))?;
                log.created("merchant_account", account.id, account)
                    .await?
                    .id
            }
        };
        let shop = shop::ActiveModel {
            account_id: Set(account_id),
            name: Set(shop_name),
            receiver_name: Set(receiver),
            receiver_telephone: Set(receiver_phone),
            payer_name: Set(input.payer_name.unwrap_or_default().trim().to_owned()),
            payer_telephone: Set(input.payer_telephone.unwrap_or_default().trim().to_owned()),
            district_code: Set(district.clone()),
            area_level1_id: Set(l1),
            area_level2_id: Set(l2),
            address: Set(address),
            lat: Set(lat),
            lng: Set(lng),
            map_address: Set(input.map_address.unwrap_or_default().trim().to_owned()),
            settle_way: Set(settle_way),
            pay_method: Set(pay_method),
            check_out: Set(check_out),
            finance_status: Set(finance_status),
            whitelist: Set(whitelist),
            keycustomer: Set(0),
            balance_cents: Set(0),
            point: Set(0),
            address_label_id: Set(label),
            create_employee_id: Set(create_employee),
            sale_employee_id: Set(sale_employee),
            is_credit: Set(is_credit),
            credit_limit_cents: Set(credit_limit),
            effective_date: Set(None),
            begin_day: Set(None),
            settle_day: Set(None),
            settle_date_type: Set(settle_date_type),
            settle_remind: Set(None),
            create_time: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let shop = log
            .created("shop", crate::merchants::sid(shop.id), shop)
            .await?;
        for sheet in sheets {
            let station = station_for(txn, &sheet, &district).await?;
            let binding = shop_salemenu::ActiveModel {
                shop_id: Set(shop.id),
                salemenu_id: Set(sheet),
                service_station_id: Set(station),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            log.created("shop_salemenu", binding.id, binding).await?;
        }
        Ok(shop)
    })
    .await
}
