//! Where a canvas's voxels live: on the heap (the default) or in a System V
//! segment of their own (`-storage shm`, zero-copy transports). Both read
//! and write as one contiguous byte slice, so code that works on voxels does
//! not care which.

use super::error::{MxError, MxResult};
use super::shared::SharedBuffer;
use crate::sys::alloc::zeroed_bytes;
use std::ops::{Deref, DerefMut};

/// The kind of storage, as `MxCanvas create -storage` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StorageKind {
    #[default]
    Heap,
    Shm,
}

impl StorageKind {
    /// In the order of the `-storage` name table.
    pub const ALL: [StorageKind; 2] = [StorageKind::Heap, StorageKind::Shm];

    pub fn name(self) -> &'static str {
        match self {
            StorageKind::Heap => "heap",
            StorageKind::Shm => "shm",
        }
    }
}

#[derive(Debug)]
pub enum Storage {
    Heap(Vec<u8>),
    Shared(SharedBuffer),
}

impl Storage {
    /// `len` zero bytes of the given kind, or an error saying why not.
    pub fn zeroed(kind: StorageKind, len: usize) -> MxResult<Storage> {
        match kind {
            StorageKind::Heap => zeroed_bytes(len).map(Storage::Heap).ok_or_else(|| {
                MxError::mx(
                    format!("cannot allocate {len} bytes for a canvas: out of memory"),
                    &["ALLOC", &len.to_string()],
                )
            }),
            StorageKind::Shm => SharedBuffer::new(len).map(Storage::Shared),
        }
    }

    pub fn kind(&self) -> StorageKind {
        match self {
            Storage::Heap(_) => StorageKind::Heap,
            Storage::Shared(_) => StorageKind::Shm,
        }
    }

    /// The segment of shared storage.
    pub fn shared(&self) -> Option<&SharedBuffer> {
        match self {
            Storage::Heap(_) => None,
            Storage::Shared(b) => Some(b),
        }
    }

    /// The segment id of shared storage.
    pub fn shmid(&self) -> Option<i32> {
        match self {
            Storage::Heap(_) => None,
            Storage::Shared(b) => Some(b.id()),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Storage::Heap(v) => v,
            Storage::Shared(b) => b.as_bytes(),
        }
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Storage::Heap(v) => v,
            Storage::Shared(b) => b.as_bytes_mut(),
        }
    }
}

impl Deref for Storage {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl DerefMut for Storage {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_bytes_mut()
    }
}
