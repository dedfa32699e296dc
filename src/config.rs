//! config: the one TOML file (every key documented in
//! `config/tendonwatch.toml`) and where files live.
//!
//! Lookup order, first hit wins:
//! - config: `--config PATH` / `$TENDONWATCH_CONFIG` (must exist), then
//!   `$CONFIGURATION_DIRECTORY/tendonwatch.toml` (systemd), then
//!   `$XDG_CONFIG_HOME/tendonwatch/tendonwatch.toml` (~/.config); no file at
//!   all means the defaults.
//! - database: `--db PATH` / `$TENDONWATCH_DB`, then `[store] path`, then
//!   `$STATE_DIRECTORY/tendonwatch.db` (systemd), then
//!   `$XDG_STATE_HOME/tendonwatch/tendonwatch.db` (~/.local/state).

use serde::Deserialize;

/// The `[notify]` table is declared by the stage it configures; the sinks
/// take their own types and the config reads them.
pub use crate::notify::{
    NotifyConfig, gotify::GotifyConfig, ntfy::NtfyConfig, webhook::WebhookConfig,
};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "tendonwatch.toml";
pub const DB_FILE: &str = "tendonwatch.db";
/// The documented default configuration, shipped in the binary.
pub const DEFAULT_CONFIG_TEXT: &str = include_str!("../config/tendonwatch.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("no home folder: set $HOME or give --db and --config")]
    NoHome,
    #[error(
        "the database {db} is inside the sync folder {folder}; keep it outside (the sync tool would copy it around)"
    )]
    DbInSyncFolder { db: PathBuf, folder: PathBuf },
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub watch: WatchConfig,
    pub store: StoreConfig,
    pub surface: SurfaceConfig,
    pub profile: ProfileConfig,
    pub baseline: BaselineConfig,
    pub rules: crate::rules::Thresholds,
    pub notify: NotifyConfig,
    pub checkin: crate::checkin::CheckinConfig,
    pub web: WebConfig,
    /// Several runners on one server (`[[runner]]`); none: one implicit
    /// runner with the tables above, exactly as before.
    #[serde(rename = "runner")]
    pub runners: Vec<RunnerConfig>,
    /// Coaches (`[[coach]]`): read-only dashboard accounts over the
    /// runners they name.
    #[serde(rename = "coach")]
    pub coaches: Vec<CoachConfig>,
    /// With several runners, the one a command is for when it names none
    /// (`--runner NAME`): the runner the config served before the others
    /// joined (`runner add … --existing-as NAME` writes it), so their
    /// commands and scripts keep working.
    pub default_runner: Option<String>,
}

/// One runner of a household or club (`[[runner]]`): their own sync
/// folders, profile, notifications and store. What a runner does not set
/// comes from the top-level tables.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerConfig {
    /// A short id: letters, digits, `-` and `_`, up to 32 (`--runner NAME`).
    pub name: String,
    /// Their sync folders; never shared with another runner.
    pub sync_folders: Vec<String>,
    pub profile: Option<ProfileConfig>,
    pub notify: Option<NotifyConfig>,
    pub checkin: Option<crate::checkin::CheckinConfig>,
    /// Their store; default `runners/NAME.db` beside the default store.
    pub db: Option<String>,
    /// Argon2 hash of their dashboard password
    /// (`tendonwatch web set-password --runner NAME`).
    pub password_hash: Option<String>,
}

/// A coach or physiotherapist (`[[coach]]`): logs in to the dashboard,
/// sees an overview of the runners named here and each one's pages, and
/// changes nothing.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoachConfig {
    /// A short id, like a runner's, and never one of theirs (it is the
    /// login name).
    pub name: String,
    /// The `[[runner]]` names this coach may see.
    pub runners: Vec<String>,
    /// Argon2 hash (`tendonwatch web set-password --coach NAME`).
    pub password_hash: Option<String>,
}

