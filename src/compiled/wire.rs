//! The byte-level reader and writer of the compiled form: LEB128 integers, length-prefixed
//! strings. The reader is total: every read is bounds-checked, a length never reserves more than
//! the bytes left, and every failure is a [`Corrupt`] carrying the offset.

/// A read past the end or a malformed field, at a byte offset into the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Corrupt {
    pub offset: usize,
    pub what: &'static str,
}

pub(crate) type Read<T> = Result<T, Corrupt>;

/// Appends fields to a byte buffer.
#[derive(Default)]
#[cfg_attr(not(feature = "compiler"), allow(dead_code))]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
}

#[cfg_attr(not(feature = "compiler"), allow(dead_code))]
impl Writer {
    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn bool(&mut self, value: bool) {
        self.bytes.push(u8::from(value));
    }

    pub fn varint(&mut self, mut value: u64) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    pub fn usize(&mut self, value: usize) {
        self.varint(value as u64);
    }

    pub fn bytes(&mut self, value: &[u8]) {
        self.usize(value.len());
        self.bytes.extend_from_slice(value);
    }

    pub fn str(&mut self, value: &str) {
        self.bytes(value.as_bytes());
    }

    pub fn opt_str(&mut self, value: Option<&str>) {
        match value {
            Some(value) => {
                self.u8(1);
                self.str(value);
            }
            None => self.u8(0),
        }
    }

    pub fn fixed(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }
}

/// Reads fields from a byte slice, never past its end.
#[derive(Default)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, offset: 0 }
    }

    pub fn corrupt(&self, what: &'static str) -> Corrupt {
        Corrupt { offset: self.offset, what }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.offset)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn u8(&mut self) -> Read<u8> {
        let byte = self.bytes.get(self.offset).copied().ok_or_else(|| self.corrupt("truncated"))?;
        self.offset += 1;
        Ok(byte)
    }

    pub fn bool(&mut self) -> Read<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.corrupt("a flag that is neither 0 nor 1")),
        }
    }

    pub fn varint(&mut self) -> Read<u64> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(self.corrupt("an integer that overflows 64 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.corrupt("an integer longer than 10 bytes"))
    }

    /// An index or a count; a count is checked against what is left by [`Reader::count`].
    pub fn usize(&mut self) -> Read<usize> {
        let value = self.varint()?;
        usize::try_from(value)
            .ok()
            .filter(|v| *v <= u32::MAX as usize)
            .ok_or_else(|| self.corrupt("an index too large"))
    }

    /// A number of items that follow, each at least one byte long: never more than the bytes
    /// left, so a forged count cannot make the decoder reserve memory it has no input for.
    pub fn count(&mut self) -> Read<usize> {
        let count = self.usize()?;
        if count > self.remaining() {
            return Err(self.corrupt("a count larger than the bytes left"));
        }
        Ok(count)
    }

    /// An index that must be below `bound`.
    pub fn index(&mut self, bound: usize) -> Read<usize> {
        let index = self.usize()?;
        if index >= bound {
            return Err(self.corrupt("an index out of range"));
        }
        Ok(index)
    }

    pub fn fixed(&mut self, len: usize) -> Read<&'a [u8]> {
        let end = self.offset.checked_add(len).ok_or_else(|| self.corrupt("truncated"))?;
        let slice = self.bytes.get(self.offset..end).ok_or_else(|| self.corrupt("truncated"))?;
        self.offset = end;
        Ok(slice)
    }

    pub fn bytes(&mut self) -> Read<&'a [u8]> {
        let len = self.usize()?;
        self.fixed(len)
    }

    /// A length-prefixed section, as a reader of its own that ends where the section ends
    /// (offsets stay those of the whole payload).
    #[cfg_attr(not(feature = "edge"), allow(dead_code))]
    pub fn section(&mut self) -> Read<Reader<'a>> {
        let len = self.usize()?;
        let start = self.offset;
        let end = start.checked_add(len).ok_or_else(|| self.corrupt("truncated"))?;
        let bytes = self.bytes.get(..end).ok_or_else(|| self.corrupt("truncated"))?;
        self.offset = end;
        Ok(Reader { bytes, offset: start })
    }

    /// The bytes not read yet (nothing is consumed).
    #[cfg_attr(not(feature = "compiler"), allow(dead_code))]
    pub fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.offset..).unwrap_or_default()
    }

    pub fn str(&mut self) -> Read<&'a str> {
        let start = self.offset;
        let bytes = self.bytes()?;
        std::str::from_utf8(bytes).map_err(|_| Corrupt { offset: start, what: "a string that is not UTF-8" })
    }

    pub fn string(&mut self) -> Read<String> {
        self.str().map(str::to_owned)
    }

    pub fn opt_string(&mut self) -> Read<Option<String>> {
        Ok(if self.bool()? { Some(self.string()?) } else { None })
    }

    pub fn strings(&mut self) -> Read<Vec<String>> {
        let count = self.count()?;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(self.string()?);
        }
        Ok(out)
    }

    pub fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        let slice = self.fixed(N)?;
        <[u8; N]>::try_from(slice).map_err(|_| self.corrupt("truncated"))
    }
}

