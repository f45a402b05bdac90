//! pinwatch's module graph, read from its sources: which module of `src/`
//! uses which. The floors test (`tests/integration/floors.rs`) checks it
//! against the floors ARCHITECTURE.md declares, and `scripts/import-graph`
//! draws it (Graphviz DOT) from the same reading.
//!
//! The reading is a Rust reader's, not a compiler's, and is made for code
//! that `cargo fmt` keeps: the module tree is walked from `lib.rs` through
//! its `mod NAME;` declarations (`#[path]` honoured); comments, string and
//! character literals are blanked out; every path that starts with
//! `crate::` or `super::` (`use` lines, `use crate::{a, b::c}` groups and
//! paths in code alike) is a reference to the longest module it names.
//! Test code is not the house: a module declared under `#[cfg(test)]` is
//! not read, nor is any item under `#[cfg(test)]` in a file read. An inline
//! module (`mod files { ... }`) counts as part of its file's module.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A module's path below the crate root (`["probe", "trace"]`); the root
/// itself is empty.
pub type ModPath = Vec<String>;

/// One use of a module by another: where it is written and what it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The file, relative to the source directory (`probe/trace.rs`).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The line, trimmed, as written.
    pub text: String,
    /// The module the file belongs to.
    pub from: ModPath,
    /// The module the path names (the longest known prefix of it).
    pub to: ModPath,
}

impl Reference {
    /// `probe/trace.rs:183: use crate::analysis::CertFacts;`
    pub fn place(&self) -> String {
        format!("{}:{}: {}", self.file.display(), self.line, self.text)
    }
}

/// The modules of a crate and the references between them.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Every module that has a file, with its files.
    pub modules: BTreeMap<ModPath, Vec<PathBuf>>,
    /// Every reference to a module other than the referring file's own.
    pub references: Vec<Reference>,
}

/// One arrow between two sibling modules (children of the same module):
/// `from` uses `to`, as `because` shows.
#[derive(Clone, Copy, Debug)]
pub struct Arrow<'g> {
    /// The using sibling.
    pub from: &'g str,
    /// The used sibling.
    pub to: &'g str,
    /// A reference that makes the arrow.
    pub because: &'g Reference,
}

/// Reads the crate whose root is `src/lib.rs`.
pub fn read(src: &Path) -> io::Result<Graph> {
    let mut graph = Graph::default();
    let mut pending: Vec<(ModPath, PathBuf)> = vec![(Vec::new(), PathBuf::from("lib.rs"))];
    let mut texts: Vec<(ModPath, PathBuf, String)> = Vec::new();
    while let Some((module, file)) = pending.pop() {
        let text = fs::read_to_string(src.join(&file))?;
        let code = code_only(&text);
        for (name, path) in child_modules(&code) {
            let child_file = match path {
                Some(path) => dir_of(&file).join(path),
                None => child_file(src, &file, &name),
            };
            let mut child = module.clone();
            child.push(name);
            pending.push((child, child_file));
        }
        graph
            .modules
            .entry(module.clone())
            .or_default()
            .push(file.clone());
        texts.push((module, file, text));
    }
    for (module, file, text) in &texts {
        let code = code_only(text);
        let lines: Vec<&str> = text.lines().collect();
        for (line, path) in paths(&live_code(&code)) {
            let Some(to) = resolve(&graph, module, &path) else {
                continue;
            };
            if &to == module {
                continue;
            }
            graph.references.push(Reference {
                file: file.clone(),
                line,
                text: lines.get(line - 1).map_or("", |l| l.trim()).to_string(),
                from: module.clone(),
                to,
            });
        }
    }
    graph
        .references
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(graph)
}

impl Graph {
    /// The children of `parent` (the top-level modules for the root).
    pub fn children(&self, parent: &[String]) -> Vec<&str> {
        let names: BTreeSet<&str> = self
            .modules
            .keys()
            .filter(|m| m.len() == parent.len() + 1 && m.starts_with(parent))
            .map(|m| m[parent.len()].as_str())
            .collect();
        names.into_iter().collect()
    }

