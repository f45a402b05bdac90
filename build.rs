//! Embeds the built-in knowledge base (`pins/`) into the binary: writes a
//! table of `(relative path, include_str!(absolute path))` for every TOML
//! and PEM file under `pins/`, so `--pins DIR` and the built-in set load the same way.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let pins = root.join("pins");
    println!("cargo:rerun-if-changed=pins");
    let mut files = Vec::new();
    collect(&pins, &mut files)?;
    files.sort();
    let mut out =
        String::from("/// Built-in knowledge files: (path relative to pins/, contents).\n");
    out.push_str("pub static FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&pins).map_err(io::Error::other)?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?).join("embedded_pins.rs");
    fs::write(dest, out)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "pem") {
            files.push(path);
        }
    }
    Ok(())
}
