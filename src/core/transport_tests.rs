//! Tests of the transport table (`core::transport`), kept apart so that
//! the module stays one screenful of rules.

use super::*;
use crate::core::orphans::orphans;
use crate::core::segment::is_mx_key;
use crate::core::{Geometry, Value, VoxelType};

fn canvas(t: VoxelType) -> Canvas {
    Canvas::new(Geometry::new([8, 4, 2, 1], t).unwrap(), t).unwrap()
}

#[test]
// The offset is written out as the layout formula ((z*h + y)*w + x), ones included.
#[allow(clippy::identity_op)]
fn extern_then_intern_round_trip() {
    let owner = new_owner();
    let mut c = canvas(VoxelType::Int16);
    c.set([3, 2, 1, 0], Value::Int(-1234)).unwrap();
    let id = extern_canvas(owner, &c, 0o600).unwrap();
    let info = shm::stat(id).unwrap();
    assert_eq!(info.size, c.bytes());
    assert_eq!(info.mode, 0o600);
    assert_eq!(transports(owner), vec![id]);

    // an "external program" writes a voxel
    {
        let mut a = Attachment::attach(id, true).unwrap();
        let at = ((1 * 4 + 2) * 8 + 4) * 2;
        a.as_mut_slice().unwrap()[at..at + 2].copy_from_slice(&77i16.to_ne_bytes());
    }
    intern_canvas(owner, &mut c, id, false, false).unwrap();
    assert_eq!(c.get([4, 2, 1, 0]).unwrap(), Value::Int(77));
    assert_eq!(transports(owner), vec![id]);
    // marked since it was made; held (attached), so still there and usable
    assert!(shm::stat(id).unwrap().marked_for_removal);

    intern_canvas(owner, &mut c, id, true, false).unwrap();
    assert!(transports(owner).is_empty());
    assert!(shm::stat(id).is_err(), "segment freed after detach");
}

#[test]
fn size_mismatch_changes_nothing() {
    let owner = new_owner();
    let small = canvas(VoxelType::Uint8);
    let mut big = canvas(VoxelType::Float64);
    big.fill(Value::Float(2.0)).unwrap();
    let id = extern_canvas(owner, &small, 0o600).unwrap();
    let e = intern_canvas(owner, &mut big, id, true, true).unwrap_err();
    assert_eq!(e.code[..3], ["MX", "TRANSPORT", "SIZE"]);
    assert_eq!(transports(owner), vec![id]);
    assert_eq!(big.get([0, 0, 0, 0]).unwrap(), Value::Float(2.0));
    free_transport(owner, id).unwrap();
    assert!(shm::stat(id).is_err());
}

#[test]
fn another_shape_of_the_same_size_is_refused_unless_reshaped() {
    let owner = new_owner();
    let mut src = canvas(VoxelType::Int16); // 8x4x2 int16: 128 bytes
    src.set([1, 0, 0, 0], Value::Int(300)).unwrap();
    let id = extern_canvas(owner, &src, 0o600).unwrap();
    // the same bytes, read as another geometry or another type
    let mut wide = Canvas::new(Geometry::new([16, 2, 2, 1], VoxelType::Int16).unwrap(), VoxelType::Int16).unwrap();
    let mut floats = Canvas::new(Geometry::new([8, 2, 2, 1], VoxelType::Float32).unwrap(), VoxelType::Float32).unwrap();
    for target in [&mut wide, &mut floats] {
        let before = target.as_bytes().to_vec();
        let e = intern_canvas(owner, target, id, true, false).unwrap_err();
        assert_eq!(e.code[..3], ["MX", "TRANSPORT", "GEOMETRY"]);
        assert_eq!(e.code[3], "8 4 2 1 int16");
        assert_eq!(target.as_bytes(), &before[..], "the canvas is unchanged");
        assert_eq!(transports(owner), vec![id], "the transport is still held");
    }
    assert!(e_text(intern_canvas(owner, &mut wide, id, false, false)).contains("8x4x2x1 int16"));
    intern_canvas(owner, &mut wide, id, false, true).unwrap();
    assert_eq!(wide.get([1, 0, 0, 0]).unwrap(), Value::Int(300));
    // the record stays the canvas it was made from
    intern_canvas(owner, &mut src, id, true, false).unwrap();
    assert!(transports(owner).is_empty());
}

fn e_text(r: MxResult<()>) -> String {
    r.unwrap_err().message
}

#[test]
fn unknown_ids() {
    let owner = new_owner();
    let mut c = canvas(VoxelType::Uint8);
    let e = intern_canvas(owner, &mut c, -1, true, false).unwrap_err();
    assert_eq!(e.code[..2], ["POSIX", "EINVAL"]);
    let e = free_transport(owner, 12345).unwrap_err();
    assert_eq!(e.code, ["MX", "LOOKUP", "TRANSPORT", "12345"]);
}

#[test]
fn foreign_segment_adopted_then_owner_released_is_only_detached() {
    let owner = new_owner();
    let mut c = canvas(VoxelType::Uint8);
    let seg = shm::create(libc::IPC_PRIVATE, c.bytes(), 0o600).unwrap();
    intern_canvas(owner, &mut c, seg.id(), false, false).unwrap();
    assert_eq!(transports(owner), vec![seg.id()]);
    assert_eq!(shm::stat(seg.id()).unwrap().attachments, 1);
    release_owner(owner);
    let info = shm::stat(seg.id()).unwrap();
    assert_eq!(info.attachments, 0);
    assert!(!info.marked_for_removal);
    drop(seg);
}

