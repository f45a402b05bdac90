//! Prepares the built-in knowledge base (`pins/`) at build time:
//! - loads and validates it with the `pinwatch-knowledge` crate, the same
//!   loader the binary uses for `--pins DIR`, so a bad pins file fails the
//!   build with its file:line:column, and writes the result as JSON
//!   (`knowledge.json`): a run deserializes it and parses no TOML;
//! - reads the built-in knowledge's bundle header (`pins/bundle.toml`:
//!   its sequence number and issue date) and writes it as JSON
//!   (`builtin_header.json`): the built-in knowledge is bundle N;
//! - writes a table of `(relative path, include_str!(absolute path))` for
//!   every TOML and PEM file under `pins/` (the PEM certificates are attached
//!   at run time; the TOML serves tests and `pins verify`);
//! - sets `PINWATCH_BUILD_EPOCH`, when this was built (`SOURCE_DATE_EPOCH`
//!   when set, for reproducible builds): a clock before it is wrong.

use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let pins = root.join("pins");
    println!("cargo:rerun-if-changed=pins");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let built = env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    println!("cargo:rustc-env=PINWATCH_BUILD_EPOCH={built}");
    let mut paths = Vec::new();
    collect(&pins, &mut paths)?;
    paths.sort();
    let out_dir = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?);

    let mut table =
        String::from("/// Built-in knowledge files: (path relative to pins/, contents).\n");
    table.push_str("pub static FILES: &[(&str, &str)] = &[\n");
    let mut contents = Vec::with_capacity(paths.len());
    for file in &paths {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&pins).map_err(io::Error::other)?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        table.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
        contents.push((format!("pins/{rel}"), fs::read_to_string(file)?));
    }
    table.push_str("];\n");
    fs::write(out_dir.join("embedded_pins.rs"), table)?;

    let knowledge = pinwatch_knowledge::load_files(&contents)
        .map_err(|e| io::Error::other(format!("the built-in pins do not load: {e}")))?;
    let json = serde_json::to_string(&knowledge).map_err(io::Error::other)?;
    fs::write(out_dir.join("knowledge.json"), json)?;

    let header_path = pins.join("bundle.toml");
    let version = env::var("CARGO_PKG_VERSION").map_err(io::Error::other)?;
    let header = pinwatch_knowledge::bundle::Header::from_toml(
        "pins/bundle.toml",
        &fs::read_to_string(&header_path)?,
        &version,
    )
    .map_err(|e| io::Error::other(format!("the built-in bundle header: {e}")))?;
    let json = serde_json::to_string(&header).map_err(io::Error::other)?;
    fs::write(out_dir.join("builtin_header.json"), json)
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
