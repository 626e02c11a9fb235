//! Configuration, read in one place: every setting is a command-line flag with an environment
//! variable of the same meaning (the flag wins). The README's configuration table mirrors this file.

use std::net::SocketAddr;

use clap::Args;

/// Settings shared by every subcommand.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Database URL: `sqlite://<file>?mode=rwc` (created and migrated on first start) or
    /// `postgres://user:pass@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://opsgraph.sqlite?mode=rwc",
        global = true
    )]
    pub database_url: String,

    /// A read replica of the database (PostgreSQL streaming replica, say): GraphQL queries and
    /// the legacy GET routes read from it, mutations and everything they read go to the primary.
    #[arg(long, env = "DATABASE_REPLICA_URL", global = true)]
    pub database_replica_url: Option<String>,

    /// Address the HTTP server listens on; the legacy clients' curls use port 8000.
    #[arg(
        long,
        env = "OPSGRAPH_BIND",
        default_value = "127.0.0.1:8000",
        global = true
    )]
    pub bind: SocketAddr,

    /// HMAC secret for JWTs (at least 32 bytes). Without it the server generates one and keeps it
    /// in the database, so tokens survive restarts and every instance on one database agrees.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Lifetime of an issued JWT in seconds (the paid-reports seed promises 24 hours).
    #[arg(
        long,
        env = "OPSGRAPH_TOKEN_TTL_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub token_ttl_secs: u64,

    /// Deployment name; JWTs carry `iss = opsgraph-<environment>` and only accept their own.
    #[arg(
        long,
        env = "OPSGRAPH_ENV",
        default_value = "development",
        global = true
    )]
    pub environment: String,

    /// How long a list's total may be reused, seconds (0: count on every page). Totals are
    /// forgotten at once when this instance runs a mutation.
    #[arg(
        long,
        env = "OPSGRAPH_COUNT_CACHE_SECS",
        default_value_t = 10,
        global = true
    )]
    pub count_cache_secs: u64,

    /// How long a resolved credential may be reused, seconds, while the instance hears of every
    /// change to accounts, roles, keys and sessions (0: resolve it on every request, so a
    /// change made elsewhere applies to the very next request rather than within a
    /// notification's delay).
    #[arg(
        long,
        env = "OPSGRAPH_CREDENTIAL_CACHE_SECS",
        default_value_t = 60,
        global = true
    )]
    pub credential_cache_secs: u64,

    /// With a read replica: how long, seconds, a caller's reads go to the primary after it
    /// wrote (on any instance), so a save followed by a reload shows the change (0: never).
    #[arg(
        long,
        env = "OPSGRAPH_READ_YOUR_WRITES_SECS",
        default_value_t = 5,
        global = true
    )]
    pub read_your_writes_secs: u64,

    /// Size of the database connection pool (default: [`Config::pool_size`]).
    #[arg(long, env = "OPSGRAPH_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,

    /// Maximum nesting depth of a GraphQL query.
    #[arg(
        long,
        env = "OPSGRAPH_GRAPHQL_MAX_DEPTH",
        default_value_t = 10,
        global = true
    )]
    pub graphql_max_depth: usize,

    /// Maximum complexity of a GraphQL query (every field counts one, aliased copies too).
    #[arg(
        long,
        env = "OPSGRAPH_GRAPHQL_MAX_COMPLEXITY",
        default_value_t = 5_000,
        global = true
    )]
    pub graphql_max_complexity: usize,

    /// Maximum aliased fields in one GraphQL document.
    #[arg(
        long,
        env = "OPSGRAPH_GRAPHQL_MAX_ALIASES",
        default_value_t = 15,
        global = true
    )]
    pub graphql_max_aliases: usize,

    /// Maximum lexical tokens in one GraphQL document (checked before parsing).
    #[arg(
        long,
        env = "OPSGRAPH_GRAPHQL_MAX_TOKENS",
        default_value_t = 1_000,
        global = true
    )]
    pub graphql_max_tokens: usize,

    /// Whether GraphQL introspection (`__schema`, the playground's docs) is served; by default
    /// on, except in the `production` environment.
    #[arg(long, env = "OPSGRAPH_GRAPHQL_INTROSPECTION", global = true)]
    pub graphql_introspection: Option<bool>,

    /// Base URL of the public bucket: report covers and files are answered as URLs on it.
    #[arg(
        long,
        env = "OPSGRAPH_PUBLIC_DOMAIN",
        default_value = "http://s.laoyaoba.com",
        global = true
    )]
    pub public_domain: String,

    /// Base URL of the private bucket's files, for signed download URLs.
    #[arg(
        long,
        env = "OPSGRAPH_PRIVATE_DOMAIN",
        default_value = "https://privte.laoyaoba.com/uploads",
        global = true
    )]
    pub private_domain: String,

    /// Qiniu access key: upload tokens and download URLs are signed locally with it.
    #[arg(long, env = "QINIU_ACCESS_KEY", global = true)]
    pub qiniu_access_key: Option<String>,

    /// Qiniu secret key.
    #[arg(long, env = "QINIU_SECRET_KEY", hide_env_values = true, global = true)]
    pub qiniu_secret_key: Option<String>,

    /// The public bucket (upload tokens of `type=default`, the copy's source).
    #[arg(
        long,
        env = "QINIU_BUCKET",
        default_value = "jiwei-market",
        global = true
    )]
    pub qiniu_bucket: String,

    /// The private bucket (upload tokens of `type=private`, the copy's target).
    #[arg(
        long,
        env = "QINIU_PRIVATE_BUCKET",
        default_value = "jiwei-private",
        global = true
    )]
    pub qiniu_private_bucket: String,

    /// Lifetime of upload tokens and signed download URLs, seconds.
    #[arg(
        long,
        env = "OPSGRAPH_SIGNED_TTL_SECS",
        default_value_t = 3_600,
        global = true
    )]
    pub signed_ttl_secs: u64,

    /// Storage backend: `local` (files under the storage directory) or `s3` (an S3-compatible
    /// endpoint such as Qiniu Kodo's, with the Qiniu keys).
    #[arg(long, env = "OPSGRAPH_STORAGE", default_value = "local", global = true)]
    pub storage: String,

    /// The S3 endpoint of the `s3` backend, e.g. `https://s3-cn-east-1.qiniucs.com`.
    #[arg(long, env = "OPSGRAPH_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    /// The S3 region of the `s3` backend, e.g. `cn-east-1`.
    #[arg(
        long,
        env = "OPSGRAPH_S3_REGION",
        default_value = "cn-east-1",
        global = true
    )]
    pub s3_region: String,

    /// Believe the last `X-Forwarded-For` entry as the client's address (set it behind the
    /// deployment's own load balancer, never when clients reach the server directly).
    #[arg(
        long,
        env = "OPSGRAPH_TRUST_FORWARDED_FOR",
        default_value_t = false,
        global = true
    )]
    pub trust_forwarded_for: bool,

    /// The public base URL clients reach this server at (e.g. `https://crm.example.com`, a path
    /// prefix allowed): DRF pages link their `next` and `previous` pages on it. Unset, the links
    /// are built from the request's `Host` header.
    #[arg(long, env = "OPSGRAPH_PUBLIC_URL", value_parser = public_url, global = true)]
    pub public_url: Option<String>,

    /// Spreadsheet jobs that may run at once, each kind: upload parses (whitelist import and
    /// convert) and exports (whitelist, merchants). Beyond it a request is refused with 503 and
    /// `Retry-After`. Default: the number of cores.
    #[arg(long, env = "OPSGRAPH_MAX_SHEET_JOBS", global = true)]
    pub max_sheet_jobs: Option<usize>,

    /// Log lines as `text` or `json`.
    #[arg(
        long,
        env = "OPSGRAPH_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: String,

    /// Directory of the local-disk storage backend (one folder per bucket).
    #[arg(
        long,
        env = "OPSGRAPH_STORAGE_DIR",
        default_value = "data/storage",
        global = true
    )]
    pub storage_dir: String,

    /// Browser origins allowed to call the server (CORS): a comma list of exact origins
    /// (`https://admin.example.com,http://localhost:5173`), or `*` for any. Unset, none is
    /// allowed, except that `serve --demo` allows `http://localhost:*` and `http://127.0.0.1:*`.
    #[arg(long, env = "OPSGRAPH_CORS_ORIGINS", value_parser = cors_origins, global = true)]
    pub cors_origins: Option<CorsOrigins>,

    /// A second address serving `/metrics` alone (an internal one, say `10.0.0.5:9100`); when
    /// set, the main address no longer serves it.
    #[arg(long, env = "OPSGRAPH_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,

    /// Seconds a request may take before it is answered 408 (keep a load balancer's idle
    /// timeout above it).
    #[arg(
        long,
        env = "OPSGRAPH_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,
}

