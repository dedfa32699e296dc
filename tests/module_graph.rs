//! The pipeline reads one way (DESIGN.md): every module may use the modules
//! of its own stage or an earlier one, never a later one, and no group of
//! modules uses each other in a circle — neither between the top-level
//! modules nor between the files of one folder.
//!
//! The check reads the source itself: every `use` tree and every inline
//! `crate::…`, `super::…` or `self::…` path outside `#[cfg(test)]` blocks and
//! comments, resolved to the file that defines it. A new top-level module
//! fails here until it is given its stage in [`STAGES`].

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, earliest first. A module may use its own stage and the ones
/// before it.
const STAGES: &[(&str, &[&str])] = &[
    (
        "plain data and clocks",
        &[
            "zone", "units", "logging", "activity", "finding", "pain", "clock",
        ],
    ),
    ("decode", &["decode", "bundle"]),
    ("metrics", &["metrics", "sport"]),
    ("store", &["store"]),
    ("ingest", &["ingest", "outcome", "watch"]),
    ("baseline", &["baseline"]),
    ("rules", &["rules"]),
    (
        "alerts and what reads them",
        &["alerts", "budget", "report", "report_input", "export"],
    ),
    ("notify", &["notify", "checkin"]),
    ("edges", &["config", "daemon", "web", "sim", "demo"]),
    ("command line", &["cli"]),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Module path (`["store", "alerts"]`) of every file under `src/`, except
/// the crate roots.
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = src_dir();
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut map = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        map.insert(parts, file);
    }
    map
}

/// The source without comments and without `#[cfg(test)]` items.
fn product_code(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // Skip the item: up to its `;` or past its balanced braces.
        let open = after.find('{');
        let semi = after.find(';');
        let end = match (open, semi) {
            (Some(o), Some(s)) if s < o => s + 1,
            (Some(o), _) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, ch) in after[o..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = o + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => s + 1,
            (None, None) => after.len(),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands one `use` tree (`crate::{a::{b, c}, d as e}`) into its paths.
fn expand_use(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let base = join(prefix, head);
        let mut depth = 0;
        let mut start = 0;
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_use(&inner[start..], &base, out);
    } else if !tree.is_empty() {
        let path = tree.split(" as ").next().unwrap().trim();
        out.push(join(prefix, path));
    }
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}::{path}"),
    }
}

/// Every path this code names, from `use` trees and inline paths.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_start();
        let Some(at) = line.find("use ") else {
            continue;
        };
        let head = &line[..at];
        if !matches!(head.trim(), "" | "pub" | "pub(crate)" | "pub(super)") {
            continue;
        }
        let mut tree = line[at + 4..].to_string();
        while !tree.contains(';') {
            match lines.next() {
                Some(more) => tree.push_str(more.trim()),
                None => break,
            }
        }
        let tree = tree.split(';').next().unwrap_or_default();
        expand_use(tree, "", &mut paths);
    }
    let bytes = code.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(root) {
            let at = from + at;
            from = at + root.len();
            let before_ok = at == 0 || {
                let b = bytes[at - 1] as char;
                !(b.is_alphanumeric() || b == '_' || b == ':')
            };
            if !before_ok {
                continue;
            }
            let tail: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(tail.trim_end_matches(':').to_string());
        }
    }
    paths
}

/// The module a path names, resolved from the module `here`.
fn resolve(
    path: &str,
    here: &[String],
    here_is_dir: bool,
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = match segs.first() {
        Some(&"crate") => {
            segs.remove(0);
            Vec::new()
        }
        Some(&"self") | Some(&"super") => {
            // A file `a/b.rs` is module a::b; its `self` is a::b and its
            // `super` is a. A `mod.rs` is its own folder's module.
            let mut base = here.to_vec();
            let _ = here_is_dir;
            while let Some(&s) = segs.first() {
                match s {
                    "self" => {}
                    "super" => {
                        base.pop();
                    }
                    _ => break,
                }
                segs.remove(0);
            }
            base
        }
        _ => return None,
    };
    let mut found = None;
    for seg in segs {
        base.push(seg.to_string());
        if modules.contains_key(&base) {
            found = Some(base.clone());
        } else {
            break;
        }
    }
    found
}

/// Edges between module files: `a::b` uses `c::d`.
fn edges() -> BTreeSet<(Vec<String>, Vec<String>)> {
    let modules = modules();
    let mut edges = BTreeSet::new();
    for (module, file) in &modules {
        let is_dir = file.file_name().is_some_and(|n| n == "mod.rs");
        let code = product_code(&std::fs::read_to_string(file).unwrap());
        for path in named_paths(&code) {
            if let Some(target) = resolve(&path, module, is_dir, &modules) {
                if &target != module {
                    edges.insert((module.clone(), target));
                }
            }
        }
    }
    edges
}

fn stage_of(top: &str) -> Option<(usize, &'static str)> {
    STAGES
        .iter()
        .enumerate()
        .find(|(_, (_, mods))| mods.contains(&top))
        .map(|(i, (name, _))| (i, *name))
}

