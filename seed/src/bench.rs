//! Benchmark data: `opsgraph-seed --bench --scale N` fills every domain with realistic, varied
//! rows on top of the demo data, so `scripts/bench` measures opsgraph at realistic sizes.
//!
//! At scale 1: 100,000 payers (each with a student profile, most with a teacher), 100,000 paid-
//! report orders (each with its item and usage, some with an invoice) from 30,000 customers,
//! 20,000 shops of 12,000 merchant accounts with quote-sheet bindings, 50,000 whitelist rows over
//! 200 reports, visit records and course enrolments, and 32 market members with API keys and
//! diamonds; scale N is N times that. The data is deterministic for a given scale (seeded RNG,
//! one stream per table), and dates spread over several years.
//!
//! Fixed points the harness relies on (see `scripts/bench`):
//! - bench rows have ids from [`BASE_ID`] + 1 (the demo's stay as they are);
//! - member `k` (1..=32) is user `MEMBER_BASE_ID + k` with key [`member_key`]`(k)` and
//!   [`MEMBER_DIAMONDS`] diamonds;
//! - report [`EXPORT_REPORT_ID`] holds 10,000 × scale whitelist rows (100,000 at scale 10), and
//!   reports [`IMPORT_REPORT_IDS`] are empty, for imports.
//!
//! Rows go in as multi-row INSERTs (a few hundred rows each, under both engines' bind-parameter
//! limits) in transactions of about 100,000 rows.

use std::{path::PathBuf, time::Instant};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::{rngs::StdRng, seq::IndexedRandom, RngExt, SeedableRng};
use sea_orm::{
    sea_query::{Expr, Query},
    ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, Set, Value,
};

use opsgraph::{auth, config::Config, db, demo, reports, xlsx};

use crate::words::*;

/// Ids of bench rows start after this (the demo's ids are all below it).
pub const BASE_ID: i32 = 1_000_000;
/// Market member `k` (1..=[`MEMBERS`]) is user `MEMBER_BASE_ID + k`.
pub const MEMBER_BASE_ID: i32 = 900_000;
/// Members with API keys, for the concurrent purchase scenario.
pub const MEMBERS: i32 = 32;
/// Diamonds each member starts with: enough for any benchmark run.
pub const MEMBER_DIAMONDS: i64 = 100_000_000;
/// The report whose whitelist is exported (10,000 rows per unit of scale).
pub const EXPORT_REPORT_ID: i32 = BASE_ID + 1;
/// Empty reports to import whitelist sheets into, one per timed run.
pub const IMPORT_REPORT_IDS: std::ops::RangeInclusive<i32> = (BASE_ID + 2)..=(BASE_ID + 6);

/// Set once the bench data is complete (its value: the scale).
const SEEDED_FLAG: &str = "bench_seeded";
/// Set when seeding starts: found without [`SEEDED_FLAG`], an earlier run was interrupted.
const STARTED_FLAG: &str = "bench_seeding";

/// Rows per committed transaction.
const ROWS_PER_TXN: usize = 100_000;

/// `opsgraph-seed`: benchmark data, or the import sheet of the benchmark.
#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// Seed the benchmark data set (the demo data first, when missing). Refuses a database
    /// that already has it.
    #[arg(long)]
    pub bench: bool,
    /// Size: 1 is 100,000 payers, 100,000 orders, 20,000 shops and 50,000 whitelist rows;
    /// N is N times that.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// Instead of seeding, write a whitelist sheet to import (`--import-rows` rows of new
    /// mobiles) to this path, and exit.
    #[arg(long, value_name = "PATH")]
    pub import_sheet: Option<PathBuf>,
    /// Rows of the `--import-sheet`.
    #[arg(long, default_value_t = 10_000)]
    pub import_rows: usize,
}

/// The API key of bench member `k` (1..=32): the first 40 hex digits of
/// SHA-256(`opsgraph-bench-member-<k>`), so a script can compute it with `sha256sum`.
pub fn member_key(k: i32) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("opsgraph-bench-member-{k}").as_bytes());
    hex::encode(digest)[..40].to_owned()
}

/// Runs `opsgraph-seed`.
pub async fn run(config: &Config, args: SeedArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.import_sheet {
        let bytes = import_sheet(args.import_rows)?;
        std::fs::write(path, bytes)?;
        println!("wrote {} rows to {}", args.import_rows, path.display());
        return Ok(());
    }
    if !args.bench {
        anyhow::bail!("nothing to seed: pass --bench (and --scale N), or --import-sheet PATH");
    }
    let (db, _) = db::connect(config).await?;
    seed(&db, args.scale).await
}

