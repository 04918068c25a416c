//! A small seeded generator for randomized tests (SplitMix64), and the
//! random request lines they send. The seed is printed, and `TEST_SEED`
//! replays a run.

pub struct Rng(u64);

impl Rng {
    /// A generator seeded from `TEST_SEED`, or from `default`; prints the
    /// seed so that a failure can be replayed.
    pub fn from_env(test: &str, default: u64) -> Rng {
        let seed = std::env::var("TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        eprintln!("{test}: seed {seed} (set TEST_SEED={seed} to replay)");
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Bytes of any value but LF, biased towards the ones that matter to
    /// the parser (spaces, tabs, CR, NUL, high bytes).
    pub fn bytes(&mut self, max_len: u64) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len)
            .map(|_| match self.below(8) {
                0 => b' ',
                1 => b'\t',
                2 => b'\r',
                3 => 0,
                4 => 0x80 | self.below(128) as u8,
                _ => loop {
                    let b = self.below(256) as u8;
                    if b != b'\n' {
                        break b;
                    }
                },
            })
            .collect()
    }

    /// One request line (without LF): a valid command on `names`, a valid
    /// verb with the wrong words, random bytes, or a blank line. Never
    /// `QUIT`, which would end the connection, and never a line starting
    /// with `*`, which is a RESP request by the contract.
    pub fn line(&mut self, names: &[&str]) -> Vec<u8> {
        const VERBS: [&str; 10] = [
            "PUT", "LIST", "CREATE", "DEL", "DROP", "KILL", "LISTS", "STATS", "PING", "HELP",
        ];
        let line = match self.below(10) {
            0..=5 => {
                let verb = *self.pick(&VERBS);
                let verb: String = verb
                    .chars()
                    .map(|c| {
                        if self.chance(30) {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                let name = *self.pick(names);
                let item = format!("item {}", self.below(20));
                match verb.to_ascii_uppercase().as_str() {
                    "PUT" | "DEL" => format!("{verb} {name} {item}").into_bytes(),
                    "LIST" | "CREATE" | "DROP" | "KILL" => format!("{verb} {name}").into_bytes(),
                    _ => verb.into_bytes(),
                }
            }
            6 => {
                let verb = *self.pick(&VERBS);
                let mut line = verb.as_bytes().to_vec();
                for _ in 0..self.below(4) {
                    line.push(b' ');
                    line.extend(self.bytes(5).into_iter().filter(|b| !b" \t".contains(b)));
                }
                line
            }
            7 => b" \t ".repeat(self.below(3) as usize),
            _ => self.bytes(40),
        };
        if is_quit(&line) {
            b"PING".to_vec()
        } else if line.first() == Some(&b'*') {
            [b"x".as_slice(), &line].concat()
        } else {
            line
        }
    }
}

/// Whether the server will answer `line` (without LF) at all: blank lines
/// (only spaces and tabs once a trailing CR is dropped) get no reply.
pub fn gets_reply(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    !line.iter().all(|b| *b == b' ' || *b == b'\t')
}

/// Whether `line` could be a `QUIT` (any line with "quit" in any case is
/// replaced, which covers every spacing and case of the verb).
fn is_quit(line: &[u8]) -> bool {
    line.windows(4).any(|w| w.eq_ignore_ascii_case(b"quit"))
}
