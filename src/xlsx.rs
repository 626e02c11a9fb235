//! Writing spreadsheets (umya-spreadsheet). User text is always written as a string cell,
//! never guessed into a number or a formula (`=`, `+`, `-`, `@` stay text: OWASP's formula
//! injection).

use std::io::{Cursor, Read};

use crate::error::{AppError, AppResult};

/// The media type of an `.xlsx` file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Number(f64),
}

/// Text without the control characters XML 1.0 cannot carry (all of C0 but tab, CR and LF):
/// one such character in a stored name would make Excel "repair" the whole file.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r') || (*c as u32) > 0x1f)
        .collect()
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
            .set_value_string(printable(header));
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let target = sheet.cell_mut((c as u32 + 1, r as u32 + 2));
            match cell {
                Cell::Text(text) => target.set_value_string(printable(text)),
                Cell::Number(n) => target.set_value_number(*n),
            };
        }
    }
    let mut out = Cursor::new(Vec::new());
    umya_spreadsheet::writer::xlsx::write_writer(&book, &mut out)
        .map_err(|e| AppError::Internal(format!("spreadsheet: {e}")))?;
    Ok(out.into_inner())
}

/// Rows a read sheet may span.
pub const MAX_SHEET_ROWS: u32 = 200_000;
/// Columns a read sheet may span.
pub const MAX_SHEET_COLUMNS: u32 = 64;

/// How much an uploaded workbook may be: checked before anything parses it.
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    /// The file itself.
    pub max_bytes: usize,
    /// Parts inside the zip.
    pub max_entries: usize,
    /// All parts, uncompressed, as the zip declares them (reads stop at the declared size).
    pub max_uncompressed: u64,
    /// Uncompressed to compressed, per part: zip bombs compress thousands of times.
    pub max_ratio: u64,
}

/// Limits for spreadsheets of up to some hundred thousand rows.
pub const UPLOAD_LIMITS: UploadLimits = UploadLimits {
    max_bytes: 10 * 1024 * 1024,
    max_entries: 200,
    max_uncompressed: 200 * 1024 * 1024,
    max_ratio: 200,
};

/// Refuses what is not a sane `.xlsx` before the parser sees it: too large, not a zip, too many
/// parts, too large uncompressed, or compressed suspiciously well.
pub fn check_upload(bytes: &[u8], limits: UploadLimits) -> AppResult<()> {
    if bytes.is_empty() {
        return Err(AppError::field("file", "文件为空"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(AppError::field(
            "file",
            format!("文件过大: 最大 {} MB", limits.max_bytes / 1024 / 1024),
        ));
    }
    let not_xlsx = || AppError::field("file", "文件不是有效的 xlsx 表格");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if zip.len() > limits.max_entries {
        return Err(AppError::field("file", "xlsx 内部文件过多"));
    }
    let mut total = 0u64;
    let mut has_workbook = false;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| not_xlsx())?;
        has_workbook |= entry.name() == "xl/workbook.xml";
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed > limits.max_ratio {
            return Err(AppError::field("file", "xlsx 压缩比异常"));
        }
    }
    if total > limits.max_uncompressed {
        return Err(AppError::field("file", "xlsx 解压后过大"));
    }
    // The declared sizes are the file's own claim, and the parser's decompressor does not stop
    // at them: inflate every part, capped, and refuse one that yields more than it declared.
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| not_xlsx())?;
        let declared = entry.size();
        let inflated = std::io::copy(&mut (&mut entry).take(declared + 1), &mut std::io::sink())
            .map_err(|_| not_xlsx())?;
        if inflated > declared {
            return Err(AppError::field("file", "xlsx 内部文件大小与声明不符"));
        }
    }
    if !has_workbook {
        return Err(not_xlsx());
    }
    Ok(())
}

/// The first sheet's cells as text, row by row (trailing empty rows dropped). Checks the upload
/// first; parses off the async runtime, and a parser panic on a malformed file is a 400, not a
/// crash.
pub async fn read_first_sheet(bytes: Vec<u8>) -> AppResult<Vec<Vec<String>>> {
    tokio::task::spawn_blocking(move || -> AppResult<Vec<Vec<String>>> {
        check_upload(&bytes, UPLOAD_LIMITS)?;
        let parsed = std::panic::catch_unwind(move || {
            let book = umya_spreadsheet::reader::xlsx::read_reader(Cursor::new(bytes), true)
                .map_err(|_| AppError::field("file", "文件不是有效的 xlsx 表格"))?;
            let sheet = book
                .sheet(0)
                .map_err(|_| AppError::field("file", "表格中没有工作表"))?;
            let (cols, rows) = sheet.highest_column_and_row();
            // The extent comes from the highest cell address: a sheet with one cell at XFD1048576
            // would be a grid of billions. Refuse what no whitelist needs.
            if cols > MAX_SHEET_COLUMNS || rows > MAX_SHEET_ROWS {
                return Err(AppError::field(
                    "file",
                    format!("表格过大: 最多 {MAX_SHEET_ROWS} 行, {MAX_SHEET_COLUMNS} 列"),
                ));
            }
            let mut out = Vec::with_capacity(rows as usize);
            for r in 1..=rows {
                out.push((1..=cols).map(|c| sheet.value((c, r))).collect::<Vec<_>>());
            }
            while out
                .last()
                .is_some_and(|row| row.iter().all(|c| c.trim().is_empty()))
            {
                out.pop();
            }
            Ok(out)
        });
        match parsed {
            Ok(result) => result,
            Err(_) => Err(AppError::field("file", "文件已损坏, 无法解析")),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}
