//! Work on every core: one task per file, results in input order. The
//! first error by input order is the one reported, so a message does not
//! depend on which thread was faster.

use crate::core::error::MxResult;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Threads to use for `tasks` tasks.
fn threads(tasks: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(tasks).max(1)
}

/// `f` over `items` on every core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> MxResult<R> + Sync) -> MxResult<Vec<R>> {
    let results: Vec<Mutex<Option<MxResult<R>>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let r = f(item);
        let failed = r.is_err();
        *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
        if failed {
            // Stop handing out further work; earlier items still finish.
            next.fetch_max(items.len(), Ordering::Relaxed);
        }
    };
    run(threads(items.len()), &work);
    let mut out = Vec::with_capacity(items.len());
    for slot in results {
        match slot.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(r) => out.push(r?),
            // Not run because an earlier item failed: that error was returned above.
            None => break,
        }
    }
    Ok(out)
}

/// Run `jobs` (each consumed once) with `f` on every core; the first
/// error by job order wins.
pub fn each<J: Send>(jobs: Vec<J>, f: impl Fn(J) -> MxResult<()> + Sync) -> MxResult<()> {
    let count = jobs.len();
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let first_error: Mutex<Option<(usize, crate::core::MxError)>> = Mutex::new(None);
    let work = || loop {
        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
        let Some((i, job)) = job else { break };
        if let Err(e) = f(job) {
            let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
            if slot.as_ref().is_none_or(|(j, _)| i < *j) {
                *slot = Some((i, e));
            }
        }
    };
    run(threads(count), &work);
    match first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

fn run(threads: usize, work: &(impl Fn() + Sync)) {
    if threads <= 1 {
        work();
        return;
    }
    std::thread::scope(|s| {
        for _ in 1..threads {
            // A thread the system refuses (memory, limits) is one worker
            // fewer, not an error: this thread works through the queue too.
            let _ = std::thread::Builder::new().spawn_scoped(s, work);
        }
        work();
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::MxError;

    #[test]
    fn order_kept_and_first_error_reported() {
        let items: Vec<u32> = (0..100).collect();
        assert_eq!(map(&items, |&i| Ok(i * 2)).unwrap(), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let e = map(&items, |&i| if i >= 40 { Err(MxError::mx(format!("{i}"), &["X"])) } else { Ok(i) });
        assert_eq!(e.unwrap_err().message, "40");
        let e = each(items.clone(), |i| if i % 7 == 3 { Err(MxError::mx(format!("{i}"), &["X"])) } else { Ok(()) });
        assert_eq!(e.unwrap_err().message, "3");
    }
}