    /// The arrows between the children of `parent`: a reference from
    /// anywhere inside one child to anywhere inside another. Uses of
    /// `parent` itself (what its `mod.rs` defines or re-exports) are not
    /// arrows between its children.
    pub fn arrows(&self, parent: &[String]) -> Vec<Arrow<'_>> {
        fn child<'m>(m: &'m ModPath, parent: &[String]) -> Option<&'m str> {
            (m.len() > parent.len() && m.starts_with(parent)).then(|| m[parent.len()].as_str())
        }
        self.references
            .iter()
            .filter_map(|r| match (child(&r.from, parent), child(&r.to, parent)) {
                (Some(from), Some(to)) if from != to => Some(Arrow {
                    from,
                    to,
                    because: r,
                }),
                _ => None,
            })
            .collect()
    }

    /// Every circle among siblings, in any module: each as the references
    /// that close it, one per arrow.
    pub fn circles(&self) -> Vec<Vec<&Reference>> {
        let mut found = Vec::new();
        for parent in self.modules.keys() {
            let arrows = self.arrows(parent);
            let mut next: BTreeMap<&str, BTreeMap<&str, &Reference>> = BTreeMap::new();
            for a in &arrows {
                next.entry(a.from)
                    .or_default()
                    .entry(a.to)
                    .or_insert(a.because);
            }
            let mut seen: BTreeSet<BTreeSet<&str>> = BTreeSet::new();
            for &start in next.keys() {
                if let Some(circle) = shortest_way_back(&next, start) {
                    let members: BTreeSet<&str> = circle.iter().map(|(from, _)| *from).collect();
                    if seen.insert(members) {
                        found.push(circle.into_iter().map(|(_, r)| r).collect());
                    }
                }
            }
        }
        found
    }

    /// The arrows between the children of `parent` in Graphviz DOT, one
    /// node per child, one edge per pair (labelled with how many references
    /// make it); with `floors`, each floor on a rank of its own, lowest at
    /// the bottom.
    pub fn dot(&self, parent: &[String], floors: Option<&Floors>) -> String {
        let name = if parent.is_empty() {
            "crate".to_string()
        } else {
            parent.join("::")
        };
        let mut out = String::new();
        let _ = writeln!(out, "digraph \"{name}\" {{");
        let _ = writeln!(out, "    rankdir=BT;");
        let _ = writeln!(out, "    node [shape=box, fontname=\"monospace\"];");
        let children = self.children(parent);
        match floors {
            Some(floors) => {
                for (i, floor) in floors.floors.iter().enumerate() {
                    let here: Vec<&str> = floor
                        .iter()
                        .map(String::as_str)
                        .filter(|m| children.contains(m))
                        .collect();
                    let nodes: Vec<String> = here.iter().map(|m| format!("\"{m}\"")).collect();
                    let _ = writeln!(
                        out,
                        "    subgraph floor{i} {{ rank=same; label=\"floor {i}\"; {}; }}",
                        nodes.join("; ")
                    );
                }
                for c in children.iter().filter(|c| floors.floor(c).is_none()) {
                    let _ = writeln!(out, "    \"{c}\" [color=red];");
                }
            }
            None => {
                for c in &children {
                    let _ = writeln!(out, "    \"{c}\";");
                }
            }
        }
        let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for a in self.arrows(parent) {
            *pairs.entry((a.from, a.to)).or_default() += 1;
        }
        for ((from, to), n) in pairs {
            let upward = floors.is_some_and(|f| match (f.floor(from), f.floor(to)) {
                (Some(a), Some(b)) => a <= b,
                _ => false,
            });
            let style = if upward { ", color=red" } else { "" };
            let _ = writeln!(out, "    \"{from}\" -> \"{to}\" [label=\"{n}\"{style}];");
        }
        out.push_str("}\n");
        out
    }
}

