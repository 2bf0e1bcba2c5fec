//! The modules form layers: drawing depends on measuring, never the reverse. This reads the
//! sources and fails when two modules import each other (directly or round a longer loop).

use std::collections::BTreeMap;
use std::path::Path;

/// Module name -> the modules of this crate its source names with `crate::`.
fn imports() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if name == "main" || name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut uses: Vec<String> = text
            .split("crate::")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| *m != name && src.join(format!("{m}.rs")).exists())
            .collect();
        uses.sort();
        uses.dedup();
        graph.insert(name, uses);
    }
    graph
}

/// Whether `to` can be reached from `from` by following imports.
fn reaches(graph: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_string()];
    let mut seen = Vec::new();
    while let Some(m) = stack.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if next == to {
                return true;
            }
            if !seen.contains(next) {
                seen.push(next.clone());
                stack.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    for (module, uses) in &graph {
        for used in uses {
            assert!(
                !reaches(&graph, used, module),
                "{module} uses {used}, and {used} leads back to {module}: {graph:?}"
            );
        }
    }
}

#[test]
fn drawing_depends_on_measuring_not_the_reverse() {
    let graph = imports();
    assert!(graph["display"].contains(&"cpu".to_string()), "{graph:?}");
    assert!(!reaches(&graph, "cpu", "display"), "{graph:?}");
    assert!(!reaches(&graph, "usage", "display"), "{graph:?}");
    assert!(!reaches(&graph, "usage", "cpu"), "{graph:?}");
}
