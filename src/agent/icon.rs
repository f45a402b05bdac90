//! The tray icon, drawn at run time: pinwatch's own shape (a shield) with
//! a symbol per state, so the state reads without colour: a check mark
//! (all clear), an eye (your organisation inspects these connections: a
//! sanctioned interceptor), an exclamation mark (intercepted), a question
//! mark (suspicious), an arrow into the network (log in first), three dots
//! (checking), a cross (offline), two bars (alerts paused). Intercepted,
//! suspicious, sanctioned and all clear are filled shields of distinct
//! lightness; checking and offline are outlines. Pure: RGBA pixels for any size,
//! anti-aliased by 4x4 supersampling; the tray sends them as pixmaps.

use super::wording::TrayState;

/// An RGBA colour.
type Rgba = [u8; 4];

const WHITE: Rgba = [0xff, 0xff, 0xff, 0xff];

/// The rim around a filled shield.
const RIM: Rgba = [0xf6, 0xf8, 0xfa, 0xff];

/// Shield fill and symbol colour of each state. Fills differ in lightness
/// as well as hue (green lighter than red), and every symbol differs in
/// shape, so greyscale and colour-blind eyes tell them apart.
fn colours(state: TrayState) -> (Rgba, Rgba) {
    match state {
        TrayState::AllClear => ([0x2d, 0xa4, 0x4e, 0xff], WHITE),
        // Calm and light (lighter than amber), with a dark symbol.
        TrayState::Sanctioned => ([0xc5, 0xb3, 0xf0, 0xff], [0x2a, 0x1f, 0x4d, 0xff]),
        TrayState::Suspicious => ([0xd4, 0x8a, 0x00, 0xff], [0x1f, 0x23, 0x28, 0xff]),
        TrayState::Intercepted => ([0xa4, 0x0e, 0x26, 0xff], WHITE),
        TrayState::Portal => ([0x09, 0x69, 0xda, 0xff], WHITE),
        TrayState::Checking | TrayState::Offline => {
            ([0x8c, 0x95, 0x9f, 0xff], [0x8c, 0x95, 0x9f, 0xff])
        }
        TrayState::Paused => ([0x57, 0x60, 0x6a, 0xff], WHITE),
    }
}

/// Whether the state's shield is only an outline (nothing is known yet).
fn hollow(state: TrayState) -> bool {
    matches!(state, TrayState::Checking | TrayState::Offline)
}

/// Inside the shield (coordinates in 0..1, y down): a flat top with
/// rounded corners, straight sides, and curved sides meeting in a point at
/// the bottom.
fn in_shield(x: f64, y: f64) -> bool {
    const TOP: f64 = 0.05;
    const WAIST: f64 = 0.45;
    const BOTTOM: f64 = 0.97;
    const HALF: f64 = 0.40;
    let dx = (x - 0.5).abs();
    if !(TOP..=BOTTOM).contains(&y) {
        return false;
    }
    if y <= WAIST {
        let corner = 0.09;
        if y < TOP + corner && dx > HALF - corner {
            let (cx, cy) = (dx - (HALF - corner), y - (TOP + corner));
            return cx * cx + cy * cy <= corner * corner;
        }
        return dx <= HALF;
    }
    let t = (y - WAIST) / (BOTTOM - WAIST);
    dx <= HALF * (1.0 - t.powf(1.8))
}

/// Inside the shield's outline of width `w`.
fn in_outline(x: f64, y: f64, w: f64) -> bool {
    let inner = |x: f64, y: f64| {
        // The shield shrunk about its centre.
        let s = 1.0 - 2.4 * w;
        in_shield(0.5 + (x - 0.5) / s, 0.5 + (y - 0.52) / s)
    };
    in_shield(x, y) && !inner(x, y)
}

