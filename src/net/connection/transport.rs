//! A connection's transport: its socket, the bytes received and not yet
//! answered, the reply bytes not yet sent, and the reads and writes that
//! move them. It knows nothing of requests.
//!
//! mio is edge-triggered: a readable edge means "read until `WouldBlock`",
//! and a write that fills the socket waits for the next writable edge. Two
//! syscalls are saved on the common path: a short read took all the socket
//! had (the read that would say `WouldBlock` is skipped; bytes that arrive
//! later raise a new edge), and a short write means the socket is full.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};

use mio::net::TcpStream;

use super::super::{interrupted, would_block};
use super::stream::{Produced, Stream, Wire};
use crate::protocol::Error;
use crate::todo::Listing;

/// How much one `read` takes at most.
const READ_CHUNK: usize = 64 * 1024;

/// Bytes of a streamed reply one flush produces at most, so that one big
/// reply does not hold up a pass: some 30 µs of rendering.
const PRODUCE_PER_FLUSH: usize = 64 * 1024;

thread_local! {
    /// Where every connection reads into before it keeps what it received:
    /// one buffer for the whole (single-threaded) server, so that an idle
    /// connection holds none (as Redis 7.4's reusable query buffer).
    static READ_BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; READ_CHUNK]);
}

/// What the read side may still give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadSide {
    /// The last read took all there was: wait for the next readable edge.
    Drained,
    /// An edge came: the socket may hold bytes.
    Ready,
    /// Read until the socket has nothing more (`WouldBlock` or EOF),
    /// whatever the size of each read: the peer closed (its EOF raises no
    /// edge of its own), or the server is stopping.
    Exhaust,
    /// EOF was read: nothing more will come.
    Eof,
}

/// An `OK` that the log has not confirmed yet.
#[derive(Debug, Clone, Copy)]
struct Unconfirmed {
    /// Where it starts in everything the connection has output.
    at: u64,
    len: usize,
    /// Writes the error that replaces it if the change did not become
    /// durable, in the framing of its request.
    error: fn(&mut Vec<u8>, &Error<'_>),
}

/// The socket and its buffers.
#[derive(Debug)]
pub(super) struct Transport {
    socket: TcpStream,
    peer: SocketAddr,
    /// Bytes received; `input[start..]` is not consumed yet.
    input: Vec<u8>,
    start: usize,
    /// Reply bytes; `output[sent..]` is not written yet.
    output: Vec<u8>,
    sent: usize,
    /// Where `output[0]` is in everything the connection has output.
    output_base: u64,
    /// `OK`s held back until the log has the changes they acknowledge:
    /// nothing from the first of them on is written before then.
    unconfirmed: Vec<Unconfirmed>,
    /// A big reply still being produced, after `output` (boxed: most
    /// connections never have one, and every idle one would pay for it).
    stream: Option<Box<Stream>>,
    /// The last flush could produce nothing of the big reply for want of
    /// room in client buffers.
    stream_waits_for_room: bool,
    /// The big reply acknowledges a change (the items a pop took): it is
    /// held like an `OK` until the log has the change, and dropped if it
    /// could not.
    stream_unconfirmed: bool,
    read: ReadSide,
    /// No write has hit a full socket since the last writable edge.
    writable: bool,
}

impl Transport {
    /// The transport of an accepted socket.
    pub(super) fn new(socket: TcpStream, peer: SocketAddr) -> Transport {
        Transport {
            socket,
            peer,
            input: Vec::new(),
            start: 0,
            output: Vec::new(),
            sent: 0,
            output_base: 0,
            unconfirmed: Vec::new(),
            stream: None,
            stream_waits_for_room: false,
            stream_unconfirmed: false,
            read: ReadSide::Drained,
            writable: true,
        }
    }

    /// The socket, for registering with the poll loop.
    pub(super) fn socket_mut(&mut self) -> &mut TcpStream {
        &mut self.socket
    }

    /// The client's address, for logs.
    pub(super) fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The poll said the socket is readable, or that the peer closed.
    pub(super) fn readable(&mut self, closed: bool) {
        match (self.read, closed) {
            (ReadSide::Eof, _) => {}
            (_, true) => self.read = ReadSide::Exhaust,
            (ReadSide::Drained, false) => self.read = ReadSide::Ready,
            _ => {}
        }
    }

