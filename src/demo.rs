//! Demo data, seeded once by `serve --demo`: the records every curl example in the four seeds
//! names, so each works as written against a fresh server. Without `--demo` nothing here runs,
//! and no default password exists.

use chrono::{NaiveDate, NaiveDateTime};
use entity::{
    address_label, area_level1, area_level2, course, course_enrollment, customer, district,
    employee, exchange_order, exchange_product, invoice, merchant_account, order_item, order_usage,
    payment_order, prop_category, report, report_whitelist, salemenu, setting, shop, shop_salemenu,
    station, station_city, station_salemenu, student, teacher, user_info, user_product,
    visit_record,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, TryInsertResult};

use crate::{
    auth::service::{admin_role, create_staff, insert_api_key},
    db,
    error::AppResult,
};

/// The staff API key of the CRM curls.
pub const STAFF_KEY: &str = "admin123";
/// The member key of the market curls.
pub const MEMBER_KEY: &str = "40563641ffd7245dfe80b7a8cd000e3bebc4d194";
/// The demo login (also reachable by its mobile `13333891144`).
pub const ADMIN_ACCOUNT: &str = "admin";
/// The demo password, for the demo only.
pub const ADMIN_PASSWORD: &str = "123456";

const SEEDED_FLAG: &str = "demo_seeded";

/// The demo's Qiniu key pair, used by `serve --demo` when none is configured.
pub const QINIU_ACCESS_KEY: &str = "demo-access-key";
/// The demo's Qiniu secret key.
pub const QINIU_SECRET_KEY: &str = "demo-secret-key";

/// Inserts one row into `table` per tuple, its values filling the named columns in order
/// (each converted with `Into`, so text is written as `&str`): the small reference tables read
/// as the data they are.
///
/// ```ignore
/// seed_rows! { txn, course(id, name):
///     (1, "Python 入门"),
/// }
/// ```
macro_rules! seed_rows {
    ($txn:expr, $table:ident($($column:ident),+ $(,)?): $(($($value:expr),+ $(,)?)),* $(,)?) => {
        $table::Entity::insert_many([$(($($value),+)),*].map(|($($column),+)| {
            $table::ActiveModel {
                $($column: Set($column.into()),)+
            }
        }))
        .exec($txn)
        .await?;
    };
}