/// The dashboard (`[web]`): `tendonwatch serve`, or inside `watch` when
/// `enabled`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Serve the dashboard from `tendonwatch watch` as well.
    pub enabled: bool,
    /// Address and port. Anything but a loopback address needs `password_hash`.
    pub bind: String,
    /// Argon2 hash of the dashboard password (`tendonwatch web set-password`).
    pub password_hash: Option<String>,
    /// How long a login lasts, in days.
    pub session_days: u32,
    /// The dashboard's address as the runner's phone reaches it, for the
    /// check-in link: "http://nas.local:8417", "https://tendon.example.ts.net".
    /// Unset: `bind`, with this machine's name for a wildcard address.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            enabled: false,
            bind: DEFAULT_BIND.to_string(),
            password_hash: None,
            session_days: 30,
            public_url: None,
        }
    }
}

/// Where the dashboard listens by default: this machine only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8417";

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileConfig {
    /// "return" (coming back from Achilles pain: strict) or "normal".
    pub mode: crate::rules::Mode,
    /// 40 or more: the stricter progression thresholds (masters).
    pub age: Option<u32>,
    /// "YYYY-MM-DD" (or any time `--at` takes): the baseline only uses runs
    /// since then.
    pub return_start: Option<String>,
    /// Your IANA time zone ("Europe/Berlin"); default: this machine's
    /// (`TZ`, then `/etc/localtime`).
    pub time_zone: Option<String>,
    /// Alerts about runs older than this many days are stored, not pushed.
    pub notification_horizon_days: i64,
    /// Pain (0–10) during or after a run above which `pain_limit` fires;
    /// default 3 in return mode, 5 in normal mode (RULES.md C).
    pub pain_limit: Option<f64>,
}

impl ProfileConfig {
    /// The pain limit in force: the configured one, or the mode's default.
    pub fn pain_limit(&self) -> f64 {
        self.pain_limit.unwrap_or(match self.mode {
            crate::rules::Mode::Return => 3.0,
            crate::rules::Mode::Normal => 5.0,
        })
    }
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            mode: crate::rules::Mode::Return,
            age: None,
            return_start: None,
            time_zone: None,
            notification_horizon_days: 3,
            pain_limit: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BaselineConfig {
    pub volume_window_days: i64,
    pub stimulus_window_days: i64,
    pub learning_min_days: i64,
    pub learning_min_runs: usize,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        let d = crate::baseline::BaselineSettings::default();
        BaselineConfig {
            volume_window_days: d.volume_window_days,
            stimulus_window_days: d.stimulus_window_days,
            learning_min_days: d.learning_min_days,
            learning_min_runs: d.learning_min_runs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SurfaceConfig {
    /// Runner-defined areas ("the beach" = sand).
    pub areas: Vec<crate::metrics::surface::NamedArea>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// Folders the watch syncs into. `~/` is the runner's home.
    pub folders: Vec<String>,
    /// "native" (inotify events) or "poll" (NFS/SMB shares send no events).
    pub mode: String,
    /// Poll mode: seconds between scans.
    pub poll_interval_s: u64,
    /// Reconciliation scan (stat-only against the store) every this many
    /// seconds: catches anything the events missed.
    pub rescan_s: u64,
    /// Events are gathered this long before a file is read.
    pub debounce_ms: u64,
    /// A cut-short file must stay unchanged this long before it is stored
    /// as partial (a sync may still be writing it).
    pub settle_s: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    pub path: Option<String>,
    /// Set for a `[[runner]]` without `db`: the store is
    /// `runners/NAME.db` beside the default one.
    #[serde(skip)]
    pub runner: Option<String>,
    /// A runner's config keeps the top-level `[store] path`: the
    /// household's files (logins, the check-in key) live beside it.
    #[serde(skip)]
    pub household_path: Option<String>,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            folders: vec!["~/Sync/watch".to_string()],
            mode: "native".to_string(),
            poll_interval_s: 30,
            rescan_s: 900,
            debounce_ms: 500,
            settle_s: 10,
        }
    }
}

/// Where the process finds things: the environment, read once at start and
/// passed in, so tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub xdg_state_home: Option<PathBuf>,
    pub configuration_directory: Option<PathBuf>,
    pub state_directory: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        // systemd may pass several colon-separated directories; the first is ours.
        let first =
            |k: &str| var(k).and_then(|p| p.to_string_lossy().split(':').next().map(PathBuf::from));
        Env {
            home: var("HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_state_home: var("XDG_STATE_HOME"),
            configuration_directory: first("CONFIGURATION_DIRECTORY"),
            state_directory: first("STATE_DIRECTORY"),
        }
    }