    /// Read whatever the socket holds now, to the end, and then nothing
    /// more (however many edges come).
    pub(super) fn read_what_has_arrived(&mut self) {
        if self.read != ReadSide::Eof {
            self.read = ReadSide::Exhaust;
        }
    }

    /// The poll said the socket can take bytes.
    pub(super) fn writable(&mut self) {
        self.writable = true;
    }

    /// The peer has shut its write side, and every byte before that was
    /// read.
    pub(super) fn eof(&self) -> bool {
        self.read == ReadSide::Eof
    }

    /// The peer has closed its side (or the server is stopping and reads
    /// only what has arrived): what is in the socket is all there will be.
    pub(super) fn peer_closed(&self) -> bool {
        self.read == ReadSide::Exhaust
    }

    /// The socket may hold more bytes, and fewer than `enough` wait to be
    /// consumed: a read would be worth it.
    pub(super) fn wants_input(&self, enough: usize) -> bool {
        self.may_have_input() && self.input.len() - self.start < enough.max(READ_CHUNK)
    }

    /// The socket may hold more bytes.
    pub(super) fn may_have_input(&self) -> bool {
        matches!(self.read, ReadSide::Ready | ReadSide::Exhaust)
    }

    /// Bytes received and not consumed yet.
    pub(super) fn input(&self) -> &[u8] {
        &self.input[self.start..]
    }

    /// The first `len` bytes of `input()`, and the output to answer them
    /// in: a request borrowed from its line can be answered in place.
    pub(super) fn line_and_output(&mut self, len: usize) -> (&[u8], &mut Vec<u8>) {
        (&self.input[self.start..self.start + len], &mut self.output)
    }

    /// Marks the first `n` bytes of `input()` consumed.
    pub(super) fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Puts `bytes` back at the front of what is received and not
    /// consumed, to be taken next (a transaction's queued requests).
    pub(super) fn put_back(&mut self, bytes: &[u8]) {
        self.input
            .splice(self.start..self.start, bytes.iter().copied());
    }

    /// Drops everything received and not consumed.
    pub(super) fn discard_input(&mut self) {
        self.input = Vec::new();
        self.start = 0;
    }

    /// Drops the consumed bytes from the input, and gives back capacity
    /// the rest no longer needs (see `shrink`).
    pub(super) fn compact_input(&mut self, keep: usize) {
        // Moving what is left to the front costs a copy of it: done once
        // half the buffer is consumed (so each byte moves about once), or
        // always when every byte of capacity counts (`keep` is 0).
        if self.start > 0 && (keep == 0 || 2 * self.start >= self.input.len()) {
            self.input.drain(..self.start);
            self.start = 0;
        }
        shrink(&mut self.input, keep);
    }

