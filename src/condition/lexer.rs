//! Tokens of the condition language: Python's tokens for names, numbers, strings, comparison
//! operators and brackets, with pointed errors for the operators other languages use.

use super::ConditionError;
use crate::error::PolicyErrorCode;

/// A 1-based position inside the condition source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub(crate) fn error(self, code: PolicyErrorCode, message: impl Into<String>) -> ConditionError {
        ConditionError { code, message: message.into(), line: self.line, column: self.column }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Name(String),
    /// A Python keyword other than the ones the language uses (`if`, `lambda`, ...).
    Keyword(&'static str),
    Int(i128),
    Float(f64),
    Str(String),
    True,
    False,
    None,
    And,
    Or,
    Not,
    In,
    Is,
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=`: only valid for keyword arguments.
    Assign,
    Minus,
    /// A lexical error: reported when the parser reaches it, so errors come in source order.
    Error(Box<ConditionError>),
    Eof,
}

impl Tok {
    /// How the token is named in "expected X, found Y" messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Name(name) => format!("name '{name}'"),
            Tok::Keyword(word) => format!("keyword '{word}'"),
            Tok::Int(_) | Tok::Float(_) => "a number".into(),
            Tok::Str(_) => "a string".into(),
            Tok::True => "'True'".into(),
            Tok::False => "'False'".into(),
            Tok::None => "'None'".into(),
            Tok::And => "'and'".into(),
            Tok::Or => "'or'".into(),
            Tok::Not => "'not'".into(),
            Tok::In => "'in'".into(),
            Tok::Is => "'is'".into(),
            Tok::Dot => "'.'".into(),
            Tok::Comma => "','".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBracket => "'['".into(),
            Tok::RBracket => "']'".into(),
            Tok::Eq => "'=='".into(),
            Tok::Ne => "'!='".into(),
            Tok::Lt => "'<'".into(),
            Tok::Le => "'<='".into(),
            Tok::Gt => "'>'".into(),
            Tok::Ge => "'>='".into(),
            Tok::Assign => "'='".into(),
            Tok::Minus => "'-'".into(),
            Tok::Error(err) => err.message.clone(),
            Tok::Eof => "end of input".into(),
        }
    }
}

/// Python keywords the language does not use: rejected as names, as Python would.
const OTHER_KEYWORDS: &[&str] = &[
    "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally",
    "for", "from", "global", "if", "import", "lambda", "nonlocal", "pass", "raise", "return", "try", "while", "with",
    "yield",
];

struct Lexer<'s> {
    chars: std::iter::Peekable<std::str::CharIndices<'s>>,
    line: u32,
    column: u32,
}

impl Lexer<'_> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        if self.peek() == Some(expected) {
            self.bump();
            true
        } else {
            false
        }
    }
}

/// Splits `source` into tokens, ending with [`Tok::Eof`], or with [`Tok::Error`] at the first
/// lexical error.
///
/// Newlines count as spaces (a condition is one expression, often wrapped in a JSON string);
/// `#` starts a comment, as in Python.
pub(crate) fn tokenize(source: &str) -> Vec<(Tok, Pos)> {
    let mut out = Vec::new();
    if let Err(err) = tokenize_into(source, &mut out) {
        let pos = Pos { line: err.line, column: err.column };
        out.push((Tok::Error(Box::new(err)), pos));
    }
    out
}

fn tokenize_into(source: &str, out: &mut Vec<(Tok, Pos)>) -> Result<(), ConditionError> {
    let mut lx = Lexer { chars: source.char_indices().peekable(), line: 1, column: 1 };
    loop {
        let pos = lx.pos();
        let Some(c) = lx.peek() else {
            out.push((Tok::Eof, pos));
            return Ok(());
        };
        let tok = match c {
            ' ' | '\t' | '\n' | '\r' | '\x0c' => {
                lx.bump();
                continue;
            }
            '\\' => {
                // Python's explicit line joining.
                lx.bump();
                if lx.eat('\r') | lx.eat('\n') {
                    continue;
                }
                return Err(pos.error(
                    PolicyErrorCode::SyntaxError,
                    "unexpected character '\\' (a backslash may only end a line)",
                ));
            }
            '#' => {
                while let Some(c) = lx.peek() {
                    if c == '\n' {
                        break;
                    }
                    lx.bump();
                }
                continue;
            }
            '\'' | '"' => lex_string(&mut lx, false, pos)?,
            '0'..='9' => lex_number(&mut lx, pos)?,
            '.' => {
                lx.bump();
                if lx.peek().is_some_and(|c| c.is_ascii_digit()) {
                    lex_decimal(&mut lx, String::from("."), pos)?
                } else {
                    Tok::Dot
                }
            }
            c if c == '_' || c.is_alphabetic() => lex_word(&mut lx, pos)?,
            _ => {
                lx.bump();
                lex_operator(&mut lx, c, pos)?
            }
        };
        out.push((tok, pos));
    }
}

fn lex_operator(lx: &mut Lexer<'_>, c: char, pos: Pos) -> Result<Tok, ConditionError> {
    let unsupported = |message: &str| Err(pos.error(PolicyErrorCode::SyntaxError, message));
    Ok(match c {
        ',' => Tok::Comma,
        '(' => Tok::LParen,
        ')' => Tok::RParen,
        '[' => Tok::LBracket,
        ']' => Tok::RBracket,
        '-' => Tok::Minus,
        '=' if lx.eat('=') => Tok::Eq,
        '=' => Tok::Assign,
        '!' if lx.eat('=') => Tok::Ne,
        '!' => return unsupported("'!' is not Python: use 'not'"),
        '<' if lx.eat('=') => Tok::Le,
        '<' if lx.peek() == Some('>') => return unsupported("'<>' is not Python 3: use '!='"),
        '<' => Tok::Lt,
        '>' if lx.eat('=') => Tok::Ge,
        '>' => Tok::Gt,
        '&' if lx.eat('&') => return unsupported("'&&' is not Python: use 'and'"),
        '&' => return unsupported("'&' is not supported in conditions: use 'and'"),
        '|' if lx.eat('|') => return unsupported("'||' is not Python: use 'or'"),
        '|' => return unsupported("'|' is not supported in conditions: use 'or'"),
        '~' => return unsupported("'~' is not supported in conditions: use 'not'"),
        '+' | '*' | '/' | '%' | '@' | '^' => {
            return Err(
                pos.error(PolicyErrorCode::SyntaxError, format!("arithmetic ('{c}') is not supported in conditions"))
            )
        }
        '{' | '}' => return unsupported("dict and set literals are not supported in conditions"),
        _ => return Err(pos.error(PolicyErrorCode::SyntaxError, format!("unexpected character {c:?}"))),
    })
}

fn lex_word(lx: &mut Lexer<'_>, pos: Pos) -> Result<Tok, ConditionError> {
    let mut word = String::new();
    while let Some(c) = lx.peek() {
        if c == '_' || c.is_alphanumeric() {
            word.push(c);
            lx.bump();
        } else {
            break;
        }
    }
    if matches!(lx.peek(), Some('\'' | '"')) {
        // A string prefix.
        return match word.to_ascii_lowercase().as_str() {
            "u" => lex_string(lx, false, pos),
            "r" => lex_string(lx, true, pos),
            _ => Err(pos.error(
                PolicyErrorCode::SyntaxError,
                format!("string prefix '{word}' is not supported: use a plain string literal"),
            )),
        };
    }
    Ok(match word.as_str() {
        "True" => Tok::True,
        "False" => Tok::False,
        "None" => Tok::None,
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        "is" => Tok::Is,
        _ => match OTHER_KEYWORDS.iter().find(|k| **k == word) {
            Some(keyword) => Tok::Keyword(keyword),
            None => Tok::Name(word),
        },
    })
}

fn take_digits(lx: &mut Lexer<'_>, into: &mut String, radix: u32, pos: Pos) -> Result<(), ConditionError> {
    // Python allows single underscores between digits.
    let mut last_underscore = false;
    while let Some(c) = lx.peek() {
        if c == '_' {
            if last_underscore {
                return Err(pos.error(PolicyErrorCode::SyntaxError, "invalid number literal: doubled '_'"));
            }
            last_underscore = true;
        } else if c.is_digit(radix) {
            into.push(c);
            last_underscore = false;
        } else {
            break;
        }
        lx.bump();
    }
    if last_underscore {
        return Err(pos.error(PolicyErrorCode::SyntaxError, "invalid number literal: trailing '_'"));
    }
    Ok(())
}

fn lex_number(lx: &mut Lexer<'_>, pos: Pos) -> Result<Tok, ConditionError> {
    let mut digits = String::new();
    if lx.peek() == Some('0') {
        lx.bump();
        let radix = match lx.peek() {
            Some('x' | 'X') => Some(16),
            Some('o' | 'O') => Some(8),
            Some('b' | 'B') => Some(2),
            _ => None,
        };
        if let Some(radix) = radix {
            lx.bump();
            lx.eat('_');
            take_digits(lx, &mut digits, radix, pos)?;
            let value = i128::from_str_radix(&digits, radix)
                .map_err(|_| pos.error(PolicyErrorCode::SyntaxError, "invalid or too large integer literal"))?;
            return finish_number(lx, Tok::Int(value), pos);
        }
        digits.push('0');
    }
    take_digits(lx, &mut digits, 10, pos)?;
    if matches!(lx.peek(), Some('.' | 'e' | 'E' | 'j' | 'J')) {
        return lex_decimal(lx, digits, pos);
    }
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
        return Err(pos.error(
            PolicyErrorCode::SyntaxError,
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
        ));
    }
    let value = digits
        .parse::<i128>()
        .map_err(|_| pos.error(PolicyErrorCode::SyntaxError, "integer literal too large (at most 128 bits)"))?;
    finish_number(lx, Tok::Int(value), pos)
}

