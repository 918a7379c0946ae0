//! Rows as CSV for a spreadsheet: the audit log (`gatehouse audit export`, the Activity view's
//! export), with every cell a spreadsheet would run as a formula neutralised.

use std::borrow::Cow;

use serde::Serialize;

/// A CSV cell a spreadsheet will not run: one that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP's advice against formula injection).
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Rows as CSV (a header from the first row's fields), every cell through [`csv_cell`].
pub fn write_csv<T: Serialize>(rows: &[T], out: impl std::io::Write) -> Result<(), std::io::Error> {
    // The csv crate writes the header and the quoting; its records are then read back and each
    // cell neutralised, whatever the row type holds.
    let mut plain = csv::Writer::from_writer(Vec::new());
    for row in rows {
        plain.serialize(row).map_err(std::io::Error::from)?;
    }
    let plain = plain.into_inner().map_err(|e| e.into_error())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    let mut w = csv::Writer::from_writer(out);
    for record in reader.records() {
        let record = record.map_err(std::io::Error::from)?;
        w.write_record(record.iter().map(|cell| csv_cell(cell).into_owned()))
            .map_err(std::io::Error::from)?;
    }
    w.flush()
}
