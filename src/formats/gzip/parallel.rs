//! Work spread over every core: a list of independent jobs (compress one
//! block, inflate one member), taken in order by one scoped thread per core.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;

/// How many threads to use: the cores this process may run on.
pub fn threads() -> usize {
    thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Run `work(&mut state, job)` for every job, on up to [`threads`] threads
/// (the calling thread is one of them), each with its own `state` made by
/// `init` (a compressor, say). The first error stops the rest and is
/// returned. When no thread can be started the calling thread does it all.
pub fn run<J, S, E>(
    jobs: Vec<J>,
    init: impl Fn() -> Result<S, E> + Sync,
    work: impl Fn(&mut S, J) -> Result<(), E> + Sync,
) -> Result<(), E>
where
    J: Send,
    E: Send,
{
    let workers = threads().min(jobs.len());
    if workers <= 1 {
        let mut state = init()?;
        return jobs.into_iter().try_for_each(|job| work(&mut state, job));
    }
    let queue = Mutex::new(jobs.into_iter());
    let failure: Mutex<Option<E>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let fail = |e: E| {
        stop.store(true, Ordering::Relaxed);
        let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
    };
    let body = || {
        let mut state = match init() {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        while !stop.load(Ordering::Relaxed) {
            // A poisoned lock only means another worker panicked; the queue itself is intact.
            let job = queue.lock().unwrap_or_else(|p| p.into_inner()).next();
            let Some(job) = job else { break };
            if let Err(e) = work(&mut state, job) {
                return fail(e);
            }
        }
    };
    thread::scope(|scope| {
        for _ in 1..workers {
            // A refused thread is no error: the threads that did start take its jobs.
            if thread::Builder::new().name("mxcanvas-gzip".into()).spawn_scoped(scope, body).is_err() {
                break;
            }
        }
        body();
    });
    match failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_job_runs_once() {
        let mut out = vec![0u32; 1000];
        let jobs: Vec<(usize, &mut u32)> = out.iter_mut().enumerate().collect();
        let inits = AtomicUsize::new(0);
        run(
            jobs,
            || -> Result<(), ()> {
                inits.fetch_add(1, Ordering::Relaxed);
                Ok(())
            },
            |_, (i, slot)| {
                *slot += i as u32 + 1;
                Ok(())
            },
        )
        .unwrap();
        assert!(out.iter().enumerate().all(|(i, &v)| v == i as u32 + 1));
        assert!(inits.load(Ordering::Relaxed) <= threads().max(1));
    }

    #[test]
    fn first_error_is_returned() {
        let jobs: Vec<usize> = (0..100).collect();
        let r = run(jobs, || Ok(()), |_, i| if i == 37 { Err(i) } else { Ok(()) });
        assert_eq!(r, Err(37));
        let r: Result<(), &str> = run(vec![1, 2], || Err("no state"), |_: &mut (), _| Ok(()));
        assert_eq!(r, Err("no state"));
    }
}
