//! `POST /api/access/token`: the JWT login.

use super::envelope::{self, PaidReportsResult};
use crate::rest::prelude::*;

/// The login route.
pub(super) fn routes() -> Vec<Route> {
    vec![Route::new(
        Method::POST,
        "/api/access/token",
        post(access_token),
        Doc::new(
            "A JWT for an account (username or mobile) and password",
            Access::Login,
        )
        .fields(fields![
            "account": Str required,
            "password": Str required,
        ])
        .answer(
            200,
            envelope::ok_schema(from_document(ACCESS_TOKEN, "login")),
        )
        .errors(&[400, 429]),
    )
    .runs(&[ACCESS_TOKEN])]
}

const ACCESS_TOKEN: &str = "mutation AccessToken($account: String!, $password: String!) {
      login(account: $account, password: $password) {
        token token_method: tokenMethod token_type: tokenType expire_time: expireTime nickname
      }
    }";
/// `POST /api/access/token` (GET_BEARER_TOKEN): `account` (username or mobile) and `password`.
pub async fn access_token(
    State(state): State<AppState>,
    BodyFields(fields): BodyFields,
) -> PaidReportsResult {
    let fields = fields?;
    // Missing values go through as empty strings: the login rule answers them with the
    // seed's own "<field> 不能为空" message.
    let vars = json!({
        "account": fields.string("account")?.unwrap_or_default(),
        "password": fields.string("password")?.unwrap_or_default(),
    });
    let data = run(&state, Auth::default(), ACCESS_TOKEN, vars).await?;
    Ok(envelope::ok(take(data, "login")))
}