/// Seeds the bench data at `scale` (and the demo data when missing).
pub async fn seed(db: &DatabaseConnection, scale: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    demo::seed(db).await?;
    if let Some(flag) = setting(db, SEEDED_FLAG).await? {
        anyhow::bail!("this database already has the bench data (scale {flag}); use a fresh one");
    }
    if setting(db, STARTED_FLAG).await?.is_some() {
        anyhow::bail!(
            "an earlier bench seed of this database was interrupted; start from a fresh database"
        );
    }
    put_setting(db, STARTED_FLAG, &scale.to_string()).await?;

    let mut w = Writer::new(db);
    let s = scale as usize;
    let password_hash = auth::password::hash("123456".into()).await?;
    payers(&mut w, s).await?;
    members(&mut w).await?;
    merchants(&mut w, s, &password_hash).await?;
    let reports = reports(&mut w, s).await?;
    whitelists(&mut w, s, &reports).await?;
    orders(&mut w, s, &reports).await?;
    w.commit().await?;

    db::reset_sequences(
        db,
        &[
            "teacher",
            "student",
            "user_info",
            "course",
            "visit_record",
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
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // What autovacuum would do soon after a bulk load, done now so plans and the
        // visibility map (index-only scans) do not depend on when the benchmark starts.
        // SQLite gets no ANALYZE: the server never runs one, so production has no statistics.
        db.execute_unprepared("VACUUM ANALYZE").await?;
    } else {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await?;
    }
    put_setting(db, SEEDED_FLAG, &scale.to_string()).await?;
    println!(
        "bench data seeded at scale {scale}: {} rows in {:.1} s",
        w.total,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn setting(db: &DatabaseConnection, key: &str) -> anyhow::Result<Option<String>> {
    Ok(entity::setting::Entity::find_by_id(key)
        .one(db)
        .await?
        .map(|s| s.value))
}

async fn put_setting(db: &DatabaseConnection, key: &str, value: &str) -> anyhow::Result<()> {
    entity::setting::Entity::insert(entity::setting::ActiveModel {
        key: Set(key.into()),
        value: Set(value.into()),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Writes rows as multi-row INSERTs in large transactions.
struct Writer<'a> {
    db: &'a DatabaseConnection,
    txn: Option<db::WriteTxn>,
    in_txn: usize,
    total: u64,
}

impl<'a> Writer<'a> {
    fn new(db: &'a DatabaseConnection) -> Self {
        Writer {
            db,
            txn: None,
            in_txn: 0,
            total: 0,
        }
    }

    /// Inserts `rows` (values in `cols` order) into `table`.
    async fn insert(
        &mut self,
        table: &'static str,
        cols: &[&'static str],
        rows: Vec<Vec<Value>>,
    ) -> anyhow::Result<()> {
        // SQLite allows 32,766 bind parameters per statement, PostgreSQL 65,535.
        let per_statement = (16_000 / cols.len()).clamp(1, 1_000);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            if self.txn.is_none() {
                self.txn = Some(db::begin_write(self.db).await?);
            }
            let mut stmt = Query::insert();
            stmt.into_table(table).columns(cols.iter().copied());
            let mut n = 0;
            for row in rows.by_ref().take(per_statement) {
                stmt.values_panic(row.into_iter().map(Expr::from));
                n += 1;
            }
            if let Some(txn) = &self.txn {
                txn.execute(&stmt).await?;
            }
            self.in_txn += n;
            self.total += n as u64;
            if self.in_txn >= ROWS_PER_TXN {
                self.commit().await?;
            }
        }
        Ok(())
    }

    async fn commit(&mut self) -> anyhow::Result<()> {
        if let Some(txn) = self.txn.take() {
            txn.commit().await?;
        }
        self.in_txn = 0;
        Ok(())
    }
}

/// Rows generated before they are written: bounds memory at scale 100.
const BATCH: usize = 20_000;

/// One RNG stream per table, fixed by the scale.
fn rng(scale: usize, table: u64) -> StdRng {
    StdRng::seed_from_u64(0x6f70_7367_7261_7068 ^ (scale as u64) << 32 ^ table)
}

/// A mobile number: a real prefix and eight digits, distinct for distinct `i` of one stream
/// (`i` below 300,000,000). `i` goes through a bijection of 0..(prefixes × 10^8) first, so
/// neighbours get unrelated numbers.
fn mobile(stream: u64, i: u64) -> String {
    let p = MOBILE_PREFIXES.len() as u128;
    let m = p * 100_000_000;
    // Knuth's multiplicative constant: a prime, so coprime to m (whose factors are 2, 3, 5, 7).
    let x = ((i + stream * 300_000_000) as u128 * 2_654_435_761 + 12_345_679) % m;
    format!(
        "{}{:08}",
        MOBILE_PREFIXES[(x / 100_000_000) as usize],
        x % 100_000_000
    )
}

fn pick<'a>(rng: &mut StdRng, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or_default()
}

fn child_name(rng: &mut StdRng) -> String {
    let mut name = pick(rng, SURNAMES).to_owned();
    name.push_str(pick(rng, CHILD_CHARS));
    if rng.random_bool(0.8) {
        name.push_str(pick(rng, CHILD_CHARS));
    }
    name
}

fn adult_name(rng: &mut StdRng) -> String {
    let mut name = pick(rng, SURNAMES).to_owned();
    name.push_str(pick(rng, ADULT_CHARS));
    if rng.random_bool(0.6) {
        name.push_str(pick(rng, ADULT_CHARS));
    }
    name
}

fn nickname(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, NICKNAMES), pick(rng, NICK_SUFFIXES))
}

/// Random characters of `alphabet`.
fn token(rng: &mut StdRng, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

const BASE64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// A WeChat openid, like the seed's `o-Iae4g9R2hdZNt0VMXWTrvb510Q`.
fn openid(rng: &mut StdRng) -> String {
    format!("o-{}", token(rng, BASE64ISH, 26))
}

fn wx_avatar(rng: &mut StdRng) -> String {
    format!(
        "https://thirdwx.qlogo.cn/mmopen/vi_32/{}/132",
        token(rng, BASE64ISH, 40)
    )
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The `i`-th of `n` moments spread evenly from `from` to `to`, with up to a day of jitter:
/// ids then grow with time, as they do in a live system.
fn spread(rng: &mut StdRng, i: usize, n: usize, from: NaiveDate, to: NaiveDate) -> NaiveDateTime {
    let span = (to - from).num_seconds().max(1);
    let base = span * i as i64 / n.max(1) as i64;
    let jitter = rng.random_range(0..86_400);
    from.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds((base + jitter).min(span))
}

/// Unix seconds of a naive China time.
fn unix(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp() - 8 * 3600
}

fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

/// Payers with their student profiles and teachers, course enrolments and visit records.
async fn payers(w: &mut Writer<'_>, s: usize) -> anyhow::Result<()> {
    let mut r = rng(s, 1);
    let teachers = 1_000 * s;
    let rows = (1..=teachers)
        .map(|i| vec![v(BASE_ID + i as i32), v(mobile(1, i as u64))])
        .collect();
    w.insert("teacher", &["id", "owner"], rows).await?;

    let courses: Vec<i32> = (0..COURSES.len() as i32).map(|i| 101 + i).collect();
    let rows = courses
        .iter()
        .zip(COURSES)
        .map(|(id, name)| vec![v(*id), v(*name)])
        .collect();
    w.insert("course", &["id", "name"], rows).await?;
    let all_courses: Vec<i32> = [1, 2].into_iter().chain(courses).collect();

    let n = 100_000 * s;
    let sellers = n / 50;
    let follow = ["one2one", "consider", "abandon", "appointment"];
    let deep = ["5_class_bag", "30_class_bag", "60_class_bag"];
    let mut start = 1;
    while start <= n {
        let end = (start + BATCH - 1).min(n);
        let mut students = Vec::with_capacity(BATCH);
        let mut users = Vec::with_capacity(BATCH);
        let mut enrolments = Vec::new();
        for i in start..=end {
            let id = BASE_ID + i as i32;
            let owner = mobile(0, i as u64);
            let child = child_name(&mut r);
            let created = spread(&mut r, i, n, day(2018, 3, 1), day(2025, 6, 30));
            let born = day(2008 + r.random_range(0..11), r.random_range(1..=12), 1)
                + Duration::days(r.random_range(0..28));
            let age = (created.date() - born).num_days() / 365;
            students.push(vec![
                v(id),
                v(owner.clone()),
                v(child.clone()),
                v(nickname(&mut r)),
                v(if r.random_bool(0.6) {
                    wx_avatar(&mut r)
                } else {
                    String::new()
                }),
                v(*["M", "F", "S"].choose(&mut r).unwrap_or(&"S")),
                v(r.random_bool(0.7).then_some(born)),
            ]);
            let is_seller = i % 50 == 0;
            let bound = r.random_bool(0.7);
            let lessons = r.random_range(0..120);
            users.push(vec![
                v(id),
                v(owner),
                v(child),
                v(if r.random_bool(0.6) {
                    wx_avatar(&mut r)
                } else {
                    String::new()
                }),
                v(age.clamp(4, 18) as i32),
                v(r.random_range(0..5_000)),
                v(lessons),
                v(is_seller),
                v(if is_seller {
                    r.random_range(0..500_000_i64)
                } else {
                    0
                }),
                v((r.random_bool(0.08) && i > 50)
                    .then(|| BASE_ID + 50 * r.random_range(1..=(i / 50).clamp(1, sellers)) as i32)),
                v(r.random_bool(0.15)
                    .then(|| pick(&mut r, REMARKS).to_owned())),
                v(r.random_bool(0.85)
                    .then(|| BASE_ID + r.random_range(1..=teachers) as i32)),
                v(Some(id)),
                v(*[Some("student"), Some("parent"), None]
                    .choose(&mut r)
                    .unwrap_or(&None)),
                v(true),
                v(bound),
                v(if bound { openid(&mut r) } else { String::new() }),
                v(r.random_range(0..4)),
                v(r.random_bool(0.12)),
                v(r.random_bool(0.6).then(|| adult_name(&mut r))),
                v(r.random_bool(0.8).then(|| pick(&mut r, CITIES).to_owned())),
                v(r.random_bool(0.75)
                    .then(|| pick(&mut r, EXTENTS).to_owned())),
                v(r.random_bool(0.65)
                    .then(|| follow.choose(&mut r).copied().unwrap_or_default())),
                v(r.random_bool(0.3)
                    .then(|| deep.choose(&mut r).copied().unwrap_or_default())),
                v(*[Some("male"), Some("female"), None]
                    .choose(&mut r)
                    .unwrap_or(&None)),
                v(created),
                v(r.random_range(0..2_000_i64)),
            ]);
            // Most payers take one course, some two or three.
            let k = *[0, 1, 1, 1, 1, 2, 2, 3].choose(&mut r).unwrap_or(&1);
            let mut chosen: Vec<i32> = all_courses.sample(&mut r, k).copied().collect();
            chosen.sort_unstable();
            for course in chosen {
                enrolments.push(vec![v(id), v(course)]);
            }
        }
        w.insert(
            "student",
            &[
                "id", "owner", "name", "nickname", "avatar", "sex", "birthday",
            ],
            students,
        )
        .await?;
        w.insert("user_info", USER_INFO_COLS, users).await?;
        w.insert(
            "course_enrollment",
            &["user_info_id", "course_id"],
            enrolments,
        )
        .await?;
        start = end + 1;
    }

    // Visit records: two for every five payers, about a payer seen in the last years.
    let visits = 40_000 * s;
    let mut start = 1;
    while start <= visits {
        let end = (start + BATCH - 1).min(visits);
        let rows = (start..=end)
            .map(|j| {
                let payer = r.random_range(1..=n) as u64;
                let created = spread(&mut r, j, visits, day(2019, 1, 1), day(2025, 6, 30));
                vec![
                    v(BASE_ID + j as i32),
                    v(mobile(0, payer)),
                    v(Some(pick(&mut r, VISITS).to_owned())),
                    v(r.random_bool(0.8).then(|| created.date())),
                    v(created),
                ]
            })
            .collect();
        w.insert(
            "visit_record",
            &["id", "contact", "detail", "visit_time", "created_at"],
            rows,
        )
        .await?;
        start = end + 1;
    }
    Ok(())
}

const USER_INFO_COLS: &[&str] = &[
    "id",
    "owner",
    "name",
    "avatar",
    "age",
    "points",
    "lesson_total",
    "is_seller",
    "commission_cents",
    "my_seller_id",
    "remark",
    "teacher_id",
    "student_id",
    "identity",
    "is_pay",
    "is_bind",
    "bind_account",
    "group_status",
    "star",
    "realname",
    "city",
    "learn_extent",
    "follow_up",
    "deep_consume",
    "sex",
    "created_at",
    "diamonds",
];

/// The market's members of the purchase scenario: each with a key and many diamonds.
async fn members(w: &mut Writer<'_>) -> anyhow::Result<()> {
    let mut r = rng(0, 2);
    let mut users = Vec::new();
    let mut keys = Vec::new();
    for k in 1..=MEMBERS {
        let id = MEMBER_BASE_ID + k;
        let row = vec![
            v(id),
            v(format!("1851000{k:04}")),
            v(child_name(&mut r)),
            v(String::new()),
            v(8 + k % 6),
            v(0),
            v(0),
            v(false),
            v(0_i64),
            v(None::<i32>),
            v(None::<String>),
            v(None::<i32>),
            v(None::<i32>),
            v(Some("student")),
            v(false),
            v(false),
            v(String::new()),
            v(3),
            v(false),
            v(None::<String>),
            v(None::<String>),
            v(None::<String>),
            v(None::<String>),
            v(None::<String>),
            v(None::<String>),
            v(day(2020, 9, 1).and_hms_opt(10, 0, 0).unwrap_or_default()),
            v(MEMBER_DIAMONDS),
        ];
        users.push(row);
        let key = member_key(k);
        keys.push(vec![
            v(auth::service::key_digest(&key)),
            v(auth::service::key_prefix(&key)),
            v(None::<i32>),
            v(Some(id)),
            v(day(2020, 9, 1).and_hms_opt(10, 0, 0).unwrap_or_default()),
        ]);
    }
    w.insert("user_info", USER_INFO_COLS, users).await?;
    w.insert(
        "api_key",
        &["digest", "prefix", "staff_id", "user_info_id", "created_at"],
        keys,
    )
    .await
}

/// The demo's districts with their level-1 and level-2 areas.
const AREAS: &[(&str, &str, i64, i64)] = &[
    ("440300", "广东省深圳市福田区", 30100000000, 30100100000),
    ("440300", "广东省深圳市福田区", 30100000000, 30100200000),
    ("440300", "广东省深圳市罗湖区", 30300000000, 30300500000),
    ("110000", "北京市昌平区", 150100000000, 150100100000),
    ("441900", "广东省东莞市石排镇", 44190010000, 44190010001),
];

/// Merchant accounts, managers, shops and their quote-sheet bindings.
async fn merchants(w: &mut Writer<'_>, s: usize, password_hash: &str) -> anyhow::Result<()> {
    let mut r = rng(s, 3);
    // Account and sales managers beside the demo's two (ids 2011, 2012).
    let managers: Vec<i32> = (3001..=3040).collect();
    let rows = managers
        .iter()
        .map(|id| {
            let district = AREAS[*id as usize % AREAS.len()].0;
            vec![
                v(*id),
                v(format!("{}经理", adult_name(&mut r))),
                v(mobile(2, *id as u64)),
                v(Some(district)),
                v(r.random_bool(0.7)),
                v(true),
            ]
        })
        .collect();
    w.insert(
        "employee",
        &[
            "id",
            "name",
            "phone",
            "district_code",
            "opens_accounts",
            "sells",
        ],
        rows,
    )
    .await?;
    let staff: Vec<i32> = [2011, 2012].into_iter().chain(managers).collect();

    let accounts = 12_000 * s;
    let shops = 20_000 * s;
    let mut start = 1;
    while start <= accounts {
        let end = (start + BATCH - 1).min(accounts);
        let rows = (start..=end)
            .map(|a| {
                let created = spread(&mut r, a, accounts, day(2019, 1, 1), day(2025, 6, 30));
                let company = format!(
                    "{}{}",
                    pick(&mut r, COMPANY_WORDS),
                    pick(
                        &mut r,
                        &["餐饮管理有限公司", "食品有限公司", "商贸行", "餐饮店"]
                    )
                );
                vec![
                    v(BASE_ID + a as i32),
                    v(format!("mmsh{:07}", a)),
                    v(password_hash.to_owned()),
                    v(company),
                    v(if r.random_bool(0.5) {
                        mobile(3, a as u64)
                    } else {
                        String::new()
                    }),
                    v(if r.random_bool(0.85) { 1_i16 } else { 2 }),
                    v(created),
                ]
            })
            .collect();
        w.insert(
            "merchant_account",
            &[
                "id",
                "username",
                "password_hash",
                "company_name",
                "telephone",
                "customer_type",
                "create_time",
            ],
            rows,
        )
        .await?;
        start = end + 1;
    }

    let mut binding = BASE_ID;
    let mut start = 1;
    while start <= shops {
        let end = (start + BATCH - 1).min(shops);
        let mut rows = Vec::with_capacity(BATCH);
        let mut bindings = Vec::new();
        for i in start..=end {
            let id = BASE_ID + i as i32;
            // Every account has a shop; some have several.
            let account = if i <= accounts {
                i
            } else {
                r.random_range(1..=accounts)
            };
            let (district, prefix, l1, l2) = AREAS[r.random_range(0..AREAS.len())];
            let created = spread(&mut r, i, shops, day(2019, 1, 1), day(2025, 6, 30));
            let credit = r.random_bool(0.2);
            let receiver = adult_name(&mut r);
            let payer = r.random_bool(0.5);
            let located = r.random_bool(0.7);
            let (lat0, lng0) = match district {
                "110000" => (40.22, 116.23),
                "441900" => (23.08, 113.87),
                _ => (22.54, 114.06),
            };
            let road = pick(&mut r, ROADS);
            let number = r.random_range(1..=999);
            let shop_name = format!(
                "{}{}{}{}",
                pick(&mut r, SURNAMES),
                pick(&mut r, &["记", "家", "姐", "哥", "师傅", "氏"]),
                pick(&mut r, SHOP_STYLES),
                pick(&mut r, BRANCHES)
            );
            rows.push(vec![
                v(id),
                v(BASE_ID + account as i32),
                v(shop_name),
                v(receiver),
                v(mobile(4, i as u64)),
                v(if payer {
                    adult_name(&mut r)
                } else {
                    String::new()
                }),
                v(if payer {
                    mobile(5, i as u64)
                } else {
                    String::new()
                }),
                v(district),
                v(l1),
                v(l2),
                v(format!("{prefix}{road}{number}号")),
                v(located.then(|| lat0 + r.random_range(-0.08..0.08))),
                v(located.then(|| lng0 + r.random_range(-0.08..0.08))),
                v(if located {
                    format!("{prefix}{road}{number}号")
                } else {
                    String::new()
                }),
                v(if r.random_bool(0.7) { 1_i16 } else { 2 }),
                v(r.random_range(1..=4_i16)),
                v(if r.random_bool(0.8) { 1_i16 } else { 0 }),
                v(if r.random_bool(0.05) { 1_i16 } else { 0 }),
                v(if r.random_bool(0.1) { 1_i16 } else { 0 }),
                v(if r.random_bool(0.08) { 1_i16 } else { 0 }),
                v(r.random_range(-50_000..2_000_000_i64)),
                v(r.random_range(0..10_000)),
                v(*[Some(1911), Some(1912), None, None]
                    .choose(&mut r)
                    .unwrap_or(&None)),
                v(r.random_bool(0.9)
                    .then(|| staff.choose(&mut r).copied().unwrap_or(2011))),
                v(r.random_bool(0.85)
                    .then(|| staff.choose(&mut r).copied().unwrap_or(2011))),
                v(if credit { 1_i16 } else { 0 }),
                v(credit.then(|| r.random_range(1..500_i64) * 100_000)),
                v(credit.then(|| created.date() + Duration::days(r.random_range(0..60)))),
                v(credit.then(|| r.random_range(1..=28))),
                v(credit.then(|| r.random_range(1..=28))),
                v(credit.then(|| r.random_range(1..=2_i16))),
                v(credit.then(|| r.random_range(1..=7))),
                v(created),
            ]);
            // One or two quote sheets, each served by a station that sells it.
            let mut sheets = vec![*["S8443", "S21329"].choose(&mut r).unwrap_or(&"S8443")];
            if r.random_bool(0.4) {
                sheets = vec!["S8443", "S21329"];
            }
            for sheet in sheets {
                let station = match (sheet, district) {
                    ("S21329", "441900") if r.random_bool(0.5) => "T10001",
                    _ => "T12469",
                };
                binding += 1;
                bindings.push(vec![v(binding), v(id), v(sheet), v(Some(station))]);
            }
        }
        w.insert("shop", SHOP_COLS, rows).await?;
        w.insert(
            "shop_salemenu",
            &["id", "shop_id", "salemenu_id", "service_station_id"],
            bindings,
        )
        .await?;
        start = end + 1;
    }
    Ok(())
}

const SHOP_COLS: &[&str] = &[
    "id",
    "account_id",
    "name",
    "receiver_name",
    "receiver_telephone",
    "payer_name",
    "payer_telephone",
    "district_code",
    "area_level1_id",
    "area_level2_id",
    "address",
    "lat",
    "lng",
    "map_address",
    "settle_way",
    "pay_method",
    "check_out",
    "finance_status",
    "whitelist",
    "keycustomer",
    "balance_cents",
    "point",
    "address_label_id",
    "create_employee_id",
    "sale_employee_id",
    "is_credit",
    "credit_limit_cents",
    "effective_date",
    "begin_day",
    "settle_day",
    "settle_date_type",
    "settle_remind",
    "create_time",
];

/// A report as orders refer to it: id, title, cover, price.
struct ReportRef {
    id: i32,
    title: String,
    cover: String,
    price: i64,
}

/// Paid reports: the export and import targets first, then 200 × scale others.
async fn reports(w: &mut Writer<'_>, s: usize) -> anyhow::Result<Vec<ReportRef>> {
    let mut r = rng(s, 4);
    let n = 200 * s + 6;
    let prices = [0_i64, 9_900, 29_900, 99_900, 300_000, 600_000];
    let mut refs = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for i in 1..=n {
        let id = BASE_ID + i as i32;
        let created = spread(&mut r, i, n, day(2019, 6, 1), day(2025, 6, 1));
        let year = created.format("%Y").to_string();
        let title = match id {
            EXPORT_REPORT_ID => "集微白名单年度报告 (基准导出)".to_owned(),
            _ if IMPORT_REPORT_IDS.contains(&id) => format!("白名单导入测试报告 {id}"),
            _ if i % 5 == 0 => format!("集微周报第{}期", i / 5),
            _ => format!(
                "{year}年{}{}",
                pick(&mut r, REPORT_TOPICS),
                pick(&mut r, REPORT_KINDS)
            ),
        };
        let stamp = unix(created) * 1_000 + r.random_range(0..1_000);
        let cover = format!("{stamp}.jpeg");
        let price = *prices.choose(&mut r).unwrap_or(&9_900);
        let status: i16 = if IMPORT_REPORT_IDS.contains(&id) || id == EXPORT_REPORT_ID {
            1
        } else {
            *[1, 1, 1, 1, 2, 0].choose(&mut r).unwrap_or(&1)
        };
        rows.push(vec![
            v(id),
            v(title.clone()),
            v(cover.clone()),
            v(Some(r.random_range(1..=6))),
            v(format!("{title}: 产业链全景、市场规模、竞争格局与未来五年展望。")),
            v("第一章 行业概览\n第二章 市场规模\n第三章 竞争格局\n第四章 重点企业\n第五章 趋势展望"),
            v(title.clone()),
            v(format!("{stamp}.pdf")),
            v("pdf"),
            v(r.random_range(200_000..40_000_000_i64)),
            v(price),
            v(r.random_range(0..20_000)),
            v(status),
            v((status != 0).then(|| created + Duration::days(r.random_range(0..10)))),
            v("购买须知: 电子版报告, 购买后不支持退款"),
            v(created),
            v(created + Duration::days(r.random_range(0..30))),
            v((i > 6 && r.random_bool(0.03)).then(|| created + Duration::days(400))),
        ]);
        refs.push(ReportRef {
            id,
            title,
            cover,
            price,
        });
    }
    w.insert(
        "report",
        &[
            "id",
            "title",
            "cover",
            "type_id",
            "intro",
            "directory",
            "file_name",
            "file_src",
            "file_format",
            "file_size",
            "price_cents",
            "read_count",
            "status",
            "publish_time",
            "short_intro",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
        rows,
    )
    .await?;
    Ok(refs)
}

fn company(r: &mut StdRng) -> String {
    format!(
        "{}{}{}",
        pick(
            r,
            &["深圳", "上海", "北京", "苏州", "厦门", "合肥", "无锡", "成都"]
        ),
        pick(r, COMPANY_WORDS),
        pick(r, COMPANY_KINDS)
    )
}

/// Whitelist rows: a fifth in the export report, the rest over the other reports (none in the
/// import targets). Mobiles are distinct throughout, so (report, mobile) is unique.
async fn whitelists(w: &mut Writer<'_>, s: usize, reports: &[ReportRef]) -> anyhow::Result<()> {
    let mut r = rng(s, 5);
    let n = 50_000 * s;
    let others: Vec<i32> = reports
        .iter()
        .map(|x| x.id)
        .filter(|id| *id != EXPORT_REPORT_ID && !IMPORT_REPORT_IDS.contains(id))
        .collect();
    let authors: Vec<String> = (0..8).map(|_| adult_name(&mut r)).collect();
    let mut start = 1;
    while start <= n {
        let end = (start + BATCH - 1).min(n);
        let rows = (start..=end)
            .map(|j| {
                let report = if j % 5 == 0 {
                    EXPORT_REPORT_ID
                } else {
                    others[r.random_range(0..others.len())]
                };
                let created = spread(&mut r, j, n, day(2020, 7, 1), day(2025, 6, 30));
                let read = *[0, 10, 50, 100, 200].choose(&mut r).unwrap_or(&100);
                vec![
                    v(BASE_ID + j as i32),
                    v(report),
                    v(adult_name(&mut r)),
                    v(pick(&mut r, POSITIONS)),
                    v(company(&mut r)),
                    v(mobile(6, j as u64)),
                    v(read),
                    v(r.random_range(0..=read)),
                    v(if r.random_bool(0.9) { 0_i16 } else { 1 }),
                    v(authors.choose(&mut r).cloned().unwrap_or_default()),
                    v(created),
                    v(created + Duration::days(r.random_range(0..90))),
                ]
            })
            .collect();
        w.insert(
            "report_whitelist",
            &[
                "id",
                "report_id",
                "given_user",
                "given_position",
                "given_company",
                "mobile",
                "read_count",
                "residue_count",
                "state",
                "last_modify_author",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        .await?;
        start = end + 1;
    }
    Ok(())
}

/// Customers and their orders: each order with its item and usage, some with an invoice.
async fn orders(w: &mut Writer<'_>, s: usize, reports: &[ReportRef]) -> anyhow::Result<()> {
    let mut r = rng(s, 6);
    let customers = 30_000 * s;
    let mut start = 1;
    while start <= customers {
        let end = (start + BATCH - 1).min(customers);
        let rows = (start..=end)
            .map(|c| {
                let phone = mobile(7, c as u64);
                let regist = spread(&mut r, c, customers, day(2018, 1, 1), day(2025, 3, 1));
                let nick = if r.random_bool(0.4) {
                    format!("N_{}****{}", &phone[..3], &phone[7..])
                } else {
                    nickname(&mut r)
                };
                let login = unix(regist) + r.random_range(0..200 * 86_400);
                vec![
                    v(BASE_ID + c as i32),
                    v(nick),
                    v(format!(
                        "http://s.laoyaoba.com/jwImg/img/{}.jpg",
                        token(&mut r, HEX, 16)
                    )),
                    v(phone),
                    v(unix(regist)),
                    v(login),
                    v(if r.random_bool(0.5) {
                        login + r.random_range(0..86_400)
                    } else {
                        0
                    }),
                ]
            })
            .collect();
        w.insert(
            "customer",
            &[
                "id",
                "nick_name",
                "avatar",
                "mobile",
                "regist_at",
                "last_login_at",
                "last_review_at",
            ],
            rows,
        )
        .await?;
        start = end + 1;
    }

    // Popular reports sell more: a report is drawn from the first tenth half the time.
    let sold: Vec<&ReportRef> = reports
        .iter()
        .filter(|x| x.id != EXPORT_REPORT_ID && !IMPORT_REPORT_IDS.contains(&x.id))
        .collect();
    let popular = (sold.len() / 10).max(1);
    let n = 100_000 * s;
    let mut start = 1;
    while start <= n {
        let end = (start + BATCH - 1).min(n);
        let mut orders = Vec::with_capacity(BATCH);
        let mut items = Vec::with_capacity(BATCH);
        let mut usages = Vec::with_capacity(BATCH);
        let mut invoices = Vec::new();
        for o in start..=end {
            let id = BASE_ID + o as i32;
            let report = if r.random_bool(0.5) {
                sold[r.random_range(0..popular)]
            } else {
                sold[r.random_range(0..sold.len())]
            };
            // A few customers buy a lot: square a uniform draw towards the low ids.
            let c =
                ((r.random::<f64>().powi(2) * customers as f64) as usize).min(customers - 1) + 1;
            let checkout_at = unix(spread(&mut r, o, n, day(2019, 1, 1), day(2025, 6, 30)));
            let state: i16 = match r.random_range(0..100) {
                0..75 => 3,
                75..85 => 1,
                _ => 2,
            };
            let (paid_at, channel, source) = if state == 3 {
                let channel = if report.price == 0 {
                    1
                } else {
                    *[2, 2, 2, 3, 3].choose(&mut r).unwrap_or(&2)
                };
                (
                    checkout_at + r.random_range(5..600),
                    channel,
                    r.random_range(1..=5_i16),
                )
            } else {
                (0, 0, r.random_range(1..=5_i16))
            };
            let (trade, identity) = match channel {
                2 => (
                    format!("42000{}", token(&mut r, DIGITS, 23)),
                    openid(&mut r),
                ),
                3 => (
                    format!("2{}", token(&mut r, DIGITS, 27)),
                    format!("2088{}", token(&mut r, DIGITS, 12)),
                ),
                _ => (String::new(), String::new()),
            };
            let date = chrono::DateTime::from_timestamp(checkout_at + 8 * 3600, 0)
                .map(|t| t.format("%Y%m%d").to_string())
                .unwrap_or_default();
            orders.push(vec![
                v(id),
                v(format!("{date}{o:010}")),
                v(BASE_ID + c as i32),
                v(report.title.clone()),
                v(report.price),
                v(1),
                v(state),
                v(checkout_at),
                v(checkout_at + 1_800),
                v(paid_at),
                v(paid_at),
                v(trade),
                v(identity),
                v(source),
                v(channel),
            ]);
            items.push(vec![
                v(id),
                v(report.id),
                v(report.title.clone()),
                v(report.cover.clone()),
                v(report.price),
            ]);
            let quantity = *[10, 50, 100].choose(&mut r).unwrap_or(&10);
            let left = if state == 3 {
                r.random_range(0..=quantity)
            } else {
                quantity
            };
            usages.push(vec![
                v(id),
                v(quantity),
                v(left),
                v(if left == 0 { 1_i16 } else { 0 }),
            ]);
            if state == 3 && report.price > 0 && r.random_bool(0.15) {
                let vat = r.random_bool(0.3);
                let title = company(&mut r);
                invoices.push(vec![
                    v(id),
                    v(if r.random_bool(0.7) { 1_i16 } else { 0 }),
                    v(paid_at + r.random_range(3_600..30 * 86_400)),
                    v(if vat { 1_i16 } else { 0 }),
                    v(title.clone()),
                    v(report.price),
                    v(format!(
                        "91{}",
                        token(&mut r, b"0123456789ABCDEFGHJKLMNPQRTUWXY", 16)
                    )),
                    v(adult_name(&mut r)),
                    v(format!("{}@qq.com", token(&mut r, DIGITS, 9))),
                    v(if vat { title.clone() } else { String::new() }),
                    v(if vat {
                        format!("{}{}号", pick(&mut r, ROADS), r.random_range(1..999))
                    } else {
                        String::new()
                    }),
                    v(if vat {
                        mobile(8, o as u64)
                    } else {
                        String::new()
                    }),
                    v(mobile(9, o as u64)),
                    v(if vat {
                        format!("招商银行{}支行", pick(&mut r, CITIES))
                    } else {
                        String::new()
                    }),
                    v(if vat {
                        token(&mut r, DIGITS, 16)
                    } else {
                        String::new()
                    }),
                    v(if vat { 2_i16 } else { 1 }),
                ]);
            }
        }
        w.insert("payment_order", ORDER_COLS, orders).await?;
        w.insert(
            "order_item",
            &["order_id", "report_id", "title", "cover", "price_cents"],
            items,
        )
        .await?;
        w.insert(
            "order_usage",
            &[
                "order_id",
                "quantity_count",
                "available_count",
                "expend_status",
            ],
            usages,
        )
        .await?;
        w.insert("invoice", INVOICE_COLS, invoices).await?;
        start = end + 1;
    }
    Ok(())
}

const ORDER_COLS: &[&str] = &[
    "id",
    "number",
    "customer_id",
    "title",
    "total_cents",
    "size",
    "state",
    "checkout_at",
    "expire_at",
    "paid_at",
    "fulfilled_at",
    "third_trade_num",
    "third_trade_identity",
    "payment_source",
    "payment_channel",
];

const INVOICE_COLS: &[&str] = &[
    "order_id",
    "state",
    "create_time",
    "is_vat",
    "invoice_title",
    "invoice_amount_cents",
    "invoice_tax_num",
    "vat_name",
    "vat_mail_address",
    "vat_company_name",
    "vat_company_address",
    "vat_company_mobile",
    "vat_telphone",
    "vat_bank_name",
    "vat_bank_account",
    "invoice_option",
];

/// A whitelist sheet like the template, of `rows` people whose mobiles no seeded whitelist
/// has, so every row of a first import is new.
pub fn import_sheet(rows: usize) -> anyhow::Result<Vec<u8>> {
    let mut r = rng(0, 7);
    let cells: Vec<Vec<xlsx::Cell>> = (0..rows)
        .map(|i| {
            vec![
                xlsx::Cell::Text(adult_name(&mut r)),
                xlsx::Cell::Text(pick(&mut r, POSITIONS).to_owned()),
                xlsx::Cell::Text(company(&mut r)),
                xlsx::Cell::Text(mobile(10, i as u64)),
                xlsx::Cell::Number(*[10.0, 50.0, 100.0].choose(&mut r).unwrap_or(&10.0)),
            ]
        })
        .collect();
    Ok(xlsx::write(
        "白名单",
        reports::service::TEMPLATE_HEADERS,
        &cells,
    )?)
}