#[test]
fn extern_marks_its_segment_at_once() {
    let owner = new_owner();
    let c = canvas(VoxelType::Uint8);
    let a = extern_canvas(owner, &c, 0o600).unwrap();
    let b = extern_canvas(owner, &c, 0o600).unwrap();
    // Made with keys of our range (segment.rs tests that); marking resets
    // the key to IPC_PRIVATE, so a held transport shows key 0 and "dest".
    for id in [a, b] {
        let info = shm::stat(id).unwrap();
        assert_eq!((info.key, info.marked_for_removal, info.attachments), (0, true, 1));
        assert!(!is_mx_key(info.key));
    }

    // our own segments are attached and their creator (us) is alive
    let listed = orphans(crate::core::orphans::Whose::Mine).unwrap();
    assert!(!listed.contains(&a) && !listed.contains(&b));
    release_owner(owner);
}

#[test]
fn release_owner_removes_created_segments() {
    let owner = new_owner();
    let c = canvas(VoxelType::Float32);
    let ids: Vec<i32> = (0..3).map(|_| extern_canvas(owner, &c, 0o600).unwrap()).collect();
    release_owner(owner);
    for id in ids {
        assert!(shm::stat(id).is_err());
    }
    assert!(transports(owner).is_empty());
}

fn shm_canvas() -> Canvas {
    let t = VoxelType::Float32;
    Canvas::new_in(Geometry::new([8, 4, 2, 1], t).unwrap(), t, crate::core::storage::StorageKind::Shm).unwrap()
}

#[test]
fn shm_canvas_extern_hands_out_its_own_segment() {
    let owner = new_owner();
    let mut c = shm_canvas();
    let id = extern_canvas(owner, &c, 0o640).unwrap();
    assert_eq!(Some(id), c.shmid());
    let info = shm::stat(id).unwrap();
    assert_eq!((info.size, info.mode, info.marked_for_removal), (c.bytes(), 0o640, true));
    assert_eq!(extern_canvas(owner, &c, 0o600).unwrap(), id, "externing again is the same segment");
    assert_eq!(transports(owner), vec![id]);
    // the external program writes straight into the canvas
    {
        let mut a = Attachment::attach(id, true).unwrap();
        a.as_mut_slice().unwrap()[..4].copy_from_slice(&2.5f32.to_ne_bytes());
    }
    assert_eq!(c.get([0, 0, 0, 0]).unwrap(), Value::Float(2.5));
    intern_canvas(owner, &mut c, id, false, false).unwrap();
    assert_eq!(transports(owner), vec![id]);
    intern_canvas(owner, &mut c, id, true, false).unwrap();
    assert!(transports(owner).is_empty());
    assert!(shm::stat(id).is_ok(), "the canvas keeps its memory");
    assert_eq!(c.get([0, 0, 0, 0]).unwrap(), Value::Float(2.5));
    drop(c);
    assert!(shm::stat(id).is_err(), "deleting the canvas removes its segment");
}

#[test]
fn freeing_a_shm_canvas_transport_never_removes_the_segment() {
    let owner = new_owner();
    let c = shm_canvas();
    let id = extern_canvas(owner, &c, 0o600).unwrap();
    free_transport(owner, id).unwrap();
    assert!(shm::stat(id).is_ok());
    // interned into another canvas (a copy), with free: still not removed
    let id = extern_canvas(owner, &c, 0o600).unwrap();
    let mut other = canvas(VoxelType::Float32);
    intern_canvas(owner, &mut other, id, true, false).unwrap();
    assert!(shm::stat(id).is_ok());
    assert!(transports(owner).is_empty());
    release_owner(owner);
    assert!(shm::stat(id).is_ok());
    assert_eq!(c.as_bytes().len(), c.bytes(), "the canvas still has its memory");
}

#[test]
fn deleting_a_shm_canvas_drops_its_transports() {
    let owner = new_owner();
    let c = shm_canvas();
    let id = extern_canvas(owner, &c, 0o600).unwrap();
    let mut other = canvas(VoxelType::Float32);
    intern_canvas(owner, &mut other, id, false, false).unwrap();
    assert_eq!(transports(owner), vec![id]);
    drop(c);
    assert!(transports(owner).is_empty());
    assert!(shm::stat(id).is_err());
}

#[test]
fn a_canvas_transport_of_another_generation_is_not_taken_for_the_live_canvas() {
    // As if a deleted canvas's id had been reused by a new canvas segment:
    // the old entry (older generation) must not stand for the new canvas.
    let owner = new_owner();
    let c = shm_canvas();
    let id = c.shmid().unwrap();
    let live = canvas_segment(id).unwrap();
    TABLE.lock().unwrap().insert((owner, id), Transport::Canvas { generation: live + 1_000_000, shape: Shape::of(&c) });
    assert!(transports(owner).is_empty(), "a stale generation is dropped");
    assert_eq!(extern_canvas(owner, &c, 0o600).unwrap(), id);
    assert_eq!(transports(owner), vec![id]);
    drop(c);
    assert!(transports(owner).is_empty());
}
