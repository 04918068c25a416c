//! `command.rs`'s and `subcommands.rs`'s tests: Redis's errors word for
//! word, for the bad numbers, names and options a client may send.

use super::*;

fn run(words: &[&str]) -> Result<String, String> {
    run_bytes(&words.iter().map(|w| w.as_bytes()).collect::<Vec<_>>())
}

fn run_bytes(words: &[&[u8]]) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut places = Vec::new();
    for w in words {
        places.push(Place::new(buf.len()..buf.len() + w.len()));
        buf.extend_from_slice(w);
    }
    parse(Args::new(&buf, &places))
        .map(|c| format!("{c:?}"))
        .map_err(|refusal| String::from_utf8_lossy(&refusal).into_owned())
}

#[test]
fn redis_errors_word_for_word() {
    assert_eq!(
        run(&["LPUSH", "k"]).unwrap_err(),
        "ERR wrong number of arguments for 'lpush' command"
    );
    assert_eq!(
        run(&["foo", "a", "b"]).unwrap_err(),
        "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
    );
    assert_eq!(
        run(&["lrange", "k", "a", "1"]).unwrap_err(),
        "ERR value is not an integer or out of range"
    );
    assert_eq!(
        run(&["lpop", "k", "-1"]).unwrap_err(),
        "ERR value is out of range, must be positive"
    );
    assert_eq!(run(&["scan", "x"]).unwrap_err(), "ERR invalid cursor");
    assert_eq!(
        run(&["scan", "0", "count", "0"]).unwrap_err(),
        "ERR syntax error"
    );
    assert_eq!(
        run(&["client", "id", "x"]).unwrap_err(),
        "ERR wrong number of arguments for 'client|id' command"
    );
    assert_eq!(
        run(&["hello", "x"]).unwrap_err(),
        "ERR Protocol version is not an integer or out of range"
    );
}

#[test]
fn each_command_in_the_table_with_its_arity_is_known_and_one_more_is_not() {
    for entry in super::super::table::entries(true) {
        let words = vec!["0"; entry.arity.unsigned_abs() as usize];
        let mut words = [&[entry.name][..], &words[1..]].concat();
        let refusal = run(&words).err().unwrap_or_default();
        assert!(
            !refusal.contains("unknown command"),
            "{}: {refusal}",
            entry.name
        );
        assert!(
            !refusal.contains("wrong number"),
            "{}: {refusal}",
            entry.name
        );
        if entry.arity > 0 {
            words.push("0");
            let refusal = run(&words).err().unwrap_or_default();
            assert!(
                refusal.contains("wrong number"),
                "{}: {refusal}",
                entry.name
            );
        }
    }
}

#[test]
fn commands_in_any_case() {
    assert!(run(&["LpUsH", "k", "a", "b"]).unwrap().starts_with("Push"));
    assert!(run(&["put", "l", "i"]).unwrap().starts_with("Put"));
    assert!(run(&["del", "a", "b"]).unwrap().starts_with("Del"));
    assert_eq!(run(&["ping"]).unwrap(), "Ping(None)");
    assert!(run(&["scan", "0", "MATCH", "a*", "COUNT", "5"])
        .unwrap()
        .contains("count: 5"));
}

#[test]
fn numbers_with_a_leading_zero_a_plus_or_minus_zero() {
    let not_an_integer = "ERR value is not an integer or out of range";
    for words in [
        &["LRANGE", "a", "01", "2"][..],
        &["LRANGE", "a", "-0", "2"],
        &["LRANGE", "a", "0", "+2"],
        &["LREM", "a", "01", "x"],
        &["SELECT", "00"],
        &["SCAN", "0", "COUNT", "01"],
    ] {
        assert_eq!(run(words).unwrap_err(), not_an_integer, "{words:?}");
    }
    for count in ["01", "-0", "+1", "x", "-1"] {
        assert_eq!(
            run(&["LPOP", "nokey", count]).unwrap_err(),
            "ERR value is out of range, must be positive"
        );
    }
    for version in ["+2", "02", "2.0", ""] {
        assert_eq!(
            run(&["HELLO", version]).unwrap_err(),
            "ERR Protocol version is not an integer or out of range"
        );
    }
    assert_eq!(
        run(&["SELECT", "2147483648"]).unwrap_err(),
        "ERR value is out of range, value must between -2147483648 and 2147483647"
    );
    assert!(run(&["LINDEX", "a", "01"]).unwrap().contains("index: None"));
}

