//! [`Segment`]: one canvas attached by shmid, size-checked, detached on drop.

use crate::sys;
use crate::{Description, Error, Geometry, Voxel, VoxelType};
use std::ptr::NonNull;

/// A canvas handed over in System V shared memory, attached into this
/// process. The segment's size is checked against the geometry before
/// attaching; the voxels are handed out as `&[T]` / `&mut [T]` of the
/// geometry's voxel type; dropping the segment detaches it (`shmdt`).
///
/// Detaching never removes the segment: freeing it is the script's job
/// (`MxInternCanvas`, `MxFreeTransport`, or `mx::transport`).
///
/// Sharing: the slices assume that no other process writes the segment while
/// this program works on it. That is the transport protocol: the script
/// starts the program and waits for it (`exec`) before interning.
#[derive(Debug)]
pub struct Segment {
    shmid: i32,
    addr: NonNull<u8>,
    geometry: Geometry,
    writable: bool,
}

// SAFETY: the attachment is process-wide memory that stays mapped until Drop
// calls shmdt, whichever thread owns the Segment; access goes through &self /
// &mut self, so Rust's borrow rules order it like any owned buffer.
unsafe impl Send for Segment {}
// SAFETY: &Segment only hands out shared slices of plain-old-data voxels.
unsafe impl Sync for Segment {}

impl Segment {
    /// Attach segment `shmid` read-write and check (IPC_STAT) that it is
    /// exactly `geometry.bytes()` long: a wrong geometry or shmid is an
    /// [`Error::Size`] instead of reads and writes past the end.
    pub fn attach(shmid: i32, geometry: Geometry) -> Result<Segment, Error> {
        Segment::attach_with(shmid, geometry, true)
    }

    /// Attach read-only (`SHM_RDONLY`), for programs that only read.
    pub fn attach_read_only(shmid: i32, geometry: Geometry) -> Result<Segment, Error> {
        Segment::attach_with(shmid, geometry, false)
    }

    /// Attach canvas `index` of `MXCANVAS` (the N of `mx::exec`'s `%idN`)
    /// read-write, and return it with its [`Description`]. A missing or
    /// malformed `MXCANVAS`, a missing index, or a segment whose size is not
    /// the description's `bytes` is an [`Error::Env`] (the refused
    /// attachment detached again).
    pub fn from_env(index: usize) -> Result<(Segment, Description), Error> {
        let description = Description::from_env(index)?;
        Segment::attach_described(&description).map(|segment| (segment, description))
    }

    /// As [`Segment::from_env`], attached read-only.
    pub fn from_env_read_only(index: usize) -> Result<(Segment, Description), Error> {
        let description = Description::from_env(index)?;
        Segment::attach_described_read_only(&description).map(|segment| (segment, description))
    }

    /// Attach the canvas a [`Description`] names (from `MXCANVAS` or from
    /// [`Description::from_args_or_env`]), read-write.
    pub fn attach_described(description: &Description) -> Result<Segment, Error> {
        Segment::attach_checked(description, true)
    }

    /// As [`Segment::attach_described`], read-only.
    pub fn attach_described_read_only(description: &Description) -> Result<Segment, Error> {
        Segment::attach_checked(description, false)
    }

    fn attach_checked(d: &Description, writable: bool) -> Result<Segment, Error> {
        let g = *d.geometry();
        Segment::attach_with(d.shmid(), g, writable).map_err(|e| match e {
            // A description from MXCANVAS that does not fit its segment is the
            // description's fault, not the arguments'.
            Error::Size { shmid, actual, .. } if d.is_from_env() => Error::Env {
                reason: format!(
                    "canvas {}: segment {shmid} is {actual} bytes, but MXCANVAS describes a {g} canvas of {} bytes",
                    d.index(),
                    g.bytes()
                ),
            },
            other => other,
        })
    }

