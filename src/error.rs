//! The one error type. Services return it; the GraphQL layer turns it into an error with
//! `extensions.code`, and each REST family turns it back into its own envelope (see `rest/`).

use async_graphql::ErrorExtensions;

/// Every failure a request can meet.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; `field` names the legacy field (snake_case) when one is at fault.
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
    Rule { code: &'static str, message: String },
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

/// The crate-wide result.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A bad value of one field.
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

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadInput { .. } => "BAD_USER_INPUT",
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Conflict(_) => "CONFLICT",
            AppError::Rule { code, .. } => code,
            AppError::Busy { .. } => "BUSY",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// Rebuilds the error from a GraphQL error's message and extensions: how the REST layer
    /// learns what went wrong in the operation it ran.
    pub fn from_graphql(err: &async_graphql::ServerError) -> Self {
        let ext = err.extensions.as_ref();
        let get = |key: &str| match ext.and_then(|e| e.get(key)) {
            Some(async_graphql::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let message = err.message.clone();
        match get("code").as_deref() {
            Some("BUSY") => AppError::Busy {
                message,
                retry_after_secs: match ext.and_then(|e| e.get("retryAfter")) {
                    Some(async_graphql::Value::Number(n)) => n.as_u64().unwrap_or(1),
                    _ => 1,
                },
            },
            Some("UNAUTHENTICATED") => AppError::Unauthenticated(message),
            Some("FORBIDDEN") => AppError::Forbidden(message),
            Some("NOT_FOUND") => AppError::NotFound(message),
            Some("CONFLICT") => AppError::Conflict(message),
            Some("INTERNAL_SERVER_ERROR") => AppError::Internal(message),
            Some("BAD_USER_INPUT") => AppError::BadInput {
                field: get("field"),
                message,
            },
            Some(other) => match RULE_CODES.iter().find(|c| **c == other) {
                Some(code) => AppError::Rule { code, message },
                None => AppError::Internal(message),
            },
            // A resolver's error without a code is a fault of ours; errors without a code and
            // without a path come from validating the document or variables: the request did
            // not fit the schema.
            None if !err.path.is_empty() => AppError::Internal(message),
            None => AppError::bad_input(message),
        }
    }
}

/// Codes of `AppError::Rule` that the REST layer can map back.
const RULE_CODES: &[&str] = &[
    "INSUFFICIENT_DIAMONDS",
    "PRODUCT_UNAVAILABLE",
    "STORAGE_NOT_CONFIGURED",
    "RATE_LIMITED",
];

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
            e.set("code", self.code());
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
    use super::redact;

    #[test]
    fn long_digit_runs_are_masked() {
        assert_eq!(
            redact("Key (mobile)=(13800131036) already exists; id 42"),
            "Key (mobile)=(138******36) already exists; id 42"
        );
        assert_eq!(redact("2022-06-16 1234567"), "2022-06-16 123**67");
    }
}