/// The cycles of a directed graph, one per strongly connected group.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iterative enough for a graph this size.
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        next: usize,
        groups: Vec<Vec<String>>,
    }
    fn visit(s: &mut State, v: &str) {
        s.index.insert(v.to_string(), s.next);
        s.low.insert(v.to_string(), s.next);
        s.next += 1;
        s.stack.push(v.to_string());
        s.on_stack.insert(v.to_string());
        let targets: Vec<String> = s
            .graph
            .get(v)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(&w);
                let done = w == v;
                group.push(w);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.groups.push(group);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        groups: Vec::new(),
    };
    let nodes: Vec<String> = graph.keys().cloned().collect();
    for v in nodes {
        if !s.index.contains_key(&v) {
            visit(&mut s, &v);
        }
    }
    s.groups
}

#[test]
fn every_top_level_module_has_a_stage() {
    let tops: BTreeSet<String> = modules().keys().map(|m| m[0].clone()).collect();
    let missing: Vec<&String> = tops.iter().filter(|t| stage_of(t).is_none()).collect();
    assert!(
        missing.is_empty(),
        "give these modules their stage in STAGES: {missing:?}"
    );
}

#[test]
fn no_module_uses_a_later_stage() {
    let mut wrong = Vec::new();
    for (from, to) in edges() {
        let (Some((a, an)), Some((b, bn))) = (stage_of(&from[0]), stage_of(&to[0])) else {
            continue;
        };
        if b > a {
            wrong.push(format!(
                "{} ({an}) uses {} ({bn})",
                from.join("::"),
                to.join("::")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the pipeline reads one way; these run back up it:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn no_import_cycles_between_top_level_modules() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges() {
        if from[0] != to[0] {
            graph
                .entry(from[0].clone())
                .or_default()
                .insert(to[0].clone());
        }
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules that use each other: {found:?}");
}

#[test]
fn no_import_cycles_between_the_files_of_a_folder() {
    // Siblings in one folder (`cli/runner.rs`, `cli/web.rs`): each edge is
    // counted between the children of the folder they share.
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (from, to) in edges() {
        let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if shared == 0 || shared >= from.len() || shared >= to.len() {
            continue; // across top-level modules, or parent and child
        }
        graphs
            .entry(from[..shared].to_vec())
            .or_default()
            .entry(from[shared].clone())
            .or_default()
            .insert(to[shared].clone());
    }
    let mut found = Vec::new();
    for (folder, graph) in &graphs {
        for group in cycles(graph) {
            found.push(format!("in {}: {:?}", folder.join("/"), group));
        }
    }
    assert!(found.is_empty(), "files that use each other: {found:?}");
}

#[test]
fn the_scanner_reads_use_trees_and_inline_paths() {
    let code = "use crate::{a::{b, c as d}, e};\nfn f() { crate::g::h(); super::i::j(); }";
    let paths = named_paths(code);
    for want in [
        "crate::a::b",
        "crate::a::c",
        "crate::e",
        "crate::g::h",
        "super::i::j",
    ] {
        assert!(
            paths.iter().any(|p| p == want),
            "{want} missing from {paths:?}"
        );
    }
    let hidden =
        product_code("use crate::x;\n#[cfg(test)]\nmod tests { use crate::y; }\n// crate::z\n");
    assert!(hidden.contains("crate::x"));
    assert!(!hidden.contains("crate::y") && !hidden.contains("crate::z"));
}

#[test]
fn the_cycle_finder_finds_a_circle_and_nothing_else() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    };
    let circle = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]);
    assert_eq!(cycles(&circle), vec![vec!["a", "b", "c"]]);
    let line = graph(&[("a", "b"), ("b", "c"), ("a", "c")]);
    assert!(cycles(&line).is_empty());
}

/// The layout page (`docs/layout.md`, linked from the README) names every
/// top-level module of `src/`, and every path it names exists.
#[test]
fn the_layout_page_matches_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let section = std::fs::read_to_string(root.join("docs/layout.md")).unwrap();
    assert!(
        section.starts_with("# Layout\n"),
        "docs/layout.md is the Layout page"
    );
    let mut missing = Vec::new();
    for word in
        section.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
    {
        let word = word.trim_matches(|c: char| c == '`' || c == '.' || c == ':');
        let known_root = [
            "src/",
            "tests/",
            "benches/",
            "fuzz/",
            "systemd/",
            "scripts/",
            "config/",
            "fixtures/",
        ];
        if known_root.iter().any(|r| word.starts_with(r)) && !root.join(word).exists() {
            missing.push(word.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "docs/layout.md names paths that do not exist: {missing:?}"
    );
    let tops: BTreeSet<String> = modules().keys().map(|m| m[0].clone()).collect();
    let unnamed: Vec<&String> = tops
        .iter()
        .filter(|t| {
            !section.contains(&format!("src/{t}.rs")) && !section.contains(&format!("src/{t}/"))
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "docs/layout.md does not name: {unnamed:?}"
    );
}