    fn attach_with(shmid: i32, geometry: Geometry, writable: bool) -> Result<Segment, Error> {
        let os = |call| move |source| Error::Os { call, shmid, source };
        // Attach first, stat second: the size checked is then the size of the
        // segment actually mapped (a System V segment never changes size).
        // Stat-then-attach leaves a window in which the id can be removed and
        // reused by a smaller segment.
        let addr = sys::shmat(shmid, !writable).map_err(os("shmat"))?;
        // Owned from here on, so that every refusal below detaches (Drop).
        let segment = Segment { shmid, addr, geometry, writable };
        let actual = sys::segment_size(shmid).map_err(os("shmctl(IPC_STAT)"))?;
        if actual != geometry.bytes() {
            return Err(Error::Size { shmid, expected: geometry.bytes(), actual, geometry: geometry.to_string() });
        }
        // shmat without an address returns a page-aligned one, aligned for
        // every voxel type.
        debug_assert_eq!(addr.as_ptr() as usize % std::mem::align_of::<f64>(), 0);
        Ok(segment)
    }

    pub fn shmid(&self) -> i32 {
        self.shmid
    }

    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    pub fn is_writable(&self) -> bool {
        self.writable
    }

    fn check_type<T: Voxel>(&self) -> Result<(), Error> {
        let expected = self.geometry.voxel_type();
        if T::TYPE != expected {
            return Err(Error::Type { expected, requested: T::TYPE });
        }
        Ok(())
    }

    /// The voxels as `&[T]`; `T` must be the geometry's voxel type
    /// (`u8` for uint8 ... `u64` for uint64, `f64` for float64), else [`Error::Type`].
    pub fn as_slice<T: Voxel>(&self) -> Result<&[T], Error> {
        self.check_type::<T>()?;
        // SAFETY: the mapping is exactly geometry.bytes() = voxels * size_of::<T>()
        // bytes (checked at attach; T::TYPE matches the geometry's type), it is
        // page-aligned, every bit pattern is a valid T (Voxel is sealed to the
        // ten primitive types), and it stays mapped while `self` is borrowed.
        Ok(unsafe { std::slice::from_raw_parts(self.addr.as_ptr() as *const T, self.geometry.voxels()) })
    }

    /// The voxels as `&mut [T]`; [`Error::ReadOnly`] for a read-only attachment.
    pub fn as_mut_slice<T: Voxel>(&mut self) -> Result<&mut [T], Error> {
        self.check_type::<T>()?;
        if !self.writable {
            return Err(Error::ReadOnly { shmid: self.shmid });
        }
        // SAFETY: as in `as_slice`; the mapping is read-write, and `&mut self`
        // makes this the only slice of it in this process.
        Ok(unsafe { std::slice::from_raw_parts_mut(self.addr.as_ptr() as *mut T, self.geometry.voxels()) })
    }

    /// Run `f` on the voxels as a slice of whatever type the geometry names:
    /// the way to write a tool that supports every voxel type once, generically.
    pub fn apply<F: VoxelsFn>(&self, f: F) -> Result<F::Output, Error> {
        let g = self.geometry;
        Ok(match g.voxel_type() {
            VoxelType::Uint8 => f.apply(self.as_slice::<u8>()?, &g),
            VoxelType::Int8 => f.apply(self.as_slice::<i8>()?, &g),
            VoxelType::Uint16 => f.apply(self.as_slice::<u16>()?, &g),
            VoxelType::Int16 => f.apply(self.as_slice::<i16>()?, &g),
            VoxelType::Uint32 => f.apply(self.as_slice::<u32>()?, &g),
            VoxelType::Int32 => f.apply(self.as_slice::<i32>()?, &g),
            VoxelType::Float32 => f.apply(self.as_slice::<f32>()?, &g),
            VoxelType::Int64 => f.apply(self.as_slice::<i64>()?, &g),
            VoxelType::Uint64 => f.apply(self.as_slice::<u64>()?, &g),
            VoxelType::Float64 => f.apply(self.as_slice::<f64>()?, &g),
        })
    }

