//! Writing spreadsheets (umya-spreadsheet). User text is always written as a string cell,
//! never guessed into a number or a formula (`=`, `+`, `-`, `@` stay text: OWASP's formula
//! injection).

use std::io::Cursor;

use crate::error::{AppError, AppResult};

/// The media type of an `.xlsx` file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Number(f64),
}

/// A one-sheet workbook: a header row, then `rows`. CPU-bound: call it off the async runtime.
pub fn write(sheet_name: &str, headers: &[&str], rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    let mut book = umya_spreadsheet::new_file();
    let sheet = book
        .sheet_mut(0)
        .map_err(|e| AppError::Internal(format!("spreadsheet: {e}")))?;
    sheet.set_name(sheet_name);
    for (col, header) in headers.iter().enumerate() {
        sheet
            .cell_mut((col as u32 + 1, 1))
            .set_value_string(*header);
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let target = sheet.cell_mut((c as u32 + 1, r as u32 + 2));
            match cell {
                Cell::Text(text) => target.set_value_string(text.as_str()),
                Cell::Number(n) => target.set_value_number(*n),
            };
        }
    }
    let mut out = Cursor::new(Vec::new());
    umya_spreadsheet::writer::xlsx::write_writer(&book, &mut out)
        .map_err(|e| AppError::Internal(format!("spreadsheet: {e}")))?;
    Ok(out.into_inner())
}
