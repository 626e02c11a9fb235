//! Writing a one-sheet workbook as a stream of rows.

use std::io::{Cursor, Write};

use zip::{write::SimpleFileOptions, CompressionMethod, ZipWriter};

use super::Cell;
use crate::error::{AppError, AppResult};

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
