//! What the load generator sends: the bytes of each workload's requests, in
//! the todo protocol, as Redis inline commands, or as RESP multibulk
//! requests (which todo-server and Redis both read, so both get the same
//! bytes), appended to a connection's output buffer with no allocation per
//! request.

use crate::workload::{Proto, Workload};

/// What a reply must look like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expect {
    /// `OK` (todo) or an integer (Redis `LPUSH`, `DEL`).
    Done,
    /// Data lines then `OK` (todo), or an array (Redis `LRANGE`).
    Items,
    /// `OK` (todo) or `+PONG` (Redis).
    Pong,
    /// Anything well framed, an error included: clearing a list that may
    /// not exist.
    Any,
    /// `ERR not found` (todo) or `:0` (Redis `LREM`): removing an item
    /// that is not there.
    Missing,
}

/// Makes the requests of one workload.
#[derive(Debug)]
pub struct Generator {
    proto: Proto,
    workload: Workload,
    keys: u64,
    item: Vec<u8>,
    rng: u64,
    /// The items' own generator, apart so that the keys are the same
    /// whatever the item size.
    item_rng: u64,
    /// The next key for workloads that go through keys in order.
    seq: u64,
}

impl Generator {
    /// Requests for `workload` over `keys` lists named `bench:<workload>:N`,
    /// with items of `size` bytes.
    pub fn new(proto: Proto, workload: Workload, keys: u64, size: usize, seed: u64) -> Generator {
        Generator {
            proto,
            workload,
            keys: keys.max(1),
            item: vec![b'a'; size],
            rng: seed | 1,
            item_rng: seed.rotate_left(32) | 1,
            seq: 0,
        }
    }

    /// A fresh item: random letters (a Redis inline command splits on
    /// spaces), so that no server's disk format gains from items that are
    /// all alike.
    fn next_item(&mut self) {
        for chunk in self.item.chunks_mut(12) {
            self.item_rng ^= self.item_rng >> 12;
            self.item_rng ^= self.item_rng << 25;
            self.item_rng ^= self.item_rng >> 27;
            let mut bits = self.item_rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
            for byte in chunk {
                *byte = b'a' + ((bits & 31) % 26) as u8;
                bits >>= 5;
            }
        }
    }

    fn random_key(&mut self) -> u64 {
        // xorshift64*: cheap, and good enough to spread keys.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) % self.keys
    }

    /// Appends the next request to `out` and says what its reply must be.
    pub fn next(&mut self, out: &mut Vec<u8>) -> Expect {
        match self.workload {
            Workload::Put => {
                let key = self.random_key();
                self.put(out, key)
            }
            Workload::List => {
                let key = self.random_key();
                self.list(out, key)
            }
            Workload::Mixed => {
                let key = self.random_key();
                if self.rng % 10 == 0 {
                    self.list(out, key)
                } else {
                    self.put(out, key)
                }
            }
            Workload::Ping | Workload::Idle => {
                self.emit(out, &[b"PING"]);
                Expect::Pong
            }
            Workload::Fill => {
                let key = self.seq;
                self.seq += 1;
                self.put(out, key)
            }
            Workload::DelScan => {
                let key = self.random_key();
                let name = self.key(key);
                match self.proto {
                    Proto::Todo => self.emit(out, &[b"DEL", &name, b"no-such-item"]),
                    _ => self.emit(out, &[b"LREM", &name, b"1", b"no-such-item"]),
                }
                Expect::Missing
            }
            Workload::BigList => {
                let key = self.random_key();
                self.list(out, key)
            }
            Workload::Lists => {
                match self.proto {
                    Proto::Todo => self.emit(out, &[b"LISTS"]),
                    _ => self.emit(out, &[b"KEYS", b"*"]),
                }
                Expect::Items
            }
        }
    }

    /// Appends a request that empties list `key`.
    pub fn clear(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        let name = self.key(key);
        match self.proto {
            Proto::Todo => self.emit(out, &[b"DROP", &name]),
            _ => self.emit(out, &[b"DEL", &name]),
        }
        Expect::Any
    }

    /// Appends a request that adds a fresh item to list `key`: `PUT`, or
    /// `LPUSH` (the head, where `PUT` adds).
    pub fn put(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        self.next_item();
        let name = self.key(key);
        let item = std::mem::take(&mut self.item);
        match self.proto {
            Proto::Todo => self.emit(out, &[b"PUT", &name, &item]),
            _ => self.emit(out, &[b"LPUSH", &name, &item]),
        }
        self.item = item;
        Expect::Done
    }

    fn list(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        let name = self.key(key);
        match self.proto {
            Proto::Todo => self.emit(out, &[b"LIST", &name]),
            _ => self.emit(out, &[b"LRANGE", &name, b"0", b"-1"]),
        }
        Expect::Items
    }

    /// List `key`'s name, `bench:<workload>:<key>`, on the stack.
    fn key(&self, key: u64) -> Key {
        let mut name = Key::default();
        name.push(b"bench:");
        name.push(self.workload.name().as_bytes());
        name.push(b":");
        name.push(digits(key, &mut [0; 20]));
        name
    }

