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
        tracing::error!(error = %text, "database error");
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

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            AppError::Internal(_) => "internal server error".to_owned(),
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
        })
    }
}
