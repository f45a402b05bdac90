//! `import-graph [--module PATH] [SRC]`: prints the module graph of the
//! crate in SRC (default `src`, its root `lib.rs`) as Graphviz DOT: the
//! top-level modules, each floor of ARCHITECTURE.md (found beside SRC) on a
//! rank of its own, an arrow that breaks the floors in red; with
//! `--module probe`, the modules inside `probe` instead. Then the circles
//! among sibling modules, if any, as DOT comments.
//! `scripts/import-graph` runs it.

use std::path::PathBuf;
use std::process::ExitCode;

use import_graph::{Floors, ModPath, read};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut module: ModPath = Vec::new();
    let mut src = PathBuf::from("src");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--module" => {
                let Some(path) = args.next() else {
                    return usage("--module needs a module path (probe, agent::desktop)");
                };
                module = path.split("::").map(str::to_string).collect();
            }
            "-h" | "--help" => {
                println!("usage: import-graph [--module PATH] [SRC]");
                return ExitCode::SUCCESS;
            }
            _ => src = PathBuf::from(arg),
        }
    }
    let graph = match read(&src) {
        Ok(graph) => graph,
        Err(e) => return usage(&format!("{}: {e}", src.display())),
    };
    let architecture = src
        .parent()
        .map(|p| p.join("ARCHITECTURE.md"))
        .and_then(|p| std::fs::read_to_string(p).ok());
    let floors = architecture
        .as_deref()
        .and_then(|text| Floors::from_architecture(text).ok())
        .filter(|_| module.is_empty());
    print!("{}", graph.dot(&module, floors.as_ref()));
    for circle in graph.circles() {
        println!("// circle:");
        for r in circle {
            println!("//   {}", r.place());
        }
    }
    ExitCode::SUCCESS
}

fn usage(message: &str) -> ExitCode {
    eprintln!("import-graph: {message}");
    ExitCode::from(2)
}
