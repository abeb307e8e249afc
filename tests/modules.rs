//! The modules of `src/` form no cycle: each top-level module may use the ones below it,
//! never one that (directly or through others) uses it back. Read from the source: every
//! `crate::NAME` path outside comments and test code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, tests excluded.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("read src");
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and without its test module (which follows
/// the first `#[cfg(test)]`, at the end of the file by the project's convention).
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named by the `crate::` paths in `code`, groups included
/// (`crate::{a, b::c}` names `a` and `b`).
fn used(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The names at the group's first level.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(first_name(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            names.insert(first_name(&item));
        } else {
            names.insert(first_name(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// The identifier `text` starts with, after blanks.
fn first_name(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Which top-level module uses which, from the files under `src/`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("name")
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        let mut uses = used(&code(&text));
        uses.remove(&top);
        graph.entry(top).or_default().extend(uses);
    }
    graph
}

/// A cycle through `module`, as the list of modules along it, if there is one.
fn cycle_from(
    module: &str,
    graph: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|m| m == module) {
        let mut cycle = path[start..].to_vec();
        cycle.push(module.to_owned());
        return Some(cycle);
    }
    if done.contains(module) {
        return None;
    }
    path.push(module.to_owned());
    for next in graph.get(module).into_iter().flatten() {
        if let Some(cycle) = cycle_from(next, graph, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(module.to_owned());
    None
}

#[test]
fn no_module_uses_one_that_uses_it_back() {
    let graph = graph();
    assert!(graph.len() > 10, "{graph:?}");
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let cycle = cycle_from(module, &graph, &mut Vec::new(), &mut done);
        assert_eq!(cycle, None, "a cycle between modules: {cycle:?}");
    }
}

#[test]
fn paths_and_groups_are_read_as_modules() {
    let code = code(
        "use crate::a::B;\nuse crate::{b, c::{D, e::F}, self as g};\nlet x = crate::d::f(); // crate::z\n",
    );
    let names: Vec<String> = used(&code).into_iter().collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
}
