//! The household of the dashboard tests (issue 13, point 3): three runners
//! (ann, bob, cy) in one config, each with their own sync folder, store and
//! login, and a coach (kim) who sees ann and bob. Shared by the HTTP tests
//! (`tests/household_web.rs`) and the browser tests (`tests/browser.rs`).
//! Included with `#[path = "util/household.rs"] mod household;` next to
//! `mod util;` and `#[path = "util/dashboard.rs"] mod dashboard;`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::dashboard::{Server, form_token, write_season};
use super::util::{self, Tw};
use std::path::PathBuf;

/// The passwords `Household::new` sets.
pub const ANN_PASSWORD: &str = "ann's long password";
pub const BOB_PASSWORD: &str = "bob's long password";
pub const KIM_PASSWORD: &str = "kim's long password";

/// Three runners and a coach in one config, with their stores under
/// `<root>/state` (`STATE_DIRECTORY`).
pub struct Household {
    pub tw: Tw,
    /// `<root>/household.toml`.
    pub config: PathBuf,
}

impl Household {
    /// ann: a season with the long-run spike, her first ten runs left out
    /// (17 runs); bob: the steady season (27 runs) and a morning pain note
    /// only he may read; cy: nothing yet, and no password. kim coaches ann
    /// and bob.
    pub fn new() -> Household {
        let tw = Tw::new();
        let root = tw.root().to_path_buf();
        for who in ["ann", "bob", "cy"] {
            std::fs::create_dir_all(root.join(format!("sync-{who}"))).unwrap();
        }
        let config = root.join("household.toml");
        std::fs::write(
            &config,
            format!(
                "# our household\n\
                 [[runner]]\nname = \"ann\"\nsync_folders = [\"{0}/sync-ann\"]\n\n\
                 [[runner]]\nname = \"bob\"\nsync_folders = [\"{0}/sync-bob\"]\n\n\
                 [[runner]]\nname = \"cy\"\nsync_folders = [\"{0}/sync-cy\"]\n\n\
                 [[coach]]\nname = \"kim\"\nrunners = [\"ann\", \"bob\"]\n",
                root.display()
            ),
        )
        .unwrap();
        let h = Household { tw, config };
        write_season(&root.join("sync-ann"), true);
        for i in 0..10 {
            std::fs::remove_file(root.join(format!("sync-ann/run-{i:03}.fit"))).unwrap();
        }
        write_season(&root.join("sync-bob"), false);
        for who in ["ann", "bob"] {
            let dir = root.join(format!("sync-{who}"));
            h.cli(&["--runner", who, "import", dir.to_str().unwrap()])
                .assert_ok();
        }
        h.cli(&["--runner", "ann", "pain", "2", "--kind", "morning"])
            .assert_ok();
        h.cli(&[
            "--runner",
            "bob",
            "pain",
            "5",
            "--kind",
            "morning",
            "--note",
            "bob-private-heel-note",
        ])
        .assert_ok();
        h.set_password(&["--runner", "ann"], ANN_PASSWORD);
        h.set_password(&["--runner", "bob"], BOB_PASSWORD);
        h.set_password(&["--coach", "kim"], KIM_PASSWORD);
        h
    }

    pub fn command(&self) -> std::process::Command {
        let mut cmd = self.tw.bare_command();
        cmd.env("STATE_DIRECTORY", self.tw.root().join("state"))
            .arg("--config")
            .arg(&self.config);
        cmd
    }

    pub fn cli(&self, args: &[&str]) -> util::Run {
        let mut cmd = self.command();
        cmd.args(args);
        Tw::run_command(cmd)
    }

    pub fn set_password(&self, whose: &[&str], password: &str) {
        let mut cmd = self.command();
        cmd.args(["web", "set-password"]).args(whose);
        super::dashboard::set_password(cmd, password);
    }

    pub fn serve(&self) -> Server {
        let mut cmd = self.command();
        cmd.args(["serve", "--bind", "127.0.0.1:0"]);
        Server::spawn(cmd)
    }

    pub fn store(&self, who: &str) -> PathBuf {
        self.tw.root().join(format!("state/runners/{who}.db"))
    }

    /// What no refused request may change in a runner's store.
    pub fn snapshot(&self, who: &str) -> Vec<Vec<String>> {
        util::dump_tables(&util::open(&self.store(who)), util::FORM_TABLES)
    }

    pub fn max_id(&self, who: &str, table: &str) -> i64 {
        util::open(&self.store(who))
            .query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )
            .unwrap()
    }
}

/// A logged-in account: its cookies and a form token of its pages.
pub struct Session {
    pub cookie: String,
    pub token: String,
}

/// Log `name` in over HTTP, as a browser would.
pub fn login(server: &Server, name: &str, password: &str) -> Session {
    let first = server.get("/login", None);
    let csrf = first.set_cookie("tw_csrf").unwrap();
    let body = format!(
        "csrf={csrf}&name={name}&password={}",
        password.replace(' ', "+").replace('\'', "%27")
    );
    let r = server.post_form("/login", Some(&format!("tw_csrf={csrf}")), &body);
    assert_eq!(r.status, 303, "{name}: {}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let session = r.set_cookie("tw_session").unwrap();
    let cookie = format!("tw_csrf={csrf}; tw_session={session}");
    let home = server.get("/", Some(&cookie));
    assert_eq!(home.status, 303);
    let page = server.get(home.header("location").unwrap(), Some(&cookie));
    assert_eq!(page.status, 200, "{}", page.body);
    Session {
        token: form_token(&page.body).expect("the page has a form (log out)"),
        cookie,
    }
}
