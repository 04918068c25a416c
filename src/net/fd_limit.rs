//! The process's open-file limit: raised at start to what `--max-clients`
//! needs, as Redis does, so that the client limit and not the kernel is
//! what turns clients away.

use std::io;

/// Descriptors the server needs besides its clients: the listener, the
/// poll, the signal pipe, stdio, and slack.
pub const RESERVED: u64 = 32;

/// Raises the soft open-file limit to `wanted` if it is lower (never past
/// the hard limit). Returns the soft limit now in force.
pub fn raise_to(wanted: u64) -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own and pass by pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let current: u64 = limit.rlim_cur;
    if current >= wanted {
        return Ok(current);
    }
    limit.rlim_cur = wanted.min(limit.rlim_max);
    // SAFETY: setrlimit reads the struct we own and pass by pointer.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}
