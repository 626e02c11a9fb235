//! The one error type. Services return it; the GraphQL layer turns it into an error with
//! `extensions.code`, and each REST family turns it back into its own envelope (see `rest/`).

use async_graphql::ErrorExtensions;

/// Declares [`ErrorCode`] once: each variant beside its `extensions.code` text, from which
/// `ALL`, `as_str` and `parse` are derived (so no list of codes is kept by hand).
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Every `extensions.code` an [`AppError`] carries. The GraphQL layer writes it, the REST
        /// layer reads it back ([`AppError::from_graphql`]) and each family maps it to a status
        /// with an exhaustive match, so a new code cannot reach a client as a 500 unnoticed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as GraphQL clients see it (`BAD_USER_INPUT`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    /// Input that breaks a rule ([`AppError::BadInput`]).
    BadUserInput = "BAD_USER_INPUT",
    /// [`AppError::Unauthenticated`].
    Unauthenticated = "UNAUTHENTICATED",
    /// [`AppError::Forbidden`].
    Forbidden = "FORBIDDEN",
    /// [`AppError::NotFound`].
    NotFound = "NOT_FOUND",
    /// [`AppError::Conflict`].
    Conflict = "CONFLICT",
    /// [`AppError::Busy`].
    Busy = "BUSY",
    /// [`AppError::Internal`].
    InternalServerError = "INTERNAL_SERVER_ERROR",
    /// Rule: the member has fewer diamonds than the product costs.
    InsufficientDiamonds = "INSUFFICIENT_DIAMONDS",
    /// Rule: the product is off sale, sold out, or its price changed.
    ProductUnavailable = "PRODUCT_UNAVAILABLE",
    /// Rule: signing needs storage keys this deployment has not configured.
    StorageNotConfigured = "STORAGE_NOT_CONFIGURED",
    /// Rule: too many failed logins; try again later.
    RateLimited = "RATE_LIMITED",
    /// Rule: an operator may not disable their own account.
    CannotDisableSelf = "CANNOT_DISABLE_SELF",
    /// Rule: the last active superuser may not be disabled or given another role.
    LastSuperuser = "LAST_SUPERUSER",
    /// Rule: a role some account holds may not be deleted.
    RoleInUse = "ROLE_IN_USE",
}

impl ErrorCode {
    /// The code of `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure a request can meet.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; `field` names the GraphQL input field at fault, when one is
    /// (the REST layer translates it to the legacy parameter name).
    #[error("{message}")]
    BadInput {
        field: Option<String>,
        message: String,
    },
    /// No credentials, or credentials that are not (or no longer) valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials without the permission the operation needs.
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist, or is not the caller's to see.
    #[error("{0}")]
    NotFound(String),
    /// The write collides with existing data (a taken name, a duplicate).
    #[error("{0}")]
    Conflict(String),
    /// A business rule refused the operation; `code` is its GraphQL `extensions.code`.
    #[error("{message}")]
    Rule { code: ErrorCode, message: String },
    /// The server has no room for the work now (every spreadsheet job's place is taken); the
    /// caller may try again after `retry_after_secs`. REST answers 503 with `Retry-After`.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_secs: u64,
    },
    /// Anything else. The detail is logged, never shown.
    #[error("internal server error")]
    Internal(String),
}

/// A field as an error names it: `field`, the GraphQL input path (`whiteList.0.readCount`),
/// goes in `extensions.field`; `label` is the name the message shows, the legacy parameter's
/// (`white_list.0.read_count`), since the legacy answers keep their messages. The REST layer
/// turns `field` back into the legacy name with its own field tables.
#[derive(Clone, Copy, Debug)]
pub struct FieldName<'a> {
    pub field: &'a str,
    pub label: &'a str,
}

impl<'a> FieldName<'a> {
    /// A field both interfaces call `name`.
    pub const fn alike(name: &'a str) -> Self {
        FieldName {
            field: name,
            label: name,
        }
    }

    /// A field GraphQL calls `field` and the legacy API `label`.
    pub const fn new(field: &'a str, label: &'a str) -> Self {
        FieldName { field, label }
    }
}

