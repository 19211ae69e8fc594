//! [`Description`]: what the environment variable `MXCANVAS` says about a
//! canvas that `mx::exec` hands over (docs/mxcanvas-env.md, version 1).
//!
//! ```text
//! mxcanvas 1
//! canvas 0 shmid=32769 width=64 height=64 depth=10 frames=1 type=int16 bytes=81920 spacing=4,4,8 tstep=3 units=mm,sec slope=0.0754 inter=3100.8 affine=-4,0,0,126,0,4,0,-90,0,0,8,-72,0,0,0,1
//! ```
//!
//! Every line is checked, not only the one asked for; keys that a later
//! version appends after `affine` are ignored.

use crate::{Error, Geometry, VoxelType};

/// The environment variable `mx::exec` sets.
pub const ENV: &str = "MXCANVAS";

const SPACE_UNITS: [&str; 4] = ["unknown", "meter", "mm", "micron"];
const TIME_UNITS: [&str; 7] = ["unknown", "sec", "msec", "usec", "hz", "ppm", "rads"];

/// The value scaling of a canvas's header: real value = stored * slope + inter
/// (NIfTI's `scl_slope`, `scl_inter`; `1` and `0` when the header does not
/// scale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    pub slope: f64,
    pub inter: f64,
}

impl Scaling {
    /// The real value of a stored value.
    pub fn real(&self, stored: f64) -> f64 {
        stored * self.slope + self.inter
    }

    /// The stored value that means `real` (before rounding to the voxel type).
    pub fn stored(&self, real: f64) -> f64 {
        (real - self.inter) / self.slope
    }
}

/// One canvas as `MXCANVAS` describes it: where it is (shmid), its
/// [`Geometry`], and what its voxels mean: spacing, units, value scaling and
/// the voxel-to-world affine (nibabel's `img.affine` for the same file).
///
/// [`Segment::from_env`](crate::Segment::from_env) reads one and attaches its
/// segment; [`Description::from_args_or_env`] gives a tool the kit's argument
/// convention.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    from_env: bool,
    index: usize,
    shmid: i32,
    geometry: Geometry,
    spacing: [f64; 3],
    tstep: f64,
    units: (&'static str, &'static str),
    scaling: Scaling,
    affine: [[f64; 4]; 4],
}

impl Description {
    /// Canvas `index` of the environment's `MXCANVAS` (the N of `%idN`).
    /// Does not look at the segment: [`Segment::from_env`](crate::Segment::from_env) does.
    pub fn from_env(index: usize) -> Result<Description, Error> {
        match std::env::var(ENV) {
            Ok(text) => Description::parse(&text, index),
            Err(std::env::VarError::NotPresent) => {
                Err(env("not set: expected a description of the canvases (mx::exec sets it)".into()))
            }
            Err(std::env::VarError::NotUnicode(_)) => Err(env("not text: expected version 1 of the format".into())),
        }
    }

    /// Canvas `index` of the description `text` (MXCANVAS's value).
    pub fn parse(text: &str, index: usize) -> Result<Description, Error> {
        let body = match text.strip_prefix("mxcanvas 1\n") {
            Some(body) => body,
            None => {
                let first = text.split('\n').next().unwrap_or("");
                return Err(env(if text == "mxcanvas 1" {
                    "the first line \"mxcanvas 1\" does not end with a newline: expected one after every line".into()
                } else {
                    format!("the first line \"{}\" is not \"mxcanvas 1\": expected version 1 of the format", cut(first))
                }));
            }
        };
        let mut found = None;
        let mut n = 0;
        let mut rest = body;
        while !rest.is_empty() {
            let (line, after) = match rest.split_once('\n') {
                Some(split) => split,
                None => {
                    return Err(env(format!(
                        "line {} does not end with a newline: expected \"canvas {n} ...\\n\"",
                        n + 2
                    )))
                }
            };
            let prefix = format!("canvas {n} ");
            let words = line.strip_prefix(prefix.as_str()).ok_or_else(|| {
                env(format!("line {}: expected \"canvas {n} ...\" where \"{}\" is", n + 2, cut(line)))
            })?;
            let description = parse_line(words, n)?;
            if n == index {
                found = Some(description);
            }
            n += 1;
            rest = after;
        }
        found.ok_or_else(|| {
            env(match n {
                0 => format!("no canvas {index}: MXCANVAS describes no canvas"),
                1 => format!("no canvas {index}: MXCANVAS describes 1 canvas (0)"),
                _ => format!("no canvas {index}: MXCANVAS describes {n} canvases (0 to {})", n - 1),
            })
        })
    }