/// Seeds the demo data unless it is already there. Everything lands in one transaction.
pub async fn seed(db: &DatabaseConnection) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let claimed = setting::Entity::insert(setting::ActiveModel {
        key: Set(SEEDED_FLAG.into()),
        value: Set(chrono::Utc::now().to_rfc3339()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if !matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
        txn.rollback().await?;
        return Ok(());
    }
    seed_auth(&txn).await?;
    seed_payers(&txn).await?;
    seed_market(&txn).await?;
    seed_merchants(&txn).await?;
    seed_reports(&txn).await?;
    seed_orders(&txn).await?;
    db::reset_sequences(
        &txn,
        &[
            "teacher",
            "student",
            "user_info",
            "course",
            "visit_record",
            "prop_category",
            "exchange_product",
            "exchange_order",
            "user_product",
            "merchant_account",
            "shop",
            "shop_salemenu",
            "report",
            "report_whitelist",
            "customer",
            "payment_order",
        ],
    )
    .await?;
    txn.commit().await?;
    tracing::info!("demo data seeded");
    Ok(())
}

async fn seed_auth(txn: &impl ConnectionTrait) -> AppResult<()> {
    let role = admin_role(txn).await?;
    let admin = create_staff(
        txn,
        ADMIN_ACCOUNT,
        crate::auth::password::hash(ADMIN_PASSWORD.into()).await?,
        Some("13333891144"),
        "zhusj",
        role.id,
    )
    .await?;
    insert_api_key(txn, STAFF_KEY, Some(admin.id), None).await?;
    Ok(())
}

fn at_exact(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").unwrap_or_default()
}

fn at(day: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap_or_default()
        .and_hms_opt(9, 30, 0)
        .unwrap_or_default()
}

const NAMES: &[&str] = &[
    "王小明",
    "李思远",
    "张雨桐",
    "刘子涵",
    "陈一诺",
    "杨浩然",
    "黄欣怡",
    "赵梓萱",
    "周俊杰",
    "吴佳怡",
    "徐明轩",
    "孙雨泽",
    "胡可馨",
    "朱宇航",
    "高诗涵",
    "林子墨",
    "何沐阳",
    "郭芷若",
    "马天佑",
    "罗梦琪",
    "梁博文",
    "宋嘉懿",
    "郑皓轩",
    "谢语嫣",
    "韩承泽",
    "唐欣妍",
    "冯思彤",
    "于俊熙",
    "董若汐",
    "萧锦程",
    "程雅琪",
    "曹奕辰",
    "袁梦瑶",
    "邓子轩",
    "许婉清",
    "傅文博",
    "沈乐萱",
];
const NICKNAMES: &[&str] = &[
    "小明同学",
    "编程小达人",
    "Scratch 迷",
    "Python_Kid",
    "快乐星球",
];

async fn seed_payers(txn: &impl ConnectionTrait) -> AppResult<()> {
    seed_rows! { txn, teacher(id, owner):
        (2, "tester001"),
        (108, "12345"),
    }
    let mut students = vec![
        student::ActiveModel {
            id: Set(1),
            owner: Set("tester001".into()),
            name: Set("tester".into()),
            nickname: Set("test".into()),
            avatar: Set("http://test.png".into()),
            sex: Set("S".into()),
            birthday: Set(None),
        },
        student::ActiveModel {
            id: Set(92),
            owner: Set("12345".into()),
            name: Set(String::new()),
            nickname: Set(String::new()),
            avatar: Set(String::new()),
            sex: Set("S".into()),
            birthday: Set(None),
        },
    ];
    seed_rows! { txn, course(id, name):
        (1, "Python 入门"),
        (2, "Scratch 创意编程"),
    }

    let base = |id: i32, owner: &str, name: &str| user_info::ActiveModel {
        id: Set(id),
        owner: Set(owner.into()),
        name: Set(name.into()),
        avatar: Set(String::new()),
        age: Set(0),
        points: Set(0),
        lesson_total: Set(0),
        is_seller: Set(false),
        commission_cents: Set(0),
        my_seller_id: Set(None),
        remark: Set(None),
        teacher_id: Set(None),
        student_id: Set(None),
        identity: Set(None),
        is_pay: Set(true),
        is_bind: Set(false),
        bind_account: Set(String::new()),
        group_status: Set(3),
        star: Set(false),
        realname: Set(None),
        city: Set(None),
        learn_extent: Set(None),
        follow_up: Set(None),
        deep_consume: Set(None),
        sex: Set(None),
        created_at: Set(at("2018-05-01")),
        diamonds: Set(0),
    };
    let mut users = Vec::new();
    let mut tester = base(1, "tester001", "001tester");
    tester.avatar = Set("http://test.png".into());
    tester.teacher_id = Set(Some(2));
    tester.student_id = Set(Some(1));
    tester.bind_account = Set("o-Iae4g9R2hdZNt0VMXWTrvb510Q".into());
    users.push(tester);

    let cities = ["深圳", "北京", "上海", "广州"];
    let follow = [
        Some("one2one"),
        Some("consider"),
        None,
        Some("appointment"),
        Some("abandon"),
    ];
    let extents = [Some("Python"), Some("Scratch"), None];
    let mut enrollments = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let id = 61 + i as i32;
        let owner = format!("1380013{:04}", 1000 + i);
        let mut u = base(id, &owner, name);
        u.age = Set(6 + (i % 9) as i32);
        u.points = Set((i * 37 % 500) as i32);
        u.lesson_total = Set((i * 3 % 48) as i32);
        u.star = Set(i % 4 == 0);
        u.city = Set(Some(cities[i % cities.len()].into()));
        u.follow_up = Set(follow[i % follow.len()].map(Into::into));
        u.learn_extent = Set(extents[i % extents.len()].map(Into::into));
        u.bind_account = Set(format!("wx_{:06}", 4000 + i * 7));
        u.identity = Set(Some("student".into()));
        u.created_at = Set(at("2018-06-01") + chrono::Duration::days(i as i64 * 9));
        if i % 3 == 0 {
            u.teacher_id = Set(Some(108));
        }
        let student_id = 200 + i as i32;
        students.push(student::ActiveModel {
            id: Set(student_id),
            owner: Set(owner.clone()),
            name: Set((*name).into()),
            nickname: Set(NICKNAMES[i % NICKNAMES.len()].into()),
            avatar: Set(String::new()),
            sex: Set("S".into()),
            birthday: Set(NaiveDate::from_ymd_opt(
                2010 + (i % 6) as i32,
                1 + (i % 12) as u32,
                1 + (i % 27) as u32,
            )),
        });
        u.student_id = Set(Some(student_id));
        users.push(u);
        enrollments.push(course_enrollment::ActiveModel {
            user_info_id: Set(id),
            course_id: Set(1 + (i % 2) as i32),
        });
    }
    let mut example = base(98, "12345678900", "昵称");
    example.avatar = Set("https://static1.bcjiaoyu.com/head1@3x.png".into());
    example.teacher_id = Set(Some(108));
    example.student_id = Set(Some(92));
    example.identity = Set(Some("student".into()));
    example.bind_account = Set("tester003".into());
    example.created_at = Set(at("2019-03-01"));
    users.push(example);
    enrollments.push(course_enrollment::ActiveModel {
        user_info_id: Set(98),
        course_id: Set(1),
    });
    // A registered user who has not paid: never in the payer list.
    let mut unpaid = base(99, "13900000000", "未付费用户");
    unpaid.is_pay = Set(false);
    users.push(unpaid);
    // The market's member, whose key the market curls use.
    let mut member = base(100, "18519791946", "赵小明");
    member.is_pay = Set(false);
    member.diamonds = Set(1_000);
    users.push(member);

    student::Entity::insert_many(students).exec(txn).await?;
    user_info::Entity::insert_many(users).exec(txn).await?;
    course_enrollment::Entity::insert_many(enrollments)
        .exec(txn)
        .await?;
    insert_api_key(txn, MEMBER_KEY, None, Some(100)).await?;
    visit_record::Entity::insert_many([
        visit_record::ActiveModel {
            id: Set(1),
            contact: Set("tester001".into()),
            detail: Set(Some("访问内容详情".into())),
            visit_time: Set(None),
            created_at: Set(at("2018-05-04")),
        },
        visit_record::ActiveModel {
            id: Set(2),
            contact: Set("tester001".into()),
            detail: Set(Some("访问内容详情".into())),
            visit_time: Set(NaiveDate::from_ymd_opt(2018, 5, 5)),
            created_at: Set(at("2018-05-05")),
        },
    ])
    .exec(txn)
    .await?;
    Ok(())
}

