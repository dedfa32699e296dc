//! `tendonwatch web set-password`: hash a dashboard password (argon2) into
//! the config file's `[web] password_hash`, keeping every other line.

use super::config_file::{read_config, write_atomically};
use super::{Context_, UsageError};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set a dashboard password. Reads it twice from the terminal, or once
    /// from standard input. Without a name: the one-runner dashboard's
    /// (needed for any non-loopback bind); in a household, each runner's
    /// and each coach's own.
    SetPassword(SetPassword),
}

/// (`--runner NAME`, the global option, names a runner's login.)
#[derive(Debug, clap::Args)]
pub struct SetPassword {
    /// The coach (`[[coach]]` name) whose login this is.
    #[arg(long, value_name = "NAME")]
    pub coach: Option<String>,
}

/// Whose password is set.
#[derive(Debug, Clone, PartialEq)]
enum Whose {
    OneRunner,
    Table { kind: &'static str, name: String },
}

pub fn run(
    ctx: &Context_,
    command: Command,
    config: Option<&Path>,
    global_runner: Option<&str>,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::SetPassword(args) => {
            let whose = match (global_runner.map(str::to_string), args.coach) {
                (Some(_), Some(_)) => {
                    return Err(UsageError(
                        "--runner and --coach: a password is for one account; give one".into(),
                    )
                    .into());
                }
                (Some(name), None) => Whose::Table {
                    kind: "runner",
                    name,
                },
                (None, Some(name)) => Whose::Table {
                    kind: "coach",
                    name,
                },
                (None, None) => Whose::OneRunner,
            };
            set_password(ctx, config, &whose)
        }
    }
}

