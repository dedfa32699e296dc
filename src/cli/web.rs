//! `tendonwatch web set-password`: hash a dashboard password (argon2) into
//! the config file's `[web] password_hash`, keeping every other line.

use super::{Context_, UsageError};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set the dashboard password (needed for any non-loopback bind). Reads
    /// it twice from the terminal, or once from standard input.
    SetPassword,
}

pub fn run(ctx: &Context_, command: Command, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    match command {
        Command::SetPassword => set_password(ctx, config),
    }
}

fn set_password(ctx: &Context_, explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let path: PathBuf = crate::config::config_path(explicit, &ctx.env)
        .ok_or_else(|| UsageError("no config location: set $HOME or give --config".into()))?;
    let password = read_password()?;
    let hash =
        crate::web::security::hash_password(&password).map_err(|e| UsageError(e.to_string()))?;
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::config::DEFAULT_CONFIG_TEXT.to_string()
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    let new = with_password_hash(&old, &hash);
    // Never write a config that would not load.
    let parsed = crate::config::parse(&new, &path)?;
    parsed.validate(&path)?;
    write_atomically(&path, &new)?;
    println!(
        "dashboard password set in {} (restart `tendonwatch serve` or the daemon to use it)",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
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
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

/// Replace the file through a temp file and a rename, keeping the old
/// file's mode and owner (a config readable by a service's group stays so).
pub(super) fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let old = std::fs::metadata(path).ok();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".tendonwatch.toml.{}.tmp", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        if let Some(old) = &old {
            // Only root can give a file away; for anyone else it is theirs.
            let _ = std::os::unix::fs::fchown(&f, Some(old.uid()), Some(old.gid()));
            f.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o7777))?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
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
    fn a_config_without_web_gets_the_section() {
        let out = with_password_hash("[watch]\nmode = \"poll\"\n", "$argon2id$x");
        assert!(out.ends_with("[web]\npassword_hash = \"$argon2id$x\"\n"));
        let out = with_password_hash("[web]\nbind = \"0.0.0.0:1\"\n", "h");
        assert_eq!(out, "[web]\npassword_hash = \"h\"\nbind = \"0.0.0.0:1\"\n");
    }
}
