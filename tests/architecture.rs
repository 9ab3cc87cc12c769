//! The house's layering: every module of `src/` uses only modules on lower floors, so
//! the module dependency graph has no circle and no arrow pointing up. The floors are
//! the order data flows (README, "A picture of the house").
//!
//! Dependencies are read from the source text: every `crate::module` path, including
//! those inside grouped `use crate::{a::X, b::{Y, Z}}` imports. Paths through the crate
//! root's re-exports (`crate::Config`) would hide the real dependency, so they are
//! refused too.

use std::collections::BTreeMap;
use std::path::Path;

/// Floors, lowest first. A module may use modules on lower floors only.
const FLOORS: &[&[&str]] = &[
    &["error", "random", "thinned", "vmath"],
    &["keyword"],
    &["jet", "optimizer"],
    &["activation", "operator", "spectrum"],
    &["problem"],
    &["rfm", "net"],
    &["config"],
    &["report"],
    &["experiment"],
    &["budget"],
    &["claims", "web"],
];

fn floor(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// The first path segments after `crate::` in `code` (comments removed).
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
                        let name: String = group[j..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        out.push(name);
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out
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
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let Some(own) = floor(&module) else {
            problems.push(format!(
                "{rel}: module {module} is on no floor; add it to FLOORS"
            ));
            continue;
        };
        for used in crate_paths(&std::fs::read_to_string(&file).unwrap()) {
            if used == module {
                continue;
            }
            match floor(&used) {
                None => problems.push(format!(
                    "{rel}: uses crate::{used}, not a module path (use the defining module)"
                )),
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
    let paths =
        crate_paths("use crate::{config::{Config, Valid}, jet::Precision};\n// crate::web\n");
    assert_eq!(paths, ["config", "jet"]);
}