    /// The kit's argument convention: `SHMID WIDTH HEIGHT DEPTH FRAMES TYPE`
    /// first when they are given (at least six arguments, the first five
    /// unsigned decimal integers), else canvas 0 of `MXCANVAS`. Returns the
    /// description and the arguments after the canvas's (the tool's own).
    ///
    /// A canvas given by arguments has unit spacing, unknown units, no
    /// scaling and the identity affine: the arguments carry none of these.
    pub fn from_args_or_env<S: AsRef<str>>(args: &[S]) -> Result<(Description, &[S]), Error> {
        let given = args.len() >= 6
            && args[..5].iter().all(|a| !a.as_ref().is_empty() && a.as_ref().bytes().all(|b| b.is_ascii_digit()));
        if !given {
            return Description::from_env(0).map(|d| (d, args)).map_err(|e| match e {
                Error::Env { reason } => Error::Env {
                    reason: format!("{reason} (or give SHMID WIDTH HEIGHT DEPTH FRAMES TYPE as the first arguments)"),
                },
                other => other,
            });
        }
        let shmid = crate::parse_shmid(args[0].as_ref())?;
        let geometry = Geometry::from_args(&args[1..6])?;
        Ok((Description::plain(shmid, geometry), &args[6..]))
    }

    /// A canvas known only by shmid and geometry: unit spacing, unknown
    /// units, no scaling, the identity affine.
    pub fn plain(shmid: i32, geometry: Geometry) -> Description {
        let mut affine = [[0.0; 4]; 4];
        for (i, row) in affine.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        Description {
            from_env: false,
            index: 0,
            shmid,
            geometry,
            spacing: [1.0; 3],
            tstep: 1.0,
            units: ("unknown", "unknown"),
            scaling: Scaling { slope: 1.0, inter: 0.0 },
            affine,
        }
    }

    /// True when the description came from `MXCANVAS` (false: from arguments).
    pub fn is_from_env(&self) -> bool {
        self.from_env
    }

    /// Which canvas of the description this is (0 for one given by arguments).
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn shmid(&self) -> i32 {
        self.shmid
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// The segment's exact size (`bytes=`), the geometry's bytes.
    pub fn bytes(&self) -> usize {
        self.geometry.bytes()
    }

    /// Voxel size along x, y, z, in [`Description::space_unit`]s.
    pub fn spacing(&self) -> [f64; 3] {
        self.spacing
    }

    /// Time between frames, in [`Description::time_unit`]s.
    pub fn tstep(&self) -> f64 {
        self.tstep
    }

    /// nibabel's `header.get_zooms()`: the spacing, and the time step when
    /// the canvas has more than one frame.
    pub fn zooms(&self) -> Vec<f64> {
        let mut zooms = self.spacing.to_vec();
        if self.geometry.frames() > 1 {
            zooms.push(self.tstep);
        }
        zooms
    }

    /// `unknown`, `meter`, `mm` or `micron`.
    pub fn space_unit(&self) -> &'static str {
        self.units.0
    }

    /// `unknown`, `sec`, `msec`, `usec`, `hz`, `ppm` or `rads`.
    pub fn time_unit(&self) -> &'static str {
        self.units.1
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    /// The 4x4 voxel-to-world matrix (mm, RAS+), row by row.
    pub fn affine(&self) -> [[f64; 4]; 4] {
        self.affine
    }

    /// World coordinates of voxel (i, j, k): `affine * (i, j, k, 1)`.
    pub fn world(&self, i: f64, j: f64, k: f64) -> [f64; 3] {
        let a = &self.affine;
        [0, 1, 2].map(|r| a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3])
    }
}

fn env(reason: String) -> Error {
    Error::Env { reason }
}

