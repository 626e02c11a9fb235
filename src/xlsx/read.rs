//! Reading an uploaded workbook: the zip and the first sheet's extent are checked before the
//! parser sees the file, then only the first sheet is parsed.

use std::io::{Cursor, Read};

use crate::error::{AppError, AppResult};

/// Rows a read sheet may span.
pub const MAX_SHEET_ROWS: u32 = 200_000;
/// Columns a read sheet may span.
pub const MAX_SHEET_COLUMNS: u32 = 64;
/// Cells a read sheet's extent may span (rows × columns): the reader fills that grid, so a
/// sheet with one cell at `BL200000` (12.8 million cells) is refused although each side alone
/// is allowed. Two million is a whitelist of 200,000 rows and 10 columns.
pub const MAX_SHEET_CELLS: u64 = 2_000_000;

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

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn not_xlsx() -> AppError {
    AppError::field("file", "文件不是有效的 xlsx 表格")
}

fn corrupt() -> AppError {
    AppError::field("file", "文件已损坏, 无法解析")
}

fn too_large() -> AppError {
    AppError::field(
        "file",
        format!("表格过大: 最多 {MAX_SHEET_ROWS} 行, {MAX_SHEET_COLUMNS} 列, 共 {MAX_SHEET_CELLS} 个单元格"),
    )
}

/// Refuses an extent of `columns` × `rows` past the sheet limits.
fn check_extent(columns: u64, rows: u64) -> AppResult<()> {
    if columns > u64::from(MAX_SHEET_COLUMNS)
        || rows > u64::from(MAX_SHEET_ROWS)
        || columns.saturating_mul(rows) > MAX_SHEET_CELLS
    {
        return Err(too_large());
    }
    Ok(())
}

/// The 1-based column and row of a cell reference (`BL200000`, `$A$1`); `None` when it is not
/// one. Numbers saturate: a reference too far to count is past every limit anyway.
fn cell_ref(text: &[u8]) -> Option<(u64, u64)> {
    let text: Vec<u8> = text.iter().copied().filter(|b| *b != b'$').collect();
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (col, row) = text.split_at(letters);
    if letters == 0 || row.is_empty() || !row.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let column = col.iter().fold(0u64, |n, b| {
        n.saturating_mul(26)
            .saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
    });
    let row = row.iter().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    Some((column, row))
}

/// A part by name the way the parser finds it: exactly, with backslashes, or ignoring case
/// (files written by some Windows tools).
fn part_index(zip: &Archive<'_>, name: &str) -> Option<usize> {
    let wanted = name.to_ascii_lowercase();
    zip.index_for_name(name)
        .or_else(|| zip.index_for_name(&name.replace('/', "\\")))
        .or_else(|| {
            zip.file_names()
                .find(|n| n.replace('\\', "/").to_ascii_lowercase() == wanted)
                .and_then(|n| zip.index_for_name(n))
        })
}

/// `path` with `.` and `..` segments resolved.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// An element met by [`scan_part`].
enum Tag<'a, 'b> {
    /// A start or empty (`true`) element, with its attributes.
    Open(&'a quick_xml::events::BytesStart<'b>, bool),
    /// An end element's local name.
    Close(&'a [u8]),
}

/// Streams the XML of part `index` (at most its declared size), calling `on_tag` with each
/// element until it answers `Ok(false)` (done) or an error. Memory is one element (or text run)
/// at a time, never the part.
fn scan_part(
    zip: &mut Archive<'_>,
    index: usize,
    mut on_tag: impl FnMut(Tag<'_, '_>) -> AppResult<bool>,
) -> AppResult<()> {
    use quick_xml::events::Event;
    let entry = zip.by_index(index).map_err(|_| not_xlsx())?;
    let declared = entry.size();
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry.take(declared)));
    let mut buffer = Vec::new();
    loop {
        let more = match reader.read_event_into(&mut buffer).map_err(|_| corrupt())? {
            Event::Start(e) => on_tag(Tag::Open(&e, false))?,
            Event::Empty(e) => on_tag(Tag::Open(&e, true))?,
            Event::End(e) => on_tag(Tag::Close(e.local_name().as_ref()))?,
            Event::Eof => false,
            _ => true,
        };
        if !more {
            return Ok(());
        }
        buffer.clear();
    }
}

