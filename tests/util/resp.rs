//! A RESP client for tests: requests encoded as multibulk, replies read
//! whole and kept as their exact bytes, so that two servers' replies can
//! be compared byte for byte.

use std::io::{BufRead, Read};

use super::Client;

/// `args` as a RESP multibulk request.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl Client {
    /// Sends one RESP request and returns its reply's exact bytes.
    pub fn resp(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(&encode(args));
        self.resp_reply()
    }

    /// `resp` for text arguments, returning text (lossy).
    pub fn cmd(&mut self, words: &[&str]) -> String {
        let args: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
        String::from_utf8_lossy(&self.resp(&args)).into_owned()
    }

    /// Reads one whole RESP reply (RESP2 or RESP3), as its bytes.
    pub fn resp_reply(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.read_value(&mut out);
        out
    }

    fn read_value(&mut self, out: &mut Vec<u8>) {
        let start = out.len();
        let n = self.reader().read_until(b'\n', out).expect("read a reply");
        assert!(n > 0, "connection closed before a reply");
        let line = out[start..].to_vec();
        assert!(
            line.ends_with(b"\r\n"),
            "not a RESP line: {:?}",
            String::from_utf8_lossy(&line)
        );
        let body = std::str::from_utf8(&line[1..line.len() - 2]).unwrap_or("");
        let count = || body.parse::<i64>().expect("a length");
        match line[0] {
            b'+' | b'-' | b':' | b'_' | b',' | b'#' => {}
            b'$' | b'=' => {
                let len = count();
                if len >= 0 {
                    let mut data = vec![0; len as usize + 2];
                    self.reader().read_exact(&mut data).expect("bulk data");
                    out.extend_from_slice(&data);
                }
            }
            b'*' | b'~' | b'>' => {
                for _ in 0..count().max(0) {
                    self.read_value(out);
                }
            }
            b'%' => {
                for _ in 0..2 * count() {
                    self.read_value(out);
                }
            }
            other => panic!("unknown RESP type {:?}", other as char),
        }
    }
}
