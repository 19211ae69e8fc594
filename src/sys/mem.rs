//! Memory hints for large buffers: prefaulting and huge pages.
//!
//! A fresh System V segment has no pages yet: the first write to each 4 KiB
//! page traps into the kernel, which allocates and zeroes it. For large
//! copies those faults, not the copy, dominate. `MADV_POPULATE_WRITE`
//! (Linux 5.14) allocates the pages of a range in one system call, without
//! the per-page trap; on older kernels it fails with EINVAL and the pages are
//! simply faulted in by the copy, as before. Both calls are hints: they never
//! change the contents of the memory.

use once_cell::sync::OnceCell;

/// The system's page size (4096 when sysconf cannot tell).
pub fn page_size() -> usize {
    static PAGE: OnceCell<usize> = OnceCell::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf only reads its integer argument.
        let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if n > 0 {
            n as usize
        } else {
            4096
        }
    })
}

/// The whole pages inside `buf`: (start address, length), or None if there are none.
fn inner_pages(buf: &[u8]) -> Option<(usize, usize)> {
    let page = page_size();
    let start = (buf.as_ptr() as usize).checked_add(page - 1)? & !(page - 1);
    let end = (buf.as_ptr() as usize + buf.len()) & !(page - 1);
    (end > start).then(|| (start, end - start))
}

/// Ask the kernel to allocate, writable, every whole page inside `buf` now
/// (`MADV_POPULATE_WRITE`). Returns false when the kernel does not support
/// it; the memory is unchanged either way.
pub fn prefault_write(buf: &mut [u8]) -> bool {
    let Some((start, len)) = inner_pages(buf) else { return true };
    // SAFETY: [start, start+len) lies inside `buf`, which we borrow mutably,
    // so it is mapped and writable. MADV_POPULATE_WRITE only populates page
    // tables as a write fault would; it never changes the bytes.
    unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE) == 0 }
}

/// Tell the kernel that `buf` would benefit from transparent huge pages
/// (`MADV_HUGEPAGE`). Effective for shared memory only where the system
/// allows it (/sys/kernel/mm/transparent_hugepage/shmem_enabled = advise);
/// otherwise a no-op. Returns whether the kernel accepted the hint.
pub fn advise_huge_pages(buf: &mut [u8]) -> bool {
    let Some((start, len)) = inner_pages(buf) else { return false };
    // SAFETY: the range lies inside `buf`, which we borrow mutably; the
    // advice changes how pages are backed, never their contents.
    unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE) == 0 }
}

/// The default huge page size and how many huge pages the system has set
/// aside (`Hugepagesize`, `HugePages_Total` in /proc/meminfo), read once.
/// `None` when there are none: then SHM_HUGETLB cannot succeed.
pub fn hugetlb_pages() -> Option<(usize, u64)> {
    static INFO: OnceCell<Option<(usize, u64)>> = OnceCell::new();
    *INFO.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/meminfo").ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = text.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].split_whitespace().next()?.parse().ok()
        };
        let total = field("HugePages_Total:")?;
        let size_kib = field("Hugepagesize:")?;
        (total > 0 && size_kib > 0).then(|| ((size_kib * 1024) as usize, total))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefault_keeps_contents() {
        let mut v: Vec<u8> = (0..5 * page_size()).map(|i| (i % 251) as u8).collect();
        let before = v.clone();
        assert!(prefault_write(&mut v));
        assert_eq!(v, before);
        assert!(prefault_write(&mut v[1..10]), "no whole page: nothing to do");
    }

    #[test]
    fn inner_pages_round_inwards() {
        let v = vec![0u8; 3 * page_size()];
        let (start, len) = inner_pages(&v).unwrap();
        assert!(start >= v.as_ptr() as usize);
        assert!(start + len <= v.as_ptr() as usize + v.len());
        assert_eq!(start % page_size(), 0);
        assert_eq!(len % page_size(), 0);
        assert!(inner_pages(&v[..10]).is_none());
    }
}
