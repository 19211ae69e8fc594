//! A canvas: one image or volume of voxels of one type, stored in the MEDx
//! layout (see [`super::geometry`]) in native byte order.
//!
//! Every mutating method either does all it says or changes nothing.

use super::copy::{copy_voxels, Dest};
use super::error::{MxError, MxResult};
use super::geometry::Geometry;
use super::metadata::Metadata;
use super::shared::SharedBuffer;
use super::stats::{self, Stats};
use super::storage::{Storage, StorageKind};
use super::voxel::{Value, VoxelType};

#[derive(Debug)]
pub struct Canvas {
    geometry: Geometry,
    vtype: VoxelType,
    data: Storage,
    /// Header facts (spacing, orientation, scaling) a file load brings and a save writes.
    metadata: Metadata,
}

impl Canvas {
    /// A new canvas on the heap, all voxels zero.
    pub fn new(geometry: Geometry, vtype: VoxelType) -> MxResult<Canvas> {
        Canvas::new_in(geometry, vtype, StorageKind::Heap)
    }

    /// A new canvas with the given kind of storage, all voxels zero.
    pub fn new_in(geometry: Geometry, vtype: VoxelType, kind: StorageKind) -> MxResult<Canvas> {
        let data = Storage::zeroed(kind, geometry.bytes(vtype))?;
        Ok(Canvas { geometry, vtype, data, metadata: Metadata::default() })
    }

    /// A heap canvas that takes over `bytes` (already decoded voxels, e.g.
    /// a gzip member inflated in one piece), which must be exactly
    /// `geometry.bytes(vtype)` long.
    pub fn from_heap_bytes(geometry: Geometry, vtype: VoxelType, bytes: Vec<u8>) -> MxResult<Canvas> {
        let want = geometry.bytes(vtype);
        if bytes.len() != want {
            return Err(MxError::mx(
                format!("wrong data length: got {} bytes, expected {want}", bytes.len()),
                &["DATA", "LENGTH", &want.to_string(), &bytes.len().to_string()],
            ));
        }
        Ok(Canvas { geometry, vtype, data: Storage::Heap(bytes), metadata: Metadata::default() })
    }

    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    pub fn set_metadata(&mut self, metadata: Metadata) {
        self.metadata = metadata;
    }

    pub fn storage_kind(&self) -> StorageKind {
        self.data.kind()
    }

    /// The segment holding the voxels of a `-storage shm` canvas.
    pub fn shmid(&self) -> Option<i32> {
        self.data.shmid()
    }

    /// The segment of a `-storage shm` canvas.
    pub fn shared(&self) -> Option<&SharedBuffer> {
        self.data.shared()
    }

    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    pub fn voxel_type(&self) -> VoxelType {
        self.vtype
    }

    /// Size of the voxel data in bytes.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// The voxel data, in the contract's layout.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The voxel data, writable in place (the transport copies straight into it).
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    pub fn get(&self, coords: [i64; 4]) -> MxResult<Value> {
        let size = self.vtype.size();
        let at = self.geometry.offset(coords)? * size;
        Ok(self.vtype.decode(&self.data[at..at + size]))
    }

    pub fn set(&mut self, coords: [i64; 4], value: Value) -> MxResult<()> {
        let encoded = self.vtype.encode(value)?;
        let size = self.vtype.size();
        let at = self.geometry.offset(coords)? * size;
        self.data[at..at + size].copy_from_slice(encoded.as_bytes());
        Ok(())
    }

    pub fn fill(&mut self, value: Value) -> MxResult<()> {
        let encoded = self.vtype.encode(value)?;
        let pattern = encoded.as_bytes();
        if pattern.iter().all(|&b| b == pattern[0]) {
            self.data.fill(pattern[0]);
        } else {
            // Voxel by voxel for one block, then block copies: memory speed.
            const BLOCK: usize = 4096; // a multiple of every voxel size
            let data: &mut [u8] = &mut self.data;
            let (head, rest) = data.split_at_mut(BLOCK.min(data.len()));
            for voxel in head.chunks_exact_mut(pattern.len()) {
                voxel.copy_from_slice(pattern);
            }
            for block in rest.chunks_mut(BLOCK) {
                block.copy_from_slice(&head[..block.len()]);
            }
        }
        Ok(())
    }