/// The rest of a float literal: fraction and exponent. `text` holds the digits so far.
fn lex_decimal(lx: &mut Lexer<'_>, mut text: String, pos: Pos) -> Result<Tok, ConditionError> {
    if lx.eat('.') {
        text.push('.');
    }
    if text.starts_with('.') || lx.peek().is_some_and(|c| c.is_ascii_digit()) {
        take_digits(lx, &mut text, 10, pos)?;
    }
    if text.ends_with('.') {
        text.push('0');
    }
    if matches!(lx.peek(), Some('e' | 'E')) {
        lx.bump();
        text.push('e');
        if let Some(sign @ ('+' | '-')) = lx.peek() {
            text.push(sign);
            lx.bump();
        }
        if !lx.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Err(
                pos.error(PolicyErrorCode::SyntaxError, "invalid float literal: expected digits after the exponent")
            );
        }
        take_digits(lx, &mut text, 10, pos)?;
    }
    if text.starts_with('.') {
        text.insert(0, '0');
    }
    let value = text.parse::<f64>().map_err(|_| pos.error(PolicyErrorCode::SyntaxError, "invalid float literal"))?;
    finish_number(lx, Tok::Float(value), pos)
}

fn finish_number(lx: &mut Lexer<'_>, tok: Tok, pos: Pos) -> Result<Tok, ConditionError> {
    match lx.peek() {
        Some('j' | 'J') => Err(pos.error(PolicyErrorCode::SyntaxError, "complex numbers are not supported")),
        Some(c) if c == '_' || c.is_alphanumeric() => {
            Err(pos.error(PolicyErrorCode::SyntaxError, "invalid number literal"))
        }
        _ => Ok(tok),
    }
}