fn set_password(
    ctx: &Context_,
    explicit: Option<&Path>,
    whose: &Whose,
) -> anyhow::Result<ExitCode> {
    let (path, old, current) = read_config(ctx, explicit)?;
    // Name the account before asking for a password.
    let names: Vec<&str> = match whose {
        Whose::OneRunner if current.is_household() => {
            return Err(UsageError(format!(
                "this config has runners ({}): each logs in with their own password; say whose with --runner NAME or --coach NAME",
                current.runner_names().join(", ")
            ))
            .into());
        }
        Whose::OneRunner => Vec::new(),
        Whose::Table { kind: "runner", .. } => current.runner_names(),
        Whose::Table { .. } => current.coaches.iter().map(|c| c.name.as_str()).collect(),
    };
    if let Whose::Table { kind, name } = whose {
        if !names.contains(&name.as_str()) {
            let known = if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            };
            return Err(UsageError(format!(
                "--{kind} {name}: no [[{kind}]] table has that name (this config has {known}); nothing changed"
            ))
            .into());
        }
    }
    let password = read_password()?;
    let hash =
        crate::web::security::hash_password(&password).map_err(|e| UsageError(e.to_string()))?;
    let new = match whose {
        Whose::OneRunner => with_password_hash(&old, &hash),
        Whose::Table { kind, name } => with_table_password_hash(&old, kind, name, &hash)
            .ok_or_else(|| {
                UsageError(format!(
                    "the [[{kind}]] table of {name} could not be edited (is its name on one line, `name = \"{name}\"`?); nothing changed"
                ))
            })?,
    };
    // Never write a config that would not load, nor one where the hash
    // landed anywhere but the account it is for.
    let parsed = crate::config::parse(&new, &path)?;
    parsed.validate(&path)?;
    let landed = match whose {
        Whose::OneRunner => parsed.web.password_hash.as_deref(),
        Whose::Table {
            kind: "runner",
            name,
        } => parsed
            .runners
            .iter()
            .find(|r| &r.name == name)
            .and_then(|r| r.password_hash.as_deref()),
        Whose::Table { name, .. } => parsed
            .coaches
            .iter()
            .find(|c| &c.name == name)
            .and_then(|c| c.password_hash.as_deref()),
    };
    if landed != Some(hash.as_str()) {
        anyhow::bail!("editing {} went wrong; nothing changed", path.display());
    }
    write_atomically(&path, &new)?;
    let whom = match whose {
        Whose::OneRunner => "dashboard password".to_string(),
        Whose::Table { kind, name } => format!("dashboard password of {kind} {name}"),
    };
    println!(
        "{whom} set in {} (restart `tendonwatch serve` or the daemon to use it)",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The config text with `password_hash` set in the `[[KIND]]` table named
/// NAME: its own `password_hash` line replaced, else the key put right
/// under its `name` line. `None` when no such table is found.
pub fn with_table_password_hash(text: &str, kind: &str, name: &str, hash: &str) -> Option<String> {
    let header = format!("[[{kind}]]");
    let line = format!("password_hash = \"{hash}\"");
    let lines: Vec<&str> = text.lines().collect();
    // The table's own lines: from its header to the next header.
    let mut start = None;
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == header {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start().starts_with('['))
                .unwrap_or(lines.len());
            let named =
                (i + 1..end).find(|&j| key_value(lines[j], "name").as_deref() == Some(name));
            if let Some(n) = named {
                start = Some((i, end, n));
                break;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    let (begin, end, name_line) = start?;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match (begin + 1..end).find(|&j| key_value(lines[j], "password_hash").is_some()) {
        Some(j) => out[j] = line,
        None => out.insert(name_line + 1, line),
    }
    Some(joined(&out, line_ending(text)))
}

/// The line ending a config file uses: its first line's (CRLF for a file
/// written on Windows), so an edit leaves every other line as it was.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Lines joined with `eol`, ending with one.
fn joined(lines: &[String], eol: &str) -> String {
    let mut text = lines.join(eol);
    text.push_str(eol);
    text
}

/// The string value of `key = "value"` on this line, if that is what it is.
fn key_value(line: &str, key: &str) -> Option<String> {
    let rest = line
        .trim()
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?;
    let value: toml::Table = toml::from_str(&format!("v = {}", rest.trim())).ok()?;
    value.get("v")?.as_str().map(str::to_string)
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = prompt_hidden("New dashboard password: ")?;
        let second = prompt_hidden("Again: ")?;
        if first != second {
            return Err(UsageError("the two passwords differ; nothing changed".into()).into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            return Err(UsageError("no password on standard input; nothing changed".into()).into());
        }
        Ok(password)
    }
}

/// Read a line with the terminal's echo off (`stty`, turned off before the
/// prompt shows), restoring it after.
fn prompt_hidden(prompt: &str) -> anyhow::Result<String> {
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
    };
    let _ = stty("-echo");
    print!("{prompt}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    let _ = stty("echo");
    println!();
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The config text with `password_hash` set in `[web]`: an existing line
/// (or a commented-out one) is replaced, else the key goes right under the
/// `[web]` header, else a `[web]` section is appended.
pub fn with_password_hash(text: &str, hash: &str) -> String {
    let line = format!("password_hash = \"{hash}\"");
    let mut out: Vec<String> = Vec::new();
    let mut in_web = false;
    let mut web_header: Option<usize> = None;
    let mut done = false;
    for l in text.lines() {
        let t = l.trim();
        if t.starts_with('[') {
            in_web = t == "[web]";
            if in_web {
                web_header = Some(out.len());
            }
        } else if in_web && !done {
            let key = t.trim_start_matches('#').trim_start();
            if key.starts_with("password_hash")
                && key["password_hash".len()..].trim_start().starts_with('=')
            {
                out.push(line.clone());
                done = true;
                continue;
            }
        }
        out.push(l.to_string());
    }
    if !done {
        match web_header {
            Some(i) => out.insert(i + 1, line),
            None => {
                out.push(String::new());
                out.push("[web]".into());
                out.push(line);
            }
        }
    }
    joined(&out, line_ending(text))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_hash_replaces_the_commented_key_under_web_and_nothing_else() {
        let text = "[watch]\nmode = \"native\"\n\n[web]\nenabled = false\n# password_hash = \"$argon2id$v=19$...\"\nsession_days = 30\n";
        let out = with_password_hash(text, "$argon2id$x");
        assert_eq!(
            out,
            "[watch]\nmode = \"native\"\n\n[web]\nenabled = false\npassword_hash = \"$argon2id$x\"\nsession_days = 30\n"
        );
        // Again: the set line is replaced, not duplicated.
        let again = with_password_hash(&out, "$argon2id$y");
        assert_eq!(again.matches("password_hash").count(), 1);
        assert!(again.contains("$argon2id$y"));
    }

    #[test]
    fn a_runner_s_hash_goes_into_their_own_table_and_nowhere_else() {
        let text = "# household\n[web]\nbind = \"0.0.0.0:8417\"\n\n[[runner]]\nname = \"ann\"\nsync_folders = [\"/a\"]\n\n[runner.profile]\npain_limit = 4\n\n[[runner]]\n# the teenager\nname = \"bob\" # comment\nsync_folders = [\"/b\"]\n\n[[coach]]\nname = \"kim\"\nrunners = [\"ann\"]\n";
        let out = with_table_password_hash(text, "runner", "bob", "H1").unwrap();
        assert_eq!(
            out,
            text.replace(
                "name = \"bob\" # comment\n",
                "name = \"bob\" # comment\npassword_hash = \"H1\"\n"
            )
        );
        // Again: replaced, not added.
        let again = with_table_password_hash(&out, "runner", "bob", "H2").unwrap();
        assert_eq!(again, out.replace("H1", "H2"));
        let coach = with_table_password_hash(&again, "coach", "kim", "C").unwrap();
        assert!(
            coach.ends_with(
                "[[coach]]\nname = \"kim\"\npassword_hash = \"C\"\nrunners = [\"ann\"]\n"
            )
        );
        assert!(coach.contains("# household\n") && coach.contains("# the teenager\n"));
        // A runner named like a coach, or nobody: nothing to edit.
        assert_eq!(with_table_password_hash(text, "runner", "kim", "H"), None);
        assert_eq!(with_table_password_hash(text, "coach", "ann", "H"), None);
        assert_eq!(with_table_password_hash(text, "runner", "an", "H"), None);
    }

    #[test]
    fn a_crlf_config_keeps_its_line_endings() {
        let text = "# household\r\n[[runner]]\r\nname = \"ann\"\r\nsync_folders = [\"/a\"]\r\n";
        let out = with_table_password_hash(text, "runner", "ann", "H").unwrap();
        assert_eq!(
            out,
            "# household\r\n[[runner]]\r\nname = \"ann\"\r\npassword_hash = \"H\"\r\nsync_folders = [\"/a\"]\r\n"
        );
        let out = with_password_hash("[web]\r\nbind = \"0.0.0.0:1\"\r\n", "h");
        assert_eq!(
            out,
            "[web]\r\npassword_hash = \"h\"\r\nbind = \"0.0.0.0:1\"\r\n"
        );
        let out = with_password_hash("[watch]\r\nmode = \"poll\"\r\n", "h");
        assert_eq!(
            out,
            "[watch]\r\nmode = \"poll\"\r\n\r\n[web]\r\npassword_hash = \"h\"\r\n"
        );
    }

    #[test]
    fn a_config_without_web_gets_the_section() {
        let out = with_password_hash("[watch]\nmode = \"poll\"\n", "$argon2id$x");
        assert!(out.ends_with("[web]\npassword_hash = \"$argon2id$x\"\n"));
        let out = with_password_hash("[web]\nbind = \"0.0.0.0:1\"\n", "h");
        assert_eq!(out, "[web]\npassword_hash = \"h\"\nbind = \"0.0.0.0:1\"\n");
    }
}
