//! Segment permission modes as scripts write them: `0600`, `644`, `0o640`.

use super::error::{MxError, MxResult};

/// The default: only the same user can attach.
pub const DEFAULT_MODE: u32 = 0o600;

/// Parse octal permission bits, at most 0777.
pub fn parse_mode(text: &str) -> MxResult<u32> {
    let digits = text.strip_prefix("0o").or_else(|| text.strip_prefix("0O")).unwrap_or(text);
    let bad = || {
        MxError::mx(
            format!("bad mode \"{text}\": expected octal permission bits such as 0600, 644 or 0o640, at most 0777"),
            &["MODE", text],
        )
    };
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return Err(bad());
    }
    let mode = u32::from_str_radix(digits, 8).map_err(|_| bad())?;
    if mode > 0o777 {
        return Err(bad());
    }
    Ok(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_spellings() {
        assert_eq!(parse_mode("0600").unwrap(), 0o600);
        assert_eq!(parse_mode("644").unwrap(), 0o644);
        assert_eq!(parse_mode("0o640").unwrap(), 0o640);
        assert_eq!(parse_mode("0777").unwrap(), 0o777);
        assert_eq!(parse_mode("0").unwrap(), 0);
        assert_eq!(parse_mode("00000600").unwrap(), 0o600);
    }

    #[test]
    fn refused_spellings() {
        for bad in ["", "0o", "1000", "0o1000", "0x1ff", "9", "-600", "6 00", "rw-------", "0600 "] {
            let e = parse_mode(bad).unwrap_err();
            assert_eq!(e.code[..2], ["MX", "MODE"], "{bad}");
        }
    }
}
