//! Help that tells the truth (issue 22, point 4): every subcommand and
//! every flag of `tendonwatch` has a one-line help, walked through the
//! clap command tree itself so a new flag without one fails here; the
//! help of `tag` and `visa-a` says what they set; `pain list` says how
//! many older entries `--days` would show.
#![allow(clippy::unwrap_used)]

mod util;

use clap::CommandFactory;
use tendonwatch::cli::Cli;
use util::Tw;

/// "tendonwatch pain list --days": every argument of `cmd` and its
/// subcommands, below `path`, whose help is missing or empty.
fn without_help(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if id == "help" || id == "version" {
            continue;
        }
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        if help.trim().is_empty() || help.contains('\n') {
            let name = arg
                .get_long()
                .map(|l| format!("--{l}"))
                .unwrap_or_else(|| format!("<{id}>"));
            out.push(format!("{path} {name}"));
        }
    }
    for sub in cmd.get_subcommands() {
        let here = format!("{path} {}", sub.get_name());
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        if sub.get_name() != "help" && (about.trim().is_empty() || about.contains('\n')) {
            out.push(here.clone());
        }
        without_help(sub, &here, out);
    }
}

#[test]
fn every_subcommand_and_flag_has_a_one_line_help() {
    let cmd = Cli::command();
    let mut missing = Vec::new();
    without_help(&cmd, "tendonwatch", &mut missing);
    assert!(missing.is_empty(), "no help for:\n{}", missing.join("\n"));
}

#[test]
fn the_walk_finds_a_flag_without_help() {
    let cmd = clap::Command::new("x")
        .arg(clap::Arg::new("json").long("json").help("As JSON"))
        .subcommand(
            clap::Command::new("list")
                .about("List")
                .arg(clap::Arg::new("days").long("days")),
        )
        .subcommand(clap::Command::new("bare"));
    let mut missing = Vec::new();
    without_help(&cmd, "x", &mut missing);
    assert_eq!(missing, ["x list --days", "x bare"]);
}

#[test]
fn tag_help_names_everything_it_sets() {
    let tw = Tw::new();
    let short = tw.run(&["--help"]).assert_ok().stdout.clone();
    let line = short
        .lines()
        .find(|l| l.trim_start().starts_with("tag "))
        .unwrap();
    for what in ["surface", "sport", "start"] {
        assert!(line.contains(what), "{line}");
    }
    let help = tw.run(&["tag", "--help"]).assert_ok().stdout.clone();
    for flag in ["--surface", "--sport", "--start", "--clear"] {
        assert!(help.contains(flag), "{help}");
    }
    assert!(!help.starts_with("Set the surface"), "{help}");
}

#[test]
fn visa_a_help_asks_each_question_in_its_own_words() {
    let tw = Tw::new();
    let help = tw.run(&["visa-a", "--help"]).assert_ok().stdout.clone();
    for (i, question) in tendonwatch::pain::VISA_A_QUESTIONS.iter().enumerate() {
        let flag = format!("--q{}", i + 1);
        let at = help
            .find(&flag)
            .unwrap_or_else(|| panic!("{flag}:\n{help}"));
        assert!(
            help[at..].contains(question),
            "{flag} is explained:\n{help}"
        );
    }
    assert!(help.contains("0, 4, 7 or 10"), "{help}");
}

#[test]
fn pain_list_says_how_many_older_entries_days_would_show() {
    let tw = Tw::new();
    tw.run(&["pain", "2", "--kind", "morning"]).assert_ok();
    let long_ago = (chrono::Utc::now() - chrono::Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    let older = (chrono::Utc::now() - chrono::Duration::days(70))
        .format("%Y-%m-%d")
        .to_string();
    for at in [&long_ago, &older] {
        tw.run(&["pain", "3", "--kind", "morning", "--at", at])
            .assert_ok();
    }
    let list = tw.run(&["pain", "list"]);
    let hint = list
        .assert_ok()
        .stdout
        .lines()
        .find(|l| l.contains("older than 60 days"))
        .unwrap_or_else(|| panic!("no hint:\n{}", list.stdout))
        .to_string();
    assert!(
        hint.starts_with("not shown: 2 entries older than 60 days — "),
        "{hint}"
    );
    let days: String = hint
        .split("--days ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    // The days it names show them all, and no fewer would.
    let all = tw.run(&["pain", "list", "--days", &days]);
    assert_eq!(
        all.assert_ok()
            .stdout
            .lines()
            .filter(|l| l.starts_with('#'))
            .count(),
        3
    );
    assert!(!all.stdout.contains("not shown"), "{}", all.stdout);
    let fewer = (days.parse::<i64>().unwrap() - 1).to_string();
    let some = tw.run(&["pain", "list", "--days", &fewer]);
    assert!(
        some.assert_ok()
            .stdout
            .contains("not shown: 1 entry older than"),
        "{}",
        some.stdout
    );

    // Nothing hidden: no hint.
    let wide = tw.run(&["pain", "list", "--days", "365"]);
    assert!(
        !wide.assert_ok().stdout.contains("not shown"),
        "{}",
        wide.stdout
    );
}

/// No message a runner reads is debug formatting (`{:?}` of a path or a
/// list: `… about ["/tmp/x"]`): outside test code, no format string of
/// `src/` holds `:?}` (a `debug!` line is for developers). Test modules
/// stand at the end of their file, or in a `tests.rs` of their own.
#[test]
fn no_debug_formatting_outside_tests() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            let line_code = line.split("//").next().unwrap_or("");
            let for_developers = line_code.contains("debug!(") || line_code.contains("trace!(");
            if (line_code.contains(":?}") || line_code.contains(":#?}")) && !for_developers {
                found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "debug formatting:\n{}", found.join("\n"));
}