/// The member (id 100) of the market curls.
const MEMBER_ID: i32 = 100;

async fn seed_market(txn: &impl ConnectionTrait) -> AppResult<()> {
    let category = |id: i32, name: &str, style: &str, action: &str| prop_category::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        desc: Set(String::new()),
        style: Set(style.into()),
        action: Set(action.into()),
    };
    prop_category::Entity::insert_many([
        category(1, "Avatar", "avatar_2", "avatar"),
        category(2, "Background", "background_1", "background"),
    ])
    .exec(txn)
    .await?;
    let product = |id: i32,
                   name: &str,
                   content: &str,
                   diamond: i64,
                   bought: i64,
                   virtual_category: Option<i32>,
                   created: &str| {
        exchange_product::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            content: Set(content.into()),
            image: Set("http://thisisimages/".into()),
            diamond: Set(diamond),
            bought: Set(bought),
            product_type: Set(if virtual_category.is_some() { 1 } else { 0 }),
            category_id: Set(virtual_category),
            on_sale: Set(true),
            stock: Set(None),
            create_time: Set(at_exact(created)),
        }
    };
    let mut prop_26 = product(
        26,
        "虚拟商品",
        "虚拟商品",
        300,
        1,
        Some(1),
        "2017-12-07T12:31:21.049329",
    );
    prop_26.image = Set("http://imag.example.com/1.png".into());
    let mut off_sale = product(
        30,
        "限定背景",
        "已下架的背景",
        500,
        0,
        Some(2),
        "2018-01-01T00:00:00",
    );
    off_sale.on_sale = Set(false);
    exchange_product::Entity::insert_many([
        product(
            1,
            "乌龙茶",
            "乌龙茶饮料",
            100,
            2,
            Some(1),
            "2017-11-03T14:44:12.099395",
        ),
        product(
            2,
            "冰红茶",
            "冰红茶饮料",
            100,
            0,
            None,
            "2017-11-03T14:45:33.719105",
        ),
        prop_26,
        product(
            27,
            "虚拟商品2",
            "虚拟商品2",
            100,
            0,
            Some(1),
            "2017-10-01T00:00:00",
        ),
        product(
            28,
            "虚拟商品3",
            "虚拟商品3",
            100,
            0,
            Some(1),
            "2017-11-01T00:00:00",
        ),
        product(
            29,
            "星空背景",
            "星空背景",
            200,
            0,
            Some(2),
            "2017-11-02T00:00:00",
        ),
        off_sale,
    ])
    .exec(txn)
    .await?;
    exchange_order::Entity::insert(exchange_order::ActiveModel {
        id: Set(1),
        order_number: Set("17003298818986925262490011".into()),
        owner_id: Set(MEMBER_ID),
        product_id: Set(1),
        diamond: Set(100),
        status: Set(1),
        create_time: Set(at_exact("2017-11-03T15:00:47.217734")),
    })
    .exec(txn)
    .await?;
    let prop = |id: i32, product_id: i32, status: i16, created: &str| user_product::ActiveModel {
        id: Set(id),
        owner_id: Set(MEMBER_ID),
        product_id: Set(product_id),
        status: Set(status),
        create_time: Set(at_exact(created)),
    };
    user_product::Entity::insert_many([
        prop(3, 26, 1, "2017-12-07T12:31:21.084266"),
        prop(129, 27, 0, "2017-11-03T14:45:33.719105"),
        prop(131, 28, 0, "2017-11-03T14:45:33.719105"),
    ])
    .exec(txn)
    .await?;
    Ok(())
}

