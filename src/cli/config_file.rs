//! The config file as the commands that edit it see it (`runner`, `coach`,
//! `web set-password`): read it (the shipped default when there is none
//! yet), check an edited text, and replace the file atomically.

use super::{Context_, UsageError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The config file, its text (the shipped default when there is none yet)
/// and what it says. With no file anywhere, the file is the one `config
/// init` would write: an edit on a fresh home creates it.
pub fn read_config(
    ctx: &Context_,
    explicit: Option<&Path>,
) -> anyhow::Result<(PathBuf, String, crate::config::Config)> {
    let path: PathBuf = match crate::config::config_path(explicit, &ctx.env) {
        Some(path) => path,
        None => crate::config::default_config_path(&ctx.env)
            .map_err(|_| UsageError("no config location: set $HOME or give --config".into()))?,
    };
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::config::DEFAULT_CONFIG_TEXT.to_string()
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    let current = crate::config::parse(&old, &path)?;
    Ok((path, old, current))
}

/// Write `text` if it loads and passes the config check; what it says.
/// A table the check refuses is a bad value from the command line.
pub fn write_checked(path: &Path, text: &str) -> anyhow::Result<crate::config::Config> {
    let refused = |e: crate::config::ConfigError| UsageError(format!("{e}; nothing changed"));
    let parsed = crate::config::parse(text, path).map_err(refused)?;
    parsed.validate(path).map_err(refused)?;
    write_atomically(path, text)?;
    Ok(parsed)
}

/// Replace the file through a temp file and a rename, keeping the old
/// file's mode and owner (a config readable by a service's group stays so).
pub fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
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