    /// Appends one request of these words in the generator's framing.
    fn emit(&self, out: &mut Vec<u8>, words: &[&[u8]]) {
        match self.proto {
            Proto::Todo | Proto::Redis => {
                for (i, word) in words.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(word);
                }
                out.extend_from_slice(if self.proto == Proto::Todo {
                    b"\n"
                } else {
                    b"\r\n"
                });
            }
            Proto::Resp => {
                out.push(b'*');
                push_number(out, words.len() as u64);
                out.extend_from_slice(b"\r\n");
                for word in words {
                    out.push(b'$');
                    push_number(out, word.len() as u64);
                    out.extend_from_slice(b"\r\n");
                    out.extend_from_slice(word);
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
    }
}

/// A list name, built on the stack.
struct Key {
    bytes: [u8; 64],
    len: usize,
}

impl Default for Key {
    fn default() -> Key {
        Key {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl Key {
    fn push(&mut self, part: &[u8]) {
        let end = (self.len + part.len()).min(self.bytes.len());
        self.bytes[self.len..end].copy_from_slice(&part[..end - self.len]);
        self.len = end;
    }
}

impl std::ops::Deref for Key {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(digits(n, &mut [0; 20]));
}

/// `n` in decimal, written at the end of `buf`.
fn digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(proto: Proto, workload: Workload) -> (String, Expect) {
        let mut g = Generator::new(proto, workload, 1, 4, 7);
        let mut out = Vec::new();
        let expect = g.next(&mut out);
        (String::from_utf8(out).unwrap(), expect)
    }

    /// The request with its item's letters as `x`s.
    fn masked(request: &str) -> String {
        let (head, item) = request.rsplit_once(' ').unwrap();
        let letters = item.trim_end().len();
        assert!(
            item[..letters].bytes().all(|b| b.is_ascii_lowercase()),
            "{item}"
        );
        format!("{head} {}{}", "x".repeat(letters), &item[letters..])
    }

    #[test]
    fn items_are_random_letters_of_the_size_asked() {
        let mut g = Generator::new(Proto::Todo, Workload::Put, 1, 30, 7);
        let mut out = Vec::new();
        g.next(&mut out);
        g.next(&mut out);
        let text = String::from_utf8(out).unwrap();
        let items: Vec<&str> = text
            .lines()
            .map(|l| l.rsplit_once(' ').unwrap().1)
            .collect();
        assert_eq!(items.len(), 2);
        assert!(items
            .iter()
            .all(|i| i.len() == 30 && i.bytes().all(|b| b.is_ascii_lowercase())));
        assert_ne!(items[0], items[1]);
    }

    #[test]
    fn todo_requests() {
        let (put, expect) = one(Proto::Todo, Workload::Put);
        assert_eq!(
            (masked(&put), expect),
            ("PUT bench:put:0 xxxx\n".into(), Expect::Done)
        );
        assert_eq!(
            one(Proto::Todo, Workload::List),
            ("LIST bench:list:0\n".into(), Expect::Items)
        );
        assert_eq!(
            one(Proto::Todo, Workload::Ping),
            ("PING\n".into(), Expect::Pong)
        );
    }

    #[test]
    fn redis_requests() {
        let (put, expect) = one(Proto::Redis, Workload::Put);
        assert_eq!(
            (masked(&put), expect),
            ("LPUSH bench:put:0 xxxx\r\n".into(), Expect::Done)
        );
        assert_eq!(
            one(Proto::Redis, Workload::List),
            ("LRANGE bench:list:0 0 -1\r\n".into(), Expect::Items)
        );
        let mut g = Generator::new(Proto::Redis, Workload::List, 10, 4, 7);
        let mut out = Vec::new();
        g.clear(&mut out, 3);
        assert_eq!(out, b"DEL bench:list:3\r\n");
    }

    #[test]
    fn resp_requests_are_multibulk() {
        let (ping, expect) = one(Proto::Resp, Workload::Ping);
        assert_eq!(
            (ping.as_str(), expect),
            ("*1\r\n$4\r\nPING\r\n", Expect::Pong)
        );
        let (list, _) = one(Proto::Resp, Workload::List);
        assert_eq!(
            list,
            "*4\r\n$6\r\nLRANGE\r\n$12\r\nbench:list:0\r\n$1\r\n0\r\n$2\r\n-1\r\n"
        );
        let (put, _) = one(Proto::Resp, Workload::Put);
        assert!(
            put.starts_with("*3\r\n$5\r\nLPUSH\r\n$11\r\nbench:put:0\r\n$4\r\n"),
            "{put}"
        );
    }

    #[test]
    fn fill_goes_through_keys_in_order_and_numbers_print() {
        let mut g = Generator::new(Proto::Todo, Workload::Fill, 3, 1, 7);
        let mut out = Vec::new();
        for _ in 0..3 {
            g.next(&mut out);
        }
        let text = String::from_utf8(out).unwrap();
        let masked: Vec<String> = text.lines().map(masked).collect();
        assert_eq!(
            masked,
            [
                "PUT bench:fill:0 x",
                "PUT bench:fill:1 x",
                "PUT bench:fill:2 x"
            ]
        );
        let mut n = Vec::new();
        push_number(&mut n, 18_446_744_073_709_551_615);
        assert_eq!(n, b"18446744073709551615");
    }
}
