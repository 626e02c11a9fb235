//! The legacy REST compatibility layer. Each family is a folder of routes that decode the legacy
//! request, run one GraphQL operation (aliases give the legacy keys) and wrap the answer in the
//! family's envelope. No business rule lives here.

pub mod doc;
pub mod json;
pub mod kids_coding;
pub mod merchants;
pub mod openapi;
pub mod operation;
pub mod paid_reports;
pub mod params;
pub mod prelude;
pub mod rows;
pub mod schema;

use axum::{
    extract::{DefaultBodyLimit, OriginalUri, Request, State},
    http::{header, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::MethodRouter,
    Router,
};
use json::Json;
use serde_json::json;
use std::convert::Infallible;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{
    app::{MAX_BODY_BYTES, MAX_UPLOAD_BODY_BYTES},
    auth::Auth,
    error::{AppError, ErrorCode},
    rest::doc::{Access, Doc},
    state::AppState,
};

/// One legacy URL and method. The list of them is the route table: it builds the router, the
/// OpenAPI document, the authorization test's walk and the list of GraphQL documents, so no
/// route can miss any of them.
pub struct Route {
    pub method: Method,
    /// The axum pattern (`/api/report/{id}`), also the OpenAPI path.
    pub path: String,
    pub handler: MethodRouter<AppState>,
    /// What the route promises.
    pub doc: Doc,
    /// The GraphQL documents the handler runs ([`Route::runs`]); none for a route that answers
    /// without GraphQL.
    pub documents: &'static [&'static str],
}

impl Route {
    /// A route serving `method` on `path` with `handler` (a method router for that method).
    pub fn new(
        method: Method,
        path: impl Into<String>,
        handler: MethodRouter<AppState>,
        doc: Doc,
    ) -> Self {
        Route {
            method,
            path: path.into(),
            handler,
            doc,
            documents: &[],
        }
    }

    /// The route with the GraphQL documents its handler runs (every one it may pass to
    /// [`operation::run`]), which [`documents`] lists.
    pub fn runs(mut self, documents: &'static [&'static str]) -> Self {
        self.documents = documents;
        self
    }
}

/// Every legacy URL and method, in the order the families list them.
pub fn routes() -> Vec<Route> {
    let mut routes = kids_coding::routes();
    routes.extend(merchants::routes());
    routes.extend(paid_reports::routes());
    routes
}

/// Every GraphQL document the REST layer runs, as the routes register them (each once, in route
/// order): `opsgraph export-operations` prints them for CI's graphql-js check, and debug builds
/// refuse to run a document missing from this list.
pub fn documents() -> Vec<&'static str> {
    let mut documents: Vec<&'static str> = Vec::new();
    for route in routes() {
        for &document in route.documents {
            // Several routes run the same document (the market under both prefixes).
            if !documents.contains(&document) {
                documents.push(document);
            }
        }
    }
    documents
}

/// The router of every legacy URL, each with its body limit (axum's extractors and the raw
/// body both capped, so neither a `Bytes` handler nor a streaming one reads past it).
pub fn router(state: &AppState) -> Router<AppState> {
    routes().into_iter().fold(Router::new(), |router, route| {
        let limit = if route.doc.takes_upload() {
            MAX_UPLOAD_BODY_BYTES
        } else {
            MAX_BODY_BYTES
        };
        let handler = route
            .handler
            .layer::<_, Infallible>(DefaultBodyLimit::max(limit))
            .layer::<_, Infallible>(RequestBodyLimitLayer::new(limit))
            // Outermost: the caller is known and admitted before anything reads the body.
            .layer::<_, Infallible>(middleware::from_fn_with_state(
                (state.clone(), route.doc.access),
                admit,
            ));
        // Routes on one path merge into one method router.
        router.route(&route.path, handler)
    })
}

/// Middleware of every legacy route: resolves the caller once and admits it per the route's
/// [`Access`], so 401 and 403 come before any parameter is read (a refused caller learns
/// nothing of the route's validation). Handlers get the caller as an `Extension<Auth>`. The
/// resolvers' guards check again below: REST and GraphQL share them.
async fn admit(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let checked = match access {
        // The login reads a password, not credentials.
        Access::Login => Ok(Auth::default()),
        _ => crate::auth::credentials::from_headers(&state, request.headers())
            .await
            .and_then(|auth| {
                let refused = match access {
                    Access::Member => auth.member().err(),
                    Access::Staff(permission) => auth.require(permission).err(),
                    Access::Public | Access::Login => None,
                };
                refused.map_or(Ok(auth), Err)
            }),
    };
    match checked {
        Ok(auth) => {
            request.extensions_mut().insert(auth);
            next.run(request).await
        }
        Err(e) => Family::of(request.uri().path()).error(e),
    }
}