async fn seed_merchants(txn: &impl ConnectionTrait) -> AppResult<()> {
    seed_rows! { txn, district(code, name):
        ("110000", "北京市"),
        ("440300", "深圳市"),
        ("441900", "东莞市"),
    }
    seed_rows! { txn, area_level1(id, name, district_code):
        (30100000000_i64, "福田区", "440300"),
        (30300000000, "罗湖区", "440300"),
        (150100000000, "昌平区", "110000"),
        (44190010000, "石排镇", "441900"),
    }
    seed_rows! { txn, area_level2(id, name, level1_id):
        (30100100000_i64, "华强北", 30100000000_i64),
        (30100200000, "香蜜湖", 30100000000),
        (30300500000, "东门", 30300000000),
        (150100100000, "百善", 150100000000),
        (44190010001, "下沙村", 44190010000),
    }
    seed_rows! { txn, station(id, name, district_code, key_url):
        ("T10001", "喵喵总仓", "441900", "mmzc"),
        ("T12469", "喵喵分仓二", "440300", "xscs"),
    }
    seed_rows! { txn, station_city(station_id, district_code):
        ("T10001", "441900"),
        ("T12469", "440300"),
        ("T12469", "441900"),
        ("T12469", "110000"),
    }
    employee::Entity::insert_many([
        employee::ActiveModel {
            id: Set(2011),
            name: Set("喵喵总仓".into()),
            phone: Set(String::new()),
            district_code: Set(None),
            opens_accounts: Set(true),
            sells: Set(true),
        },
        employee::ActiveModel {
            id: Set(2012),
            name: Set("张经理".into()),
            phone: Set("13800000001".into()),
            district_code: Set(Some("440300".into())),
            opens_accounts: Set(false),
            sells: Set(true),
        },
    ])
    .exec(txn)
    .await?;
    seed_rows! { txn, salemenu(id, name):
        ("S8443", "蔬菜报价单"),
        ("S21329", "水果报价单"),
    }
    seed_rows! { txn, station_salemenu(station_id, salemenu_id):
        ("T12469", "S8443"),
        ("T10001", "S21329"),
        ("T12469", "S21329"),
    }
    seed_rows! { txn, address_label(id, name):
        (1911, "重点客户"),
        (1912, "新店"),
    }
    merchant_account::Entity::insert(merchant_account::ActiveModel {
        id: Set(73655),
        username: Set("mmsh01".into()),
        password_hash: Set(crate::auth::password::hash("123456".into()).await?),
        company_name: Set("商户1".into()),
        telephone: Set(String::new()),
        customer_type: Set(1),
        create_time: Set(at("2019-08-19")),
    })
    .exec(txn)
    .await?;
    let shop_row = |id: i32, name: &str, receiver: &str, phone: &str| shop::ActiveModel {
        id: Set(id),
        account_id: Set(73655),
        name: Set(name.into()),
        receiver_name: Set(receiver.into()),
        receiver_telephone: Set(phone.into()),
        payer_name: Set("测试删除".into()),
        payer_telephone: Set("134".into()),
        district_code: Set("441900".into()),
        area_level1_id: Set(44190010000),
        area_level2_id: Set(44190010001),
        address: Set("123".into()),
        lat: Set(None),
        lng: Set(None),
        map_address: Set(String::new()),
        settle_way: Set(1),
        pay_method: Set(2),
        check_out: Set(1),
        finance_status: Set(0),
        whitelist: Set(1),
        keycustomer: Set(0),
        balance_cents: Set(0),
        point: Set(0),
        address_label_id: Set(None),
        create_employee_id: Set(None),
        sale_employee_id: Set(None),
        is_credit: Set(0),
        credit_limit_cents: Set(None),
        effective_date: Set(None),
        begin_day: Set(None),
        settle_day: Set(None),
        settle_date_type: Set(None),
        settle_remind: Set(None),
        create_time: Set(at("2019-08-19")),
    };
    let mut first = shop_row(281196, "1", "测试删除", "134");
    first.balance_cents = Set(688_593);
    let mut second = shop_row(312206, "zzz", "zzz", "13112345678");
    second.district_code = Set("440300".into());
    second.area_level1_id = Set(30300000000);
    second.area_level2_id = Set(30300500000);
    second.address = Set("广东省深圳市福田区华强北街道华新村交行大厦(红荔路)".into());
    second.lat = Set(Some(22.549475));
    second.lng = Set(Some(114.085846));
    second.create_employee_id = Set(Some(2011));
    second.sale_employee_id = Set(Some(2011));
    second.address_label_id = Set(Some(1911));
    second.create_time = Set(at("2019-09-16"));
    shop::Entity::insert_many([first, second]).exec(txn).await?;
    shop_salemenu::Entity::insert_many([
        shop_salemenu::ActiveModel {
            id: Set(530222),
            shop_id: Set(281196),
            salemenu_id: Set("S21329".into()),
            service_station_id: Set(Some("T10001".into())),
        },
        shop_salemenu::ActiveModel {
            id: Set(530223),
            shop_id: Set(312206),
            salemenu_id: Set("S8443".into()),
            service_station_id: Set(Some("T12469".into())),
        },
    ])
    .exec(txn)
    .await?;
    Ok(())
}

