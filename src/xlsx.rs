//! Spreadsheets: writing exports and templates, and reading uploads (umya-spreadsheet, behind
//! the zip checks below).
//!
//! Writing streams: a [`SheetWriter`] takes rows as they come and deflates them into the file,
//! so an export of a hundred thousand rows holds one page of rows and the compressed file, never
//! a model of every cell (umya-spreadsheet builds one, and needed a gigabyte for such an export:
//! BENCHMARKS.md, S8). User text is always written as an inline string, never guessed into a
//! number or a formula (`=`, `+`, `-`, `@` stay text: OWASP's formula injection).

use std::io::{Cursor, Read, Write};

use zip::{write::SimpleFileOptions, CompressionMethod, ZipWriter};

use crate::error::{AppError, AppResult};

/// The media type of an `.xlsx` file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    Number(f64),
}

/// Text as XML character data: escaped, and without the characters XML 1.0 cannot carry (C0
/// controls but tab, CR and LF; U+FFFE, U+FFFF): one such character in a stored name would make
/// Excel "repair" the whole file.
fn xml_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// The column letters of a 0-based index: 0 is A, 26 is AA.
fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
/// One font, no fills or borders but the required defaults, and the header row's bold style.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>"#;

/// A one-sheet workbook written row by row. CPU-bound (it deflates as it goes): feed it off the
/// async runtime.
pub struct SheetWriter {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    /// Rows written so far, the header included.
    rows: u32,
    /// One row's XML, reused.
    buffer: String,
}

fn zip_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("spreadsheet: {e}"))
}

impl SheetWriter {
    /// A workbook whose sheet `sheet_name` starts with the (bold) `headers` row.
    pub fn new(sheet_name: &str, headers: &[&str]) -> AppResult<Self> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1));
        let mut name = String::new();
        // Excel allows 31 characters and none of []:*?/\ in a sheet name.
        let cleaned: String = sheet_name
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .take(31)
            .collect();
        xml_text(&cleaned, &mut name);
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        for (path, text) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/workbook.xml", workbook.as_str()),
            ("xl/styles.xml", STYLES),
        ] {
            zip.start_file(path, options).map_err(zip_error)?;
            zip.write_all(text.as_bytes()).map_err(zip_error)?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .map_err(zip_error)?;
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        )
        .map_err(zip_error)?;
        let mut writer = SheetWriter {
            zip,
            rows: 0,
            buffer: String::new(),
        };
        let headers: Vec<Cell> = headers
            .iter()
            .map(|h| Cell::Text((*h).to_owned()))
            .collect();
        writer.write_row(&headers, true)?;
        Ok(writer)
    }

    fn write_row(&mut self, cells: &[Cell], bold: bool) -> AppResult<()> {
        self.rows += 1;
        let r = self.rows;
        let style = if bold { r#" s="1""# } else { "" };
        let b = &mut self.buffer;
        b.clear();
        b.push_str(&format!(r#"<row r="{r}">"#));
        for (c, cell) in cells.iter().enumerate() {
            let at = format!("{}{r}", column_name(c));
            match cell {
                Cell::Number(n) if n.is_finite() => {
                    b.push_str(&format!(r#"<c r="{at}"{style}><v>{n}</v></c>"#));
                }
                Cell::Number(_) => {}
                Cell::Text(text) => {
                    b.push_str(&format!(
                        r#"<c r="{at}"{style} t="inlineStr"><is><t xml:space="preserve">"#
                    ));
                    xml_text(text, b);
                    b.push_str("</t></is></c>");
                }
            }
        }
        b.push_str("</row>");
        self.zip.write_all(b.as_bytes()).map_err(zip_error)
    }

    /// Appends one row.
    pub fn row(&mut self, cells: &[Cell]) -> AppResult<()> {
        self.write_row(cells, false)
    }

    /// The finished file.
    pub fn finish(mut self) -> AppResult<Vec<u8>> {
        self.zip
            .write_all(b"</sheetData></worksheet>")
            .map_err(zip_error)?;
        Ok(self.zip.finish().map_err(zip_error)?.into_inner())
    }
}

impl SheetWriter {
    /// Appends `rows` off the async runtime and hands the writer back: how an export feeds it
    /// page by page.
    pub async fn append(self, rows: Vec<Vec<Cell>>) -> AppResult<Self> {
        tokio::task::spawn_blocking(move || {
            let mut writer = self;
            for row in &rows {
                writer.row(row)?;
            }
            Ok(writer)
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// [`SheetWriter::finish`], off the async runtime.
    pub async fn finished(self) -> AppResult<Vec<u8>> {
        tokio::task::spawn_blocking(move || self.finish())
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    }
}

/// A one-sheet workbook: a header row, then `rows`. CPU-bound: call it off the async runtime.
pub fn write(sheet_name: &str, headers: &[&str], rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    let mut writer = SheetWriter::new(sheet_name, headers)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.finish()
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
