//! The GraphQL playground at `/graphiql`, served from the binary: GraphiQL bundled from the npm
//! packages pinned in `playground/package-lock.json` (`node build.mjs` there writes the files to
//! `assets/graphiql/`, outside `src/` as they are not Rust; CI rebuilds them and fails on a
//! difference). Nothing is fetched from a CDN,
//! which intranet and mainland-China deployments often cannot reach.
//!
//! The script and style are served under names carrying their content's hash
//! (`graphiql.<hash>.js`), cached for a year: a new build has new names, which the page (always
//! revalidated) links. Their plain names still answer, revalidated each time, for a page
//! fetched before.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// The page works under this policy: scripts and styles from the server only (GraphiQL's
/// dialogs set inline styles).
const CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'";

/// What a hashed name may be cached for: a year, never revalidated (its content cannot change).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One embedded file with its validator and its hashed name.
struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
    /// Its plain name, `graphiql.js`.
    name: &'static str,
    /// `graphiql.<hash>.js` for `graphiql.js`.
    hashed_name: String,
}

fn asset(name: &'static str, bytes: &'static [u8], content_type: &'static str) -> Asset {
    use sha2::Digest;
    let digest = hex::encode(&sha2::Sha256::digest(bytes)[..12]);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    Asset {
        bytes,
        content_type,
        etag: HeaderValue::from_str(&format!("\"{digest}\""))
            .unwrap_or(HeaderValue::from_static("\"0\"")),
        name,
        hashed_name: format!("{stem}.{}.{extension}", &digest[..16]),
    }
}

static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "graphiql.js",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/graphiql/graphiql.js"
        )),
        "text/javascript; charset=utf-8",
    )
});
static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    asset(
        "graphiql.css",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/graphiql/graphiql.css"
        )),
        "text/css; charset=utf-8",
    )
});
/// The page, linking the hashed names.
static PAGE: LazyLock<Asset> = LazyLock::new(|| {
    let page = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/graphiql/index.html"
    ))
    .replace(
        "/graphiql/graphiql.js",
        &format!("/graphiql/{}", SCRIPT.hashed_name),
    )
    .replace(
        "/graphiql/graphiql.css",
        &format!("/graphiql/{}", STYLE.hashed_name),
    );
    // Built once per process: leaking it gives the page the same `'static` life as the others.
    let page: &'static str = Box::leak(page.into_boxed_str());
    asset("index.html", page.as_bytes(), "text/html; charset=utf-8")
});

/// Answers an asset, or 304 when the client holds this version, with `cache_control`.
fn serve(asset: &Asset, headers: &HeaderMap, cache_control: &'static str) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

/// `GET /graphiql`: revalidated every time (`no-cache`; the ETag keeps that cheap), so a new
/// build's asset names reach the browser at once.
pub async fn page(headers: HeaderMap) -> Response {
    serve(&PAGE, &headers, "no-cache")
}

/// `GET /graphiql/{asset}`: the script or the style, by hashed name (cached for good) or by
/// plain name (revalidated).
pub async fn asset_file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    for asset in [&*SCRIPT, &*STYLE] {
        if name == asset.hashed_name {
            return serve(asset, &headers, IMMUTABLE);
        }
        if name == asset.name {
            return serve(asset, &headers, "no-cache");
        }
    }
    crate::rest::Family::of(&name).refusal(StatusCode::NOT_FOUND, "Not found.")
}
