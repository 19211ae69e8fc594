//! Tests of the viewer's slice path (`super`, render.rs): colours, zoom,
//! windows, overlay blending and size limits.

use super::*;
use crate::core::{Geometry, Value};
use crate::formats::slices::grey_level;
use crate::formats::slices::orient::Run;
use crate::formats::slices::Axis;

/// A 3x2x2 int16 canvas with value 100*z + 10*y + x.
fn numbered() -> Canvas {
    let g = Geometry::new([3, 2, 2, 1], VoxelType::Int16).unwrap();
    let mut c = Canvas::new(g, VoxelType::Int16).unwrap();
    for z in 0..2 {
        for y in 0..2 {
            for x in 0..3 {
                c.set([x, y, z, 0], Value::Int((100 * z + 10 * y + x).into())).unwrap();
            }
        }
    }
    c
}

fn spec(window: Option<(f64, f64)>, colormap: Colormap) -> Spec {
    Spec {
        plane: Plane::voxel(Axis::Z, false),
        index: 0,
        frame: 0,
        zoom: 1,
        aspect: (1.0, 1.0),
        base: Layer { window, colormap },
        overlay: Layer { window: None, colormap: Colormap::Labels },
        alpha: 0.5,
    }
}

fn reds(p: &Rgba) -> Vec<u8> {
    p.pixels.chunks_exact(4).map(|c| c[0]).collect()
}

#[test]
fn grey_matches_png_levels_and_zoom_repeats() {
    let c = numbered();
    let p = render(&c, None, &spec(Some((0.0, 12.0)), Colormap::Grey)).unwrap();
    assert_eq!((p.width, p.height), (3, 2));
    assert_eq!(reds(&p), [0, 21, 43, 213, 234, 255]);
    assert!(p.pixels.chunks_exact(4).all(|c| c[0] == c[1] && c[1] == c[2] && c[3] == 255));
    let z = render(&c, None, &Spec { zoom: 2, ..spec(Some((0.0, 12.0)), Colormap::Grey) }).unwrap();
    assert_eq!((z.width, z.height), (6, 4));
    assert_eq!(reds(&z)[..12], [0, 0, 21, 21, 43, 43, 0, 0, 21, 21, 43, 43]);
    assert_eq!(reds(&z)[12..18], [213, 213, 234, 234, 255, 255]);
}

#[test]
fn default_window_is_the_frames_min_max_and_axes_flip() {
    let c = numbered();
    // slice 0 of axis z holds 0..12, the frame 0..112: the window is the frame's
    let p = render(&c, None, &Spec { index: 1, ..spec(None, Colormap::Grey) }).unwrap();
    assert_eq!(reds(&p)[5], 255);
    assert_eq!(reds(&p)[0], grey_level(100.0, 0.0, 112.0));
    let x = render(
        &c,
        None,
        &Spec { plane: Plane::voxel(Axis::X, true), index: 2, ..spec(Some((0.0, 255.0)), Colormap::Grey) },
    )
    .unwrap();
    assert_eq!(reds(&x), [102, 112, 2, 12]);
}

#[test]
fn fast_level_is_grey_level() {
    let windows = [(0.0, 1.0), (0.0, 12.0), (-500.0, 2500.0), (3.0, 3.0), (0.0, 255.0), (0.1, 0.7)];
    for (lo, hi) in windows {
        for i in -100..3000 {
            for v in [lo + (hi - lo) * i as f64 / 2550.0, lo + (hi - lo) * (i as f64 + 0.5) / 255.0, i as f64] {
                for v in [v, f64::from_bits(v.to_bits().wrapping_add(1)), f64::from_bits(v.to_bits().wrapping_sub(1))] {
                    assert_eq!(level(v, lo, hi), grey_level(v, lo, hi), "v {v} window {lo} {hi}");
                }
            }
        }
    }
    assert_eq!(level(f64::NAN, 0.0, 1.0), 0);
    assert_eq!(level(0.5 - f64::EPSILON / 4.0, 0.0, 255.0), grey_level(0.5 - f64::EPSILON / 4.0, 0.0, 255.0));
}

#[test]
fn hot_and_labels() {
    assert_eq!(colour(1.0, Colormap::Hot, (0.0, 1.0)), Some([255, 255, 255]));
    assert_eq!(colour(0.2, Colormap::Hot, (0.0, 1.0)), Some([153, 0, 0]));
    assert_eq!(colour(0.5, Colormap::Hot, (0.0, 1.0)), Some([255, 129, 0]));
    assert_eq!(colour(0.0, Colormap::Hot, (0.0, 1.0)), None);
    assert_eq!(colour(0.0, Colormap::Labels, (0.0, 1.0)), None);
    assert_eq!(colour(f64::NAN, Colormap::Labels, (0.0, 1.0)), None);
    assert_eq!(colour(1.0, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[0]));
    assert_eq!(colour(13.2, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[0]));
    assert_eq!(colour(-1.0, Colormap::Labels, (0.0, 1.0)), Some(PALETTE[10]));
}

