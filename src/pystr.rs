//! Python's `str` answers that several DRF and Django rules depend on, as the reference CPython
//! 3.11 (Unicode 14) gives them: `str.isspace()`, `str.strip()`, and the decimal digits `int(str)`
//! reads. One owner, so header parsing, negotiation and JWT claims strip and count alike.

/// Python's `str.isspace()`: Unicode `White_Space` plus the separators U+001C..U+001F, which
/// Rust's `char::is_whitespace` leaves out.
///
/// ```
/// use drf_gate::pystr::py_isspace;
/// assert!(py_isspace('\u{1f}') && py_isspace('\u{a0}') && py_isspace('\u{3000}'));
/// assert!(!py_isspace('\u{feff}') && !py_isspace('x'));
/// ```
pub fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
///
/// ```
/// use drf_gate::pystr::py_strip;
/// assert_eq!(py_strip("\u{1c} a b\u{a0}\t"), "a b");
/// ```
pub fn py_strip(text: &str) -> &str {
    text.trim_matches(py_isspace)
}

/// The digit zero of each run of ten Unicode decimal digits (`unicodedata.decimal`, Unicode 14:
/// Python 3.11, the reference), in ascending order.
#[cfg(any(feature = "compiler", feature = "edge"))]
const DECIMAL_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0,
    0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// A character's decimal digit value as Python's `int(str)` reads it: `int("\u{661}\u{660}")` is
/// 10. The browser runtime (no `compiler` feature) reads ASCII digits only: its strings come from
/// latin-1 headers, where those are the only decimal digits.
///
/// ```
/// use drf_gate::pystr::decimal_value;
/// assert_eq!(decimal_value('7'), Some(7));
/// assert_eq!(decimal_value('\u{B2}'), None); // SUPERSCRIPT TWO is not decimal
/// ```
pub fn decimal_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    #[cfg(any(feature = "compiler", feature = "edge"))]
    {
        let code = u32::from(c);
        let index = DECIMAL_ZEROS.partition_point(|zero| *zero <= code).checked_sub(1)?;
        let value = code - DECIMAL_ZEROS.get(index)?;
        (value < 10).then_some(value)
    }
    #[cfg(not(any(feature = "compiler", feature = "edge")))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isspace_is_pythons_for_every_code_point() {
        // CPython 3.11: [c for c in map(chr, range(0x110000)) if c.isspace()]
        let python: Vec<u32> = [0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680]
            .into_iter()
            .chain(0x2000..=0x200a)
            .chain([0x2028, 0x2029, 0x202f, 0x205f, 0x3000])
            .collect();
        let ours: Vec<u32> =
            (0..=0x10ffffu32).filter_map(char::from_u32).filter(|c| py_isspace(*c)).map(u32::from).collect();
        assert_eq!(ours, python);
    }

    #[cfg(any(feature = "compiler", feature = "edge"))]
    #[test]
    fn decimal_digits_cover_each_run_of_ten() {
        for zero in DECIMAL_ZEROS {
            for digit in 0..10 {
                let c = char::from_u32(zero + digit).map(decimal_value);
                assert_eq!(c, Some(Some(digit)), "U+{:04X}", zero + digit);
            }
        }
        assert_eq!(decimal_value('\u{65f}'), None);
        assert_eq!(decimal_value('\u{66a}'), None);
        assert_eq!(decimal_value('\u{ff1a}'), None);
    }
}