/// The legacy families, told apart by URL: each has its own envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `/server/userinfo/`, `/market/`, `/program_face2face/`, `/userinfo/`: DRF.
    KidsCoding,
    /// `/custommanage/`: `{code, msg, data}`.
    Merchants,
    /// `/api/`: `{status, data}`.
    PaidReports,
}

impl Family {
    /// The family of a legacy URL; none for opsgraph's own (`/graphql`, `/healthz`, …).
    pub fn of_legacy(path: &str) -> Option<Family> {
        const ROOTS: &[&str] = &[
            "/api/",
            "/custommanage",
            "/server/",
            "/market/",
            "/program_face2face/",
            "/userinfo/",
        ];
        ROOTS
            .iter()
            .any(|r| path.starts_with(r))
            .then(|| Family::of(path))
    }

    /// The family a path belongs to (DRF's envelope for a path of none).
    pub fn of(path: &str) -> Family {
        if path.starts_with("/api/") {
            Family::PaidReports
        } else if path.starts_with("/custommanage") {
            Family::Merchants
        } else {
            Family::KidsCoding
        }
    }

    /// The HTTP status of `code` in this family. One exhaustive table, so a new code does not
    /// compile until every family answers it: DRF answers every error of the request's own
    /// making 400 (a conflict too, as a DRF validator refuses it); the merchant pages a
    /// conflict 409; the paid-reports clients a throttled login 429 (beside the seed's 400,
    /// 401 and 403).
    pub fn status(self, code: ErrorCode) -> StatusCode {
        use ErrorCode as C;
        let (kids_coding, merchants, paid_reports) = match code {
            C::Unauthenticated => (401, 401, 401),
            C::Forbidden => (403, 403, 403),
            C::NotFound => (404, 404, 404),
            C::Conflict => (400, 409, 400),
            C::RateLimited => (400, 400, 429),
            C::Busy => (503, 503, 503),
            C::InternalServerError => (500, 500, 500),
            C::BadUserInput
            | C::InsufficientDiamonds
            | C::ProductUnavailable
            | C::StorageNotConfigured
            | C::CannotDisableSelf
            | C::LastSuperuser
            | C::RoleInUse => (400, 400, 400),
        };
        let status = match self {
            Family::KidsCoding => kids_coding,
            Family::Merchants => merchants,
            Family::PaidReports => paid_reports,
        };
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// `error` in this family's envelope, its body written by `body` from the error and the
    /// status this family answers its code with. Every family logs an internal error's detail
    /// (never answering it) and keeps a throttled call's `Retry-After` the same way.
    pub fn answer(
        self,
        error: AppError,
        body: impl FnOnce(AppError, StatusCode) -> Response,
    ) -> Response {
        if let AppError::Internal(detail) = &error {
            crate::error::log_internal(detail);
        }
        let retry_after = error.retry_after();
        let status = self.status(error.code());
        crate::web::retry_after(body(error, status), retry_after)
    }

    /// An error in this family's envelope.
    pub fn error(self, error: AppError) -> Response {
        match self {
            Family::KidsCoding => kids_coding::envelope::KidsCodingError(error).into_response(),
            Family::Merchants => merchants::envelope::MerchantsError(error).into_response(),
            Family::PaidReports => paid_reports::envelope::PaidReportsError(error).into_response(),
        }
    }

    /// A refusal in this family's envelope, for answers given outside any handler.
    pub fn refusal(self, status: StatusCode, message: &str) -> Response {
        let body = match self {
            Family::PaidReports => json!({ "status": 1, "error": message, "errors": {} }),
            Family::Merchants => json!({ "code": status.as_u16(), "msg": message }),
            Family::KidsCoding => json!({ "detail": message }),
        };
        (status, Json(body)).into_response()
    }

    /// The schema of this family's failure bodies.
    pub fn error_schema(self) -> serde_json::Value {
        match self {
            Family::PaidReports => paid_reports::envelope::error_schema(),
            Family::Merchants => merchants::envelope::error_schema(),
            Family::KidsCoding => kids_coding::envelope::error_schema(),
        }
    }
}

/// Declares a family's error type `$name`: an [`AppError`] a handler
/// returns, answered by [`Family::answer`] with the body `$body` writes. The three envelopes
/// differ only in that body.
macro_rules! family_error {
    ($name:ident, $family:expr, $body:path) => {
        #[doc = concat!("An error answered in the [`", stringify!($family), "`] envelope.")]
        #[derive(Debug)]
        pub struct $name(pub AppError);

        impl From<AppError> for $name {
            fn from(e: AppError) -> Self {
                $name(e)
            }
        }

        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                $family.answer(self.0, $body)
            }
        }
    };
}
pub(crate) use family_error;