/// The shortest way from `start` back to itself, as (from, reference)
/// steps; `None` when there is none.
fn shortest_way_back<'g>(
    next: &BTreeMap<&'g str, BTreeMap<&'g str, &'g Reference>>,
    start: &'g str,
) -> Option<Vec<(&'g str, &'g Reference)>> {
    let mut came_from: BTreeMap<&str, (&str, &Reference)> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for (&to, &why) in next.get(at).into_iter().flatten() {
            if to == start {
                let mut steps = vec![(at, why)];
                let mut back = at;
                while back != start {
                    let (prev, r) = came_from[back];
                    steps.push((prev, r));
                    back = prev;
                }
                steps.reverse();
                return Some(steps);
            }
            if !came_from.contains_key(to) {
                came_from.insert(to, (at, why));
                queue.push_back(to);
            }
        }
    }
    None
}

/// The floors of a house, lowest first: a module may use only modules on
/// floors below its own (none on its own floor, none above).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floors {
    /// The modules of each floor, floor 0 first.
    pub floors: Vec<Vec<String>>,
}

impl Floors {
    /// The floors of the table under the heading `## Floors` in
    /// ARCHITECTURE.md: each row `| N | `a`, `b` | ... |`, the floor's
    /// number and its modules in backticks.
    pub fn from_architecture(markdown: &str) -> Result<Floors, String> {
        let section = markdown
            .split("\n## ")
            .find(|s| s.starts_with("Floors\n"))
            .ok_or("no `## Floors` section")?;
        let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
        for line in section.lines().filter(|l| l.starts_with('|')) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (Some(number), Some(modules)) = (cells.get(1), cells.get(2)) else {
                continue;
            };
            let Ok(number) = number.parse::<usize>() else {
                continue;
            };
            let modules = modules
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            rows.push((number, modules));
        }
        rows.sort_by_key(|(n, _)| *n);
        if rows.is_empty() || rows.iter().enumerate().any(|(i, (n, _))| i != *n) {
            return Err("the floors are not numbered 0, 1, 2, ... in the table".into());
        }
        Ok(Floors {
            floors: rows.into_iter().map(|(_, m)| m).collect(),
        })
    }

    /// The floor of top-level module `module`.
    pub fn floor(&self, module: &str) -> Option<usize> {
        self.floors
            .iter()
            .position(|f| f.iter().any(|m| m == module))
    }

    /// What breaks the floors in `graph`: a top-level module on no floor,
    /// and every use of a module that is not on a lower floor, naming the
    /// line that makes it.
    pub fn violations(&self, graph: &Graph) -> Vec<String> {
        let mut found = Vec::new();
        for module in graph.children(&[]) {
            if self.floor(module).is_none() {
                found.push(format!("`{module}` is on no floor"));
            }
        }
        for a in graph.arrows(&[]) {
            if let (Some(from), Some(to)) = (self.floor(a.from), self.floor(a.to)) {
                if from <= to {
                    let r = a.because;
                    found.push(format!(
                        "{}:{}: `{}` (floor {from}) uses `{}` (floor {to}), which is not below it: {}",
                        r.file.display(),
                        r.line,
                        a.from,
                        a.to,
                        r.text
                    ));
                }
            }
        }
        found
    }
}

