//! What the load generator sends: the bytes of each workload's requests, in
//! the todo protocol or as Redis inline commands, appended to a connection's
//! output buffer with no allocation per request.

use crate::workload::{Proto, Workload};

/// What a reply must look like.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expect {
    /// `OK` (todo) or an integer (Redis `RPUSH`, `DEL`).
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
                out.extend_from_slice(match self.proto {
                    Proto::Todo => b"PING\n",
                    Proto::Redis => b"PING\r\n",
                });
                Expect::Pong
            }
            Workload::Fill => {
                let key = self.seq;
                self.seq += 1;
                self.put(out, key)
            }
            Workload::DelScan => {
                let key = self.random_key();
                match self.proto {
                    Proto::Todo => self.command(out, "DEL", "", key, false),
                    Proto::Redis => self.command(out, "", "LREM", key, false),
                }
                out.truncate(out.len() - self.eol().len());
                if self.proto == Proto::Redis {
                    out.extend_from_slice(b" 1");
                }
                out.extend_from_slice(b" no-such-item");
                out.extend_from_slice(self.eol());
                Expect::Missing
            }
            Workload::BigList => {
                let key = self.random_key();
                self.list(out, key)
            }
            Workload::Lists => {
                out.extend_from_slice(match self.proto {
                    Proto::Todo => b"LISTS\n",
                    Proto::Redis => b"KEYS *\r\n",
                });
                Expect::Items
            }
        }
    }

    fn eol(&self) -> &'static [u8] {
        match self.proto {
            Proto::Todo => b"\n",
            Proto::Redis => b"\r\n",
        }
    }

    /// Appends a request that empties list `key`.
    pub fn clear(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        self.command(out, "DROP", "DEL", key, false);
        Expect::Any
    }

    /// Appends a request that adds the item to list `key`.
    pub fn put(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        self.command(out, "PUT", "RPUSH", key, true);
        Expect::Done
    }

    fn list(&mut self, out: &mut Vec<u8>, key: u64) -> Expect {
        self.command(out, "LIST", "LRANGE", key, false);
        if self.proto == Proto::Redis {
            out.truncate(out.len() - 2);
            out.extend_from_slice(b" 0 -1\r\n");
        }
        Expect::Items
    }

    fn command(&mut self, out: &mut Vec<u8>, todo: &str, redis: &str, key: u64, item: bool) {
        let verb = match self.proto {
            Proto::Todo => todo,
            Proto::Redis => redis,
        };
        out.extend_from_slice(verb.as_bytes());
        out.extend_from_slice(b" bench:");
        out.extend_from_slice(self.workload.name().as_bytes());
        out.push(b':');
        push_number(out, key);
        if item {
            self.next_item();
            out.push(b' ');
            out.extend_from_slice(&self.item);
        }
        out.extend_from_slice(match self.proto {
            Proto::Todo => b"\n",
            Proto::Redis => b"\r\n",
        });
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
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
            ("RPUSH bench:put:0 xxxx\r\n".into(), Expect::Done)
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