impl Config {
    /// The size of a pool on SQLite (`sqlite`) or PostgreSQL: `db_max_connections`, else 4 on
    /// SQLite (one writer at a time whatever the pool) and, on PostgreSQL, twice this machine's
    /// cores, at least 4 and at most 16.
    ///
    /// Twice the cores is PostgreSQL's own rule of thumb for its connections, for a database on
    /// the same machine (the embedded and benchmark case; size it to the database's cores when
    /// it runs elsewhere). More connections than that only queue in PostgreSQL instead of in the
    /// pool, and cost the switches between its backends: on 2 cores a page of 20 payers served
    /// 3-8% more requests a second with 4 connections than with 16, at two thirds of the p99
    /// (BENCHMARKS.md, "The pool sized to the cores").
    pub fn pool_size(&self, sqlite: bool) -> u32 {
        self.db_max_connections.unwrap_or_else(|| {
            if sqlite {
                4
            } else {
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                (2 * cores).clamp(4, 16) as u32
            }
        })
    }

    /// A configuration for `database_url` with every other setting at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Config {
            database_url: database_url.into(),
            database_replica_url: None,
            bind: ([127, 0, 0, 1], 8000).into(),
            jwt_secret: None,
            token_ttl_secs: 86_400,
            environment: "development".into(),
            db_max_connections: None,
            count_cache_secs: 10,
            read_your_writes_secs: 5,
            credential_cache_secs: 60,
            graphql_max_depth: 10,
            graphql_max_complexity: 5_000,
            graphql_max_aliases: 15,
            graphql_max_tokens: 1_000,
            graphql_introspection: None,
            public_domain: "http://s.laoyaoba.com".into(),
            private_domain: "https://privte.laoyaoba.com/uploads".into(),
            qiniu_access_key: None,
            qiniu_secret_key: None,
            qiniu_bucket: "jiwei-market".into(),
            qiniu_private_bucket: "jiwei-private".into(),
            signed_ttl_secs: 3_600,
            storage: "local".into(),
            s3_endpoint: None,
            s3_region: "cn-east-1".into(),
            trust_forwarded_for: false,
            public_url: None,
            max_sheet_jobs: None,
            log_format: "text".into(),
            storage_dir: "data/storage".into(),
            cors_origins: None,
            metrics_bind: None,
            request_timeout_secs: 30,
        }
    }

    /// The origins CORS admits: the setting, or none.
    pub fn cors(&self) -> CorsOrigins {
        self.cors_origins
            .clone()
            .unwrap_or(CorsOrigins::List(Vec::new()))
    }

    /// Whether introspection is served.
    pub fn introspection(&self) -> bool {
        self.graphql_introspection
            .unwrap_or(self.environment != "production")
    }

    /// Spreadsheet jobs of each kind that may run at once: the setting, or the number of cores.
    pub fn sheet_jobs(&self) -> usize {
        self.max_sheet_jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }

    /// The JWT issuer this deployment signs with and accepts.
    pub fn jwt_issuer(&self) -> String {
        format!("opsgraph-{}", self.environment)
    }
}

