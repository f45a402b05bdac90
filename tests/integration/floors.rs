//! The house's floors: every module of `src/` uses only modules on floors
//! below its own (the table in ARCHITECTURE.md, "Floors"), and no two
//! modules inside one module use each other, directly or round a circle.
//! The graph is read from the sources by `crates/import-graph`, the same
//! reader `scripts/import-graph` draws the picture with. Test code is left
//! out (a unit test may use what it tests against).

use std::path::Path;

use import_graph::{Floors, Graph};

fn house() -> (Graph, Floors) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = import_graph::read(&root.join("src")).expect("read src/");
    let architecture =
        std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let floors =
        Floors::from_architecture(&architecture).unwrap_or_else(|e| panic!("ARCHITECTURE.md: {e}"));
    (graph, floors)
}

#[test]
fn every_arrow_points_down() {
    let (graph, floors) = house();
    let broken = floors.violations(&graph);
    assert!(
        broken.is_empty(),
        "uses that break the floors of ARCHITECTURE.md (src/...):\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_floors_name_the_modules_there_are() {
    let (graph, floors) = house();
    let modules = graph.children(&[]);
    for name in floors.floors.iter().flatten() {
        assert!(
            modules.contains(&name.as_str()),
            "ARCHITECTURE.md's floors name `{name}`, which src/ does not have: {modules:?}"
        );
    }
}

#[test]
fn no_module_has_a_circle_inside() {
    let (graph, _) = house();
    let circles: Vec<String> = graph
        .circles()
        .iter()
        .map(|c| {
            let steps: Vec<String> = c.iter().map(|r| format!("  {}", r.place())).collect();
            format!("a circle:\n{}", steps.join("\n"))
        })
        .collect();
    assert!(circles.is_empty(), "{}", circles.join("\n"));
}

/// The reader sees the house as it is, so the tests above cannot pass on
/// a reading that found nothing.
#[test]
fn the_reader_sees_the_arrows_there_are() {
    let (graph, floors) = house();
    let arrows: Vec<(&str, &str)> = graph.arrows(&[]).iter().map(|a| (a.from, a.to)).collect();
    for expected in [
        ("cmd", "check"),
        ("check", "probe"),
        ("check", "analysis"),
        ("analysis", "observation"),
        ("report", "journal"),
        ("agent", "report"),
    ] {
        assert!(arrows.contains(&expected), "{expected:?} in {arrows:?}");
    }
    assert!(graph.children(&[]).len() >= 15);
    assert_eq!(floors.floor("util"), Some(0));
    assert_eq!(floors.floor("cmd"), Some(floors.floors.len() - 1));
    let probe: Vec<(&str, &str)> = graph
        .arrows(&["probe".to_string()])
        .iter()
        .map(|a| (a.from, a.to))
        .collect();
    assert!(probe.contains(&("trace", "fallback")), "{probe:?}");
}
