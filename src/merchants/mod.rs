//! Merchant management (`merchant-management.txt`): the geography and station index, merchant
//! search (with Excel export), shop edits and new shops. `service` holds the rules, `schema`
//! the GraphQL fields, `types` the GraphQL objects, `loaders` the dataloaders.

pub mod loaders;
pub mod schema;
pub mod service;
pub mod types;

/// `KID` of an account id: `K` and the id zero-padded to 6 digits (CONTRACT.md §9).
pub fn kid(account_id: i32) -> String {
    format!("K{account_id:06}")
}

/// `SID` of a shop id: `S` and the id.
pub fn sid(shop_id: i32) -> String {
    format!("S{shop_id}")
}

/// The number inside a `KID`/`SID` (`K073655`, `S281196`), or a bare number.
pub fn parse_prefixed(text: &str, prefix: char) -> Option<i32> {
    let text = text.trim();
    let digits = text
        .strip_prefix(prefix)
        .or_else(|| text.strip_prefix(prefix.to_ascii_lowercase()))
        .unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        assert_eq!(kid(73655), "K073655");
        assert_eq!(sid(281196), "S281196");
        assert_eq!(parse_prefixed("K073655", 'K'), Some(73655));
        assert_eq!(parse_prefixed("73655", 'K'), Some(73655));
        assert_eq!(parse_prefixed("S281196", 'S'), Some(281196));
        assert_eq!(parse_prefixed("S-1", 'S'), None);
        assert_eq!(parse_prefixed("K", 'K'), None);
        assert_eq!(parse_prefixed("X12", 'S'), None);
    }
}