#[test]
fn overlay_blends_by_the_documented_formula() {
    let c = numbered();
    let g = c.geometry();
    let mut mask = Canvas::new(g, VoxelType::Uint8).unwrap();
    mask.set([1, 0, 0, 0], Value::Int(2)).unwrap();
    let s = Spec { alpha: 0.4, ..spec(Some((0.0, 12.0)), Colormap::Grey) };
    let p = render(&c, Some(&mask), &s).unwrap();
    // a = round(0.4 * 255) = 102; the base pixel (1,0) is grey 21
    let want = blend([21, 21, 21], PALETTE[1], 102);
    assert_eq!(&p.pixels[4..7], &want);
    assert_eq!(want[1], ((21 * 153 + 180 * 102 + 127) / 255) as u8);
    // transparent label 0 leaves the base as it was
    assert_eq!(&p.pixels[8..12], &[43, 43, 43, 255]);
    assert_eq!(blend([10, 20, 30], [200, 100, 0], 0), [10, 20, 30]);
    assert_eq!(blend([10, 20, 30], [200, 100, 0], 255), [200, 100, 0]);
}

#[test]
fn oversized_views_are_refused_not_allocated() {
    let c = numbered();
    // 3 x 10000 is below 32767 a side, but 30000 x 20000 x 4 bytes is over 2 GiB
    let e = render(&c, None, &Spec { zoom: 10_000, ..spec(None, Colormap::Grey) }).unwrap_err();
    assert!(e.message.contains("2147483647 bytes"), "{}", e.message);
    let e = render(&c, None, &Spec { zoom: 11_000, ..spec(None, Colormap::Grey) }).unwrap_err();
    assert!(e.message.contains("32767 pixels a side"), "{}", e.message);
    let e = render(&c, None, &Spec { zoom: 1 << 20, ..spec(None, Colormap::Grey) }).unwrap_err();
    assert_eq!(e.code, ["MX", "VIEW", "TOOLARGE"]);
    let e = render(&c, None, &Spec { zoom: usize::MAX, ..spec(None, Colormap::Grey) }).unwrap_err();
    assert_eq!(e.code, ["MX", "VIEW", "TOOLARGE"]);
}

#[test]
fn every_zoom_is_the_zoom_1_picture_in_k_by_k_blocks() {
    // Zoom 2 has its own widening loop, other zooms the generic one: all
    // must equal nearest-neighbour repetition of the zoom 1 picture.
    let c = numbered();
    let base = Spec { plane: Plane::voxel(Axis::Y, false), index: 1, ..spec(Some((0.0, 112.0)), Colormap::Hot) };
    let one = render(&c, Some(&c), &base).unwrap();
    for k in 1..=4 {
        let z = render(&c, Some(&c), &Spec { zoom: k, ..base }).unwrap();
        assert_eq!((z.width, z.height), (one.width * k, one.height * k));
        let mut expected = Vec::new();
        for y in 0..z.height {
            for x in 0..z.width {
                let at = ((y / k) * one.width + x / k) * 4;
                expected.extend_from_slice(&one.pixels[at..at + 4]);
            }
        }
        assert_eq!(z.pixels, expected, "zoom {k}");
    }
}

#[test]
fn aspect_stretches_by_nearest_voxel_and_runs_reverse() {
    let c = numbered();
    let s =
        Spec { plane: Plane::voxel(Axis::Y, false), aspect: (1.0, 3.0), ..spec(Some((0.0, 255.0)), Colormap::Grey) };
    let one = render(&c, None, &Spec { aspect: (1.0, 1.0), ..s }).unwrap();
    let tall = render(&c, None, &Spec { zoom: 2, ..s }).unwrap();
    assert_eq!((tall.width, tall.height), (6, 12));
    for y in 0..12 {
        for x in 0..6 {
            let want = reds(&one)[(y / 6) * 3 + x / 2];
            assert_eq!(reds(&tall)[y * 6 + x], want, "pixel {x} {y}");
        }
    }
    // 1.5 pixels a voxel: pixel p shows voxel floor((p + 0.5) / 1.5).
    let odd = render(&c, None, &Spec { aspect: (1.5, 1.0), ..s }).unwrap();
    assert_eq!(odd.width, 5);
    let cols: Vec<u8> = reds(&odd)[..5].to_vec();
    let r = reds(&one);
    assert_eq!(cols, [r[0], r[1], r[1], r[2], r[2]]);
    // A plane run backwards across shows the row mirrored.
    let back = Plane { across: Run { axis: 0, forward: false }, ..s.plane };
    let m = render(&c, None, &Spec { plane: back, aspect: (1.0, 1.0), ..s }).unwrap();
    assert_eq!(reds(&m)[..3], [r[2], r[1], r[0]]);
}