fn at_time(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
}

async fn seed_reports(txn: &impl ConnectionTrait) -> AppResult<()> {
    let report_row = |id: i32, title: &str, status: i16, publish: &str| report::ActiveModel {
        id: Set(id),
        title: Set(title.into()),
        cover: Set("15421639996676.jpeg".into()),
        type_id: Set(Some(1)),
        intro: Set("简介".into()),
        directory: Set("目录介绍".into()),
        file_name: Set("test".into()),
        file_src: Set("15421639996676.pdf".into()),
        file_format: Set("pdf".into()),
        file_size: Set(1000),
        price_cents: Set(10_000),
        read_count: Set(300),
        status: Set(status),
        publish_time: Set(Some(at_time(publish))),
        short_intro: Set("购买须知".into()),
        created_at: Set(at_time("2022-06-16 10:00:00")),
        updated_at: Set(at_time("2022-06-16 10:00:00")),
        deleted_at: Set(None),
    };
    let mut semis = report_row(
        2,
        "2022全球半导体产业集微分析报告",
        2,
        "2022-06-30 08:00:00",
    );
    semis.cover = Set("http://static.ijiwei.com/20210108%3Aeep-h5-title.png".into());
    report::Entity::insert_many([
        report_row(1, "测试数据1", 1, "2022-06-22 08:00:00"),
        semis,
        report_row(37, "集微白名单报告", 1, "2022-07-01 08:00:00"),
    ])
    .exec(txn)
    .await?;
    let entry = |id: i32, report: i32, user: &str, mobile: &str, read: i32, residue: i32| {
        report_whitelist::ActiveModel {
            id: Set(id),
            report_id: Set(report),
            given_user: Set(user.into()),
            given_position: Set("php".into()),
            given_company: Set("爱集微".into()),
            mobile: Set(mobile.into()),
            read_count: Set(read),
            residue_count: Set(residue),
            state: Set(0),
            last_modify_author: Set("朱思嘉".into()),
            created_at: Set(at_time("2020-07-23 09:00:00")),
            updated_at: Set(at_time("2020-07-23 09:00:00")),
        }
    };
    // The seed's two report-1 customers (`GET /api/report/1/customer`): 王强 and 李刚, whose
    // mobiles are on report 1's whitelist with the seed's reads used and left (50 of 150,
    // 100 of 300). Their last modifier is `test`, the seed's example search
    // (`/api/report/1/white?search=test`).
    let customer = |id: i32, user: &str, mobile: &str, read: i32, residue: i32| {
        let mut row = entry(id, 1, user, mobile, read, residue);
        row.given_position = Set(String::new());
        row.given_company = Set(String::new());
        row.last_modify_author = Set("test".into());
        row
    };
    report_whitelist::Entity::insert_many([
        entry(1, 1, "朱思嘉", "18343819907", 200, 100),
        entry(2, 1, "史蒂夫", "18343819908", 200, 0),
        customer(3, "王强", "133422898123", 150, 100),
        customer(4, "李刚", "133422892109", 300, 200),
        entry(36, 37, "朱思嘉", "18434819907", 0, 0),
    ])
    .exec(txn)
    .await?;
    Ok(())
}

