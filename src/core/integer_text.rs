//! Recognising integer spellings without Tcl: used to tell "too large"
//! from "not a number" when Tcl refuses a value, and pure, so it can be fuzzed.

/// Does `text` spell an integer by Tcl's rules (so that failing to read it
/// as a 64-bit integer means it is too large, not that it is not a number)?
pub fn looks_like_integer(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    // Tcl 8.6: 0x, 0o, 0b prefixes, and a leading 0 still means octal
    // ("08" is not an integer); there is no 0d prefix before Tcl 8.7.
    let (digits, radix) = match t.get(..2) {
        Some("0x") | Some("0X") => (&t[2..], 16),
        Some("0o") | Some("0O") => (&t[2..], 8),
        Some("0b") | Some("0B") => (&t[2..], 2),
        _ if t.len() > 1 && t.starts_with('0') => (&t[1..], 8),
        _ => (t, 10),
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

#[cfg(test)]
mod tests {
    use super::looks_like_integer;

    #[test]
    fn integer_spellings() {
        for yes in ["12", "-3", "+7", " 99 ", "0x1F", "0b101", "0o17", "017", "0", "123456789012345678901234567890"] {
            assert!(looks_like_integer(yes), "{yes}");
        }
        for no in ["", "1.5", "1e3", "abc", "0x", "--1", "0xZZ", "inf", "08", "0d17"] {
            assert!(!looks_like_integer(no), "{no}");
        }
    }
}