    fn config_home(&self) -> Option<PathBuf> {
        self.xdg_config_home
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".config")))
    }

    fn state_home(&self) -> Option<PathBuf> {
        self.xdg_state_home
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".local/state")))
    }

    /// Expand a leading `~/` to the home folder.
    pub fn expand(&self, path: &str) -> Result<PathBuf, ConfigError> {
        match path.strip_prefix("~/") {
            Some(rest) => Ok(self.home.as_ref().ok_or(ConfigError::NoHome)?.join(rest)),
            None if path == "~" => self.home.clone().ok_or(ConfigError::NoHome),
            None => Ok(PathBuf::from(path)),
        }
    }

    /// The inverse of [`Env::expand`]: a path under the home folder as
    /// `~/…`, any other as it is. Text that already starts with `~` stays.
    pub fn fold_home(&self, path: &str) -> String {
        if path.starts_with('~') {
            return path.to_string();
        }
        match self
            .home
            .as_ref()
            .and_then(|h| Path::new(path).strip_prefix(h).ok())
        {
            Some(rest) if rest.as_os_str().is_empty() => "~".to_string(),
            Some(rest) => format!("~/{}", rest.to_string_lossy()),
            None => path.to_string(),
        }
    }
}

/// Parse config text; errors name the line and column.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let message = match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}: {}", e.message())
            }
            None => e.message().to_string(),
        };
        ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        }
    })
}

/// Where `config init` writes the config, and where a command that edits
/// the config creates it when there is none yet:
/// `$CONFIGURATION_DIRECTORY/tendonwatch.toml` (systemd), else
/// `~/.config/tendonwatch/tendonwatch.toml`.
pub fn default_config_path(env: &Env) -> Result<PathBuf, ConfigError> {
    if let Some(dir) = &env.configuration_directory {
        return Ok(dir.join(CONFIG_FILE));
    }
    Ok(env
        .config_home()
        .ok_or(ConfigError::NoHome)?
        .join("tendonwatch")
        .join(CONFIG_FILE))
}

/// The config file to read, if any.
pub fn config_path(explicit: Option<&Path>, env: &Env) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let candidates = [
        env.configuration_directory
            .as_ref()
            .map(|d| d.join(CONFIG_FILE)),
        env.config_home()
            .map(|d| d.join("tendonwatch").join(CONFIG_FILE)),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

/// Load the config: an explicit path must exist; otherwise a missing file
/// means defaults.
pub fn load(explicit: Option<&Path>, env: &Env) -> Result<(Config, Option<PathBuf>), ConfigError> {
    match config_path(explicit, env) {
        None => Ok((Config::default(), None)),
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let config = parse(&text, &path)?;
            config.validate(&path)?;
            config.validate_stores(&path, env)?;
            Ok((config, Some(path)))
        }
    }
}

