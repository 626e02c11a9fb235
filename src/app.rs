//! Building the application: database, keys, schema and the one route table.

use std::{sync::Arc, time::Duration};

use async_graphql::{http::GraphiQLSource, ErrorExtensions};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    middleware,
    response::{Html, IntoResponse},
    routing::{get, post},
    Router,
};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};

use crate::{
    auth::service::jwt_keys,
    config::Config,
    db, graphql, ops, rest,
    rest::operation::authenticate,
    state::{AppState, Core},
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
    let jwt = jwt_keys(&db, &config).await?;
    let storage = storage_backend(&config)?;
    let core = Arc::new(Core {
        db,
        jwt,
        config,
        statements,
        storage,
        login_throttle: Default::default(),
    });
    let state = AppState {
        schema: graphql::build(core.clone()),
        core,
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
        .route("/graphql", post(graphql_handler))
        .route("/graphiql", get(graphiql))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(rest::router())
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
        // A request id on every request (a client's own `x-request-id` is kept), echoed back.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// `POST /graphql`. Bad credentials answer an `UNAUTHENTICATED` error and run nothing.
async fn graphql_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    match authenticate(&state, &headers).await {
        Ok(auth) => {
            let request = graphql::prepare(request.into_inner(), &state.core, auth);
            let operation = operation_label(
                request
                    .operation_name
                    .as_deref()
                    .or_else(|| document_operation_name(&request.query)),
            );
            let started = std::time::Instant::now();
            let response = state.schema.execute(request).await;
            let metrics = &state.metrics;
            metrics.observe(
                "opsgraph_graphql_duration_seconds",
                &[("operation", &operation)],
                started.elapsed(),
            );
            for e in &response.errors {
                let code = e
                    .extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .map(|c| c.to_string().trim_matches('"').to_owned())
                    .unwrap_or_else(|| "GRAPHQL_VALIDATION".into());
                metrics.count("opsgraph_graphql_errors_total", &[("code", &code)]);
            }
            response.into()
        }
        Err(err) => {
            let mut error = async_graphql::ServerError::new(err.to_string(), None);
            error.extensions = err.extend().extensions;
            async_graphql::Response::from_errors(vec![error]).into()
        }
    }
}

/// The name of a document's first operation (`query Name …`), without parsing it.
fn document_operation_name(query: &str) -> Option<&str> {
    let rest = query.trim_start();
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|k| rest.strip_prefix(k))?
        .trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// A GraphQL operation name as a metrics label: client-chosen, so only plain names of sane
/// length are kept.
fn operation_label(name: Option<&str>) -> String {
    match name {
        Some(n)
            if (1..=64).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            n.to_owned()
        }
        Some(_) => "other".to_owned(),
        None => "anonymous".to_owned(),
    }
}

/// `GET /graphiql`: the playground, with a header editor for the token.
async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
