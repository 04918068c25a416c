//! Glob-style patterns, matched exactly as Redis's `stringmatchlen` matches
//! keys (`KEYS`, `SCAN MATCH`): `*` any bytes, `?` one byte, `[abc]`,
//! `[^abc]` and `[a-z]` one byte of (or not of) a set, `\x` the byte `x`.
//!
//! Redis's corner cases are kept, since a client sees them: a set ends at
//! its first `]` even right after `[` (so `[]a]` matches nothing), an
//! unclosed set takes the rest of the pattern (`[abc` is `[abc]`), a range
//! may run backwards (`[z-a]`) and compares bytes as C's signed `char`
//! does, `\` escapes inside a set too, a lone `\` at the end is itself,
//! and an empty name matches only the empty pattern.
//!
//! Each element but `*` takes one byte of the name, wherever it is, so the
//! match needs no recursion: on a miss, the last `*` takes one more byte
//! and the rest is tried again, which bounds the work by the pattern's
//! length times the name's, whatever the pattern (Redis cuts its own
//! recursion short instead).

/// One element of a pattern.
#[derive(Debug, Clone, Copy)]
enum Element {
    /// `*`
    Star,
    /// `?`
    Any,
    /// A byte itself (escaped or not).
    Byte(u8),
    /// `[...]`: the set's body is `pattern[from..to]`.
    Set {
        from: usize,
        to: usize,
        negate: bool,
    },
}

/// The element at `pattern[at..]` and where the next one starts.
fn element(pattern: &[u8], at: usize) -> (Element, usize) {
    match pattern[at] {
        b'*' => (Element::Star, at + 1),
        b'?' => (Element::Any, at + 1),
        b'\\' if at + 1 < pattern.len() => (Element::Byte(pattern[at + 1]), at + 2),
        b'[' => {
            let mut i = at + 1;
            let negate = pattern.get(i) == Some(&b'^');
            if negate {
                i += 1;
            }
            let from = i;
            loop {
                match pattern.get(i) {
                    // Closed, or unclosed: the set takes the rest.
                    None => {
                        return (
                            Element::Set {
                                from,
                                to: i,
                                negate,
                            },
                            i,
                        )
                    }
                    Some(b'\\') if i + 1 < pattern.len() => i += 2,
                    Some(b']') => {
                        return (
                            Element::Set {
                                from,
                                to: i,
                                negate,
                            },
                            i + 1,
                        )
                    }
                    Some(_) if i + 2 < pattern.len() && pattern[i + 1] == b'-' => i += 3,
                    Some(_) => i += 1,
                }
            }
        }
        byte => (Element::Byte(byte), at + 1),
    }
}

/// Whether `byte` is in the set whose body is `body`.
fn in_set(body: &[u8], byte: u8) -> bool {
    // Ranges compare as C's signed `char`, as Redis's do.
    let signed = |b: u8| b as i8;
    let mut i = 0;
    let mut hit = false;
    while i < body.len() {
        if body[i] == b'\\' && i + 1 < body.len() {
            hit |= body[i + 1] == byte;
            i += 2;
        } else if i + 2 < body.len() && body[i + 1] == b'-' {
            let (a, b) = (signed(body[i]), signed(body[i + 2]));
            hit |= (a.min(b)..=a.max(b)).contains(&signed(byte));
            i += 3;
        } else {
            hit |= body[i] == byte;
            i += 1;
        }
    }
    hit
}

/// Whether the element takes `byte`.
fn takes(pattern: &[u8], element: Element, byte: u8) -> bool {
    match element {
        Element::Star | Element::Any => true,
        Element::Byte(b) => b == byte,
        Element::Set { from, to, negate } => in_set(&pattern[from..to], byte) != negate,
    }
}

