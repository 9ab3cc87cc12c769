//! The house's layering: every module of `src/` uses only modules on lower floors, so
//! the module dependency graph has no circle and no arrow pointing up. The floors are
//! the order data flows (docs/development.md, "A picture of the house"), and the
//! folders group them: the numeric core (`numeric/`), the PDEs (`pde/`), the two
//! models (`models/`), the experiment layer (`experiment/`) and the front ends (`web/`,
//! `bin/`).
//!
//! A module is named by its path from `src/` (`numeric::jet`; a file inside a module's
//! folder belongs to that module, `models/net/forward.rs` to `models::net`).
//! Dependencies are read from the source text: every `crate::…` path, including those
//! inside grouped `use crate::{a::X, b::{Y, Z}}` imports, belongs to the longest module
//! name it starts with. Paths through the crate root's re-exports (`crate::Config`,
//! `crate::jet`) would hide the real dependency, so they are refused too.

use std::collections::BTreeMap;
use std::path::Path;

/// Floors, lowest first. A module may use modules on lower floors only.
const FLOORS: &[&[&str]] = &[
    &[
        "error",
        "numeric::random",
        "numeric::thinned",
        "numeric::dense",
    ],
    &["keyword", "numeric::vmath"],
    &["numeric::jet", "models::optimizer"],
    &["numeric::activation", "pde::operator", "numeric::spectrum"],
    &["pde::problem"],
    &["models::rfm", "models::net"],
    &["experiment::config"],
    &["experiment::report"],
    &["experiment"],
    &["experiment::budget"],
    &["experiment::claims", "web"],
];

/// Folders that only group modules: their `mod.rs` declares them and holds no code.
const GROUPS: &[&str] = &["numeric", "pde", "models"];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// The longest module name on some floor that `path` (`a::b::c`) starts with.
fn module_of(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|m| floor(m).is_some())
}

/// The paths after `crate::` in `code` (comments removed), each up to its first `{`,
/// space or punctuation: `crate::{numeric::jet::X, pde::problem::{P, Q}}` gives
/// `numeric::jet::X` and `pde::problem::`.
fn crate_paths(code: &str) -> Vec<String> {
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // A grouped import: the segments at depth 1.
            let (mut depth, mut start) = (1, true);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => start = true,
                    c if start && depth == 1 && (c.is_alphanumeric() || c == '_') => {
                        let name: String = group[j..].chars().take_while(|&c| is_path(c)).collect();
                        out.push(name);
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(rest.chars().take_while(|&c| is_path(c)).collect());
        }
    }
    out
}

fn is_path(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':'
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_lower_floors() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut uses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if rel.starts_with("bin/") || rel == "lib.rs" {
            continue; // the CLI and the crate root sit above every floor
        }
        if GROUPS.iter().any(|g| rel == format!("{g}/mod.rs")) {
            continue; // declares its folder's modules
        }
        let path = rel
            .trim_end_matches(".rs")
            .trim_end_matches("/mod")
            .replace('/', "::");
        let Some(module) = module_of(&path) else {
            problems.push(format!(
                "{rel}: module {path} is on no floor; add it to FLOORS"
            ));
            continue;
        };
        let own = floor(&module).unwrap();
        for path in crate_paths(&std::fs::read_to_string(&file).unwrap()) {
            let Some(used) = module_of(&path) else {
                problems.push(format!(
                    "{rel}: uses crate::{path}, not a module path (use the defining module)"
                ));
                continue;
            };
            if used == module {
                continue;
            }
            match floor(&used) {
                None => unreachable!("module_of returns modules on a floor"),
                Some(f) if f >= own => problems.push(format!(
                    "{rel}: {module} (floor {own}) uses {used} (floor {f}), which is not below it"
                )),
                Some(_) => uses.entry(module.clone()).or_default().push(used),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The drawing itself, for whoever runs the test with --nocapture.
    for (m, used) in &mut uses {
        used.sort();
        used.dedup();
        println!("{m} → {}", used.join(", "));
    }
}

#[test]
fn grouped_imports_are_read() {
    let paths = crate_paths(
        "use crate::{experiment::config::{Config, Valid}, numeric::jet::Precision};\n// crate::web\n",
    );
    assert_eq!(paths, ["experiment::config::", "numeric::jet::Precision"]);
    assert_eq!(module_of(&paths[0]).as_deref(), Some("experiment::config"));
    assert_eq!(module_of("experiment::run").as_deref(), Some("experiment"));
    assert_eq!(module_of("jet::Number"), None);
}

#[test]
fn no_source_file_is_over_600_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > 600)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}