    /// Replace every voxel with `bytes`, which must be exactly `self.bytes()` long.
    pub fn replace_data(&mut self, bytes: &[u8]) -> MxResult<()> {
        if bytes.len() != self.data.len() {
            return Err(MxError::mx(
                format!(
                    "wrong data length: got {} bytes, expected {} ({} voxels of {})",
                    bytes.len(),
                    self.data.len(),
                    self.geometry.voxels(),
                    self.vtype.name()
                ),
                &["DATA", "LENGTH", &self.data.len().to_string(), &bytes.len().to_string()],
            ));
        }
        copy_voxels(&mut self.data, bytes, Dest::Resident);
        Ok(())
    }

    pub fn stats(&self) -> Stats {
        stats::stats(self.vtype, &self.data)
    }

    /// A new canvas with the same geometry, type, kind of storage and voxels.
    pub fn try_clone(&self) -> MxResult<Canvas> {
        let mut data = Storage::zeroed(self.data.kind(), self.data.len())?;
        copy_voxels(&mut data, &self.data, Dest::Fresh);
        Ok(Canvas { geometry: self.geometry, vtype: self.vtype, data, metadata: self.metadata.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas(dims: [i64; 4], t: VoxelType) -> Canvas {
        Canvas::new(Geometry::new(dims, t).unwrap(), t).unwrap()
    }

    #[test]
    fn new_canvas_is_zero() {
        let c = canvas([3, 2, 2, 1], VoxelType::Int16);
        assert_eq!(c.bytes(), 24);
        assert!(c.as_bytes().iter().all(|&b| b == 0));
        assert_eq!(c.get([2, 1, 1, 0]).unwrap(), Value::Int(0));
    }

    #[test]
    // The offset is written out as the layout formula ((z*h + y)*w + x), ones included.
    #[allow(clippy::identity_op)]
    fn set_writes_at_the_medx_offset() {
        let mut c = canvas([4, 3, 2, 1], VoxelType::Uint16);
        c.set([1, 2, 1, 0], Value::Int(0xBEEF)).unwrap();
        let at = ((1 * 3 + 2) * 4 + 1) * 2;
        assert_eq!(&c.as_bytes()[at..at + 2], &0xBEEFu16.to_ne_bytes());
        assert_eq!(c.get([1, 2, 1, 0]).unwrap(), Value::Int(0xBEEF));
    }

    #[test]
    fn failed_calls_change_nothing() {
        let mut c = canvas([2, 2, 1, 1], VoxelType::Uint8);
        c.fill(Value::Int(9)).unwrap();
        assert!(c.set([0, 0, 0, 0], Value::Int(300)).is_err());
        assert!(c.set([5, 0, 0, 0], Value::Int(1)).is_err());
        assert!(c.fill(Value::Int(-1)).is_err());
        assert!(c.replace_data(&[1, 2, 3]).is_err());
        assert!(c.as_bytes().iter().all(|&b| b == 9));
    }

    #[test]
    fn fill_multibyte_and_stats() {
        let mut c = canvas([5, 1, 1, 1], VoxelType::Float64);
        c.fill(Value::Float(1.25)).unwrap();
        c.set([4, 0, 0, 0], Value::Float(-3.0)).unwrap();
        let s = c.stats();
        assert_eq!(s.min, Value::Float(-3.0));
        assert_eq!(s.max, Value::Float(1.25));
        assert_eq!(s.mean, (4.0 * 1.25 - 3.0) / 5.0);
    }

    #[test]
    fn clone_is_deep() {
        let mut c = canvas([2, 1, 1, 1], VoxelType::Int32);
        c.set([1, 0, 0, 0], Value::Int(-7)).unwrap();
        let mut d = c.try_clone().unwrap();
        d.set([1, 0, 0, 0], Value::Int(8)).unwrap();
        assert_eq!(c.get([1, 0, 0, 0]).unwrap(), Value::Int(-7));
        assert_eq!(d.geometry(), c.geometry());
    }
}
