//! Identities: `Pid` (who a process is), `Ref` (which monitor or call),
//! `Caller` (whom to answer).
//!
//! Both `Pid` and `Ref` are a slot index plus a serial number. The index
//! finds the slot in O(1); the serial tells a live occupant from a stale
//! name for a slot that has since been reused. A message addressed to a
//! stale pid therefore never reaches the slot's new process.

use std::fmt;

/// A process identifier: slab index plus serial, printed like Erlang's
/// `<0.INDEX.SERIAL>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid {
    index: u32,
    serial: u32,
}

impl Pid {
    /// The world outside the runtime (the poll loop, a test). Nothing lives
    /// here: it is the `from` of exit signals sent with [`Runtime::exit`],
    /// and messages sent to it are dropped like those to any dead pid.
    ///
    /// [`Runtime::exit`]: crate::runtime::Runtime::exit
    pub const NONE: Pid = Pid {
        index: u32::MAX,
        serial: 0,
    };

    pub(crate) fn new(index: u32, serial: u32) -> Pid {
        Pid { index, serial }
    }

    pub(crate) fn index(self) -> usize {
        self.index as usize
    }

    pub(crate) fn serial(self) -> u32 {
        self.serial
    }

    /// Packs the pid into 64 bits, for an event loop token.
    pub fn to_bits(self) -> u64 {
        (u64::from(self.serial) << 32) | u64::from(self.index)
    }

    /// Unpacks [`Pid::to_bits`]. Any value gives some pid; a made-up one is
    /// simply not alive.
    pub fn from_bits(bits: u64) -> Pid {
        Pid {
            index: bits as u32,
            serial: (bits >> 32) as u32,
        }
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<0.{}.{}>", self.index, self.serial)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A reference: names one monitor, and so one call (a call is answered
/// through the monitor the caller holds on the callee). Unique while the
/// monitor lives; printed like Erlang's `#Ref<0.INDEX.SERIAL>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    index: u32,
    serial: u32,
}

impl Ref {
    pub(crate) fn new(index: u32, serial: u32) -> Ref {
        Ref { index, serial }
    }

    /// The monitor's slot: a small number, dense across live monitors, and
    /// not reused while this monitor lives or its `Down` is on its way (the
    /// slot is freed only when the `Down` is delivered or dropped). For
    /// tables indexed by monitor instead of hashed by ref.
    pub fn slot(self) -> usize {
        self.index as usize
    }

    pub(crate) fn index(self) -> usize {
        self.index as usize
    }

    pub(crate) fn serial(self) -> u32 {
        self.serial
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Ref<0.{}.{}>", self.index, self.serial)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Who is waiting for an answer: the caller's pid and the call's ref.
/// GenServer's `from`. Pass it to [`Context::reply`] now or later, or hand
/// it on with [`Context::forward`] so that another process answers.
///
/// [`Context::reply`]: crate::runtime::Context::reply
/// [`Context::forward`]: crate::runtime::Context::forward
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Caller {
    pub(crate) pid: Pid,
    pub(crate) call: Ref,
}

impl Caller {
    /// The calling process.
    pub fn pid(self) -> Pid {
        self.pid
    }

    /// The call's reference, the one [`Context::call`] returned to the caller.
    ///
    /// [`Context::call`]: crate::runtime::Context::call
    pub fn call(self) -> Ref {
        self.call
    }
}