/// The demo's files in storage: the report PDF the demo reports name, in the public bucket,
/// so copying it to the private bucket works.
pub async fn seed_files(core: &crate::state::Core) -> AppResult<()> {
    let bucket = &core.config.qiniu_bucket;
    if core
        .storage
        .get(bucket, "15421639996676.pdf")
        .await?
        .is_none()
    {
        core.storage
            .put(
                bucket,
                "15421639996676.pdf",
                b"%PDF-1.4 demo report".to_vec(),
            )
            .await?;
    }
    Ok(())
}

/// One demo order: (id, number, customer, title, cents, state, checkout, source, channel,
/// trade number, trade identity, reads granted, reads left, used up).
type DemoOrder<'a> = (
    i32,
    &'a str,
    i32,
    &'a str,
    i64,
    i16,
    i64,
    i16,
    i16,
    &'a str,
    &'a str,
    i32,
    i32,
    i16,
);

async fn seed_orders(txn: &impl ConnectionTrait) -> AppResult<()> {
    let avatar = "http://s.laoyaoba.com/jwImg/img/1231287u8123.jpg";
    let person = |id: i32, nick: &str, mobile: &str, regist: i64, login: i64, review: i64| {
        customer::ActiveModel {
            id: Set(id),
            nick_name: Set(nick.into()),
            avatar: Set(avatar.into()),
            mobile: Set(mobile.into()),
            regist_at: Set(regist),
            last_login_at: Set(login),
            last_review_at: Set(review),
        }
    };
    customer::Entity::insert_many([
        person(
            612381,
            "N_183****6948",
            "18334786948",
            1_627_639_454,
            1_627_623_392,
            0,
        ),
        person(
            231232,
            "王强",
            "133422898123",
            1_323_892_332,
            1_656_000_000,
            1_656_000_100,
        ),
        person(
            231233,
            "李刚",
            "133422892109",
            1_323_892_332,
            1_656_000_000,
            1_656_000_100,
        ),
    ])
    .exec(txn)
    .await?;
    // 2022-06-19 08:53:20 China time: inside the seed's June examples.
    let june = 1_655_600_000_i64;
    let mut orders: Vec<DemoOrder> = vec![
        (
            1,
            "423132323232372212",
            231233,
            "概念股投资报告第1期",
            300_000,
            3,
            june,
            1,
            2,
            "",
            "",
            100,
            0,
            0,
        ),
        (
            2,
            "42313232323231232",
            231233,
            "2022全球半导体产业集微分析报告",
            600_000,
            1,
            june,
            2,
            2,
            "123870sacsa0cxawdawd",
            "a2dc123asdsahdlhqkwjewa",
            100,
            23,
            0,
        ),
        (
            3,
            "423132323232310973",
            231233,
            "概念股投资报告",
            300_000,
            1,
            june,
            4,
            1,
            "123870sacsa0cxawdawd",
            "a2dc123asdsahdlhqkwjewa",
            100,
            100,
            1,
        ),
        (
            4,
            "500100000000000001",
            231232,
            "概念股投资报告第2期",
            400_000,
            3,
            june - 2 * 86_400,
            1,
            3,
            "2022061700001",
            "wq",
            50,
            10,
            0,
        ),
        (
            5,
            "500100000000000002",
            231232,
            "概念股投资报告第3期",
            400_000,
            3,
            june - 86_400,
            3,
            2,
            "2022061800001",
            "wq",
            50,
            0,
            1,
        ),
        (
            6,
            "500100000000000003",
            231232,
            "概念股投资报告第4期",
            400_000,
            3,
            june + 86_400,
            5,
            2,
            "2022062000001",
            "wq",
            50,
            50,
            0,
        ),
    ];
    // Customer 612381: twelve small orders in July 2022, 40,206 cents in all, the last paid at
    // the seed's 1656749462.
    let numbers: Vec<String> = (0..12).map(|i| format!("6123810000000000{i:02}")).collect();
    for (i, number) in numbers.iter().enumerate() {
        let cents = if i == 11 { 3_356 } else { 3_350 };
        let checkout = 1_656_749_402 - (11 - i as i64) * 3_600;
        orders.push((
            7 + i as i32,
            number,
            612381,
            "集微周报",
            cents,
            3,
            checkout,
            4,
            3,
            "",
            "",
            10,
            10,
            0,
        ));
    }
    for (
        id,
        number,
        customer_id,
        title,
        cents,
        state,
        checkout,
        source,
        channel,
        trade,
        identity,
        granted,
        left,
        used_up,
    ) in orders
    {
        let paid = if state == 3 { checkout + 60 } else { 0 };
        payment_order::Entity::insert(payment_order::ActiveModel {
            id: Set(id),
            number: Set(number.into()),
            customer_id: Set(customer_id),
            title: Set(title.into()),
            total_cents: Set(cents),
            size: Set(1),
            state: Set(state),
            checkout_at: Set(checkout),
            expire_at: Set(checkout + 18_000),
            paid_at: Set(paid),
            fulfilled_at: Set(paid),
            third_trade_num: Set(trade.into()),
            third_trade_identity: Set(identity.into()),
            payment_source: Set(source),
            payment_channel: Set(channel),
        })
        .exec(txn)
        .await?;
        order_item::Entity::insert(order_item::ActiveModel {
            order_id: Set(id),
            report_id: Set(if customer_id == 612381 { 37 } else { 2 }),
            title: Set("2022全球半导体产业集微分析报告(修订版)".into()),
            cover: Set("http://s.laoyaoba.com/jwImg/cover/2wqweasd.jpg".into()),
            price_cents: Set(600_000),
        })
        .exec(txn)
        .await?;
        order_usage::Entity::insert(order_usage::ActiveModel {
            order_id: Set(id),
            quantity_count: Set(granted),
            available_count: Set(left),
            expend_status: Set(used_up),
        })
        .exec(txn)
        .await?;
    }
    invoice::Entity::insert(invoice::ActiveModel {
        order_id: Set(1),
        state: Set(0),
        create_time: Set(1_655_706_447),
        is_vat: Set(0),
        invoice_title: Set("爱集微咨询(厦门)有限公司".into()),
        invoice_amount_cents: Set(1),
        invoice_tax_num: Set("91350200MA2YC2UA52".into()),
        vat_name: Set("小小".into()),
        vat_mail_address: Set("954398065@qq.com".into()),
        vat_company_name: Set("小小".into()),
        vat_company_address: Set(String::new()),
        vat_company_mobile: Set(String::new()),
        vat_telphone: Set("13810875748".into()),
        vat_bank_name: Set(String::new()),
        vat_bank_account: Set(String::new()),
        invoice_option: Set(2),
    })
    .exec(txn)
    .await?;
    Ok(())
}