impl Config {
    /// Check what serde cannot: dates, ranges, and the runners (one per
    /// name, no sync folder shared).
    pub fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        self.validate_runners().map_err(invalid)?;
        let household = self.is_household();
        for r in &self.runners {
            self.for_runner_config(r).validate_one(path, household)?;
        }
        self.validate_one(path, household)
    }

    /// Each runner's store must be theirs alone: two runners on one store
    /// (a `db` copied with the rest of a table) would read and change each
    /// other's runs, pain and alerts, and a store that is also the
    /// household's logins would mix the two. Paths that cannot be worked
    /// out here (no home folder) are left to the command that needs them.
    pub fn validate_stores(&self, path: &Path, env: &Env) -> Result<(), ConfigError> {
        if !self.is_household() {
            return Ok(());
        }
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let logins = self.household_db_path(env).ok();
        let mut seen: Vec<(&str, PathBuf)> = Vec::new();
        for r in &self.runners {
            let Ok(db) = self.for_runner_config(r).db_path(None, env) else {
                continue;
            };
            if logins.as_ref() == Some(&db) {
                return Err(invalid(format!(
                    "[[runner]] {}: the store {} is the household's logins (household.db): each runner needs their own",
                    r.name,
                    db.display()
                )));
            }
            if let Some((other, _)) = seen.iter().find(|(_, d)| *d == db) {
                return Err(invalid(format!(
                    "runners \"{other}\" and \"{}\" share the store {}: each runner needs their own",
                    r.name,
                    db.display()
                )));
            }
            seen.push((&r.name, db));
        }
        Ok(())
    }

    /// The names of the `[[runner]]` tables, in order.
    pub fn runner_names(&self) -> Vec<&str> {
        self.runners.iter().map(|r| r.name.as_str()).collect()
    }

    fn validate_runners(&self) -> Result<(), String> {
        let mut seen: Vec<(&str, String, &str)> = Vec::new();
        for (i, r) in self.runners.iter().enumerate() {
            check_account_name("runner", i, &r.name)?;
            if self.runners[..i].iter().any(|o| o.name == r.name) {
                return Err(format!("[[runner]] name \"{}\" is used twice", r.name));
            }
            check_hash(
                &format!("[[runner]] {}", r.name),
                r.password_hash.as_deref(),
            )?;
            for f in &r.sync_folders {
                let norm = f.trim_end_matches('/').to_string();
                for (other, of, raw) in &seen {
                    let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
                    if *other != r.name && (inside(&norm, of) || inside(of, &norm)) {
                        return Err(format!(
                            "runners \"{other}\" and \"{}\" share the sync folder {raw} / {f}: each runner needs their own",
                            r.name
                        ));
                    }
                }
                seen.push((&r.name, norm, f));
            }
        }
        if let Some(default) = &self.default_runner {
            if !self.runners.iter().any(|r| &r.name == default) {
                return Err(if self.runners.is_empty() {
                    format!(
                        "default_runner = \"{default}\": this config has no [[runner]] tables (one runner: leave default_runner out)"
                    )
                } else {
                    format!(
                        "default_runner = \"{default}\" names no [[runner]] here (they are {})",
                        self.runner_names().join(", ")
                    )
                });
            }
        }
        if !self.coaches.is_empty() && self.runners.is_empty() {
            return Err(
                "[[coach]] tables need [[runner]] tables: a coach sees the runners named there"
                    .into(),
            );
        }
        for (i, c) in self.coaches.iter().enumerate() {
            check_account_name("coach", i, &c.name)?;
            if self.coaches[..i].iter().any(|o| o.name == c.name) {
                return Err(format!("[[coach]] name \"{}\" is used twice", c.name));
            }
            if self.runners.iter().any(|r| r.name == c.name) {
                return Err(format!(
                    "[[coach]] name \"{}\" is also a runner's: each login name is one account",
                    c.name
                ));
            }
            if let Some(unknown) = c
                .runners
                .iter()
                .find(|n| !self.runners.iter().any(|r| &r.name == *n))
            {
                return Err(format!(
                    "[[coach]] {}: runners names \"{unknown}\", who is not a [[runner]] here (they are {})",
                    c.name,
                    self.runner_names().join(", ")
                ));
            }
            check_hash(&format!("[[coach]] {}", c.name), c.password_hash.as_deref())?;
        }
        Ok(())
    }

    /// Whether this config serves a household: runner tables, each runner
    /// logging in to the dashboard with their own account.
    pub fn is_household(&self) -> bool {
        !self.runners.is_empty()
    }

    /// Where a household's dashboard keeps its logins: `household.db`
    /// beside the default store.
    pub fn household_db_path(&self, env: &Env) -> Result<PathBuf, ConfigError> {
        let mut top = self.clone();
        top.runners.clear();
        if top.store.runner.take().is_some() {
            top.store.path = top.store.household_path.clone();
        }
        Ok(top.db_path(None, env)?.with_file_name("household.db"))
    }

    /// The configuration one runner works with: their folders, profile,
    /// notifications and store, the rest from the top-level tables.
    fn for_runner_config(&self, r: &RunnerConfig) -> Config {
        let mut c = self.clone();
        c.runners.clear();
        c.default_runner = None;
        c.watch.folders = r.sync_folders.clone();
        if let Some(p) = &r.profile {
            c.profile = p.clone();
        }
        if let Some(n) = &r.notify {
            c.notify = n.clone();
        }
        if let Some(k) = &r.checkin {
            c.checkin = k.clone();
        }
        c.store.household_path = self.store.path.clone();
        c.store.path = r.db.clone();
        c.store.runner = Some(r.name.clone());
        c
    }

    /// The runner a command that names none is for, when that needs saying:
    /// `default_runner` in a config with several runners. (With one runner
    /// table that runner is meant, with none the config's one runner.)
    pub fn defaulted_runner(&self) -> Option<&str> {
        match self.runners.as_slice() {
            [] | [_] => None,
            _ => self.default_runner.as_deref(),
        }
    }

    /// The configuration of the runner a command is for. With no
    /// `[[runner]]` table: this one (a name is refused). With one: that
    /// runner unless another is named. With several: the named one, else
    /// `default_runner`; neither is an error naming them all.
    pub fn for_runner(&self, name: Option<&str>) -> Result<Config, String> {
        let names = self.runner_names().join(", ");
        match (name.or(self.defaulted_runner()), self.runners.as_slice()) {
            (None, []) => Ok(self.clone()),
            (Some(n), []) => Err(format!(
                "--runner {n}: this config has no [[runner]] tables (one runner: leave --runner out)"
            )),
            (None, [only]) => Ok(self.for_runner_config(only)),
            (None, _) => Err(format!(
                "this config has several runners ({names}): say which with --runner NAME, or name one in the config: default_runner = \"NAME\""
            )),
            (Some(n), all) => all
                .iter()
                .find(|r| r.name == n)
                .map(|r| self.for_runner_config(r))
                .ok_or_else(|| format!("--runner {n}: no such runner (this config has {names})")),
        }
    }

    /// Check one runner's (or the implicit runner's) values.
    /// In a household every visitor logs in to their own account, so a bind
    /// beyond loopback needs no `[web] password_hash`.
    fn validate_one(&self, path: &Path, household: bool) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if let Some(name) = &self.profile.time_zone {
            crate::zone::Zone::from_name(name)
                .map_err(|e| invalid(format!("[profile] time_zone: {e}")))?;
        }
        if let Some(day) = &self.profile.return_start {
            let now = chrono::Utc::now().timestamp_millis();
            crate::zone::parse_instant(day, &self.zone(), now)
                .map_err(|e| invalid(format!("[profile] return_start: {e}")))?;
        }
        if let Some(limit) = self.profile.pain_limit {
            if !(0.0..=10.0).contains(&limit) {
                return Err(invalid(format!(
                    "[profile] pain_limit = {limit}: pain is scored 0 to 10"
                )));
            }
        }
        if self.profile.notification_horizon_days < 0 {
            return Err(invalid(
                "[profile] notification_horizon_days must be 0 or more".into(),
            ));
        }
        let w = &self.watch;
        if w.mode != "native" && w.mode != "poll" {
            return Err(invalid(format!(
                "[watch] mode = \"{}\": use \"native\" or \"poll\"",
                w.mode
            )));
        }
        if w.poll_interval_s == 0 || w.rescan_s == 0 {
            return Err(invalid(
                "[watch] poll_interval_s and rescan_s must be at least 1".into(),
            ));
        }
        if w.debounce_ms > 60_000 {
            return Err(invalid(
                "[watch] debounce_ms above 60000 would hide files for minutes".into(),
            ));
        }
        let b = &self.baseline;
        if b.volume_window_days < 7 || b.stimulus_window_days < 7 {
            return Err(invalid("[baseline] windows must be at least 7 days".into()));
        }
        if self.notify.digest_hour > 23 {
            return Err(invalid(format!(
                "[notify] digest_hour = {}: an hour of the day, 0 to 23",
                self.notify.digest_hour
            )));
        }
        if let Some(quiet) = &self.notify.quiet_hours {
            crate::notify::QuietHours::parse(quiet).map_err(|reason| {
                invalid(format!("[notify] quiet_hours = \"{quiet}\": {reason}"))
            })?;
        }
        self.checkin_plan().map_err(invalid)?;
        for (name, url) in [
            ("ntfy", self.notify.ntfy.as_ref().map(|n| &n.url)),
            ("gotify", self.notify.gotify.as_ref().map(|g| &g.url)),
            ("webhook", self.notify.webhook.as_ref().map(|w| &w.url)),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(invalid(format!(
                        "[notify.{name}] url = \"{url}\": must start with http:// or https://"
                    )));
                }
            }
        }
        let bind: std::net::SocketAddr = self.web.bind.parse().map_err(|_| {
            invalid(format!(
                "[web] bind = \"{}\": not an address and port like \"127.0.0.1:8417\" or \"0.0.0.0:8417\"",
                self.web.bind
            ))
        })?;
        check_hash("[web]", self.web.password_hash.as_deref()).map_err(invalid)?;
        if !bind.ip().is_loopback() && self.web.password_hash.is_none() && !household {
            return Err(invalid(format!(
                "[web] bind = \"{bind}\" is reachable from other machines: set a password first (`tendonwatch web set-password`)"
            )));
        }
        if let Some(url) = &self.web.public_url {
            check_public_url(url).map_err(invalid)?;
        }
        if self.web.session_days == 0 || self.web.session_days > 400 {
            return Err(invalid("[web] session_days must be 1 to 400".into()));
        }
        for area in &self.surface.areas {
            if area.polygon.len() < 3 {
                return Err(invalid(format!(
                    "[[surface.areas]] \"{}\" needs at least 3 corners",
                    area.name
                )));
            }
        }
        Ok(())
    }

    /// Where the check-in's key is kept: beside the store of the one runner,
    /// or of the household, so every runner's link is signed with it. The
    /// same from the top-level config and from any runner's.
    pub fn checkin_key_path(&self, env: &Env) -> Result<PathBuf, ConfigError> {
        Ok(self
            .household_db_path(env)?
            .with_file_name(crate::checkin::token::KEY_FILE))
    }

    /// The address the check-in link starts with: `[web] public_url`, else
    /// the bind address (a wildcard one named by this machine's host name).
    pub fn public_url(&self) -> String {
        if let Some(url) = &self.web.public_url {
            return url.trim_end_matches('/').to_string();
        }
        let bind = self.web.bind.as_str();
        match bind.parse::<std::net::SocketAddr>() {
            Ok(addr) if addr.ip().is_unspecified() => {
                let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                    .map(|h| h.trim().to_string())
                    .ok()
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| "localhost".to_string());
                format!("http://{host}:{}", addr.port())
            }
            _ => format!("http://{bind}"),
        }
    }

    /// When this runner's morning check-in asks (checked by `validate`).
    pub fn checkin_plan(&self) -> Result<crate::checkin::schedule::Plan, String> {
        self.checkin
            .plan(self.profile.mode, self.notify.policy().quiet_hours)
    }

    /// The runner's time zone: `[profile] time_zone`, else this machine's.
    /// (`validate` has refused a name the database does not know.)
    pub fn zone(&self) -> crate::zone::Zone {
        self.profile
            .time_zone
            .as_deref()
            .and_then(|n| crate::zone::Zone::from_name(n).ok())
            .unwrap_or_else(crate::zone::Zone::system)
    }

    /// What the rules need from this config.
    pub fn rule_settings(&self) -> crate::alerts::RuleSettings {
        let now = chrono::Utc::now().timestamp_millis();
        let return_start_ms = self
            .profile
            .return_start
            .as_deref()
            .and_then(|d| crate::zone::parse_instant(d, &self.zone(), now).ok());
        crate::alerts::RuleSettings {
            baseline: crate::baseline::BaselineSettings {
                volume_window_days: self.baseline.volume_window_days,
                stimulus_window_days: self.baseline.stimulus_window_days,
                learning_min_days: self.baseline.learning_min_days,
                learning_min_runs: self.baseline.learning_min_runs,
                return_start_ms,
            },
            profile: crate::rules::Profile {
                mode: self.profile.mode,
                age: self.profile.age,
            },
            thresholds: self.rules.clone(),
            horizon_days: self.profile.notification_horizon_days,
            sinks: self.notify.sinks(),
            zone: self.zone(),
        }
    }

    /// What ingest's pure stages need from this config.
    pub fn ingest_settings(&self) -> crate::ingest::Settings {
        crate::ingest::Settings {
            areas: std::sync::Arc::new(self.surface.areas.clone()),
            zone: self.zone(),
            own_pace: Default::default(),
        }
    }

    pub fn sync_folders(&self, env: &Env) -> Result<Vec<PathBuf>, ConfigError> {
        self.watch.folders.iter().map(|f| env.expand(f)).collect()
    }

    /// The database path (see the module doc for the order). Refuses a path
    /// inside a sync folder.
    pub fn db_path(&self, explicit: Option<&Path>, env: &Env) -> Result<PathBuf, ConfigError> {
        let default_dir = || -> Result<PathBuf, ConfigError> {
            match &env.state_directory {
                Some(d) => Ok(d.clone()),
                None => Ok(env
                    .state_home()
                    .ok_or(ConfigError::NoHome)?
                    .join("tendonwatch")),
            }
        };
        let db = if let Some(p) = explicit {
            p.to_path_buf()
        } else if let Some(p) = &self.store.path {
            env.expand(p)?
        } else if let Some(name) = &self.store.runner {
            default_dir()?.join("runners").join(format!("{name}.db"))
        } else {
            default_dir()?.join(DB_FILE)
        };
        for folder in self.sync_folders(env).unwrap_or_default() {
            if db.starts_with(&folder) {
                return Err(ConfigError::DbInSyncFolder { db, folder });
            }
        }
        Ok(db)
    }
}