    /// Reads while the socket may have bytes, fewer than `enough` are
    /// waiting to be consumed, and fewer than `room` bytes have been kept
    /// (call `compact_input` first, to reuse the consumed part).
    /// Returns whether anything came (bytes or EOF). With `keep` false,
    /// bytes are read and dropped, whatever the room.
    pub(super) fn read(&mut self, enough: usize, keep: bool, mut room: usize) -> io::Result<bool> {
        let enough = enough.max(READ_CHUNK);
        let mut progress = false;
        READ_BUF.with_borrow_mut(|buf| {
            while self.may_have_input()
                && self.input.len() - self.start < enough
                && (room > 0 || !keep)
            {
                let want = if keep { room.min(buf.len()) } else { buf.len() };
                match self.socket.read(&mut buf[..want]) {
                    Ok(0) => {
                        self.read = ReadSide::Eof;
                        progress = true;
                    }
                    Ok(n) => {
                        if keep {
                            // Exactly: the budget counts capacity.
                            self.input.reserve_exact(n);
                            self.input.extend_from_slice(&buf[..n]);
                            room -= n;
                        }
                        progress = true;
                        if n < want && self.read == ReadSide::Ready {
                            self.read = ReadSide::Drained;
                        }
                    }
                    Err(e) if would_block(&e) => self.read = ReadSide::Drained,
                    Err(e) if interrupted(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(progress)
        })
    }

    /// The reply bytes not yet written, to append to.
    pub(super) fn output(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// Reply bytes not written yet.
    pub(super) fn unsent(&self) -> usize {
        self.output.len() - self.sent
    }

    /// The last write filled the socket: the next writable edge says when
    /// there is room.
    pub(super) fn write_blocked(&self) -> bool {
        !self.writable
    }

    /// Writes a reply (with `ok`) that acknowledges a change, held back
    /// until `confirm` says whether the log has the change; `error` writes
    /// the error that replaces it if not.
    pub(super) fn unconfirmed(
        &mut self,
        ok: impl FnOnce(&mut Vec<u8>),
        error: fn(&mut Vec<u8>, &Error<'_>),
    ) {
        let start = self.output.len();
        ok(&mut self.output);
        self.unconfirmed.push(Unconfirmed {
            at: self.output_base + start as u64,
            len: self.output.len() - start,
            error,
        });
    }

    /// Some `OK` waits for the log.
    pub(super) fn has_unconfirmed(&self) -> bool {
        !self.unconfirmed.is_empty()
    }

    /// The log has written (`Ok`) every change acknowledged so far, or
    /// could not (`Err` with the reason): the held `OK`s may leave, or
    /// become errors.
    pub(super) fn confirm(&mut self, durable: Result<(), &str>) {
        if std::mem::take(&mut self.stream_unconfirmed) && durable.is_err() {
            // Its place is taken by the error, below.
            self.stream = None;
        }
        if let Err(reason) = durable {
            // From the last, so that the earlier ones stay where they are.
            for held in self.unconfirmed.iter().rev() {
                let start = (held.at - self.output_base) as usize;
                let mut error = Vec::new();
                (held.error)(&mut error, &Error::Persistence(reason));
                self.output.splice(start..start + held.len, error);
            }
        }
        self.unconfirmed.clear();
    }

    /// The end of what may be written now: up to the first held `OK`.
    fn sendable(&self) -> usize {
        self.unconfirmed.first().map_or(self.output.len(), |held| {
            (held.at - self.output_base) as usize
        })
    }

    /// Forgets the output's bytes before `n`, all sent.
    fn drop_sent(&mut self, n: usize) {
        if n == self.output.len() {
            self.output.clear();
        } else {
            self.output.drain(..n);
        }
        self.output_base += n as u64;
        self.sent -= n;
    }

    /// Makes `bytes` the output, as it is, if nothing is waiting to be
    /// sent; otherwise appends them. The buffer handed back is empty, for
    /// reuse.
    pub(super) fn take_output(&mut self, mut bytes: Vec<u8>) -> Vec<u8> {
        if self.unsent() == 0 {
            self.drop_sent(self.sent);
            std::mem::swap(&mut self.output, &mut bytes);
        } else {
            self.output.extend_from_slice(&bytes);
        }
        bytes.clear();
        bytes
    }

    /// A big reply, to be produced after the output as the socket drains.
    pub(super) fn start_stream(&mut self, listing: Listing, wire: Wire) {
        debug_assert!(self.stream.is_none(), "one streamed reply at a time");
        self.stream = Some(Box::new(Stream::new(listing, wire, &mut self.output)));
    }

    /// A big reply that acknowledges a change: held, like an `OK` (see
    /// `unconfirmed`), until `confirm` says whether the log has the change;
    /// if not, `error` writes what replaces it.
    pub(super) fn start_stream_unconfirmed(
        &mut self,
        listing: Listing,
        wire: Wire,
        error: fn(&mut Vec<u8>, &Error<'_>),
    ) {
        debug_assert!(self.stream.is_none(), "one streamed reply at a time");
        let mut stream = None;
        self.unconfirmed(
            |out| stream = Some(Box::new(Stream::new(listing, wire, out))),
            error,
        );
        self.stream = stream;
        self.stream_unconfirmed = true;
    }

    /// Reply bytes are unsent, or a reply is still being produced.
    pub(super) fn has_output(&self) -> bool {
        self.unsent() > 0 || self.stream.is_some()
    }

    /// A reply is still being produced.
    pub(super) fn streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// A reply is being produced that may go on now: room, and no hold.
    pub(super) fn stream_goes_on(&self) -> bool {
        self.stream.is_some() && !self.stream_unconfirmed && self.writable
    }

    /// A reply is still being produced, and waits for room in client
    /// buffers to produce its next piece.
    pub(super) fn stream_waits_for_room(&self) -> bool {
        self.stream.is_some() && self.stream_waits_for_room
    }

    /// Bytes the buffers hold (their capacity: what the heap gives them),
    /// and what a reply being produced holds alone.
    pub(super) fn held(&self) -> usize {
        let stream = self.stream.as_deref().map_or(0, Stream::own_bytes);
        self.input.capacity() + self.output.capacity() + stream
    }

    /// Bytes of data a reply being produced still has to render.
    pub(super) fn pinned(&self) -> usize {
        self.stream.as_deref().map_or(0, Stream::bytes_left)
    }

    /// Writes pending output, and produces more of a streamed reply in
    /// pieces of about `piece` bytes (an item bigger than that if it fits
    /// `room`), until done, the socket is full, `PRODUCE_PER_FLUSH` bytes
    /// were produced, or nothing more fits; then gives back output
    /// capacity past `keep` (see `shrink`). Returns whether anything was
    /// written.
    pub(super) fn flush(&mut self, piece: usize, room: usize, keep: usize) -> io::Result<bool> {
        let mut wrote = false;
        let mut produced = 0;
        self.stream_waits_for_room = false;
        loop {
            wrote |= self.write_out()?;
            if self.unsent() > 0 || produced >= PRODUCE_PER_FLUSH {
                break;
            }
            let Some(stream) = &mut self.stream else {
                break;
            };
            if self.stream_unconfirmed {
                // Nothing of it is produced before the log has its change.
                break;
            }
            let before = self.output.len();
            // Once the output is all sent, its room is the stream's.
            let room = if produced == 0 { room } else { piece };
            match stream.produce(&mut self.output, piece, room) {
                Produced::Done => self.stream = None,
                Produced::More if self.output.len() == before => break,
                Produced::More => {}
                Produced::NoRoom => {
                    self.stream_waits_for_room = true;
                    break;
                }
            }
            produced += self.output.len() - before;
        }
        shrink(&mut self.output, keep);
        Ok(wrote)
    }

    /// Writes `output[sent..]`, up to the first held `OK`, until done or
    /// the socket is full.
    fn write_out(&mut self) -> io::Result<bool> {
        let before = self.sent;
        let end = self.sendable();
        while self.sent < end && self.writable {
            match self.socket.write(&self.output[self.sent..end]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.sent += n;
                    if self.sent < end {
                        self.writable = false;
                    }
                }
                Err(e) if would_block(&e) => self.writable = false,
                Err(e) if interrupted(&e) => {}
                Err(e) => return Err(e),
            }
        }
        let wrote = self.sent > before;
        if self.sent == self.output.len() || self.sent > self.output.len() / 2 {
            self.drop_sent(self.sent);
        }
        Ok(wrote)
    }

    /// Shuts the write side: the peer reads EOF after the last reply.
    pub(super) fn shutdown_write(&mut self) {
        let _ = self.socket.shutdown(Shutdown::Write);
    }

    /// Nothing received is waiting and nothing is unsent: give the buffers
    /// back, so that an idle connection costs a few hundred bytes.
    pub(super) fn release_idle_buffers(&mut self) {
        if self.start == self.input.len() && !self.has_output() {
            self.input = Vec::new();
            self.start = 0;
            self.drop_sent(self.sent);
            self.output = Vec::new();
        }
    }
}

/// Gives back a buffer's capacity past what its bytes need, so that the
/// budget (which counts capacity) sees memory freed as soon as the bytes
/// are consumed or sent: a buffer keeps up to `keep` bytes for the next
/// burst, and one under a quarter full shrinks to twice its length (to its
/// length when `keep` is 0: client buffers are pressed).
fn shrink(buf: &mut Vec<u8>, keep: usize) {
    let capacity = buf.capacity();
    if capacity <= keep {
        return;
    }
    if buf.is_empty() {
        *buf = Vec::new();
    } else if keep == 0 {
        // Pressed: every byte of the allowance goes to what is needed.
        buf.shrink_to_fit();
    } else if buf.len() < capacity / 4 {
        buf.shrink_to((2 * buf.len()).max(keep));
    }
}
