//! smooth: 3-D Gaussian or box smoothing of a canvas in place, for every
//! voxel type, built on the mxcanvas-client crate.
//!
//!     smooth SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--gaussian SIGMA | --box RADIUS]
//!     smooth [--gaussian SIGMA | --box RADIUS]     (the canvas described by MXCANVAS)
//!
//! Each frame (volume) is smoothed on its own, never across time. The kernel
//! is separable (x, then y, then z); at the borders the nearest voxel is
//! repeated ("nearest" edge mode), so a constant canvas stays constant. The
//! arithmetic is in f64; integer types are rounded (halves away from zero)
//! and saturated once, at the end. In Tcl:
//!
//!     mx::transport id $c { exec smooth $id {*}[mx::geometry $c] --gaussian 1.5 }
//!     mx::exec $c smooth --gaussian 1.5
//!
//! Every argument is checked before the segment is attached, so a wrong call
//! exits non-zero with the segment untouched. Exit status: 0 done, 1 the
//! segment could not be used, 2 bad arguments.

use mxcanvas_client::{Description, Geometry, Segment, Voxel, VoxelsMutFn};
use std::io::Write;
use std::process::ExitCode;

/// Print the usage to stdout; a closed pipe (`smooth --help | head`) is not an error.
fn help() -> ExitCode {
    let _ = writeln!(std::io::stdout(), "{USAGE}");
    ExitCode::SUCCESS
}

const USAGE: &str = "\
usage: smooth SHMID WIDTH HEIGHT DEPTH FRAMES TYPE [--gaussian SIGMA | --box RADIUS]
       smooth [--gaussian SIGMA | --box RADIUS]    (the canvas described by MXCANVAS)

Smooth the canvas in shared memory segment SHMID in place, each frame in 3-D:
  --gaussian SIGMA  Gaussian kernel of standard deviation SIGMA voxels (> 0),
                    truncated at 3 SIGMA (the default: --gaussian 1)
  --box RADIUS      mean over the (2 RADIUS + 1)^3 cube around each voxel
Borders repeat the nearest voxel. TYPE is one of uint8 int8 uint16 int16
uint32 int32 float32 int64 uint64 float64; the segment must be exactly
WIDTH*HEIGHT*DEPTH*FRAMES voxels of TYPE.
In Tcl:  mx::transport id $c { exec smooth $id {*}[mx::geometry $c] }
         mx::exec $c smooth";

/// Largest kernel radius accepted: far beyond any useful smoothing, small
/// enough that the kernel's allocation cannot fail.
const MAX_RADIUS: usize = 3000;

/// One-dimensional kernel weights for offsets -r..=r, summing to 1.
fn kernel(args: &Kernel) -> Vec<f64> {
    let weights: Vec<f64> = match *args {
        Kernel::Gaussian(sigma) => {
            let r = (3.0 * sigma).ceil() as i64;
            (-r..=r).map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp()).collect()
        }
        Kernel::Box(r) => vec![1.0; 2 * r + 1],
    };
    let total: f64 = weights.iter().sum();
    weights.into_iter().map(|w| w / total).collect()
}

enum Kernel {
    Gaussian(f64),
    Box(usize),
}

/// Convolve `data` (one frame, x fastest) along one axis: `len` voxels along
/// it, `stride` apart; `lines` enumerates the start index of every line.
fn convolve_axis(data: &mut [f64], weights: &[f64], len: usize, stride: usize, starts: &[usize]) {
    let r = (weights.len() / 2) as isize;
    let mut line = vec![0.0; len];
    for &start in starts {
        for (i, v) in line.iter_mut().enumerate() {
            *v = data[start + i * stride];
        }
        for i in 0..len {
            let mut acc = 0.0;
            for (k, w) in weights.iter().enumerate() {
                let j = (i as isize + k as isize - r).clamp(0, len as isize - 1) as usize;
                acc += w * line[j];
            }
            data[start + i * stride] = acc;
        }
    }
}

struct Smooth(Vec<f64>);

impl VoxelsMutFn for Smooth {
    type Output = ();

    fn apply<T: Voxel>(self, voxels: &mut [T], g: &Geometry) {
        let (w, h, d) = (g.width(), g.height(), g.depth());
        let weights = &self.0;
        let x_starts: Vec<usize> = (0..d * h).map(|zy| zy * w).collect();
        let y_starts: Vec<usize> = (0..d).flat_map(|z| (0..w).map(move |x| z * w * h + x)).collect();
        let z_starts: Vec<usize> = (0..w * h).collect();
        let mut frame = vec![0.0; g.frame_voxels()];
        for out in voxels.chunks_mut(g.frame_voxels()) {
            for (f, v) in frame.iter_mut().zip(out.iter()) {
                *f = v.to_f64();
            }
            convolve_axis(&mut frame, weights, w, 1, &x_starts);
            convolve_axis(&mut frame, weights, h, w, &y_starts);
            convolve_axis(&mut frame, weights, d, w * h, &z_starts);
            for (v, f) in out.iter_mut().zip(frame.iter()) {
                *v = T::from_f64(*f);
            }
        }
    }
}

/// Parse the command line: Ok(None) for --help.
fn parse(args: &[String]) -> Result<Option<(Kernel, Description)>, String> {
    if args.iter().any(|a| a == "--help") {
        return Ok(None);
    }
    let (canvas, options) = Description::from_args_or_env(args).map_err(|e| e.to_string())?;
    let mut kernel = Kernel::Gaussian(1.0);
    let mut i = 0;
    while i < options.len() {
        let value = options.get(i + 1);
        match (options[i].as_str(), value) {
            ("--gaussian", Some(v)) => match v.parse::<f64>() {
                Ok(s) if s > 0.0 && 3.0 * s <= MAX_RADIUS as f64 => kernel = Kernel::Gaussian(s),
                _ => return Err(format!("bad sigma \"{v}\": expected a number > 0 and <= {}", MAX_RADIUS / 3)),
            },
            ("--box", Some(v)) => match v.parse::<usize>() {
                Ok(r) if r <= MAX_RADIUS => kernel = Kernel::Box(r),
                _ => return Err(format!("bad radius \"{v}\": expected an integer from 0 to {MAX_RADIUS}")),
            },
            (opt, _) => return Err(format!("unknown option or missing value: \"{opt}\"")),
        }
        i += 2;
    }
    Ok(Some((kernel, canvas)))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h") {
        return help();
    }
    let (kernel_args, canvas) = match parse(&args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => return help(),
        Err(message) => {
            eprintln!("smooth: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = Segment::attach_described(&canvas).and_then(|mut canvas| {
        canvas.apply_mut(Smooth(kernel(&kernel_args)))?;
        canvas.detach()
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("smooth: {e}");
            ExitCode::from(1)
        }
    }
}
