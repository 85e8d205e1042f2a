#![cfg(test)] // test code: clippy.toml lets it unwrap, expect, index and panic
//! Small pieces of Python semantics the core re-implements to stay small, checked against
//! Python's own answers.

use drf_gate::http::normalize_method;
use drf_gate::renderers::python_float_repr;

/// `request.method` is `REQUEST_METHOD.upper()` on an ISO-8859-1 string: every such character
/// upper-cases as Python (and Rust's full Unicode mapping) does.
#[test]
fn methods_upper_case_like_python_over_latin1() {
    for code in 0u32..=0xff {
        let c = char::from_u32(code).unwrap();
        let method = format!("a{c}b");
        assert_eq!(normalize_method(&method), method.to_uppercase(), "U+{code:04X}");
    }
}

/// `repr(float)` for values whose exact decimal expansion ends halfway between two 17-digit
/// candidates: Python rounds half to even (values from `struct.unpack('>d', bytes.fromhex(..))`).
#[test]
fn float_repr_rounds_ties_as_python() {
    let cases = [
        ("42f32846fdb38c62", "337019370420422.1"),
        ("c2e1212c1d33abec", "-150673373633887.38"),
        ("c3120472b25beb3d", "-1267860061485775.2"),
        ("430187ede48614f1", "616816301884062.1"),
        ("4310dc2c5c4c9cc3", "1186420678141744.8"),
        ("430b9ca567464611", "971507323422914.1"),
        ("43167870f83d6733", "1581219021019596.8"),
        ("431d287f964d2fc7", "2051825693051889.8"),
        ("43179085685d83c9", "1658206780088562.2"),
    ];
    for (bits, repr) in cases {
        let value = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        assert_eq!(python_float_repr(value), repr, "{bits}");
    }
}

/// `repr(float)` across magnitudes (Python's values).
#[test]
fn float_repr_like_python() {
    let cases = [
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.1, "0.1"),
        (1e22, "1e+22"),
        (1e16, "1e+16"),
        (123456789012345680.0, "1.2345678901234568e+17"),
        (9007199254740993.0, "9007199254740992.0"),
        (0.0001, "0.0001"),
        (0.00012, "0.00012"),
        (1e-5, "1e-05"),
        (12345.678, "12345.678"),
        (-0.0, "-0.0"),
    ];
    for (value, repr) in cases {
        assert_eq!(python_float_repr(value), repr);
    }
}
