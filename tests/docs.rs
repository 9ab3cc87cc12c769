//! The documentation's relative links resolve: every `[text](target)` and image in
//! `README.md` and `docs/*.md` whose target is not a web address or an in-page anchor
//! names a file (or folder) that exists, relative to the document.

use std::path::Path;

/// The link targets in a Markdown text: what follows `](` up to the closing `)`.
fn targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for target in targets(&text) {
            // `(file "title")`: the file is the first word.
            let file = target.split_whitespace().next().unwrap_or("");
            let file = file.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if !doc.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {target}", doc.display()));
            }
        }
    }
    assert!(checked >= 10, "only {checked} relative links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn links_are_read_from_markdown() {
    assert_eq!(
        targets("see [a](docs/a.md) and ![b](b.png \"t\") or [c](https://x.org)"),
        ["docs/a.md", "b.png \"t\"", "https://x.org"]
    );
}
