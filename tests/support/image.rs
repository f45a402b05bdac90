//! Looking at images as a person with less colour vision would, through
//! ImageMagick: greyscale (Rec. 709 luma, `-colorspace Gray`) and a
//! deuteranopia simulation (Machado, Oliveira and Fernandes 2009, severity
//! 1.0, as a `-color-matrix` on sRGB), each over a white background, as
//! 8-bit grey pixels; and how far apart two such images are.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::process::run;

/// The tools these helpers run.
pub const TOOLS: &[(&str, &str)] = &[("convert", "imagemagick"), ("montage", "imagemagick")];

/// Machado et al.'s deuteranopia matrix (severity 1.0), row by row.
const DEUTERANOPIA: &str =
    "0.367322 0.860646 -0.227968 0.280085 0.672501 0.047413 -0.011820 0.042940 0.968881";

/// How a person sees an image here.
#[derive(Clone, Copy, Debug)]
pub enum Vision {
    /// No colour at all.
    Greyscale,
    /// Red-green colour blindness (no green cones), then in grey.
    Deuteranopia,
}

/// `image` (any format ImageMagick reads) as `vision` sees it, flattened
/// on white and scaled to `size`x`size`: 8-bit grey pixels, row by row.
/// The seen image is also written next to `image` as PNG.
pub fn seen(image: &Path, vision: Vision, size: u32) -> Vec<u8> {
    let suffix = match vision {
        Vision::Greyscale => "grey",
        Vision::Deuteranopia => "deuteranopia",
    };
    let png = with_suffix(image, suffix, "png");
    let raw = with_suffix(image, suffix, "gray");
    let mut cmd = Command::new("convert");
    cmd.arg(image)
        .args(["-background", "white", "-flatten"])
        .args(["-resize", &format!("{size}x{size}!")]);
    if let Vision::Deuteranopia = vision {
        cmd.args(["-color-matrix", DEUTERANOPIA]);
    }
    cmd.args(["-colorspace", "Gray", "-depth", "8"])
        .arg("-write")
        .arg(&png)
        .arg(format!("gray:{}", raw.display()));
    let (status, _, err) = run("convert", cmd, Duration::from_secs(60));
    assert!(status.success(), "convert {}: {err}", image.display());
    let pixels = std::fs::read(&raw).expect("read the converted pixels");
    assert_eq!(pixels.len(), (size * size) as usize, "{}", raw.display());
    pixels
}

/// The mean absolute difference of two grey images, in 0..=255.
pub fn difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "images of one size");
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len().max(1) as f64
}

/// Puts `images` side by side, labelled, into `out` (PNG).
pub fn montage(images: &[(String, PathBuf)], out: &Path) {
    let mut cmd = Command::new("montage");
    for (label, path) in images {
        cmd.arg("-label").arg(label).arg(path);
    }
    cmd.args([
        "-tile",
        &format!("{}x1", images.len()),
        "-geometry",
        "+8+8",
        "-background",
        "white",
    ])
    .arg(out);
    let (status, _, err) = run("montage", cmd, Duration::from_secs(60));
    assert!(status.success(), "montage {}: {err}", out.display());
}

fn with_suffix(path: &Path, suffix: &str, ext: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}-{suffix}.{ext}"))
}