/// Distance from (x, y) to the segment a-b.
fn to_segment(x: f64, y: f64, a: (f64, f64), b: (f64, f64)) -> f64 {
    let (vx, vy) = (b.0 - a.0, b.1 - a.1);
    let len2 = vx * vx + vy * vy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((x - a.0) * vx + (y - a.1) * vy) / len2).clamp(0.0, 1.0)
    };
    let (px, py) = (a.0 + t * vx, a.1 + t * vy);
    ((x - px).powi(2) + (y - py).powi(2)).sqrt()
}

/// On a polyline of stroke width `w` (round caps and joins).
fn on_path(x: f64, y: f64, points: &[(f64, f64)], w: f64) -> bool {
    points
        .windows(2)
        .any(|p| to_segment(x, y, p[0], p[1]) <= w / 2.0)
}

fn on_dot(x: f64, y: f64, c: (f64, f64), r: f64) -> bool {
    (x - c.0).powi(2) + (y - c.1).powi(2) <= r * r
}

/// On an eye of stroke width `w`: an almond outline (two arcs meeting at
/// its corners) around a round pupil.
fn on_eye(x: f64, y: f64, w: f64) -> bool {
    const CENTRE: (f64, f64) = (0.5, 0.46);
    const HALF_WIDTH: f64 = 0.27;
    const HALF_HEIGHT: f64 = 0.17;
    let arc = |sign: f64| -> Vec<(f64, f64)> {
        (0..=16)
            .map(|i| {
                let t = f64::from(i) / 16.0 * 2.0 - 1.0;
                let lift = HALF_HEIGHT * (1.0 - t * t);
                (CENTRE.0 + t * HALF_WIDTH, CENTRE.1 + sign * lift)
            })
            .collect()
    };
    on_path(x, y, &arc(-1.0), w) || on_path(x, y, &arc(1.0), w) || on_dot(x, y, CENTRE, 0.075)
}

/// On the state's symbol.
fn on_symbol(state: TrayState, x: f64, y: f64) -> bool {
    const W: f64 = 0.12;
    match state {
        TrayState::AllClear => on_path(x, y, &[(0.29, 0.50), (0.44, 0.65), (0.72, 0.33)], W),
        TrayState::Sanctioned => on_eye(x, y, W * 0.8),
        TrayState::Intercepted => {
            on_path(x, y, &[(0.5, 0.22), (0.5, 0.54)], 0.14) || on_dot(x, y, (0.5, 0.72), 0.08)
        }
        TrayState::Suspicious => {
            let hook = [
                (0.37, 0.33),
                (0.42, 0.24),
                (0.5, 0.21),
                (0.59, 0.24),
                (0.63, 0.32),
                (0.59, 0.41),
                (0.5, 0.47),
                (0.5, 0.56),
            ];
            on_path(x, y, &hook, W) || on_dot(x, y, (0.5, 0.72), 0.075)
        }
        TrayState::Portal => {
            on_path(x, y, &[(0.27, 0.47), (0.70, 0.47)], W)
                || on_path(x, y, &[(0.53, 0.31), (0.70, 0.47), (0.53, 0.63)], W)
        }
        TrayState::Checking => [0.32, 0.5, 0.68]
            .iter()
            .any(|&cx| on_dot(x, y, (cx, 0.47), 0.07)),
        TrayState::Offline => {
            on_path(x, y, &[(0.36, 0.32), (0.64, 0.62)], W)
                || on_path(x, y, &[(0.64, 0.32), (0.36, 0.62)], W)
        }
        TrayState::Paused => {
            on_path(x, y, &[(0.40, 0.28), (0.40, 0.64)], 0.13)
                || on_path(x, y, &[(0.60, 0.28), (0.60, 0.64)], 0.13)
        }
    }
}

/// The colour of the point (x, y) of `state`'s icon; `None`: transparent.
fn paint(state: TrayState, x: f64, y: f64) -> Option<Rgba> {
    let (fill, symbol) = colours(state);
    if on_symbol(state, x, y) {
        return Some(symbol);
    }
    if hollow(state) {
        return in_outline(x, y, 0.07).then_some(fill);
    }
    // A light rim keeps a dark shield (intercepted) visible on a dark panel.
    if in_outline(x, y, 0.035) {
        return Some(RIM);
    }
    in_shield(x, y).then_some(fill)
}