    /// As [`Segment::apply`], with the voxels writable.
    pub fn apply_mut<F: VoxelsMutFn>(&mut self, f: F) -> Result<F::Output, Error> {
        let g = self.geometry;
        Ok(match g.voxel_type() {
            VoxelType::Uint8 => f.apply(self.as_mut_slice::<u8>()?, &g),
            VoxelType::Int8 => f.apply(self.as_mut_slice::<i8>()?, &g),
            VoxelType::Uint16 => f.apply(self.as_mut_slice::<u16>()?, &g),
            VoxelType::Int16 => f.apply(self.as_mut_slice::<i16>()?, &g),
            VoxelType::Uint32 => f.apply(self.as_mut_slice::<u32>()?, &g),
            VoxelType::Int32 => f.apply(self.as_mut_slice::<i32>()?, &g),
            VoxelType::Float32 => f.apply(self.as_mut_slice::<f32>()?, &g),
            VoxelType::Int64 => f.apply(self.as_mut_slice::<i64>()?, &g),
            VoxelType::Uint64 => f.apply(self.as_mut_slice::<u64>()?, &g),
            VoxelType::Float64 => f.apply(self.as_mut_slice::<f64>()?, &g),
        })
    }

    /// Detach now, reporting a failure (dropping detaches too, silently).
    pub fn detach(self) -> Result<(), Error> {
        let (shmid, addr) = (self.shmid, self.addr);
        std::mem::forget(self);
        // SAFETY: `addr` is this segment's live attachment; `self` is gone, so
        // no slice into it can be used any more, and Drop will not run.
        unsafe { sys::shmdt(addr) }.map_err(|source| Error::Os { call: "shmdt", shmid, source })
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: `addr` came from a successful shmat and is detached only here
        // (or in `detach`, which skips Drop); no borrow of `self` outlives it.
        // shmdt can only fail for an address that is not attached, which this
        // type rules out, and Drop has no way to report it anyway.
        let _ = unsafe { sys::shmdt(self.addr) };
    }
}

/// A computation over a canvas's voxels, generic in the voxel type (see
/// [`Segment::apply`]).
pub trait VoxelsFn {
    type Output;
    fn apply<T: Voxel>(self, voxels: &[T], geometry: &Geometry) -> Self::Output;
}

/// An in-place operation on a canvas's voxels, generic in the voxel type
/// (see [`Segment::apply_mut`]).
pub trait VoxelsMutFn {
    type Output;
    fn apply<T: Voxel>(self, voxels: &mut [T], geometry: &Geometry) -> Self::Output;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::testing::TestSegment;

    fn geometry(t: VoxelType) -> Geometry {
        Geometry::new(4, 3, 2, 1, t).unwrap()
    }

    #[test]
    fn attach_write_read_detach() {
        let g = geometry(VoxelType::Int16);
        let seg = TestSegment::new(g.bytes());
        {
            let mut a = Segment::attach(seg.0, g).unwrap();
            assert_eq!(seg.attachments(), 1);
            let v = a.as_mut_slice::<i16>().unwrap();
            assert_eq!(v.len(), 24);
            v[g.index(3, 2, 1, 0)] = -1234;
            let b = Segment::attach_read_only(seg.0, g).unwrap();
            assert_eq!(b.as_slice::<i16>().unwrap()[23], -1234);
            assert_eq!(seg.attachments(), 2);
        }
        assert_eq!(seg.attachments(), 0, "drop detaches");
        let a = Segment::attach(seg.0, g).unwrap();
        a.detach().unwrap();
        assert_eq!(seg.attachments(), 0);
    }

    #[test]
    fn wrong_size_is_refused_and_detached() {
        let g = geometry(VoxelType::Float32);
        let seg = TestSegment::new(g.bytes() + 1);
        let e = Segment::attach(seg.0, g).unwrap_err();
        assert!(matches!(e, Error::Size { expected: 96, actual: 97, .. }), "{e:?}");
        assert_eq!(e.raw_os_error(), Some(libc::EINVAL));
        assert_eq!(
            e.to_string(),
            format!(
                "segment {} is 97 bytes, but a 4x3x2x1 float32 canvas is 96 bytes: check the geometry arguments",
                seg.0
            )
        );
        assert_eq!(seg.attachments(), 0);
        // same bytes, other type: the size matches, the type is the script's word
        let as_int32 = geometry(VoxelType::Int32);
        let small = TestSegment::new(as_int32.bytes());
        let a = Segment::attach(small.0, as_int32).unwrap();
        let e = a.as_slice::<f32>().unwrap_err();
        assert_eq!(e.to_string(), "the canvas holds int32 voxels, but they were asked for as float32");
    }