/// Whether `name` matches `pattern`.
pub fn matches(pattern: &[u8], name: &[u8]) -> bool {
    if name.is_empty() {
        // Redis's loop never starts: only an empty pattern is left empty.
        return pattern.is_empty();
    }
    let (mut p, mut n) = (0, 0);
    // Where the last `*` is: the element after it, and the name's byte it
    // was last tried from.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() {
            let (element, next) = element(pattern, p);
            if let Element::Star = element {
                star = Some((next, n));
                p = next;
                continue;
            }
            if takes(pattern, element, name[n]) {
                p = next;
                n += 1;
                continue;
            }
        }
        // A miss: the last `*` takes one more byte, and the rest goes again.
        match star {
            Some((after, from)) => {
                star = Some((after, from + 1));
                p = after;
                n = from + 1;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    fn names(pattern: &[u8], names: &[&[u8]]) -> Vec<Vec<u8>> {
        names
            .iter()
            .filter(|n| matches(pattern, n))
            .map(|n| n.to_vec())
            .collect()
    }

    #[test]
    fn redis_globs() {
        let cases: [(&str, &str, bool); 18] = [
            ("*", "anything", true),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h*llo", "hellow", false),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hallo", true),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("user:*", "user:42", true),
            ("ab**", "ab", true),
            ("a\\", "a\\", true),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(
                matches(pattern.as_bytes(), name.as_bytes()),
                want,
                "{pattern} {name}"
            );
        }
    }

    /// Each pattern against the same names, and what a real Redis 7.0.15
    /// answered to `KEYS` for it.
    #[test]
    fn unclosed_sets_sets_starting_with_a_bracket_and_dashes_at_the_end() {
        let all: [&[u8]; 18] = [
            b"", b"a", b"b", b"c", b"d", b"]", b"^", b"_", b"-", b"[", b"x[y", b"a]", b"hello",
            b"h]llo", b"[abc", b"\x80", b"\xff", b"\x00",
        ];
        let every_byte: Vec<&[u8]> = all.iter().copied().filter(|n| n.len() == 1).collect();
        let cases: [(&[u8], Vec<&[u8]>); 16] = [
            (b"[", vec![]),
            (b"[]]", vec![]),
            (b"[]a]", vec![]),
            (b"[abc", vec![b"a", b"b", b"c"]),
            (
                b"[^abc",
                vec![
                    b"d", b"]", b"^", b"_", b"-", b"[", b"\x80", b"\xff", b"\x00",
                ],
            ),
            (b"[a-]", vec![b"a", b"]", b"^", b"_"]),
            (b"[a-]]", vec![b"a", b"]", b"^", b"_"]),
            (b"x[y", vec![]),
            (b"a[\\]", vec![b"a]"]),
            (b"h[^a-]llo", vec![]),
            (b"[^]", every_byte.clone()),
            (b"[^", every_byte),
            (b"[^]a]", vec![]),
            (b"**", all[1..].to_vec()),
            (b"", vec![b""]),
            // Signed bytes: 0xff is -1, so the range is -1..=97.
            (
                b"[a-\xff]",
                vec![b"a", b"]", b"^", b"_", b"-", b"[", b"\xff", b"\x00"],
            ),
        ];
        for (pattern, want) in cases {
            let want: Vec<Vec<u8>> = all
                .iter()
                .filter(|n| want.contains(n))
                .map(|n| n.to_vec())
                .collect();
            assert_eq!(
                names(pattern, &all),
                want,
                "{:?}",
                String::from_utf8_lossy(pattern)
            );
        }
    }

    #[test]
    fn many_stars_over_a_long_name_that_does_not_match_take_little_work() {
        let pattern = b"*a"
            .repeat(2000)
            .into_iter()
            .chain(*b"*b")
            .collect::<Vec<_>>();
        let name = vec![b'a'; 4000];
        // Exponential backtracking would not end; this is 8M steps at most.
        assert!(!matches(&pattern, &name));
        assert!(matches(&pattern[..pattern.len() - 1], &name));
    }
}
