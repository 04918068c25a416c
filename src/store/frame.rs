//! A record's frame on disk, around its body (`record.rs` owns bodies):
//! `[len: varint][check: u8][crc: u32 LE][body]`.
//!
//! `len` counts the body's bytes (one length byte for a body under 128
//! bytes, most of them). `check` is a CRC-8 (polynomial 0x07) of the
//! length's bytes alone, so that a damaged length is known for damage
//! before anything is read where it points: only a length whose check is
//! good, and that points past the end of the file, is a record cut short
//! (a torn tail). `crc` is the CRC-32C of the length's bytes and the body.
//!
//! What the check catches, for every length (the tests below go through
//! every 1-bit and 2-bit flip of the length's bytes and the check byte):
//! - a flip that leaves the length's continuation bits as they were: the
//!   check alone, always;
//! - a flip that ends the length early (a continuation bit cleared): the
//!   frame then claims to end inside the record it was, so it is never
//!   taken for a torn tail, and the CRC-32C judges it;
//! - a flip that sets the continuation bit of the length's last byte: the
//!   check byte is read as part of the length and the byte after it (the
//!   CRC's first) as the check, which matches it by chance once in 256.
//!   No one-byte check placed after a varint length can do better: which
//!   byte is the check then depends on bytes past it.

use super::record::Bad;

/// The most bytes before the body: the longest length, its check and the
/// CRC.
pub const HEADER: usize = 5 + 1 + 4;

/// The longest body accepted when reading: 1 GiB, past any item the line
/// limit allows (512 MiB), and small enough that a length is not trusted
/// to allocate the world.
pub const MAX_BODY: usize = 1 << 30;

/// A frame's header, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The bytes of the length.
    len_bytes: usize,
    /// The bytes of the body.
    body_len: usize,
    /// The CRC-32C the header carries.
    crc: u32,
}

impl Frame {
    /// Where the body starts.
    pub fn body_start(&self) -> usize {
        self.len_bytes + 1 + 4
    }

    /// The whole frame's size: header and body.
    pub fn size(&self) -> usize {
        self.body_start() + self.body_len
    }
}

/// Appends the header of a frame whose body of `body_len` bytes follows;
/// `seal` fills in its CRC once the body is there. The offset of the
/// frame, for `seal`.
pub fn begin(out: &mut Vec<u8>, body_len: usize) -> usize {
    let at = out.len();
    push_varint(out, body_len as u64);
    let check = crc8(&out[at..]);
    out.push(check);
    out.extend_from_slice(&[0; 4]);
    at
}

/// Computes the CRC of the frame at `at`, now that its body is in `out`.
pub fn seal(out: &mut [u8], at: usize) {
    let frame = read_header(&out[at..], true).expect("a frame begun here");
    let body = at + frame.body_start();
    let len_bytes = &out[at..at + frame.len_bytes];
    let crc = crc32c::crc32c_append(crc32c::crc32c(len_bytes), &out[body..]);
    out[body - 4..body].copy_from_slice(&crc.to_le_bytes());
}

/// The frame at the start of `bytes`, and its body: `Short` if the bytes
/// end before the frame does (with a good check when the length is
/// whole), `Damaged` if the check or the CRC fails. Without `verify`, for
/// frames in memory, neither is looked at.
pub fn read(bytes: &[u8], verify: bool) -> Result<(&[u8], usize), Bad> {
    let frame = read_header(bytes, verify)?;
    let Some(body) = bytes.get(frame.body_start()..frame.size()) else {
        return Err(Bad::Short);
    };
    if verify {
        let len_bytes = &bytes[..frame.len_bytes];
        if crc32c::crc32c_append(crc32c::crc32c(len_bytes), body) != frame.crc {
            return Err(Bad::Damaged);
        }
    }
    Ok((body, frame.size()))
}

/// The header at the start of `bytes`: `Short` if they end inside it,
/// `Damaged` if its check fails or its length cannot be a body's.
pub fn read_header(bytes: &[u8], verify: bool) -> Result<Frame, Bad> {
    let mut len = 0u64;
    let mut len_bytes = None;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        len |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            len_bytes = Some(i + 1);
            break;
        }
    }
    let len_bytes = match len_bytes {
        Some(n) => n,
        None if bytes.len() < 5 => return Err(Bad::Short),
        None => return Err(Bad::Damaged),
    };
    let Some(&check) = bytes.get(len_bytes) else {
        return Err(Bad::Short);
    };
    if verify && crc8(&bytes[..len_bytes]) != check {
        return Err(Bad::Damaged);
    }
    let body_len = usize::try_from(len).map_err(|_| Bad::Damaged)?;
    if body_len == 0 || body_len > MAX_BODY {
        return Err(Bad::Damaged);
    }
    let Some(crc) = bytes.get(len_bytes + 1..len_bytes + 5) else {
        return Err(Bad::Short);
    };
    Ok(Frame {
        len_bytes,
        body_len,
        crc: u32::from_le_bytes(crc.try_into().expect("4 bytes")),
    })
}

/// CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial value 0: a byte
/// at a time through a table made at compile time, a bit at a time.
/// Every error of up to three bits in a message of up to 119 bits changes
/// it.
fn crc8(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0, |crc, &byte| CRC8[usize::from(crc ^ byte)])
}

/// `CRC8[b]` is the CRC-8 of the one byte `b`.
const CRC8: [u8; 256] = {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Appends `n` as a varint: seven bits a byte, low first.
pub fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Bytes `n` takes as a varint.
pub fn varint_len(n: u64) -> usize {
    (64 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

/// A varint at the start of `bytes`, and what follows it.
pub fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut n = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        n |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lengths to try: every one that takes one or two bytes, and for
    /// three to five bytes the edges and a spread between them. (For a
    /// flip that keeps the continuation bits, whether the check catches
    /// it does not depend on the length: CRCs are linear.)
    fn lengths() -> impl Iterator<Item = usize> {
        let short = 1..1 << 14;
        let long = (14..=28).step_by(7).flat_map(|bits: u32| {
            let (low, high) = (1usize << bits, (1usize << (bits + 7)).min(MAX_BODY + 1));
            let step = (high - low) / 509;
            (low..high)
                .step_by(step)
                .chain([low + 1, high - 2, high - 1])
        });
        short.chain(long)
    }

    /// The header of a frame with a body of `len` bytes: the length, its
    /// check and a CRC (its value does not matter here).
    fn header(len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        begin(&mut out, len);
        out
    }

    #[test]
    fn every_one_and_two_bit_flip_in_a_length_and_its_check_is_caught() {
        let mut seen = [0usize; 3];
        for len in lengths() {
            let header = header(len);
            let n = varint_len(len as u64);
            assert_eq!(read_header(&header, true).map(|f| f.body_len), Ok(len));
            // The length's bytes and the check byte.
            let bits = 8 * (n + 1);
            let flips = (0..bits)
                .map(|a| vec![a])
                .chain((0..bits).flat_map(|a| (a + 1..bits).map(move |b| vec![a, b])));
            for flip in flips {
                let mut bytes = header.clone();
                for &bit in &flip {
                    bytes[bit / 8] ^= 1 << (bit % 8);
                }
                let continuation = |i: usize| flip.contains(&(8 * i + 7));
                let outcome = read_header(&bytes[..n + 1], true);
                if (0..n - 1).any(continuation) {
                    // The length ends early: whatever it claims ends
                    // inside the frame it was, never past the file.
                    if let Ok(frame) = read_header(&bytes, true) {
                        assert!(frame.size() < n + 5 + len, "{len}, bits {flip:?}");
                    }
                    seen[1] += 1;
                } else if continuation(n - 1) {
                    // The check byte is taken for the length's: what is
                    // read as its check lies past this header.
                    assert!(
                        matches!(outcome, Err(Bad::Short | Bad::Damaged)),
                        "{len}, bits {flip:?}: {outcome:?}"
                    );
                    seen[2] += 1;
                } else {
                    assert_eq!(outcome, Err(Bad::Damaged), "{len}, bits {flip:?}");
                    seen[0] += 1;
                }
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    #[test]
    fn a_frame_round_trips_and_a_cut_one_is_short() {
        for len in [1, 127, 128, 300, 16_384] {
            let mut out = vec![b'x'; 3];
            let at = begin(&mut out, len);
            out.extend((0..len).map(|i| i as u8));
            seal(&mut out, at);
            let (body, size) = read(&out[at..], true).unwrap();
            assert_eq!((body.len(), size), (len, out.len() - at));
            for end in at..out.len() {
                assert_eq!(read(&out[at..end], true), Err(Bad::Short), "{len}, {end}");
            }
            let mut bad = out.clone();
            *bad.last_mut().unwrap() ^= 1;
            assert_eq!(read(&bad[at..], true), Err(Bad::Damaged));
        }
    }

    #[test]
    fn crc8_is_the_usual_one() {
        // CRC-8 (SMBus), polynomial 0x07, of "123456789".
        assert_eq!(crc8(b"123456789"), 0xf4);
    }
}
