//! `-mode` parsing and the integer-spelling check, on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mxcanvas::core::integer_text::looks_like_integer;
use mxcanvas::core::mode::parse_mode;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_mode(&text) {
        Ok(mode) => {
            assert!(mode <= 0o777, "mode {mode:o} from {text:?}");
            // Whatever was accepted reads back the same in canonical form.
            assert_eq!(parse_mode(&format!("0{mode:o}")).unwrap(), mode);
        }
        Err(e) => {
            assert_eq!(e.code[..2], ["MX", "MODE"]);
            assert!(e.message.starts_with("bad mode"));
        }
    }
    // Anything Rust reads as a decimal integer, Tcl spells as one too, but
    // for a leading 0, which Tcl 8.6 reads as octal ("09" is no integer).
    let trimmed = text.trim();
    let unsigned = trimmed.trim_start_matches(['+', '-']);
    if trimmed.parse::<i128>().is_ok() && (unsigned.len() == 1 || !unsigned.starts_with('0')) {
        assert!(looks_like_integer(&text), "{text:?}");
    }
    if looks_like_integer(&text) {
        assert!(!trimmed.is_empty());
    }
});