/// The crate-wide result.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A bad value of one field, named as the GraphQL input names it (`followUp`,
    /// `whiteList.0`).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// Bad input not tied to one field.
    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::BadInput {
            field: None,
            message: message.into(),
        }
    }

    /// A business rule's refusal; `code` is a rule's own (not `NOT_FOUND` and the like, which
    /// have their variants).
    pub fn rule(code: ErrorCode, message: impl Into<String>) -> Self {
        debug_assert!(
            matches!(
                AppError::from_code(code, String::new()),
                AppError::Rule { .. }
            ),
            "{code} is no rule's code"
        );
        AppError::Rule {
            code,
            message: message.into(),
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::BadInput { .. } => ErrorCode::BadUserInput,
            AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Conflict(_) => ErrorCode::Conflict,
            AppError::Rule { code, .. } => *code,
            AppError::Busy { .. } => ErrorCode::Busy,
            AppError::Internal(_) => ErrorCode::InternalServerError,
        }
    }

    /// The error `code` stands for, with `message` (no field; a retry after one second).
    pub fn from_code(code: ErrorCode, message: String) -> Self {
        match code {
            ErrorCode::BadUserInput => AppError::bad_input(message),
            ErrorCode::Unauthenticated => AppError::Unauthenticated(message),
            ErrorCode::Forbidden => AppError::Forbidden(message),
            ErrorCode::NotFound => AppError::NotFound(message),
            ErrorCode::Conflict => AppError::Conflict(message),
            ErrorCode::Busy => AppError::Busy {
                message,
                retry_after_secs: 1,
            },
            ErrorCode::InternalServerError => AppError::Internal(message),
            ErrorCode::InsufficientDiamonds
            | ErrorCode::ProductUnavailable
            | ErrorCode::StorageNotConfigured
            | ErrorCode::RateLimited
            | ErrorCode::CannotDisableSelf
            | ErrorCode::LastSuperuser
            | ErrorCode::RoleInUse => AppError::Rule { code, message },
        }
    }

    /// Rebuilds the error from a GraphQL error's message and extensions: how the REST layer
    /// learns what went wrong in the operation it ran.
    pub fn from_graphql(err: &async_graphql::ServerError) -> Self {
        let ext = err.extensions.as_ref();
        let message = err.message.clone();
        let get = |key: &str| ext.and_then(|e| e.get(key));
        let code = match get("code") {
            Some(async_graphql::Value::String(text)) => text,
            // A resolver's error without a code is a fault of ours; errors without a code and
            // without a path come from validating the document or variables: the request did
            // not fit the schema.
            _ if !err.path.is_empty() => return AppError::Internal(message),
            _ => return AppError::bad_input(message),
        };
        // A code no `ErrorCode` names (a GraphQL-endpoint refusal such as `QUERY_TOO_DEEP`)
        // cannot come from the REST layer's own documents: a fault of ours.
        let Some(code) = ErrorCode::parse(code) else {
            return AppError::Internal(message);
        };
        let mut error = AppError::from_code(code, message);
        match &mut error {
            AppError::BadInput { field, .. } => {
                if let Some(async_graphql::Value::String(name)) = get("field") {
                    *field = Some(name.clone());
                }
            }
            AppError::Busy {
                retry_after_secs, ..
            } => {
                if let Some(async_graphql::Value::Number(n)) = get("retryAfter") {
                    *retry_after_secs = n.as_u64().unwrap_or(1);
                }
            }
            _ => {}
        }
        error
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        let text = err.to_string();
        // PostgreSQL refuses NUL in text (SQLSTATE 22021): that is the input's fault, whichever
        // interface let it through.
        if text.contains("0x00") || text.contains("22021") {
            return AppError::bad_input("Null characters are not allowed.");
        }
        AppError::Internal(text)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

impl AppError {
    /// Seconds to wait before trying again, for an error that says so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Busy {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

/// What a caller sees of an internal error.
pub const INTERNAL: &str = "internal server error";

/// Logs an internal error's detail, which the caller never sees, with phone numbers and other
/// long digit runs masked. A detail that is already the generic text was logged where it began.
pub fn log_internal(detail: &str) {
    if detail != INTERNAL {
        tracing::error!(detail = %redact(detail), "internal error");
    }
}

/// `text` with every run of 7 or more digits masked but its first 3 and last 2
/// (`138******36`): database errors quote the values they choke on, phone numbers among them.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 7 {
            out.push_str(&run[..3]);
            out.extend(std::iter::repeat_n('*', run.len() - 5));
            out.push_str(&run[run.len() - 2..]);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            AppError::Internal(detail) => {
                log_internal(detail);
                INTERNAL.to_owned()
            }
            other => other.to_string(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", self.code().as_str());
            if let AppError::BadInput {
                field: Some(field), ..
            } = self
            {
                e.set("field", field.as_str());
            }
            if let AppError::Busy {
                retry_after_secs, ..
            } = self
            {
                e.set("retryAfter", *retry_after_secs);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{redact, AppError, ErrorCode};
    use async_graphql::ErrorExtensions;

    #[test]
    fn every_code_parses_back_and_survives_graphql() {
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let error = AppError::from_code(code, "m".into());
            assert_eq!(error.code(), code);
            let server_error = error.extend().into_server_error(Default::default());
            assert_eq!(AppError::from_graphql(&server_error).code(), code);
        }
        assert_eq!(ErrorCode::parse("NO_SUCH_CODE"), None);
    }

    #[test]
    fn the_field_and_the_retry_survive_graphql() {
        let through =
            |e: AppError| AppError::from_graphql(&e.extend().into_server_error(Default::default()));
        match through(AppError::field("followUp", "bad")) {
            AppError::BadInput { field, message } => {
                assert_eq!(
                    (field.as_deref(), message.as_str()),
                    (Some("followUp"), "bad")
                )
            }
            other => panic!("{other:?}"),
        }
        let busy = AppError::Busy {
            message: "later".into(),
            retry_after_secs: 7,
        };
        assert_eq!(through(busy).retry_after(), Some(7));
    }

    #[test]
    fn long_digit_runs_are_masked() {
        assert_eq!(
            redact("Key (mobile)=(13800131036) already exists; id 42"),
            "Key (mobile)=(138******36) already exists; id 42"
        );
        assert_eq!(redact("2022-06-16 1234567"), "2022-06-16 123**67");
    }
}
