//! `tendonwatch pain import FILE.csv` and `tendonwatch pain export [--json]`:
//! the pain diary in and out as CSV (`at,kind,score,stiffness_min,side,note`).
//!
//! An import is all rows or none: every row is checked exactly as `pain`
//! checks its flags before the store opens, and one bad row refuses the
//! file with its line number. An entry already in the store (same kind at
//! the same instant; `Store::import_pain` says how) is skipped; when its score, stiffness, side or note
//! differ, the stored entry is kept and the summary says so.

use super::{Context_, evaluate, usage};
use crate::export::{PAIN_COLUMNS, pain_csv};
use crate::pain::{self, PainKind, Side};
use crate::store::pain::NewPain;
use crate::zone::Zone;
use std::path::Path;
use std::process::ExitCode;

/// Where each column sits in the file (`None`: absent).
struct Header {
    at: usize,
    kind: usize,
    score: usize,
    stiffness: Option<usize>,
    side: Option<usize>,
    note: Option<usize>,
}

impl Header {
    fn find(record: &csv::StringRecord, name: &str) -> Option<usize> {
        record
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    fn parse(record: &csv::StringRecord) -> Result<Header, String> {
        let required = |name: &str| {
            Header::find(record, name).ok_or_else(|| {
                format!(
                    "line 1: no '{name}' column (the header is {}; the last three are optional)",
                    PAIN_COLUMNS.map(|c| c.0).join(",")
                )
            })
        };
        Ok(Header {
            at: required("at")?,
            kind: required("kind")?,
            score: required("score")?,
            stiffness: Header::find(record, "stiffness_min"),
            side: Header::find(record, "side"),
            note: Header::find(record, "note"),
        })
    }
}

/// `;` when the header line holds more of them than `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// A cell, trimmed; `None` when the column is absent or the cell empty.
fn cell(record: &csv::StringRecord, at: Option<usize>) -> Option<&str> {
    at.and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn entry(
    record: &csv::StringRecord,
    h: &Header,
    zone: &Zone,
    now_ms: i64,
) -> Result<NewPain, String> {
    let at_text = cell(record, Some(h.at)).unwrap_or_default();
    let at_ms = crate::zone::parse_instant(at_text, zone, now_ms)?;
    if at_ms > now_ms + pain::FUTURE_SLACK_MS {
        return Err(format!(
            "{at_text} is in the future; log pain when it happened"
        ));
    }
    Ok(NewPain {
        at_ms,
        kind: PainKind::parse(cell(record, Some(h.kind)).unwrap_or_default())?,
        score: pain::parse_score(cell(record, Some(h.score)).unwrap_or_default())?,
        stiffness_min: cell(record, h.stiffness)
            .map(pain::parse_stiffness)
            .transpose()?,
        side: cell(record, h.side).map(Side::parse).transpose()?,
        note: cell(record, h.note).map(str::to_string),
    })
}

/// The line a record starts on, counted from its byte offset: the csv
/// crate's own count, and its offset, start at the blank lines it skipped
/// before the record.
fn line_at(text: &str, position: Option<&csv::Position>) -> usize {
    let bytes = text.as_bytes();
    let mut at = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
    while bytes.get(at).is_some_and(|b| *b == b'\n' || *b == b'\r') {
        at += 1;
    }
    bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
}

/// Every entry of a pain CSV, checked; the first problem as
/// `line N: what`.
pub fn parse(bytes: &[u8], zone: &Zone, now_ms: i64) -> Result<Vec<NewPain>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        format!("line {line}: not UTF-8 text")
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .clone();
    let header = Header::parse(&header)?;
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("line {}: {e}", line_at(text, e.position())))?;
        let line = line_at(text, record.position());
        out.push(entry(&record, &header, zone, now_ms).map_err(|e| format!("line {line}: {e}"))?);
    }
    Ok(out)
}

pub fn import(ctx: &Context_, file: &Path, now_ms: i64) -> anyhow::Result<ExitCode> {
    let name = file.display();
    let bytes = std::fs::read(file).map_err(|e| usage(format!("{name}: cannot read it: {e}")))?;
    let zone = ctx.config.zone();
    let entries = parse(&bytes, &zone, now_ms).map_err(|e| usage(format!("{name} {e}")))?;
    let mut store = ctx.open_store()?;
    let done = store.import_pain(&entries, now_ms)?;
    let differing = match done.differing.len() {
        0 => String::new(),
        n => format!(
            " ({n} of them differ from the stored entry, which was kept: edit it with `tendonwatch pain edit ID`)"
        ),
    };
    println!(
        "{} imported, {} already there{differing}",
        crate::units::plural(done.imported, "entry", "entries"),
        done.already
    );
    for d in &done.differing {
        println!(
            "  kept #{} ({} {}): the file differs in {}",
            d.id,
            zone.minute(d.at_ms),
            d.kind.as_str(),
            d.fields.join(", ")
        );
    }
    evaluate(ctx, &mut store, now_ms)
}

#[derive(serde::Serialize)]
struct JsonEntry {
    id: i64,
    at: String,
    at_ms: i64,
    kind: &'static str,
    score: f64,
    stiffness_min: Option<f64>,
    side: Option<&'static str>,
    note: Option<String>,
}

pub fn export(ctx: &Context_, json: bool) -> anyhow::Result<ExitCode> {
    let zone = ctx.config.zone();
    let entries = ctx.open_store()?.pain_all()?;
    if json {
        let rows: Vec<JsonEntry> = entries
            .into_iter()
            .map(|e| JsonEntry {
                id: e.id,
                at: zone.rfc3339_exact(e.at_ms),
                at_ms: e.at_ms,
                kind: e.kind.as_str(),
                score: e.score,
                stiffness_min: e.stiffness_min,
                side: e.side.map(Side::as_str),
                note: e.note,
            })
            .collect();
        println!("{}", crate::units::json(&rows)?);
    } else {
        use std::io::Write;
        std::io::stdout().write_all(&pain_csv(&entries, &zone)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const NOW: i64 = 1_780_000_000_000; // 2026-05-28

    #[test]
    fn any_order_any_case_semicolons_a_bom_and_extra_columns() {
        let text = "\u{feff}Score;Extra;KIND;At\n3;x;morning;2026-01-05T07:00\n";
        let got = parse(text.as_bytes(), &Zone::Fixed(3600), NOW).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].score, 3.0);
        assert_eq!(got[0].kind, PainKind::Morning);
        assert_eq!(got[0].at_ms, 1_767_592_800_000);
        assert_eq!(got[0].side, None);
    }

    #[test]
    fn the_first_bad_row_is_named_by_its_line() {
        let text = "at,kind,score\n2026-01-05,morning,1\n\n2026-01-06,morning,12\n";
        let e = parse(text.as_bytes(), &Zone::Fixed(0), NOW).unwrap_err();
        assert!(
            e.starts_with("line 4: pain score 12 is out of range"),
            "{e}"
        );
        let e = parse(b"at,score\n", &Zone::Fixed(0), NOW).unwrap_err();
        assert!(e.contains("no 'kind' column"), "{e}");
        let e = parse(
            b"at,kind,score\n2026-01-05,morning,\xff\n",
            &Zone::Fixed(0),
            NOW,
        )
        .unwrap_err();
        assert_eq!(e, "line 2: not UTF-8 text");
        let e = parse(b"at,kind,score\n2026-01-05,,1\n", &Zone::Fixed(0), NOW).unwrap_err();
        assert!(e.starts_with("line 2: unknown kind ''"), "{e}");
    }
}