/// `state`'s icon, `size` pixels square, RGBA, rows top to bottom. Each
/// pixel is the mean of 4x4 samples (every colour drawn is opaque, so the
/// covered samples give the colour and their share the alpha).
pub fn rgba(state: TrayState, size: u32) -> Vec<u8> {
    const SAMPLES: u32 = 4;
    let at = |p: u32, s: u32| {
        (f64::from(p) + (f64::from(s) + 0.5) / f64::from(SAMPLES)) / f64::from(size)
    };
    let mut out = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let mut sum = [0u32; 3];
            let mut covered = 0u32;
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    if let Some(c) = paint(state, at(px, sx), at(py, sy)) {
                        for (s, v) in sum.iter_mut().zip(c) {
                            *s += u32::from(v);
                        }
                        covered += 1;
                    }
                }
            }
            let mean = |s: u32| u8::try_from(s / covered.max(1)).unwrap_or(u8::MAX);
            let alpha = u8::try_from(covered * 255 / (SAMPLES * SAMPLES)).unwrap_or(u8::MAX);
            out.extend([mean(sum[0]), mean(sum[1]), mean(sum[2]), alpha]);
        }
    }
    out
}

/// `state`'s icon as ARGB32 in network byte order, the StatusNotifierItem
/// pixmap format.
pub fn argb(state: TrayState, size: u32) -> Vec<u8> {
    rgba(state, size)
        .chunks_exact(4)
        .flat_map(|p| [p[3], p[0], p[1], p[2]])
        .collect()
}

/// `state`'s icon as a PAM image (netpbm, RGB_ALPHA), which ImageMagick
/// and other tools read without a codec.
pub fn pam(state: TrayState, size: u32) -> Vec<u8> {
    let mut out = format!(
        "P7\nWIDTH {size}\nHEIGHT {size}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
    )
    .into_bytes();
    out.extend(rgba(state, size));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Greyscale (Rec. 601 luma) over a white background.
    fn grey(state: TrayState, size: u32) -> Vec<f64> {
        rgba(state, size)
            .chunks_exact(4)
            .map(|p| {
                let a = f64::from(p[3]) / 255.0;
                let on_white = |c: u8| f64::from(c) * a + 255.0 * (1.0 - a);
                0.299 * on_white(p[0]) + 0.587 * on_white(p[1]) + 0.114 * on_white(p[2])
            })
            .collect()
    }

    #[test]
    fn every_state_differs_from_every_other_in_greyscale() {
        for (i, a) in TrayState::ALL.iter().enumerate() {
            for b in &TrayState::ALL[i + 1..] {
                let (ga, gb) = (grey(*a, 32), grey(*b, 32));
                let mean =
                    ga.iter().zip(&gb).map(|(x, y)| (x - y).abs()).sum::<f64>() / ga.len() as f64;
                assert!(
                    mean > 8.0,
                    "{a:?} and {b:?}: mean difference {mean:.1} of 255"
                );
            }
        }
    }

    #[test]
    fn icons_are_square_and_transparent_at_the_corners() {
        for state in TrayState::ALL {
            let px = rgba(state, 22);
            assert_eq!(px.len(), 22 * 22 * 4);
            assert_eq!(px[3], 0, "{state:?}: the top-left corner is transparent");
            assert!(px.chunks_exact(4).any(|p| p[3] == 255), "{state:?}");
        }
        let pam = pam(TrayState::AllClear, 2);
        assert!(pam.starts_with(b"P7\nWIDTH 2\nHEIGHT 2\n"));
        assert!(pam.ends_with(&rgba(TrayState::AllClear, 2)));
    }
}
