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

    /// Size of the database connection pool (default: 16 on PostgreSQL, 4 on SQLite).
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
}

impl Config {
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
        }
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

#[cfg(test)]
mod tests {
    use super::public_url;

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