/// A runner's or coach's name: the `--runner` id and the login name.
fn check_account_name(table: &str, index: usize, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "[[{table}]] {}: name = \"{name}\": use 1 to 32 letters, digits, - or _",
            index + 1
        ))
    }
}

/// `[web] public_url` must be an http(s) address with a host and nothing
/// after the path (the check-in link is built on it).
fn check_public_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty()
            && !r.contains(['?', '#', ' '])
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "[web] public_url = \"{url}\": give the address your phone opens the dashboard at, like \"http://nas.local:8417\" or \"https://tendon.example.ts.net\""
        ))
    }
}

/// A configured password hash must be one argon2 can read.
fn check_hash(table: &str, hash: Option<&str>) -> Result<(), String> {
    match hash {
        Some(h) if argon2::PasswordHash::new(h).is_err() => Err(format!(
            "{table} password_hash is not an argon2 hash; set it with `tendonwatch web set-password`"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env() -> Env {
        Env {
            home: Some(PathBuf::from("/home/ann")),
            ..Env::default()
        }
    }

    #[test]
    fn the_shipped_default_file_parses_to_the_defaults() {
        let c = parse(DEFAULT_CONFIG_TEXT, Path::new("default")).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn a_typo_names_its_line() {
        let e = parse(
            "[watch]\nfolders = [\"/x\"]\nfolderz = 1\n",
            Path::new("t.toml"),
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("line 3"), "{text}");
        assert!(text.contains("folderz"), "{text}");
    }

    #[test]
    fn the_checkin_hour_and_days_are_checked_and_default_by_profile() {
        use crate::checkin::schedule::Days;
        let check = |text: &str| {
            let path = Path::new("t.toml");
            parse(text, path).and_then(|c| c.validate(path).map(|()| c))
        };
        let c = check("").unwrap();
        let p = c.checkin_plan().unwrap();
        assert_eq!((p.minute_of_day, p.days), (450, Days::Daily));
        let c = check("[profile]\nmode = \"normal\"\n[checkin]\nhour = \"06:45\"\n").unwrap();
        let p = c.checkin_plan().unwrap();
        assert_eq!((p.minute_of_day, p.days), (405, Days::AfterRuns));
        let e = check("[checkin]\nhour = \"21:00\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[checkin] hour = \"21:00\"") && e.contains("morning"),
            "{e}"
        );
        let e = check("[checkin]\ndays = \"weekly\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[checkin] days = \"weekly\""), "{e}");
        let e = check("[checkin]\nminute = 3\n").unwrap_err().to_string();
        assert!(e.contains("minute"), "{e}");
    }

    #[test]
    fn every_runner_s_check_in_link_is_signed_with_the_install_s_one_key() {
        // A runner with a store elsewhere, and the household's own store
        // path: the key stays beside the household's, from any config.
        let c = parse(
            "[store]\npath = \"/srv/tw/household-top.db\"\n\
             [[runner]]\nname = \"ann\"\nsync_folders = [\"/sync/ann\"]\ndb = \"/disk2/ann.db\"\n\
             [[runner]]\nname = \"bob\"\nsync_folders = [\"/sync/bob\"]\n",
            Path::new("t.toml"),
        )
        .unwrap();
        let key = PathBuf::from("/srv/tw/checkin.key");
        assert_eq!(c.checkin_key_path(&env()).unwrap(), key);
        for who in ["ann", "bob"] {
            let runner = c.for_runner(Some(who)).unwrap();
            assert_eq!(runner.checkin_key_path(&env()).unwrap(), key, "{who}");
        }
        let one = Config::default();
        assert_eq!(
            one.checkin_key_path(&env()).unwrap(),
            PathBuf::from("/home/ann/.local/state/tendonwatch/checkin.key")
        );
    }

    #[test]
    fn digest_hour_and_quiet_hours_are_checked_and_named() {
        let check = |text: &str| {
            let path = Path::new("t.toml");
            parse(text, path).and_then(|c| c.validate(path).map(|()| c))
        };
        let c = check("[notify]\ndigest_hour = 7\nquiet_hours = \"22:30-06:45\"\n").unwrap();
        let policy = c.notify.policy();
        assert_eq!(policy.digest_hour, 7);
        assert_eq!(policy.quiet_hours.unwrap().to_string(), "22:30-06:45");
        assert_eq!(
            Config::default().notify.policy(),
            crate::notify::Policy::default()
        );

        let e = check("[notify]\nquiet_hours = \"22:00-7\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[notify] quiet_hours = \"22:00-7\""), "{e}");
        assert!(e.contains("not a time"), "{e}");
        let e = check("[notify]\nquiet_hours = \"07:00-07:00\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("quiet_hours"), "{e}");
        let e = check("[notify]\ndigest_hour = 24\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[notify] digest_hour = 24"), "{e}");
        let e = check("[notify]\ndigest_hour = -1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn database_goes_to_xdg_state_by_default_and_systemd_state_dir_wins() {
        let c = Config::default();
        assert_eq!(
            c.db_path(None, &env()).unwrap(),
            PathBuf::from("/home/ann/.local/state/tendonwatch/tendonwatch.db")
        );
        let mut e = env();
        e.state_directory = Some(PathBuf::from("/var/lib/tendonwatch"));
        assert_eq!(
            c.db_path(None, &e).unwrap(),
            PathBuf::from("/var/lib/tendonwatch/tendonwatch.db")
        );
        assert_eq!(
            c.db_path(Some(Path::new("/tmp/x.db")), &e).unwrap(),
            PathBuf::from("/tmp/x.db")
        );
    }

    #[test]
    fn a_database_inside_the_sync_folder_is_refused() {
        let c = Config::default();
        let e = c.db_path(Some(Path::new("/home/ann/Sync/watch/tw.db")), &env());
        assert!(
            matches!(e, Err(ConfigError::DbInSyncFolder { .. })),
            "{e:?}"
        );
    }
}