#[test]
fn unknown_commands_with_binary_nul_and_long_arguments() {
    // Redis echoes the bytes as they are, each up to a NUL byte.
    assert_eq!(
        run_bytes(&[b"FO\0O", b"a\0b", b"\xff\xfe", b"c\r\nd"]).unwrap_err(),
        "ERR unknown command 'FO', with args beginning with: 'a' '\u{fffd}\u{fffd}' 'c\r\nd' "
    );
    let mut buf = Vec::new();
    let mut places = Vec::new();
    for word in [&b"\xff"[..], b"\xfe"] {
        places.push(Place::new(buf.len()..buf.len() + 1));
        buf.extend_from_slice(word);
    }
    let refusal = parse(Args::new(&buf, &places)).unwrap_err();
    assert_eq!(
        refusal,
        b"ERR unknown command '\xff', with args beginning with: '\xfe' "
    );
    // The list stops once it reaches 128 bytes, the last one cut to fit.
    let x50 = "x".repeat(50);
    let want = format!("'{x50}' '{x50}' '{}' ", "x".repeat(22));
    assert_eq!(
        run(&["FOO", &x50, &x50, &x50, &x50]).unwrap_err(),
        format!("ERR unknown command 'FOO', with args beginning with: {want}")
    );
    let long = "y".repeat(200);
    assert_eq!(
        run(&[&long]).unwrap_err(),
        format!(
            "ERR unknown command '{}', with args beginning with: ",
            &long[..128]
        )
    );
}

#[test]
fn hello_with_a_bad_version_a_spaced_name_or_a_user_that_does_not_exist() {
    let hello = |words: &[&str]| run(&[&["HELLO"][..], words].concat());
    // The version is checked before the options.
    assert_eq!(
        hello(&["4", "BOGUS"]).unwrap_err(),
        "NOPROTO unsupported protocol version"
    );
    assert_eq!(
        hello(&["2", "SETNAME", "has space"]).unwrap_err(),
        "ERR Client names cannot contain spaces, newlines or special characters."
    );
    let wrongpass = "WRONGPASS invalid username-password pair or user is disabled.";
    assert_eq!(hello(&["2", "AUTH", "bob", "x"]).unwrap_err(), wrongpass);
    assert_eq!(
        hello(&["2", "AUTH", "Default", "x"]).unwrap_err(),
        wrongpass
    );
    // 7.2 checks every option before the credentials (7.0: WRONGPASS).
    assert_eq!(
        hello(&["2", "AUTH", "bob", "x", "BOGUS"]).unwrap_err(),
        "ERR Syntax error in HELLO option 'BOGUS'"
    );
    assert_eq!(
        hello(&["2", "SETNAME"]).unwrap_err(),
        "ERR Syntax error in HELLO option 'SETNAME'"
    );
    // The default user takes any password, as in a Redis with no users.
    assert!(hello(&["3", "AUTH", "default", "x", "SETNAME", "me"])
        .unwrap()
        .contains("version: Some(3)"));
}

#[test]
fn client_reply_off_no_evict_no_touch_and_bad_setinfo() {
    for sub in ["REPLY", "no-evict", "NO-TOUCH", "INFO"] {
        assert_eq!(
            run(&["CLIENT", sub, "ON"]).unwrap_err(),
            format!("ERR unknown subcommand '{sub}'. Try CLIENT HELP.")
        );
    }
    assert_eq!(
        run_bytes(&[b"CLIENT", b"BOGUS\0X"]).unwrap_err(),
        "ERR unknown subcommand 'BOGUS'. Try CLIENT HELP."
    );
    let long = "x".repeat(200);
    assert_eq!(
        run(&["COMMAND", &long]).unwrap_err(),
        format!(
            "ERR unknown subcommand '{}'. Try COMMAND HELP.",
            &long[..128]
        )
    );
    // 7.2's texts (7.0 has no SETINFO).
    assert_eq!(
        run(&["CLIENT", "SETINFO", "foo", "1"]).unwrap_err(),
        "ERR Unrecognized option 'foo'"
    );
    assert_eq!(
        run(&["CLIENT", "SETINFO", "LIB-NAME", "a b"]).unwrap_err(),
        "ERR LIB-NAME cannot contain spaces, newlines or special characters."
    );
    assert_eq!(
        run(&["CLIENT", "SETINFO", "lib-ver", "1.0"]).unwrap(),
        "ClientNoop"
    );
    assert_eq!(
        run(&["CLIENT", "SETNAME", "a\nb"]).unwrap_err(),
        "ERR Client names cannot contain spaces, newlines or special characters."
    );
    assert_eq!(run(&["COMMAND", "DOCS", "x"]).unwrap(), "CommandDocs");
    assert_eq!(run(&["COMMAND", "INFO"]).unwrap(), "CommandInfo(None)");
}