/// A [`Reader`] whose reads cannot fail: the first failure is kept and every later read returns
/// a default without reading, so a decoder checks once at the end instead of leaving (and
/// dropping what it built so far) at each field: one drop path, much smaller code. Counts read
/// as 0 after a failure, so the rest of a decode is short.
pub(crate) struct Sticky<'r, 'a> {
    pub input: &'r mut Reader<'a>,
    error: Option<Corrupt>,
}

// Its reads stay out of line in the edge builds (opt-level 3), which would otherwise inline each
// at every field of the policy decoder: 10 KB more code that workerd validates, and V8 compiles
// at `new Gate(policy.gate)`, on every cold isolate (bench/notes.md, "Start-up, eleventh pass:
// workerd"). A policy is decoded once; per-request readers (`compiled::value`) use `Reader`.
impl<'r, 'a> Sticky<'r, 'a> {
    pub fn new(input: &'r mut Reader<'a>) -> Self {
        Sticky { input, error: None }
    }

    /// Keeps `what` at the current offset unless a failure came first.
    pub fn fail(&mut self, what: &'static str) {
        if self.error.is_none() {
            self.error = Some(self.input.corrupt(what));
        }
    }

    /// The first failure, if any.
    pub fn check(&mut self) -> Read<()> {
        self.error.take().map_or(Ok(()), Err)
    }

    /// One fallible read: `None` (and the failure kept) when it or an earlier one failed.
    pub fn opt<T>(&mut self, read: impl FnOnce(&mut Reader<'a>) -> Read<T>) -> Option<T> {
        if self.error.is_some() {
            return None;
        }
        match read(self.input) {
            Ok(value) => Some(value),
            Err(error) => {
                self.error = Some(error);
                None
            }
        }
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn u8(&mut self) -> u8 {
        self.opt(Reader::u8).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn bool(&mut self) -> bool {
        self.opt(Reader::bool).unwrap_or_default()
    }

    /// A 64-bit integer (the settings' middleware section).
    #[cfg(feature = "edge")]
    #[inline(never)]
    pub fn varint(&mut self) -> u64 {
        self.opt(Reader::varint).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn usize(&mut self) -> usize {
        self.opt(Reader::usize).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn count(&mut self) -> usize {
        self.opt(Reader::count).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn index(&mut self, bound: usize) -> usize {
        self.opt(|input| input.index(bound)).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn string(&mut self) -> String {
        self.opt(Reader::string).unwrap_or_default()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn opt_string(&mut self) -> Option<String> {
        self.opt(Reader::opt_string).flatten()
    }

    #[cfg_attr(feature = "edge", inline(never))]
    pub fn strings(&mut self) -> Vec<String> {
        self.opt(Reader::strings).unwrap_or_default()
    }

    /// Reads (and checks) a string this build does not keep.
    #[cfg(any(all(test, feature = "compiler"), not(feature = "compiler")))]
    #[cfg_attr(feature = "edge", inline(never))]
    pub fn skip_str(&mut self) {
        self.opt(Reader::str);
    }

    /// Reads (and checks) a list of strings this build does not keep.
    #[cfg(not(feature = "compiler"))]
    #[cfg_attr(feature = "edge", inline(never))]
    pub fn skip_strings(&mut self) {
        for _ in 0..self.count() {
            self.skip_str();
        }
    }
}

/// FNV-1a, 64 bits: each step is a bijection of the state for a given byte, so any one changed
/// byte always changes the sum (truncation is caught by the length in the header).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_refuse_overflow() {
        for value in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut writer = Writer::default();
            writer.varint(value);
            assert_eq!(Reader::new(&writer.bytes).varint(), Ok(value));
        }
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).varint().is_err());
        assert!(Reader::new(&[0x80]).varint().is_err());
    }

    #[test]
    fn counts_cannot_exceed_the_input() {
        let mut writer = Writer::default();
        writer.usize(1_000_000);
        assert!(Reader::new(&writer.bytes).count().is_err());
    }
}