/// Checks a public base URL: absolute `http` or `https`, with a host and no credentials, query
/// or fragment (links are built by appending a path and query to it). Answers it without a
/// trailing slash.
pub fn public_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !ok {
        return Err("an http(s) URL with a host and no credentials, query or fragment".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Which browser origins may call the server, by CORS. Credentials travel only in the
/// `Authorization` header, which a page must set itself, never in cookies: so even `*` lets no
/// other site act with a visitor's session, and credentials are never allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`).
    Any,
    /// Exactly these origins (`https://admin.example.com`); none when empty.
    List(Vec<String>),
    /// `http://localhost` and `http://127.0.0.1` on any port: `serve --demo`'s default, for an
    /// admin panel on its own development server.
    Loopback,
}

impl CorsOrigins {
    /// Whether a request's `Origin` is allowed (for [`CorsOrigins::Any`], every one is).
    pub fn allows(&self, origin: &[u8]) -> bool {
        match self {
            CorsOrigins::Any => true,
            CorsOrigins::List(list) => list.iter().any(|o| o.as_bytes() == origin),
            CorsOrigins::Loopback => ["http://localhost", "http://127.0.0.1"]
                .iter()
                .filter_map(|host| origin.strip_prefix(host.as_bytes()))
                .any(|rest| match rest.strip_prefix(b":") {
                    None => rest.is_empty(),
                    Some(port) => {
                        (1..=5).contains(&port.len()) && port.iter().all(u8::is_ascii_digit)
                    }
                }),
        }
    }
}

/// Reads `OPSGRAPH_CORS_ORIGINS`: `*` alone, or a comma list of origins each written as a
/// browser sends it (`scheme://host[:port]`, lower case, no path or trailing slash), since
/// they are compared byte for byte. An empty value allows none.
pub fn cors_origins(text: &str) -> Result<CorsOrigins, String> {
    let entries: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    if entries.contains(&"*") {
        return match entries.len() {
            1 => Ok(CorsOrigins::Any),
            _ => Err("`*` allows every origin: give it alone".into()),
        };
    }
    let mut origins = Vec::with_capacity(entries.len());
    for entry in entries {
        let origin = url::Url::parse(entry)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.origin().ascii_serialization());
        match origin {
            Some(o) if o == entry => origins.push(o),
            Some(o) => {
                return Err(format!(
                    "{entry:?} is not an origin as browsers send it: {o:?}"
                ))
            }
            None => {
                return Err(format!(
                    "{entry:?} is not an http(s) origin (https://host[:port])"
                ))
            }
        }
    }
    Ok(CorsOrigins::List(origins))
}

