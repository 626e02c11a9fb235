//! Page-number pagination, shared by every list: `page` from 1, `pageSize` up to 100.

use crate::error::{AppError, AppResult};

/// The largest page a client may ask for; larger sizes are capped, as DRF caps them.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The page size when none is given.
pub const DEFAULT_PAGE_SIZE: u64 = 10;

/// A validated page request.
#[derive(Clone, Copy, Debug)]
pub struct PageArgs {
    pub page: u64,
    pub page_size: u64,
}

/// The message of an out-of-range page, DRF's wording.
pub const INVALID_PAGE: &str = "Invalid page.";

impl PageArgs {
    /// Checks `page` (from 1) and `page_size` (from 1, capped at `max`).
    pub fn new(page: Option<i32>, page_size: Option<i32>, max: u64) -> AppResult<Self> {
        let page = page.unwrap_or(1);
        if page < 1 {
            return Err(AppError::NotFound(INVALID_PAGE.into()));
        }
        let page_size = match page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 1 => {
                return Err(AppError::field("pageSize", "pageSize must be at least 1"))
            }
            Some(n) => (n as u64).min(max),
        };
        Ok(PageArgs {
            page: page as u64,
            page_size,
        })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }

    /// A page past the last one is an error, except the first page of an empty list.
    pub fn check_in_range(&self, total: u64) -> AppResult<()> {
        if self.page > 1 && self.offset() >= total {
            return Err(AppError::NotFound(INVALID_PAGE.into()));
        }
        Ok(())
    }
}

/// Declares a page type of `$item`: `totalCount`, `page`, `pageSize`, `items`.
#[macro_export]
macro_rules! page_type {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// Rows matching the filter, on all pages.
            pub total_count: u64,
            /// This page's number, from 1.
            pub page: u64,
            /// Rows per page.
            pub page_size: u64,
            /// This page's rows.
            pub items: Vec<$item>,
        }

        impl $name {
            /// The page `args` asked for, of `total` rows in all, holding `items`.
            pub fn new(
                args: $crate::graphql::page::PageArgs,
                total: u64,
                items: impl IntoIterator<Item = $item>,
            ) -> Self {
                $name {
                    total_count: total,
                    page: args.page,
                    page_size: args.page_size,
                    items: items.into_iter().collect(),
                }
            }
        }
    };
}
