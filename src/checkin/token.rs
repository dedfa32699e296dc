//! The check-in link's token: a capability for one runner's one morning
//! (RULES.md I). `DATE[.RUNNER].MAC`, where MAC is HMAC-SHA256 of the
//! runner and the date under the install's secret key, cut to 128 bits.
//! It is valid on that date in the runner's zone only: it needs no login
//! and opens nothing but that morning's form.
//!
//! The key is 32 random bytes in `checkin.key` beside the store, created on
//! first use with mode 0600 and never logged; deleting it ends every link
//! sent so far.

use crate::zone::Zone;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

/// The file name of the key, in the folder of the (household's) store.
pub const KEY_FILE: &str = "checkin.key";

/// Bytes of the MAC kept in a token (128 bits, 32 hex digits).
const MAC_BYTES: usize = 16;

/// The install's secret. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// What a valid token grants: this runner's ("" where one runner is
/// served) answer for this morning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub runner: String,
    pub date: NaiveDate,
}

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    /// The key at `path`, created (32 random bytes, mode 0600) when there
    /// is none. Two processes starting at once agree: the file is created
    /// whole under a temporary name and linked into place only if absent.
    pub fn load_or_create(path: &Path) -> std::io::Result<Key> {
        match std::fs::read(path) {
            Ok(bytes) => return Key::parse(&bytes, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".checkin.key.")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .tempfile_in(dir)?;
        tmp.write_all(hex(&bytes).as_bytes())?;
        tmp.as_file().sync_all()?;
        match tmp.persist_noclobber(path) {
            Ok(_) => Ok(Key(bytes)),
            // Another process made it first: theirs is the key.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                Key::parse(&std::fs::read(path)?, path)
            }
            Err(e) => Err(e.error),
        }
    }

    fn parse(bytes: &[u8], path: &Path) -> std::io::Result<Key> {
        let text = std::str::from_utf8(bytes).unwrap_or("").trim();
        let Some(bytes) = unhex(text).filter(|b| b.len() == 32) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} is not a check-in key (64 hex digits); delete it and a new one is made (links already sent stop working)",
                    path.display()
                ),
            ));
        };
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(Key(key))
    }

    /// The MAC of `runner`'s `date`, not yet finalised. HMAC takes a key of
    /// any length, so this cannot fail for 32 bytes.
    fn mac(&self, runner: &str, date: NaiveDate) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).ok()?;
        mac.update(format!("tendonwatch check-in v1\n{runner}\n{date}").as_bytes());
        Some(mac)
    }

    /// The token for `runner` ("" where one runner is served) on `date`.
    pub fn sign(&self, runner: &str, date: NaiveDate) -> String {
        let mac = self
            .mac(runner, date)
            .map(|m| hex(&m.finalize().into_bytes()[..MAC_BYTES]))
            .unwrap_or_default();
        if runner.is_empty() {
            format!("{date}.{mac}")
        } else {
            format!("{date}.{runner}.{mac}")
        }
    }

    /// What `token` grants at `now_ms`, or None: altered, signed by another
    /// key, or not today in the runner's zone (`zone_of` gives it; None for
    /// a runner not served here). Every refusal looks the same.
    pub fn verify(
        &self,
        token: &str,
        now_ms: i64,
        zone_of: impl Fn(&str) -> Option<Zone>,
    ) -> Option<Grant> {
        let parts: Vec<&str> = token.split('.').collect();
        let (date, runner, mac) = match parts.as_slice() {
            [date, mac] => (*date, "", *mac),
            [date, runner, mac] if !runner.is_empty() => (*date, *runner, *mac),
            _ => return None,
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        let sent = unhex(mac).filter(|m| m.len() == MAC_BYTES)?;
        // Compared in constant time: timing tells nothing of the right MAC.
        self.mac(runner, date)?.verify_truncated_left(&sent).ok()?;
        let zone = zone_of(runner)?;
        (super::schedule::local_date(&zone, now_ms)? == date).then(|| Grant {
            runner: runner.to_string(),
            date,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex digits to bytes; None for anything else.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ms(rfc3339: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    fn berlin(_: &str) -> Option<Zone> {
        Zone::from_name("Europe/Berlin").ok()
    }

    #[test]
    fn a_token_is_good_for_its_runner_on_its_date_in_their_zone_only() {
        let key = Key::from_bytes([7; 32]);
        let t = key.sign("anna", day("2026-12-07"));
        let grant = Grant {
            runner: "anna".into(),
            date: day("2026-12-07"),
        };
        // 00:30 in Berlin is still the 6th in UTC: the runner's day counts.
        assert_eq!(
            key.verify(&t, ms("2026-12-06T23:30:00Z"), berlin),
            Some(grant.clone())
        );
        assert_eq!(
            key.verify(&t, ms("2026-12-07T22:59:00Z"), berlin),
            Some(grant)
        );
        // Midnight in Berlin: expired. The day before: not yet.
        assert_eq!(key.verify(&t, ms("2026-12-07T23:00:00Z"), berlin), None);
        assert_eq!(key.verify(&t, ms("2026-12-06T22:59:00Z"), berlin), None);
    }

    #[test]
    fn altered_forged_and_foreign_tokens_grant_nothing() {
        let key = Key::from_bytes([7; 32]);
        let now = ms("2026-12-07T07:00:00Z");
        let t = key.sign("anna", day("2026-12-07"));
        let mac = t.rsplit('.').next().unwrap();
        for forged in [
            format!("2026-12-07.ben.{mac}"),
            format!("2026-12-08.anna.{mac}"),
            format!("2026-12-07.{mac}"),
            t.replace(
                mac,
                &mac.replace(&mac[..1], if &mac[..1] == "0" { "1" } else { "0" }),
            ),
            Key::from_bytes([8; 32]).sign("anna", day("2026-12-07")),
            format!("{t}.x"),
            String::new(),
            "..".into(),
        ] {
            assert_eq!(key.verify(&forged, now, berlin), None, "{forged}");
        }
        // A runner not served here gets nothing, even with a good MAC.
        assert_eq!(key.verify(&t, now, |_| None), None);
        // One runner served: no name in the token.
        let one = key.sign("", day("2026-12-07"));
        assert_eq!(one.split('.').count(), 2);
        assert_eq!(key.verify(&one, now, berlin).unwrap().runner, "");
    }

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join(KEY_FILE);
        let a = Key::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let b = Key::load_or_create(&path).unwrap();
        assert_eq!(a.sign("", day("2026-01-01")), b.sign("", day("2026-01-01")));
        assert_eq!(format!("{a:?}"), "Key(..)");
        std::fs::write(&path, "not a key").unwrap();
        let e = Key::load_or_create(&path).unwrap_err().to_string();
        assert!(e.contains("not a check-in key"), "{e}");
    }
}
