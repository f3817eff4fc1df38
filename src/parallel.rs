//! Two-way fork-join for the large jobs of a first parse and analysis, which would otherwise
//! leave a second core idle while one core works through a whole document.
//!
//! Invariants: results equal those of running the same closures one after the other; on a
//! machine with one core, or when a thread cannot start, the work runs on the calling thread;
//! a panic on the helper thread resumes on the calling thread, as if it had happened there.

use std::sync::{Mutex, OnceLock};

/// How many threads can run at once here (1 when it cannot be told). Read once: the standard
/// library reads cgroup files to answer.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `first` on this thread and `second` on a helper thread at the same time, and returns
/// both results. Worth it only for work of a millisecond or more: starting the helper costs
/// tens of microseconds.
pub fn join<A, B>(first: impl FnOnce() -> A, second: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    if cores() < 2 {
        let a = first();
        return (a, second());
    }
    // The helper takes `second` out of the slot; if it cannot start, this thread does.
    let slot = Mutex::new(Some(second));
    let take = || slot.lock().ok().and_then(|mut job| job.take());
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .name("privacy-lsp-helper".to_string())
            .spawn_scoped(scope, || take().map(|job| job()));
        let a = first();
        let b = match helper.map(|handle| handle.join()) {
            Ok(Ok(Some(b))) => Some(b),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Ok(Ok(None)) | Err(_) => None,
        };
        match b.or_else(|| take().map(|job| job())) {
            Some(b) => (a, b),
            // The slot's lock was poisoned: only a panic while taking the job can do that,
            // and taking it cannot panic.
            None => unreachable!("the job ran on one of the two threads"),
        }
    })
}

/// Maps `items` in order, splitting them in two halves of about equal `weight` run on two
/// threads when the total weight reaches `min_weight`; one thread otherwise.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    min_weight: usize,
    map: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let total: usize = items.iter().map(&weight).sum();
    if total < min_weight || items.len() < 2 {
        return items.iter().map(map).collect();
    }
    let mut sum = 0;
    let middle = items
        .iter()
        .position(|item| {
            sum += weight(item);
            2 * sum >= total
        })
        .map_or(items.len() / 2, |i| i + 1)
        .clamp(1, items.len() - 1);
    let (head, tail) = items.split_at(middle);
    let map = &map;
    let (mut first, second) = join(
        || head.iter().map(map).collect::<Vec<R>>(),
        || tail.iter().map(map).collect::<Vec<R>>(),
    );
    first.extend(second);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_returns_both_results() {
        let (a, b) = join(|| 2 + 2, || "four".len());
        assert_eq!((a, b), (4, 4));
    }

    #[test]
    fn join_runs_the_second_job_on_another_thread_when_there_are_cores() {
        let here = std::thread::current().id();
        let (_, there) = join(|| (), || std::thread::current().id());
        assert_eq!(here != there, cores() > 1);
    }

    #[test]
    fn a_panic_on_the_helper_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| join(|| 1, || -> u8 { panic!("helper") }));
        assert!(caught.is_err());
    }

    #[test]
    fn map_keeps_order_whether_split_or_not() {
        let items: Vec<usize> = (0..1000).collect();
        let expected: Vec<usize> = items.iter().map(|i| i * 3).collect();
        for min_weight in [0, usize::MAX] {
            assert_eq!(map(&items, |i| *i, min_weight, |i| i * 3), expected);
        }
        // Uneven weights: the split still covers every item once.
        let heavy_first = map(&items, |i| if *i == 0 { 1_000_000 } else { 1 }, 0, |i| *i);
        assert_eq!(heavy_first, items);
        assert_eq!(map(&[7usize], |_| 10, 0, |i| *i), vec![7]);
        assert!(map(&[] as &[usize], |_| 1, 0, |i| *i).is_empty());
    }
}