/// The directory a file's relative paths start from.
fn dir_of(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Whether `file` is a module's own directory file (`lib.rs`, `mod.rs`),
/// whose children live beside it.
fn file_is_dir(file: &Path) -> bool {
    matches!(
        file.file_name().and_then(|n| n.to_str()),
        Some("lib.rs" | "mod.rs" | "main.rs")
    )
}

/// Where the child `name` of the module in `file` lives: `NAME.rs` or
/// `NAME/mod.rs` beside a `lib.rs` or `mod.rs`, in the directory named
/// after any other file.
fn child_file(src: &Path, file: &Path, name: &str) -> PathBuf {
    let dir = if file_is_dir(file) {
        dir_of(file)
    } else {
        file.with_extension("")
    };
    let flat = dir.join(format!("{name}.rs"));
    if src.join(&flat).exists() {
        flat
    } else {
        dir.join(name).join("mod.rs")
    }
}

/// The `mod NAME;` declarations of a file (with a `#[path]` when given),
/// leaving out those under `#[cfg(test)]`.
fn child_modules(code: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut attributes: Vec<&str> = Vec::new();
    for line in code.lines() {
        let line = line.trim();
        if line.is_empty() {
            // A blank line, or a doc comment blanked out.
            continue;
        }
        if line.starts_with("#[") {
            attributes.push(line);
            continue;
        }
        let unqualified = match line.strip_prefix("pub(") {
            Some(rest) => rest.split_once(") ").map_or(line, |(_, item)| item),
            None => line.strip_prefix("pub ").unwrap_or(line),
        };
        let declared = unqualified
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = declared {
            if !attributes.contains(&"#[cfg(test)]") {
                let path = attributes
                    .iter()
                    .find_map(|a| a.strip_prefix("#[path = \"")?.strip_suffix("\"]"));
                found.push((name.trim().to_string(), path.map(str::to_string)));
            }
        }
        attributes.clear();
    }
    found
}

/// The file's code with every item under `#[cfg(test)]` blanked out (line
/// numbers kept): an item whose first line ends with `{` ends at the line
/// that closes it at the same indentation, any other at its `;`.
fn live_code(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "#[cfg(test)]" {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let mut start = i + 1;
        while start < lines.len()
            && (lines[start].trim_start().starts_with("#[") || lines[start].trim().is_empty())
        {
            start += 1;
        }
        let first = lines.get(start).copied().unwrap_or_default();
        let indent = &first[..first.len() - first.trim_start().len()];
        let mut end = start;
        if first.trim_end().ends_with('{') {
            let close = format!("{indent}}}");
            while end < lines.len() && !lines[end].starts_with(&close) {
                end += 1;
            }
        } else {
            while end < lines.len() && !lines[end].trim_end().ends_with(';') {
                end += 1;
            }
        }
        for _ in i..=end.min(lines.len() - 1) {
            out.push('\n');
        }
        i = end + 1;
    }
    out
}

/// Resolves a path written in the module `module` to the longest module
/// it names.
fn resolve(graph: &Graph, module: &ModPath, path: &[String]) -> Option<ModPath> {
    let (mut base, rest): (ModPath, &[String]) = match path.first().map(String::as_str) {
        Some("crate") => (Vec::new(), &path[1..]),
        Some("super") => {
            let mut base = module.clone();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        _ => return None,
    };
    let mut known = graph.modules.contains_key(&base).then(|| base.clone());
    for segment in rest {
        if segment == "self" {
            continue;
        }
        base.push(segment.clone());
        if graph.modules.contains_key(&base) {
            known = Some(base.clone());
        } else {
            break;
        }
    }
    known
}

/// Every path that starts with `crate::` or `super::` in `code`, with its
/// line; a `{...}` group gives one path per member.
fn paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = [&b"crate::"[..], &b"super::"[..]]
            .iter()
            .find(|p| bytes[i..].starts_with(p))
            .copied();
        let after_word =
            i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':' || bytes[i - 1] == b'$');
        match starts {
            Some(prefix) if after_word => {
                let head = String::from_utf8_lossy(&prefix[..prefix.len() - 2]).into_owned();
                let mut end = i + prefix.len();
                let mut out = Vec::new();
                tree(bytes, &mut end, vec![head], &mut out);
                for (at, path) in out {
                    found.push((line_of(code, at.max(i)), path));
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    found
}

/// Reads a path tree at `*at` (after `prefix::`): segments joined by `::`,
/// possibly ending in a `{...}` group of trees. Pushes every full path
/// with the offset of its first segment.
fn tree(bytes: &[u8], at: &mut usize, prefix: Vec<String>, out: &mut Vec<(usize, Vec<String>)>) {
    let mut path = prefix;
    let first = *at;
    loop {
        skip_space(bytes, at);
        if bytes.get(*at) == Some(&b'{') {
            *at += 1;
            loop {
                skip_space(bytes, at);
                match bytes.get(*at) {
                    Some(b'}') => {
                        *at += 1;
                        return;
                    }
                    Some(b',') => *at += 1,
                    Some(c) if is_ident(*c) || *c == b'*' => {
                        let before = *at;
                        tree(bytes, at, path.clone(), out);
                        if *at == before {
                            *at += 1;
                        }
                    }
                    Some(_) => *at += 1,
                    None => return,
                }
            }
        }
        let start = *at;
        while bytes.get(*at).is_some_and(|c| is_ident(*c) || *c == b'*') {
            *at += 1;
        }
        if *at == start {
            break;
        }
        path.push(String::from_utf8_lossy(&bytes[start..*at]).into_owned());
        if bytes[*at..].starts_with(b"::") {
            *at += 2;
        } else {
            break;
        }
    }
    out.push((first, path));
}

fn skip_space(bytes: &[u8], at: &mut usize) {
    while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
        *at += 1;
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn line_of(code: &str, offset: usize) -> usize {
    code.as_bytes()[..offset.min(code.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// `text` with comments, string literals and character literals replaced
/// by spaces (newlines kept, so lines and columns stay where they were).
pub fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    blank(&mut out, '/');
                    blank(&mut out, '*');
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    blank(&mut out, '*');
                    blank(&mut out, '/');
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if c == 'r'
            && !prev_ident
            && matches!(next, Some('"' | '#'))
            && raw_start(&chars, i + 1).is_some()
        {
            let (hashes, body) = raw_start(&chars, i + 1).unwrap_or((0, i + 1));
            for &c in &chars[i..body] {
                blank(&mut out, c);
            }
            i = body;
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while i < chars.len() && !chars[i..].starts_with(&close) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            for _ in 0..close.len().min(chars.len() - i) {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            blank(&mut out, c);
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && next == Some('\\') {
            // An escaped character literal (`'\''`, `'\u{1F600}'`): the
            // quote, the backslash and the escaped character, then up to
            // the closing quote.
            for _ in 0..3.min(chars.len() - i) {
                blank(&mut out, chars[i]);
                i += 1;
            }
            while i < chars.len() && chars[i] != '\'' {
                blank(&mut out, chars[i]);
                i += 1;
            }
            if i < chars.len() {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            for _ in 0..3 {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else {
            // Code, or a lifetime's quote.
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `at` (just after an `r`): `#*"` opening a raw string; its number of
/// hashes and where its body starts.
fn raw_start(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let hashes = chars[at..].iter().take_while(|c| **c == '#').count();
    (chars.get(at + hashes) == Some(&'"')).then_some((hashes, at + hashes + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_with(files: &[(&str, &str)]) -> (tempfile_free::Dir, Graph) {
        let dir = tempfile_free::Dir::new();
        for (name, text) in files {
            let path = dir.0.join(name);
            fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            fs::write(&path, text).expect("write");
        }
        let graph = read(&dir.0).expect("read");
        (dir, graph)
    }

    /// A directory of its own under the system's temporary directory,
    /// removed when dropped (this crate has no dependencies).
    mod tempfile_free {
        pub struct Dir(pub std::path::PathBuf);

        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!(
                    "import-graph-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::create_dir_all(&path).expect("temporary directory");
                Dir(path)
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn arrows(graph: &Graph, parent: &[&str]) -> Vec<(String, String, usize)> {
        let parent: ModPath = parent.iter().map(|s| s.to_string()).collect();
        graph
            .arrows(&parent)
            .iter()
            .map(|a| (a.from.to_string(), a.to.to_string(), a.because.line))
            .collect()
    }

    #[test]
    fn uses_in_code_groups_and_super_are_read_and_test_code_is_not() {
        let (_dir, g) = crate_with(&[
            (
                "lib.rs",
                "pub mod a;\npub mod b;\nmod c;\n#[cfg(test)]\nmod t;\n",
            ),
            (
                "a/mod.rs",
                "//! uses crate::c in a comment\nmod x;\nmod y;\nuse crate::{b::Thing, c};\n",
            ),
            (
                "a/x.rs",
                "fn f() -> u8 {\n    let s = \"crate::c::nope\";\n    super::y::g() + crate::b::h()\n}\n#[cfg(test)]\nmod tests {\n    use crate::c;\n}\n",
            ),
            (
                "a/y.rs",
                "pub fn g() -> u8 { b'x'; 'a'; 1 }\nfn l<'a>(s: &'a str) -> &'a str { s }\n",
            ),
            ("b.rs", "pub fn h() -> u8 { 2 }\npub struct Thing;\n"),
            (
                "c.rs",
                "#[cfg(test)]\nuse crate::a;\npub fn z() { r#\"crate::a\"#; }\n",
            ),
            ("t.rs", "use crate::a;\n"),
        ]);
        assert_eq!(g.children(&[]), ["a", "b", "c"]);
        assert_eq!(
            arrows(&g, &[]),
            [
                ("a".into(), "b".into(), 4),
                ("a".into(), "c".into(), 4),
                ("a".into(), "b".into(), 3)
            ]
        );
        assert_eq!(arrows(&g, &["a"]), [("x".into(), "y".into(), 3)]);
        assert_eq!(
            g.references[0].place(),
            "a/mod.rs:4: use crate::{b::Thing, c};"
        );
    }

    #[test]
    fn circles_among_siblings_are_found_with_their_lines() {
        let (_dir, g) = crate_with(&[
            ("lib.rs", "mod p;\n"),
            ("p/mod.rs", "mod e;\nmod f;\nmod g;\n"),
            ("p/e.rs", "use super::f::LIMIT;\n"),
            ("p/f.rs", "\nfn x() { super::e::io(); }\n"),
            ("p/g.rs", "use super::e;\n"),
        ]);
        let circles = g.circles();
        assert_eq!(circles.len(), 1, "{circles:?}");
        let places: Vec<String> = circles[0].iter().map(|r| r.place()).collect();
        assert_eq!(
            places,
            [
                "p/e.rs:1: use super::f::LIMIT;",
                "p/f.rs:2: fn x() { super::e::io(); }"
            ]
        );
    }

    #[test]
    fn floors_come_from_the_architecture_table_and_upward_uses_are_named() {
        let floors = Floors::from_architecture(
            "# x\n\n## Floors\n\n| floor | modules |\n| --- | --- |\n| 1 | `a` |\n| 0 | `b`, `c` |\n\n## Next\n| 9 | `z` |\n",
        )
        .unwrap();
        assert_eq!(floors.floors, [vec!["b", "c"], vec!["a"]]);
        let (_dir, g) = crate_with(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            ("a.rs", "use crate::b;\n"),
            ("b.rs", "\nuse crate::c::X;\nuse crate::a;\n"),
            ("c.rs", ""),
            ("d.rs", ""),
        ]);
        assert_eq!(
            floors.violations(&g),
            [
                "`d` is on no floor",
                "b.rs:2: `b` (floor 0) uses `c` (floor 0), which is not below it: use crate::c::X;",
                "b.rs:3: `b` (floor 0) uses `a` (floor 1), which is not below it: use crate::a;",
            ]
        );
        let dot = g.dot(&[], Some(&floors));
        assert!(
            dot.contains("\"b\" -> \"a\" [label=\"1\", color=red];"),
            "{dot}"
        );
        assert!(dot.contains("\"a\" -> \"b\" [label=\"1\"];"), "{dot}");
        assert!(Floors::from_architecture("## Floors\n| 1 | `a` |\n").is_err());
    }
}
