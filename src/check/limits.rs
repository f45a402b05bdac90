//! How many probes run at once. By default every target is probed at once,
//! so a check of many hosts costs one handshake's time, bounded by what the
//! process may open: the soft limit on open files is raised to the hard
//! limit first, and each probe is allowed two descriptors (its socket, and
//! a resolver's socket while its name is looked up).

/// Descriptors kept back for everything else: standard streams, trust
/// store files, the runtime's own (epoll, eventfd), the output file.
const RESERVED_FDS: u64 = 64;

/// Descriptors a probe may hold at once.
const FDS_PER_PROBE: u64 = 2;

/// Never more probes at once than this (about 128 MiB of connections in
/// flight at 16 KiB each).
pub const MAX_CONCURRENCY: usize = 8192;

/// Raises the soft limit on open files to the hard limit; returns the soft
/// limit now in force, `None` where it cannot be read (then the caller
/// assumes the common default of 1024).
#[cfg(unix)]
pub fn raise_fd_limit() -> Option<u64> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        return Some(hard);
    }
    Some(soft)
}

/// Raises the soft limit on open files (nothing to do here).
#[cfg(not(unix))]
pub fn raise_fd_limit() -> Option<u64> {
    None
}

/// The probes to run at once for `targets` targets: `requested` (or all of
/// them), at most what `fd_limit` open files allow, at least one.
pub fn concurrency(targets: usize, requested: Option<usize>, fd_limit: Option<u64>) -> usize {
    let fd_limit = fd_limit.unwrap_or(1024);
    let by_fds = fd_limit.saturating_sub(RESERVED_FDS) / FDS_PER_PROBE;
    let by_fds = usize::try_from(by_fds).unwrap_or(usize::MAX);
    let cap = targets.min(by_fds).clamp(1, MAX_CONCURRENCY);
    requested.unwrap_or(targets).clamp(1, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_targets_at_once_within_the_file_limit() {
        assert_eq!(concurrency(1024, None, Some(20_000)), 1024);
        assert_eq!(concurrency(10_000, None, Some(20_000)), MAX_CONCURRENCY);
        assert_eq!(concurrency(10_000, None, Some(1024)), 480);
        assert_eq!(concurrency(10_000, None, None), 480);
        assert_eq!(concurrency(3, None, Some(1024)), 3);
    }

    #[test]
    fn a_request_is_honoured_but_capped() {
        assert_eq!(concurrency(1024, Some(32), Some(20_000)), 32);
        assert_eq!(concurrency(10, Some(32), Some(20_000)), 10);
        assert_eq!(concurrency(5000, Some(5000), Some(256)), 96);
        assert_eq!(concurrency(0, None, Some(10)), 1);
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        use nix::sys::resource::{Resource, getrlimit};
        let now = raise_fd_limit();
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!(now, Some(soft));
        assert_eq!(soft, hard);
    }
}
