//! Strava's `activities.csv`: what a bulk export says about each of its
//! files ("Activity Type", "Activity Name"), keyed by the entry it names
//! ("Filename", e.g. `activities/1234567.gpx.gz`).
//!
//! The list is Strava's real layout: a header of 80–100 columns, some names
//! twice ("Elapsed Time", "Distance", "Max Heart Rate", "Commute": the first
//! is the one meant here), fields quoted when they hold commas, quotes ("")
//! or line breaks (descriptions), UTF-8 with or without a byte-order mark.
//! Exports in German name the columns in German; both are known.

use crate::activity::Hint;
use std::collections::HashMap;

/// Column names per export language: (type, name, file name).
const COLUMNS: &[(&str, &str, &str)] = &[
    ("Activity Type", "Activity Name", "Filename"),
    ("Aktivitätsart", "Name der Aktivität", "Dateiname"),
];

/// Is this entry an export's activity list? (`activities.csv`, at the top
/// of the archive or in its one top folder.)
pub fn is_activity_list(entry_name: &str) -> bool {
    let lower = entry_name.to_ascii_lowercase();
    lower == "activities.csv"
        || lower
            .strip_suffix("/activities.csv")
            .is_some_and(|folder| !folder.contains('/'))
}

/// Hints by entry name, for a list found at `list_entry` (`activities.csv`
/// or `export_123/activities.csv`: file names are relative to its folder).
/// A list without the columns gives no hints, not an error: the files still
/// say what they are.
pub fn hints(list_entry: &str, bytes: &[u8]) -> Result<HashMap<String, Hint>, String> {
    let folder = list_entry
        .rfind('/')
        .map_or("", |slash| &list_entry[..=slash]);
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| format!("unreadable header: {e}"))?
        .clone();
    // The first column of that name: Strava repeats some (see above).
    let first = |name: &str| header.iter().position(|h| h.trim() == name);
    let Some((type_col, name_col, file_col)) = COLUMNS
        .iter()
        .find_map(|(t, n, f)| Some((first(t)?, first(n), first(f)?)))
    else {
        return Err("no \"Activity Type\" and \"Filename\" columns".to_string());
    };
    let mut out = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("unreadable row: {e}"))?;
        let Some(file) = record
            .get(file_col)
            .map(str::trim)
            .filter(|f| !f.is_empty())
        else {
            // A manual entry: no file.
            continue;
        };
        let text = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let file = file.trim_start_matches("./");
        out.insert(
            format!("{folder}{file}"),
            Hint {
                label: text(Some(type_col)),
                title: text(name_col),
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_at_the_top_or_in_the_one_top_folder() {
        assert!(is_activity_list("activities.csv"));
        assert!(is_activity_list("export_123/activities.csv"));
        assert!(is_activity_list("ACTIVITIES.CSV"));
        assert!(!is_activity_list("a/b/activities.csv"));
        assert!(!is_activity_list("my_activities.csv"));
    }

    #[test]
    fn quoted_fields_repeated_columns_and_a_bom() {
        let csv = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Filename,Elapsed Time\n\
                   1,\"May 9, 2023, 10:09:29 AM\",\"Hills, \"\"hard\"\"\",Run,\"two\nlines, here\",100,activities/1.fit.gz,99\n\
                   2,\"May 10, 2023, 10:09:29 AM\",Manual,Run,,100,,99\n";
        let hints = hints("export_7/activities.csv", csv.as_bytes()).expect("the list parses");
        assert_eq!(hints.len(), 1);
        assert_eq!(
            hints["export_7/activities/1.fit.gz"],
            Hint {
                label: Some("Run".into()),
                title: Some("Hills, \"hard\"".into())
            }
        );
    }

    #[test]
    fn a_list_without_the_columns_is_an_error_not_a_panic() {
        assert!(hints("activities.csv", b"a,b\n1,2\n").is_err());
        assert!(hints("activities.csv", b"").is_err());
        assert!(hints("activities.csv", b"\xff\xfe,\n").is_err());
    }
}
