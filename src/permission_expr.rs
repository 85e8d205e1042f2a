//! Permission-class expressions as DRF users write them in `permission_classes`:
//! `IsAuthenticated & (IsOwner | IsAdminUser)`, with Python's precedence
//! (`~` binds tightest, then `&`, then `|`, all left-associative).

/// A parsed expression, before class names are resolved.
///
/// ```
/// use drf_gate::permission_expr::{parse, Expr};
/// let expr = parse("A | B & ~C").unwrap();
/// let Expr::Or(left, right) = expr else { panic!() };
/// assert!(matches!(*left, Expr::Class { ref name, .. } if name == "A"));
/// assert!(matches!(*right, Expr::And(_, _)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A class name, with its 1-based column.
    Class {
        /// The name as written (`rest_framework.permissions.` prefixes removed).
        name: String,
        /// 1-based column of the name.
        column: u32,
    },
    /// `a & b` (DRF's `AND`).
    And(Box<Expr>, Box<Expr>),
    /// `a | b` (DRF's `OR`).
    Or(Box<Expr>, Box<Expr>),
    /// `~a` (DRF's `NOT`).
    Not(Box<Expr>),
}

impl Expr {
    /// Whether this is a single class, possibly parenthesised: only then does DRF read the
    /// entry's `message` and `code`.
    pub fn single_class(&self) -> Option<&str> {
        match self {
            Expr::Class { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// A syntax error with its 1-based column (expressions are one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// What was found and what was expected.
    pub message: String,
    /// 1-based column.
    pub column: u32,
}

const MAX_DEPTH: u32 = 64;
const MAX_LENGTH: usize = 4096;

/// Parses one entry of `permission_classes`.
///
/// ```
/// use drf_gate::permission_expr::parse;
/// assert!(parse("(IsAuthenticated)").is_ok());
/// let err = parse("IsAuthenticated and IsAdminUser").unwrap_err();
/// assert_eq!(err.column, 17);
/// assert!(err.message.contains("use `&`"));
/// ```
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    if source.len() > MAX_LENGTH {
        return Err(ExprError { message: format!("expression is longer than {MAX_LENGTH} bytes"), column: 1 });
    }
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens: &tokens, position: 0, end_column: source.chars().count() as u32 + 1 };
    let expr = parser.or_expr(0)?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(ExprError { message: format!("unexpected {}; expected `&`, `|` or the end", token.kind.describe()), column: token.column }),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TokenKind {
    Name(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            TokenKind::Name(name) => format!("name `{name}`"),
            TokenKind::And => "`&`".into(),
            TokenKind::Or => "`|`".into(),
            TokenKind::Not => "`~`".into(),
            TokenKind::Open => "`(`".into(),
            TokenKind::Close => "`)`".into(),
        }
    }
}

struct Token {
    kind: TokenKind,
    column: u32,
}

fn tokenize(source: &str) -> Result<Vec<Token>, ExprError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut index = 0usize;
    while let Some(&ch) = chars.get(index) {
        let column = index as u32 + 1;
        let single = match ch {
            '&' => Some(TokenKind::And),
            '|' => Some(TokenKind::Or),
            '~' => Some(TokenKind::Not),
            '(' => Some(TokenKind::Open),
            ')' => Some(TokenKind::Close),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, column });
            index += 1;
            continue;
        }
        if ch.is_whitespace() {
            index += 1;
            continue;
        }
        if ch.is_alphabetic() || ch == '_' {
            let start = index;
            while chars.get(index).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.') {
                index += 1;
            }
            let name: String = chars.get(start..index).unwrap_or_default().iter().collect();
            if matches!(name.as_str(), "and" | "or" | "not") {
                let hint = match name.as_str() {
                    "and" => "&",
                    "or" => "|",
                    _ => "~",
                };
                return Err(ExprError { message: format!("`{name}` combines values, not permission classes: use `{hint}`"), column });
            }
            if name.ends_with('.') || name.contains("..") {
                return Err(ExprError { message: format!("malformed class name `{name}`"), column });
            }
            let short = name.strip_prefix("rest_framework.permissions.").unwrap_or(&name).to_owned();
            tokens.push(Token { kind: TokenKind::Name(short), column });
            continue;
        }
        let hint = match ch {
            '!' => "; use `~` for NOT",
            ',' => "; write each class as its own list entry",
            _ => "",
        };
        return Err(ExprError { message: format!("unexpected character `{ch}`{hint}"), column });
    }
    Ok(tokens)
}

struct Parser<'t> {
    tokens: &'t [Token],
    position: usize,
    end_column: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next_is(&self, kind: &TokenKind) -> bool {
        self.peek().is_some_and(|token| token.kind == *kind)
    }

    fn or_expr(&mut self, depth: u32) -> Result<Expr, ExprError> {
        let mut left = self.and_expr(depth)?;
        while self.next_is(&TokenKind::Or) {
            self.position += 1;
            let right = self.and_expr(depth)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: u32) -> Result<Expr, ExprError> {
        let mut left = self.unary(depth)?;
        while self.next_is(&TokenKind::And) {
            self.position += 1;
            let right = self.unary(depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: u32) -> Result<Expr, ExprError> {
        if depth > MAX_DEPTH {
            let column = self.peek().map_or(self.end_column, |t| t.column);
            return Err(ExprError { message: format!("expression nested deeper than {MAX_DEPTH} levels"), column });
        }
        let Some(token) = self.peek() else {
            return Err(ExprError { message: "unexpected end; expected a permission class, `~` or `(`".into(), column: self.end_column });
        };
        let column = token.column;
        match &token.kind {
            TokenKind::Not => {
                self.position += 1;
                Ok(Expr::Not(Box::new(self.unary(depth + 1)?)))
            }
            TokenKind::Open => {
                self.position += 1;
                let inner = self.or_expr(depth + 1)?;
                if !self.next_is(&TokenKind::Close) {
                    let at = self.peek().map_or(self.end_column, |t| t.column);
                    return Err(ExprError { message: format!("`(` at column {column} is not closed; expected `)`"), column: at });
                }
                self.position += 1;
                Ok(inner)
            }
            TokenKind::Name(name) => {
                let name = name.clone();
                self.position += 1;
                Ok(Expr::Class { name, column })
            }
            other => Err(ExprError { message: format!("unexpected {}; expected a permission class, `~` or `(`", other.describe()), column }),
        }
    }
}
