//! Spreadsheets: writing exports and templates (`write.rs`), and reading uploads (`read.rs`:
//! umya-spreadsheet, behind zip checks).
//!
//! Writing streams: a [`SheetWriter`] takes rows as they come and deflates them into the file,
//! so an export of a hundred thousand rows holds one page of rows and the compressed file, never
//! a model of every cell (umya-spreadsheet builds one, and needed a gigabyte for such an export:
//! BENCHMARKS.md, S8). User text is always written as an inline string, never guessed into a
//! number or a formula (`=`, `+`, `-`, `@` stay text: OWASP's formula injection).

mod read;
mod write;

pub use read::{
    check_upload, read_first_sheet, UploadLimits, MAX_SHEET_CELLS, MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS, UPLOAD_LIMITS,
};
pub use write::{write, SheetWriter};

/// The media type of an `.xlsx` file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Number(f64),
}
