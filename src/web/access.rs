//! Who may see which runner's pages: a pure decision on the account, the
//! path and whether the request writes, made by `security::guard` before
//! routing.
//!
//! - One runner served: every path is that runner's.
//! - A household: each runner's pages live under `/r/NAME/`. A runner sees
//!   only their own; a coach sees the runners given to them, read-only.
//!   Another runner's pages are answered exactly like pages that do not
//!   exist (404), so nobody learns who else is there; a coach's write is
//!   refused (403) before anything else is looked at.

use super::Account;

/// What the guard does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This runner's pages ("" where one runner is served), at this path.
    Site {
        runner: String,
        path: String,
    },
    /// A page of no runner: logging in and out, the stylesheet.
    Open,
    /// A coach's overview of their athletes.
    Overview,
    /// Somewhere else (a path; the caller keeps the query).
    Redirect(String),
    NotFound,
    /// A coach asked to change something.
    ReadOnly,
}

/// Paths anyone may fetch without logging in.
pub fn public(path: &str) -> bool {
    matches!(path, "/login" | "/static/style.css")
}

/// The morning check-in's links (`/checkin/TOKEN`, `/checkin/TOKEN/same`):
/// the signed token in the path is the capability (RULES.md I), never a
/// login, so they pass without session or CSRF cookie and the handler
/// checks the token. Not under `/r/NAME/`: the token names the runner.
pub fn capability(path: &str) -> bool {
    path.starts_with("/checkin/")
}

/// Where `account` may go with `path`. `coached` lists the runners a coach
/// sees; `household` is false where one runner is served.
pub fn decide(
    household: bool,
    account: &Account,
    coached: &[String],
    path: &str,
    write: bool,
) -> Decision {
    if public(path) || path == "/logout" {
        return Decision::Open;
    }
    if !household {
        return Decision::Site {
            runner: String::new(),
            path: path.to_string(),
        };
    }
    if path == "/" {
        return match account {
            Account::Runner(me) => Decision::Redirect(format!("/r/{me}/")),
            Account::Coach(_) => Decision::Redirect("/athletes".into()),
            Account::Owner => Decision::NotFound,
        };
    }
    if path == "/athletes" {
        return match account {
            Account::Coach(_) if write => Decision::ReadOnly,
            Account::Coach(_) => Decision::Overview,
            _ => Decision::NotFound,
        };
    }
    if let Some(tail) = path.strip_prefix("/r/") {
        let (name, rest) = match tail.find('/') {
            Some(i) => (&tail[..i], &tail[i..]),
            None => (tail, ""),
        };
        let allowed = match account {
            Account::Runner(me) => me == name,
            Account::Coach(_) => coached.iter().any(|r| r == name),
            Account::Owner => false,
        };
        if !allowed {
            return Decision::NotFound;
        }
        if matches!(account, Account::Coach(_)) && write {
            return Decision::ReadOnly;
        }
        if rest.is_empty() {
            return Decision::Redirect(format!("/r/{name}/"));
        }
        return Decision::Site {
            runner: name.to_string(),
            path: rest.to_string(),
        };
    }
    // A runner's old bookmark (`/activities`) finds their own page.
    match account {
        Account::Runner(me) if !write => Decision::Redirect(format!("/r/{me}{path}")),
        _ => Decision::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(n: &str) -> Account {
        Account::Runner(n.into())
    }

    #[test]
    fn one_runner_owns_every_path() {
        assert_eq!(
            decide(false, &Account::Owner, &[], "/activity/3", true),
            Decision::Site {
                runner: String::new(),
                path: "/activity/3".into()
            }
        );
        assert_eq!(
            decide(false, &Account::Owner, &[], "/login", false),
            Decision::Open
        );
    }

    #[test]
    fn a_runner_sees_their_own_pages_and_nobody_else_s() {
        let ann = runner("ann");
        assert_eq!(
            decide(true, &ann, &[], "/r/ann/pain", true),
            Decision::Site {
                runner: "ann".into(),
                path: "/pain".into()
            }
        );
        for path in [
            "/r/bob/pain",
            "/r/bob/",
            "/r/bob",
            "/r/annx/pain",
            "/athletes",
        ] {
            assert_eq!(
                decide(true, &ann, &[], path, false),
                Decision::NotFound,
                "{path}"
            );
            assert_eq!(
                decide(true, &ann, &[], path, true),
                Decision::NotFound,
                "{path}"
            );
        }
        assert_eq!(
            decide(true, &ann, &[], "/", false),
            Decision::Redirect("/r/ann/".into())
        );
        assert_eq!(
            decide(true, &ann, &[], "/activities", false),
            Decision::Redirect("/r/ann/activities".into())
        );
        assert_eq!(decide(true, &ann, &[], "/pain", true), Decision::NotFound);
    }

    #[test]
    fn a_coach_reads_their_athletes_and_writes_nothing() {
        let c = Account::Coach("kim".into());
        let sees = ["ann".to_string()];
        assert_eq!(
            decide(true, &c, &sees, "/r/ann/activity/4", false),
            Decision::Site {
                runner: "ann".into(),
                path: "/activity/4".into()
            }
        );
        assert_eq!(
            decide(true, &c, &sees, "/r/ann/pain", true),
            Decision::ReadOnly
        );
        assert_eq!(
            decide(true, &c, &sees, "/r/bob/pain", false),
            Decision::NotFound
        );
        assert_eq!(
            decide(true, &c, &sees, "/athletes", false),
            Decision::Overview
        );
        assert_eq!(
            decide(true, &c, &sees, "/athletes", true),
            Decision::ReadOnly
        );
        assert_eq!(
            decide(true, &c, &sees, "/", false),
            Decision::Redirect("/athletes".into())
        );
        assert_eq!(decide(true, &c, &sees, "/pain", false), Decision::NotFound);
    }
}
