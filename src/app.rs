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
    auth::{service::jwt_keys, throttle::LoginThrottle},
    config::Config,
    db, graphiql, graphql, ops, rest,
    state::{AppState, Core, SheetJobs},
    storage::{s3::S3, LocalDisk, Storage},
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
    let core = Arc::new(Core {
        db,
        jwt,
        config,
        statements,
        storage,
        login_throttle,
        counts: Arc::new(counts),
        sheet_jobs,
    });
    // The replica's core differs from the primary's in its database only.
    let reader = replica.map(|db| {
        Arc::new(Core {
            db,
            ..(*core).clone()
        })
    });
    let state = AppState {
        schema: graphql::build(core.clone()),
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
    Router::new()
        .route(
            "/graphql",
            // Multipart requests carry files: the upload limit; `execute` holds JSON to the
            // smaller one.
            post(graphql::http::execute).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES)),
        )
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/graphiql.js", get(graphiql::script))
        .route("/graphiql/graphiql.css", get(graphiql::style))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(rest::openapi::openapi_json))
        .route("/docs", get(rest::openapi::docs))
        .merge(rest::router(&state))
        // Per matched route: the route pattern labels the metrics.
        .route_layer(middleware::from_fn_with_state(state.clone(), ops::track))
        .fallback(rest::not_found)
        .method_not_allowed_fallback(rest::method_not_allowed)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(MAX_UPLOAD_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(middleware::from_fn(rest::envelope_refusals))
        // A request id on every request (a client's own valid `x-request-id` is kept, any other
        // replaced by a UUID), echoed back.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(ops::check_request_id))
}