    #[test]
    fn bad_and_removed_ids() {
        let g = geometry(VoxelType::Uint8);
        let e = Segment::attach(-1, g).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EINVAL));
        assert!(e.to_string().starts_with("no shared memory segment with id -1"), "{e}");
        let seg = TestSegment::new(g.bytes());
        seg.remove();
        let e = Segment::attach(seg.0, g).unwrap_err();
        assert!(matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::EIDRM)), "{e:?}");
    }

    #[test]
    fn read_only_refuses_writes() {
        let g = geometry(VoxelType::Float64);
        let seg = TestSegment::new(g.bytes());
        let mut a = Segment::attach_read_only(seg.0, g).unwrap();
        assert!(!a.is_writable());
        assert!(matches!(a.as_mut_slice::<f64>(), Err(Error::ReadOnly { .. })));
        assert!(a.as_slice::<f64>().unwrap().iter().all(|&v| v == 0.0));
    }

    /// Everything that reads MXCANVAS, in one test: the variable is
    /// process-wide and tests run on several threads.
    #[test]
    fn from_env_attaches_and_checks_the_size() {
        let seg = TestSegment::new(48);
        let describe = |geometry: &str| {
            format!(
                "mxcanvas 1\ncanvas 0 shmid={} {geometry} spacing=2,2,3 tstep=1 units=mm,sec slope=2 inter=1 \
                 affine=-2,0,0,3,0,2,0,-2,0,0,3,0,0,0,0,1\n",
                seg.0
            )
        };
        std::env::remove_var(crate::ENV);
        let e = Segment::from_env(0).unwrap_err();
        assert!(e.to_string().starts_with("MXCANVAS: not set"), "{e}");

        std::env::set_var(crate::ENV, describe("width=4 height=3 depth=2 frames=1 type=int16 bytes=48"));
        let (mut a, d) = Segment::from_env(0).unwrap();
        assert_eq!((a.shmid(), d.scaling().slope, d.spacing()), (seg.0, 2.0, [2.0, 2.0, 3.0]));
        a.as_mut_slice::<i16>().unwrap()[d.geometry().index(1, 2, 1, 0)] = 777;
        drop(a);
        let (b, _) = Segment::from_env_read_only(0).unwrap();
        assert!(!b.is_writable());
        assert_eq!(b.as_slice::<i16>().unwrap()[21], 777);
        drop(b);
        assert!(Segment::from_env(1).unwrap_err().to_string().contains("no canvas 1"));

        // a consistent description of another size: refused, nothing left attached
        std::env::set_var(crate::ENV, describe("width=4 height=3 depth=2 frames=1 type=int32 bytes=96"));
        let e = Segment::from_env(0).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "MXCANVAS: canvas 0: segment {} is 48 bytes, but MXCANVAS describes a 4x3x2x1 int32 canvas of 96 bytes",
                seg.0
            )
        );
        assert_eq!(seg.attachments(), 0);
        // the same mismatch given as arguments keeps the arguments' message
        let (d, _) = Description::from_args_or_env(&[&seg.0.to_string(), "4", "3", "2", "1", "int32"]).unwrap();
        assert!(matches!(Segment::attach_described(&d), Err(Error::Size { .. })));

        std::env::set_var(crate::ENV, "mxcanvas 1\ncanvas 0 shmid=1\n");
        assert!(matches!(Segment::from_env(0), Err(Error::Env { .. })));
        std::env::remove_var(crate::ENV);
    }

    struct Sum;
    impl VoxelsFn for Sum {
        type Output = f64;
        fn apply<T: Voxel>(self, voxels: &[T], _: &Geometry) -> f64 {
            voxels.iter().map(|v| v.to_f64()).sum()
        }
    }
    struct Fill(f64);
    impl VoxelsMutFn for Fill {
        type Output = ();
        fn apply<T: Voxel>(self, voxels: &mut [T], _: &Geometry) {
            voxels.fill(T::from_f64(self.0));
        }
    }

    #[test]
    fn generic_apply_on_every_type() {
        for t in VoxelType::ALL {
            let g = geometry(t);
            let seg = TestSegment::new(g.bytes());
            let mut a = Segment::attach(seg.0, g).unwrap();
            a.apply_mut(Fill(3.0)).unwrap();
            assert_eq!(a.apply(Sum).unwrap(), 72.0, "{t}");
        }
    }
}