fn lex_string(lx: &mut Lexer<'_>, raw: bool, pos: Pos) -> Result<Tok, ConditionError> {
    let Some(quote) = lx.bump() else {
        return Err(pos.error(PolicyErrorCode::SyntaxError, "expected a string"));
    };
    let unterminated =
        || pos.error(PolicyErrorCode::SyntaxError, format!("unterminated string literal: expected a closing {quote}"));
    let mut text = String::new();
    if lx.eat(quote) {
        if lx.peek() == Some(quote) {
            return Err(pos.error(PolicyErrorCode::SyntaxError, "triple-quoted strings are not supported"));
        }
        return Ok(Tok::Str(text));
    }
    loop {
        let here = lx.pos();
        let c = lx.bump().ok_or_else(unterminated)?;
        match c {
            c if c == quote => return Ok(Tok::Str(text)),
            '\n' | '\r' => return Err(unterminated()),
            '\\' if raw => {
                // A raw string keeps the backslash, but `\'` still does not end it.
                text.push('\\');
                match lx.bump().ok_or_else(unterminated)? {
                    '\n' | '\r' => return Err(unterminated()),
                    next => text.push(next),
                }
            }
            '\\' => lex_escape(lx, &mut text, here, &unterminated)?,
            c => text.push(c),
        }
    }
}

/// After a backslash at `escape_pos` inside a (non-raw) string: Python's escapes.
fn lex_escape(
    lx: &mut Lexer<'_>,
    text: &mut String,
    escape_pos: Pos,
    unterminated: &dyn Fn() -> ConditionError,
) -> Result<(), ConditionError> {
    let c = lx.bump().ok_or_else(unterminated)?;
    let simple = match c {
        '\n' => return Ok(()), // backslash-newline continues the string
        '\r' => {
            lx.eat('\n');
            return Ok(());
        }
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\x07',
        'b' => '\x08',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '0'..='7' => {
            let mut value = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match lx.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        value = value * 8 + d;
                        lx.bump();
                    }
                    None => break,
                }
            }
            char::from_u32(value)
                .ok_or_else(|| escape_pos.error(PolicyErrorCode::SyntaxError, "invalid octal escape"))?
        }
        'x' | 'u' | 'U' => {
            let width = match c {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let mut value = 0u32;
            for _ in 0..width {
                let digit = lx.peek().and_then(|d| d.to_digit(16)).ok_or_else(|| {
                    escape_pos.error(
                        PolicyErrorCode::SyntaxError,
                        format!("truncated \\{c} escape: expected {width} hex digits"),
                    )
                })?;
                value = value.saturating_mul(16).saturating_add(digit);
                lx.bump();
            }
            char::from_u32(value).ok_or_else(|| {
                escape_pos
                    .error(PolicyErrorCode::SyntaxError, format!("\\{c} escape is not a valid Unicode scalar value"))
            })?
        }
        'N' => return Err(escape_pos.error(PolicyErrorCode::SyntaxError, "\\N{...} escapes are not supported")),
        other => {
            // Python keeps unknown escapes as written (with a warning).
            text.push('\\');
            other
        }
    };
    text.push(simple);
    Ok(())
}