/// At most 60 characters of `text`, for a message.
fn cut(text: &str) -> &str {
    match text.char_indices().nth(60) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

const KEYS: [(&str, &str); 13] = [
    ("shmid", "an integer from 0 to 2147483647"),
    ("width", "an integer >= 1"),
    ("height", "an integer >= 1"),
    ("depth", "an integer >= 1"),
    ("frames", "an integer >= 1"),
    ("type", "one of uint8 int8 uint16 int16 uint32 int32 float32 int64 uint64 float64"),
    ("bytes", "an integer"),
    ("spacing", "three numbers dx,dy,dz"),
    ("tstep", "a number"),
    ("units", "SPACE,TIME: unknown meter mm micron, then unknown sec msec usec hz ppm rads"),
    ("slope", "a number"),
    ("inter", "a number"),
    ("affine", "16 numbers, the 4x4 matrix row by row"),
];

/// An unsigned decimal integer (digits only) of at most `max`.
fn unsigned(text: &str, min: usize, max: usize) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<usize>().ok().filter(|&n| n >= min && n <= max)
}

/// A decimal real: digits, sign, point, exponent; or nan / inf / -inf (any case).
fn real(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let word = lower.trim_start_matches(['+', '-']);
    let special = (word == "nan" || word == "inf") && lower.len() - word.len() <= 1;
    if !special && (text.is_empty() || !lower.bytes().all(|b| b"0123456789+-.e".contains(&b))) {
        return None;
    }
    lower.parse::<f64>().ok().filter(|v| special || v.is_finite())
}

fn reals<const N: usize>(text: &str) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    let mut parts = text.split(',');
    for v in out.iter_mut() {
        *v = real(parts.next()?)?;
    }
    parts.next().is_none().then_some(out)
}

fn unit(text: &str, names: &[&'static str]) -> Option<&'static str> {
    names.iter().copied().find(|n| *n == text)
}

/// One line's words after `canvas N `.
fn parse_line(words: &str, n: usize) -> Result<Description, Error> {
    let mut d = Description::plain(0, Geometry::new(1, 1, 1, 1, VoxelType::Uint8)?);
    d.index = n;
    d.from_env = true;
    let mut dims = [0usize; 4];
    let mut voxel_type = VoxelType::Uint8;
    let mut bytes = 0;
    let mut rest = words;
    for (k, (key, expected)) in KEYS.iter().enumerate() {
        let word = match rest.split_once(' ') {
            Some((word, after)) => {
                rest = after;
                word
            }
            None if rest.is_empty() && k > 0 => {
                return Err(env(format!("canvas {n}: the line ends after {}: expected {key}= next", KEYS[k - 1].0)))
            }
            None => std::mem::take(&mut rest),
        };
        let value = word
            .strip_prefix(key)
            .and_then(|w| w.strip_prefix('='))
            .ok_or_else(|| env(format!("canvas {n}: expected key {key}= where \"{}\" is", cut(word))))?;
        let ok = match k {
            0 => unsigned(value, 0, i32::MAX as usize).map(|v| d.shmid = v as i32),
            1..=4 => unsigned(value, 1, usize::MAX).map(|v| dims[k - 1] = v),
            5 => value.parse::<VoxelType>().ok().map(|t| voxel_type = t),
            6 => unsigned(value, 1, usize::MAX).map(|v| bytes = v),
            7 => reals::<3>(value).map(|v| d.spacing = v),
            8 => real(value).map(|v| d.tstep = v),
            9 => value
                .split_once(',')
                .and_then(|(s, t)| Some((unit(s, &SPACE_UNITS)?, unit(t, &TIME_UNITS)?)))
                .map(|u| d.units = u),
            10 => real(value).map(|v| d.scaling.slope = v),
            11 => real(value).map(|v| d.scaling.inter = v),
            _ => reals::<16>(value).map(|v| {
                for (r, row) in d.affine.iter_mut().enumerate() {
                    row.copy_from_slice(&v[4 * r..4 * r + 4]);
                }
            }),
        };
        if ok.is_none() {
            return Err(env(format!("canvas {n}: bad {key} \"{}\": expected {expected}", cut(value))));
        }
    }
    let label = format!("{}x{}x{}x{} {voxel_type}", dims[0], dims[1], dims[2], dims[3]);
    d.geometry = Geometry::new(dims[0], dims[1], dims[2], dims[3], voxel_type).map_err(|_| {
        env(format!("canvas {n}: bytes={bytes}, but a {label} canvas is more than this machine can address"))
    })?;
    if d.geometry.bytes() != bytes {
        return Err(env(format!("canvas {n}: bytes={bytes}, but a {label} canvas is {} bytes", d.geometry.bytes())));
    }
    Ok(d)
}

#[cfg(test)]
#[path = "description_tests.rs"]
mod tests;