#[cfg(test)]
mod tests {
    use super::{cors_origins, public_url, Config, CorsOrigins};

    #[test]
    fn every_setting_is_in_the_readme_table_and_the_env_example() {
        use clap::Args;
        let command = Config::augment_args(clap::Command::new("opsgraph"));
        let readme = include_str!("../README.md");
        let table = readme
            .split("\n## Configuration\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the README's configuration section");
        let example = include_str!("../.env.example");
        let mut names = 0;
        for arg in command.get_arguments() {
            let Some(name) = arg.get_env().and_then(|n| n.to_str()) else {
                continue;
            };
            names += 1;
            assert!(
                table.contains(&format!("`{name}`")),
                "{name} is not in the README's table"
            );
            assert!(
                example.contains(&format!("\n# {name}=")),
                "{name} is not in .env.example"
            );
        }
        assert!(names > 30, "{names} settings");
    }

    #[test]
    fn cors_origins_are_exact_or_any() {
        assert_eq!(cors_origins("*"), Ok(CorsOrigins::Any));
        assert_eq!(cors_origins(""), Ok(CorsOrigins::List(vec![])));
        assert_eq!(
            cors_origins("https://admin.example.com, http://localhost:5173"),
            Ok(CorsOrigins::List(vec![
                "https://admin.example.com".into(),
                "http://localhost:5173".into()
            ]))
        );
        for bad in [
            "*,https://a.example",
            "https://admin.example.com/",
            "https://Admin.example.com",
            "https://a.example/app",
            "https://a.example:443",
            "admin.example.com",
            "ftp://a.example",
        ] {
            assert!(cors_origins(bad).is_err(), "{bad}");
        }
        let list = cors_origins("https://a.example").unwrap();
        assert!(list.allows(b"https://a.example"));
        assert!(!list.allows(b"https://a.example.evil.test"));
        assert!(!list.allows(b"http://a.example"));
        let loopback = CorsOrigins::Loopback;
        for good in [
            "http://localhost:5173",
            "http://127.0.0.1:8080",
            "http://localhost",
        ] {
            assert!(loopback.allows(good.as_bytes()), "{good}");
        }
        for bad in [
            "https://localhost:5173",
            "http://localhost.evil.test",
            "http://localhost:5173.evil.test",
            "http://127.0.0.1:",
            "http://127.0.0.10:80",
            "null",
        ] {
            assert!(!loopback.allows(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn public_urls_are_checked_and_lose_their_trailing_slash() {
        assert_eq!(
            public_url("https://crm.example.com/"),
            Ok("https://crm.example.com".into())
        );
        assert_eq!(
            public_url("https://example.com:8443/opsgraph/"),
            Ok("https://example.com:8443/opsgraph".into())
        );
        for bad in [
            "crm.example.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=1",
            "https://example.com/#top",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }
}
