//! Building the application: database, keys, schema and the one route table.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::DefaultBodyLimit,
    http::StatusCode,
    middleware,
    routing::{get, post},
    Router,
};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};

use crate::{
    auth::{remembered::Remembered, service::jwt_keys, throttle::LoginThrottle},
    config::Config,
    db, graphiql, graphql, ops, rest,
    state::{AppState, Core, SheetJobs},
    storage::{s3::S3, LocalDisk, Storage},
    web,
};

/// The largest request body of a JSON or form route. The GraphQL extractor reads the body
/// itself, so axum's default limit does not cover it: explicit layers do.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The largest body of an upload (`/graphql` multipart, spreadsheet routes).
pub const MAX_UPLOAD_BODY_BYTES: usize = crate::xlsx::UPLOAD_LIMITS.max_bytes + 64 * 1024;

/// Connects, migrates, loads the signing keys and builds the router.
pub async fn build(config: Config) -> anyhow::Result<(Router, AppState)> {
    let (db, statements) = db::connect(&config).await?;
    let replica = db::connect_replica(&config, &statements).await?;
    let jwt = jwt_keys(&db, &config).await?;
    let storage = storage_backend(&config)?;
    let counts = db::CountCache::new(Duration::from_secs(config.count_cache_secs));
    let login_throttle = Arc::new(LoginThrottle::new(db.clone()));
    let sheet_jobs = Arc::new(SheetJobs::new(config.sheet_jobs()));
    let credentials = Arc::new(Remembered::new(Duration::from_secs(
        config.credential_cache_secs,
    )));
    let core = Arc::new(Core {
        credentials,
        db,
        jwt,
        config,
        statements,
        storage,
        login_throttle,
        counts: Arc::new(counts),
        sheet_jobs,
    });
    // The replica's core differs from the primary's in its database and in its totals: a
    // total counted on a lagging replica must not answer a writer who reads the primary.
    let reader = replica.map(|db| {
        Arc::new(Core {
            db,
            counts: Arc::new(db::CountCache::new(Duration::from_secs(
                core.config.count_cache_secs,
            ))),
            ..(*core).clone()
        })
    });
    let totals = std::iter::once(&core)
        .chain(&reader)
        .map(|c| c.counts.clone())
        .collect();
    let bus = crate::shared::Bus::start(
        core.db.clone(),
        totals,
        core.credentials.clone(),
        Duration::from_secs(core.config.read_your_writes_secs),
    );
    // Serving before the bus listens would resolve every credential until it does; a database
    // that does not let it listen soon is served anyway, the same way.
    core.credentials
        .until_listening(Duration::from_secs(5))
        .await;
    let state = AppState {
        schema: graphql::build(core.clone()),
        bus,
        core,
        reader,
        documents: Default::default(),
        metrics: Default::default(),
    };
    Ok((router(state.clone()), state))
}

/// The configured storage backend.
fn storage_backend(config: &Config) -> anyhow::Result<Arc<dyn Storage>> {
    match config.storage.as_str() {
        "local" => Ok(Arc::new(LocalDisk::new(&config.storage_dir))),
        "s3" => {
            let (Some(endpoint), Some(ak), Some(sk)) = (
                &config.s3_endpoint,
                &config.qiniu_access_key,
                &config.qiniu_secret_key,
            ) else {
                anyhow::bail!("the s3 storage needs OPSGRAPH_S3_ENDPOINT, QINIU_ACCESS_KEY and QINIU_SECRET_KEY");
            };
            Ok(Arc::new(S3::new(endpoint, &config.s3_region, ak, sk)?))
        }
        other => anyhow::bail!("unknown storage backend {other:?} (local or s3)"),
    }
}

/// The route table: GraphQL, the playground, and every legacy URL.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// [`router`] with `extra` routes beside the others, under the same layers: the tests add
/// routes that panic or hang this way, so no such route exists outside them.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let config = &state.core.config;
    let mut routes = Router::new()
        .route(
            "/graphql",
            // Multipart requests carry files: the upload limit; `execute` holds JSON to the
            // smaller one. GET runs queries only (GraphQL over HTTP), so a CDN may cache them.
            post(graphql::http::execute)
                .get(graphql::http::execute_get)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES)),
        )
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/{asset}", get(graphiql::asset_file))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/openapi.json", get(rest::openapi::openapi_json))
        .route("/docs", get(rest::openapi::docs));
    // With a metrics address of its own, the public one does not serve them.
    if config.metrics_bind.is_none() {
        routes = routes.route("/metrics", get(ops::metrics));
    }
    let timeout = Duration::from_secs(config.request_timeout_secs);
    // `layer` wraps every route and both fallbacks, after routing: each layer sees the route
    // pattern, and every answer, a 404 included, passes the tracking. Outermost last.
    routes
        .merge(rest::router(&state))
        .merge(extra)
        .fallback(rest::not_found)
        .method_not_allowed_fallback(rest::method_not_allowed)
        .with_state(state.clone())
        .layer(web::catch_panic(state.metrics.clone()))
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(rest::envelope_refusals))
        .layer(web::compression())
        .layer(web::cors(config.cors()))
        .layer(middleware::from_fn(web::preflight_no_content))
        // The request's span, log line and metrics: every answer above, preflights included.
        .layer(middleware::from_fn_with_state(state, ops::track))
        // A request id on every request (a client's own valid `x-request-id` is kept, any other
        // replaced by a UUID), echoed back.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(ops::check_request_id))
}

/// The router of a separate metrics address (`OPSGRAPH_METRICS_BIND`): `/metrics` alone.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(ops::metrics))
        .with_state(state)
}