/// The value of attribute `name` (unprefixed) of an element.
fn attribute(element: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<Vec<u8>> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// The part of the workbook's first sheet, found as the parser finds it: the first `<sheet>`
/// of `xl/workbook.xml`, its relationship in `xl/_rels/workbook.xml.rels`, the target resolved
/// against `xl/`. `None` when there is no such part (the parser then reads no cells).
fn first_sheet_part(zip: &mut Archive<'_>) -> AppResult<Option<usize>> {
    let Some(workbook) = part_index(zip, "xl/workbook.xml") else {
        return Err(not_xlsx());
    };
    let mut relationship = None;
    scan_part(zip, workbook, |tag| {
        let Tag::Open(e, _) = tag else {
            return Ok(true);
        };
        if e.local_name().as_ref() != b"sheet" {
            return Ok(true);
        }
        // `r:id`, whatever the prefix is called.
        relationship = e
            .attributes()
            .flatten()
            .find(|a| a.key.prefix().is_some() && a.key.local_name().as_ref() == b"id")
            .map(|a| a.value.into_owned());
        Ok(false)
    })?;
    let Some(relationship) = relationship else {
        return Ok(None);
    };
    let Some(rels) = part_index(zip, "xl/_rels/workbook.xml.rels") else {
        return Ok(None);
    };
    let mut target = None;
    scan_part(zip, rels, |tag| {
        if let Tag::Open(e, _) = tag {
            if e.local_name().as_ref() == b"Relationship"
                && attribute(e, b"Id").as_deref() == Some(relationship.as_slice())
            {
                target = attribute(e, b"Target");
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    let Some(target) = target.map(|t| String::from_utf8_lossy(&t).into_owned()) else {
        return Ok(None);
    };
    let target = target.strip_prefix("/xl/").unwrap_or(&target);
    let path = match target.strip_prefix('/') {
        Some(absolute) => normalize(absolute),
        None => normalize(&format!("xl/{target}")),
    };
    Ok(part_index(zip, &path))
}

/// Reads the first sheet's XML as a stream and refuses it, before any parser builds a cell,
/// when its declared `<dimension ref>` or any cell's address lies past the sheet limits, or
/// it holds more cells than the limit (addresses may repeat). The work is one pass over the
/// part, which the size checks have already bounded; a refusal usually comes at its first
/// lines, where `<dimension>` stands.
fn check_first_sheet(zip: &mut Archive<'_>) -> AppResult<()> {
    let Some(sheet) = first_sheet_part(zip)? else {
        return Ok(());
    };
    let (mut in_data, mut row, mut column, mut cells) = (false, 0u64, 0u64, 0u64);
    let (mut max_row, mut max_column) = (0u64, 0u64);
    scan_part(zip, sheet, |tag| {
        let (e, empty) = match tag {
            Tag::Open(e, empty) => (e, empty),
            // Nothing after the cells can make the sheet larger.
            Tag::Close(name) => return Ok(name != b"sheetData"),
        };
        match e.local_name().as_ref() {
            b"dimension" => {
                // `A1:BL200000` (either corner may come first), or a single cell.
                let range = attribute(e, b"ref").unwrap_or_default();
                for corner in range.split(|b| *b == b':') {
                    if let Some((c, r)) = cell_ref(corner) {
                        check_extent(c, r)?;
                    }
                }
            }
            b"sheetData" => in_data = !empty,
            b"row" if in_data => {
                // Rows and cells without an address follow the one before.
                row = match attribute(e, b"r") {
                    Some(r) => std::str::from_utf8(&r)
                        .ok()
                        .and_then(|r| r.trim().parse().ok())
                        .ok_or_else(corrupt)?,
                    None => row + 1,
                };
                column = 0;
                max_row = max_row.max(row);
                check_extent(max_column, max_row)?;
            }
            b"c" if in_data => {
                (column, row) = match attribute(e, b"r") {
                    Some(r) => cell_ref(&r).ok_or_else(corrupt)?,
                    None => (column + 1, row.max(1)),
                };
                cells += 1;
                max_row = max_row.max(row);
                max_column = max_column.max(column);
                check_extent(max_column, max_row)?;
                if cells > MAX_SHEET_CELLS {
                    return Err(too_large());
                }
            }
            _ => {}
        }
        Ok(true)
    })
}

/// Refuses what is not a sane `.xlsx` before the parser sees it: too large, not a zip, too many
/// parts, too large uncompressed, compressed suspiciously well, or a first sheet whose extent
/// is past the sheet limits.
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
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if zip.len() > limits.max_entries {
        return Err(AppError::field("file", "xlsx 内部文件过多"));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| not_xlsx())?;
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed > limits.max_ratio {
            return Err(AppError::field("file", "xlsx 压缩比异常"));
        }
    }
    if total > limits.max_uncompressed {
        return Err(AppError::field("file", "xlsx 解压后过大"));
    }
    // Before inflating everything: a sheet too large to read is refused from its first lines.
    check_first_sheet(&mut zip)?;
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
    Ok(())
}

/// The first sheet's cells as text, row by row (trailing empty rows dropped). Checks the upload
/// first; parses off the async runtime, only the first sheet (the others stay unparsed), and a
/// parser panic on a malformed file is a 400, not a crash. `permit`, the caller's place among
/// the sheet jobs ([`crate::state::SheetJobs`]), is held by the parse until it has ended, even
/// when the request that started it is gone, and handed back with the cells, which the caller
/// keeps while it works on them.
pub async fn read_first_sheet(
    bytes: Vec<u8>,
    permit: crate::state::SheetJobPermit,
) -> AppResult<(Vec<Vec<String>>, crate::state::SheetJobPermit)> {
    tokio::task::spawn_blocking(move || {
        check_upload(&bytes, UPLOAD_LIMITS)?;
        let parsed = std::panic::catch_unwind(move || {
            let mut book = umya_spreadsheet::reader::xlsx::read_reader(Cursor::new(bytes), false)
                .map_err(|_| not_xlsx())?;
            if book.sheet_count() == 0 {
                return Err(AppError::field("file", "表格中没有工作表"));
            }
            book.read_sheet(0);
            let sheet = book
                .sheet(0)
                .map_err(|_| AppError::field("file", "表格中没有工作表"))?;
            let (cols, rows) = sheet.highest_column_and_row();
            // Checked from the XML already; the parser's own count is the backstop.
            check_extent(u64::from(cols), u64::from(rows))?;
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
            Ok(result) => result.map(|cells| (cells, permit)),
            Err(_) => Err(corrupt()),
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::{write::SimpleFileOptions, ZipWriter};

    /// A workbook whose sheets are `sheets` (name, part path, XML), listed in that order, each
    /// related by `Target` as given.
    fn book(sheets: &[(&str, &str, String)]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        let mut listed = String::new();
        let mut related = String::new();
        for (i, (target, _, _)) in sheets.iter().enumerate() {
            listed.push_str(&format!(
                r#"<sheet name="s{i}" sheetId="{}" r:id="rId{}"/>"#,
                i + 1,
                i + 10
            ));
            related.push_str(&format!(
                r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>"#,
                i + 10
            ));
        }
        let workbook = format!(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{listed}</sheets></workbook>"#
        );
        let rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{related}</Relationships>"#
        );
        let mut parts = vec![
            ("xl/workbook.xml".to_owned(), workbook),
            ("xl/_rels/workbook.xml.rels".to_owned(), rels),
        ];
        for (_, part, xml) in sheets {
            parts.push(((*part).to_owned(), xml.clone()));
        }
        for (path, text) in parts {
            zip.start_file(path, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A sheet XML with `dimension` (if any) and one cell at each of `cells`.
    fn sheet(dimension: Option<&str>, cells: &[&str]) -> String {
        let dimension = dimension
            .map(|d| format!(r#"<dimension ref="{d}"/>"#))
            .unwrap_or_default();
        let cells: String = cells
            .iter()
            .map(|c| format!(r#"<row><c r="{c}"><v>1</v></c></row>"#))
            .collect();
        format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{cells}</sheetData></worksheet>"#
        )
    }

    fn check_one(dimension: Option<&str>, cells: &[&str]) -> AppResult<()> {
        let xml = sheet(dimension, cells);
        check_upload(
            &book(&[("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml", xml)]),
            UPLOAD_LIMITS,
        )
    }

    fn refused_as_too_large(result: AppResult<()>) -> bool {
        matches!(result, Err(AppError::BadInput { message, .. }) if message.starts_with("表格过大"))
    }

    #[test]
    fn cell_references_read_as_column_and_row() {
        assert_eq!(cell_ref(b"A1"), Some((1, 1)));
        assert_eq!(cell_ref(b"BL200000"), Some((64, 200_000)));
        assert_eq!(cell_ref(b"$b$3"), Some((2, 3)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((16_384, 1_048_576)));
        assert_eq!(cell_ref(b"ZZZZZZZZZZZZZZZ1").map(|c| c.0), Some(u64::MAX));
        for bad in ["", "A", "1", "1A", "A1B", "A-1"] {
            assert_eq!(cell_ref(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn the_extent_is_checked_at_its_edges_from_the_xml() {
        // Each side and the cell budget: the last allowed value passes, the next is refused.
        for (fits, over) in [
            ("BL1", "BM1"),
            ("A200000", "A200001"),
            ("J200000", "K200000"),
            ("BL31250", "BL31251"),
        ] {
            assert!(
                check_one(Some(&format!("A1:{fits}")), &[fits]).is_ok(),
                "{fits}"
            );
            assert!(
                refused_as_too_large(check_one(Some(&format!("A1:{over}")), &["A1"])),
                "dimension {over}"
            );
            assert!(
                refused_as_too_large(check_one(None, &["A1", over])),
                "cell {over}"
            );
        }
        // Either corner of the dimension counts.
        assert!(refused_as_too_large(check_one(
            Some("BL200000:A1"),
            &["A1"]
        )));
        // A dimension that understates the cells does not hide them.
        assert!(refused_as_too_large(check_one(
            Some("A1:B2"),
            &["A1", "BL200000"]
        )));
        // Rows and cells without an address count from the one before.
        // Rows and cells without an address count from the one before: the last allowed row
        // and column pass, one more of either is refused.
        let last_row = r#"<row r="199999"><c r="A199999"/></row><row><c/></row>"#;
        let next_row = r#"<row r="200000"><c r="A200000"/></row><row><c/></row>"#;
        let last_column = r#"<row r="1"><c r="BK1"/><c/></row>"#;
        let next_column = r#"<row r="1"><c r="BL1"/><c/></row>"#;
        for (rows, fits) in [
            (last_row, true),
            (next_row, false),
            (last_column, true),
            (next_column, false),
        ] {
            let xml = format!(
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            );
            let file = book(&[("worksheets/sheet1.xml", "xl/worksheets/sheet1.xml", xml)]);
            let checked = check_upload(&file, UPLOAD_LIMITS);
            if fits {
                assert!(checked.is_ok(), "{rows}: {checked:?}");
            } else {
                assert!(refused_as_too_large(checked), "{rows}");
            }
        }
    }

    #[test]
    fn only_the_first_sheet_is_checked_and_found_as_the_parser_finds_it() {
        let far = sheet(Some("A1:BL200000"), &["BL200000"]);
        let small = sheet(Some("A1:B2"), &["B2"]);
        // The first listed sheet is small; a far one after it is never parsed.
        let first_small = book(&[
            (
                "worksheets/sheet2.xml",
                "xl/worksheets/sheet2.xml",
                small.clone(),
            ),
            (
                "worksheets/sheet1.xml",
                "xl/worksheets/sheet1.xml",
                far.clone(),
            ),
        ]);
        assert!(check_upload(&first_small, UPLOAD_LIMITS).is_ok());
        // Absolute and relative targets, and a part named in another case, lead to it too.
        for (target, part) in [
            ("/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
            ("./sheets/../worksheets/a.xml", "xl/worksheets/a.xml"),
            ("worksheets/sheet1.xml", "XL/Worksheets/Sheet1.xml"),
        ] {
            let file = book(&[
                (target, part, far.clone()),
                (target, "xl/other.xml", small.clone()),
            ]);
            assert!(
                refused_as_too_large(check_upload(&file, UPLOAD_LIMITS)),
                "{target} {part}"
            );
        }
    }
}
