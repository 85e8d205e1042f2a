//! Texts built from pieces without `core::fmt`: error messages, paths and numbers in the
//! browser runtime's code paths. `format!` links core's formatting engine (~4 KB of wasm);
//! [`cat!`] pushes each piece into one `String` instead, with the same bytes as `{}` (and
//! [`Debug`] as `{:?}` for a string).
//!
//! ```
//! # use drf_gate::text::{Piece, Debug};
//! let mut out = String::new();
//! "at ".push_to(&mut out);
//! 42usize.push_to(&mut out);
//! Debug("a\"b").push_to(&mut out);
//! assert_eq!(out, "at 42\"a\\\"b\"");
//! ```

/// Something [`cat!`] can append to a text: the bytes `format!("{}")` would write.
///
/// ```
/// use drf_gate::text::Piece;
/// let mut out = String::new();
/// (-7i64).push_to(&mut out);
/// assert_eq!(out, "-7");
/// ```
pub trait Piece {
    /// Appends this piece to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl Piece for bool {
    fn push_to(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

/// Decimal digits of `value`, as `{}` writes them.
pub(crate) fn push_u64(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    for digit in digits.iter().skip(start) {
        out.push(char::from(*digit));
    }
}

fn push_i64(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    push_u64(out, value.unsigned_abs());
}

macro_rules! unsigned_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_u64(out, *self as u64);
            }
        }
    )*};
}
unsigned_piece!(u8, u16, u32, u64, usize);

macro_rules! signed_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_i64(out, *self as i64);
            }
        }
    )*};
}
signed_piece!(i32, i64);

/// serde_json's `Number` as its `Display` writes it: integers in decimal, floats in the
/// shortest round-trip form of the same formatter (zmij).
impl Piece for serde_json::Number {
    fn push_to(&self, out: &mut String) {
        if let Some(value) = self.as_u64() {
            push_u64(out, value);
        } else if let Some(value) = self.as_i64() {
            push_i64(out, value);
        } else {
            out.push_str(float_text(&mut zmij::Buffer::new(), self.as_f64().unwrap_or(0.0)));
        }
    }
}

/// A finite float's shortest round-trip text, as serde_json writes it (`1.0`, `1e+16`).
pub(crate) fn float_text(buffer: &mut zmij::Buffer, value: f64) -> &str {
    buffer.format_finite(value)
}

/// A string as `{:?}` writes it: quoted, with Rust's escapes (`\"`, `\\`, `\n`, `\u{301}` for
/// unprintable and grapheme-extending characters). serde's messages quote strings this way.
///
/// ```
/// use drf_gate::text::{Debug, Piece};
/// let mut out = String::new();
/// Debug("it's \u{301}\n").push_to(&mut out);
/// assert_eq!(out, format!("{:?}", "it's \u{301}\n"));
/// ```
pub struct Debug<'a>(pub &'a str);

impl Piece for Debug<'_> {
    fn push_to(&self, out: &mut String) {
        out.push('"');
        for c in self.0.chars() {
            // str's Debug escapes as char's, except a single quote.
            if c == '\'' {
                out.push(c);
            } else {
                out.extend(c.escape_debug());
            }
        }
        out.push('"');
    }
}

/// The pieces one after another in a new `String`: [`cat!`]'s one call per site (a slice of
/// trait objects is smaller code than a call per piece).
///
/// ```
/// use drf_gate::text::concat;
/// assert_eq!(concat(&[&"a", &1u8, &'b']), "a1b");
/// ```
pub fn concat(pieces: &[&dyn Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        piece.push_to(&mut out);
    }
    out
}

/// Concatenates [`Piece`]s into a new `String` (`format!` without `core::fmt`).
///
/// ```
/// use drf_gate::text::cat;
/// let name = "posts";
/// assert_eq!(cat!("view `", name, "` has ", 3usize, " routes"), "view `posts` has 3 routes");
/// ```
#[macro_export]
#[doc(hidden)]
macro_rules! __cat {
    ($($piece:expr),* $(,)?) => {
        $crate::text::concat(&[$(&$piece as &dyn $crate::text::Piece),*])
    };
}
#[doc(inline)]
pub use crate::__cat as cat;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_match_display() {
        for value in [0u64, 1, 9, 10, 99, 100, 12345, u64::from(u32::MAX), u64::MAX - 1, u64::MAX] {
            assert_eq!(cat!(value), format!("{value}"));
        }
        for value in [0i64, -1, 1, -10, i64::MIN, i64::MAX, i64::MIN + 1] {
            assert_eq!(cat!(value), format!("{value}"));
        }
        assert_eq!(cat!(7u8, -3i32, 4usize, 5u16, true, false, 'x'), "7-345truefalsex");
    }

    #[test]
    fn numbers_match_serde_json_display() {
        let mut numbers = vec![
            serde_json::Number::from(0u64),
            serde_json::Number::from(u64::MAX),
            serde_json::Number::from(i64::MIN),
            serde_json::Number::from(-5i64),
        ];
        for value in [0.0, -0.0, 1.0, -1.5, 1e16, 1e15, 1e-5, 1e-7, 0.1, f64::MAX, f64::MIN_POSITIVE, 5e-324, 1.0 / 3.0]
        {
            numbers.extend(serde_json::Number::from_f64(value));
        }
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            numbers.extend(serde_json::Number::from_f64(f64::from_bits(state)));
            numbers.push(serde_json::Number::from(state as i64));
        }
        for number in numbers {
            assert_eq!(cat!(number), number.to_string());
        }
    }

    #[test]
    fn debug_matches_str_debug() {
        let mut samples: Vec<String> = [
            "",
            "plain",
            "quote \" and ' and \\",
            "\n\r\t\0\u{7}\u{1b}\u{7f}",
            "é\u{301}\u{200b}\u{feff}\u{e000}\u{10ffff}\u{1f600}",
            "\u{301}start",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // Every char up to U+3000 and a sample above, alone and after a letter.
        let mut all = String::new();
        for code in (0..0x3000u32).chain((0x3000..0x11_0000).step_by(97)) {
            if let Some(c) = char::from_u32(code) {
                all.push(c);
                samples.push(c.to_string());
                samples.push(format!("a{c}"));
            }
        }
        samples.push(all);
        for sample in samples {
            assert_eq!(cat!(Debug(&sample)), format!("{sample:?}"));
        }
    }
}