/// Middleware: a refusal given before any handler ran (a body over the limit, a timeout, a body
/// or path axum could not read) or a handler's panic comes as plain text from the layer or
/// extractor; each family's clients, and GraphQL's, get it in their own envelope instead, with
/// its status kept (a panic as the family's own internal error).
pub async fn envelope_refusals(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media == "application/json" || media.ends_with("+json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (message, code) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("Request body is too large.", "PAYLOAD_TOO_LARGE"),
        StatusCode::REQUEST_TIMEOUT => ("The request took too long.", "TIMEOUT"),
        StatusCode::INTERNAL_SERVER_ERROR => (
            crate::error::INTERNAL,
            ErrorCode::InternalServerError.as_str(),
        ),
        _ => (
            status.canonical_reason().unwrap_or("Request refused."),
            "BAD_REQUEST",
        ),
    };
    if path == GRAPHQL_PATH {
        return graphql_refusal(status, message, code);
    }
    match Family::of_legacy(&path) {
        Some(family) if status == StatusCode::INTERNAL_SERVER_ERROR => {
            family.error(AppError::Internal(crate::error::INTERNAL.into()))
        }
        Some(family) => family.refusal(status, message),
        None => response,
    }
}

/// The GraphQL endpoint's path: its refusals are GraphQL errors, not a legacy envelope.
const GRAPHQL_PATH: &str = "/graphql";

/// A GraphQL answer of one error with `code`, and `status`.
pub fn graphql_refusal(status: StatusCode, message: &str, code: &str) -> Response {
    let body =
        json!({ "data": null, "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// The answer for a URL no route serves.
pub async fn not_found(OriginalUri(uri): OriginalUri) -> Response {
    Family::of(uri.path()).refusal(StatusCode::NOT_FOUND, "Not found.")
}

/// The answer for a route called with a method it does not serve (the router adds `Allow`).
pub async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    let message = format!("Method \"{method}\" not allowed.");
    if uri.path() == GRAPHQL_PATH {
        return graphql_refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            &message,
            "METHOD_NOT_ALLOWED",
        );
    }
    Family::of(uri.path()).refusal(StatusCode::METHOD_NOT_ALLOWED, &message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::doc::Media;

    /// The status of every code in every family (kids coding, merchants, paid reports), as
    /// the legacy APIs answer.
    const STATUSES: &[(ErrorCode, [u16; 3])] = &[
        (ErrorCode::BadUserInput, [400, 400, 400]),
        (ErrorCode::Unauthenticated, [401, 401, 401]),
        (ErrorCode::Forbidden, [403, 403, 403]),
        (ErrorCode::NotFound, [404, 404, 404]),
        (ErrorCode::Conflict, [400, 409, 400]),
        (ErrorCode::Busy, [503, 503, 503]),
        (ErrorCode::InternalServerError, [500, 500, 500]),
        (ErrorCode::InsufficientDiamonds, [400, 400, 400]),
        (ErrorCode::ProductUnavailable, [400, 400, 400]),
        (ErrorCode::StorageNotConfigured, [400, 400, 400]),
        (ErrorCode::RateLimited, [400, 400, 429]),
        (ErrorCode::CannotDisableSelf, [400, 400, 400]),
        (ErrorCode::LastSuperuser, [400, 400, 400]),
        (ErrorCode::RoleInUse, [400, 400, 400]),
    ];

    /// A JSON answer is a GraphQL result reshaped, so a route documenting one registers the
    /// documents it runs (a download alone may run none).
    #[test]
    fn every_json_route_registers_its_documents() {
        for route in routes() {
            let answers_json = route.doc.answers.iter().any(|a| a.media == Media::Json);
            assert!(
                !answers_json || !route.documents.is_empty(),
                "{} {} answers JSON but registers no document (Route::runs)",
                route.method,
                route.path
            );
        }
    }

    /// The list has each document once, each with an operation name of its own, as
    /// `export-operations` writes them.
    #[test]
    fn documents_are_listed_once_each_with_their_own_name() {
        let catalogue = operation::catalogue().expect("every REST document parses");
        assert_eq!(catalogue.len(), documents().len());
        let mut documents = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for entry in &catalogue {
            let name = entry["name"].as_str().expect("a named operation");
            assert!(names.insert(name), "{name} named twice");
            assert!(
                documents.insert(entry["document"].clone()),
                "{name} listed twice"
            );
        }
    }

    #[test]
    fn every_code_has_a_status_in_every_family() {
        let families = [Family::KidsCoding, Family::Merchants, Family::PaidReports];
        for &code in ErrorCode::ALL {
            let expected = STATUSES
                .iter()
                .find(|(c, _)| *c == code)
                .unwrap_or_else(|| panic!("{code} has no row in STATUSES"))
                .1;
            for (family, want) in families.into_iter().zip(expected) {
                let status = family.error(AppError::from_code(code, "m".into())).status();
                assert_eq!(status.as_u16(), want, "{code} in {family:?}");
                assert_eq!(
                    status == StatusCode::INTERNAL_SERVER_ERROR,
                    code == ErrorCode::InternalServerError,
                    "{code} in {family:?}"
                );
            }
        }
    }
}
