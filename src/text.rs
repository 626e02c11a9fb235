//! Text rules the domains' inputs share.

/// `text` trimmed, or `None` when it is absent or blank: an optional filter or field that is
/// left empty means "not given".
pub fn non_blank(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}
