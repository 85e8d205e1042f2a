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
        /// 1-based line of the name (expressions may span lines).
        line: u32,
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

/// A syntax error with its 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// What was found and what was expected.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A position in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Position {
    line: u32,
    column: u32,
}

impl Position {
    fn error(self, message: impl Into<String>) -> ExprError {
        ExprError { message: message.into(), line: self.line, column: self.column }
    }
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
        return Err(ExprError { message: format!("expression is longer than {MAX_LENGTH} bytes"), line: 1, column: 1 });
    }
    let (tokens, end) = tokenize(source)?;
    let mut parser = Parser { tokens: &tokens, position: 0, end };
    let expr = parser.or_expr(0)?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => {
            Err(token.at.error(format!("unexpected {}; expected `&`, `|` or the end", token.kind.describe())))
        }
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
    at: Position,
}

/// The tokens, and the position just past the end.
fn tokenize(source: &str) -> Result<(Vec<Token>, Position), ExprError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut index = 0usize;
    let (mut line, mut line_start) = (1u32, 0usize);
    while let Some(&ch) = chars.get(index) {
        let at = Position { line, column: (index - line_start) as u32 + 1 };
        if ch == '\n' {
            line += 1;
            line_start = index + 1;
            index += 1;
            continue;
        }
        let single = match ch {
            '&' => Some(TokenKind::And),
            '|' => Some(TokenKind::Or),
            '~' => Some(TokenKind::Not),
            '(' => Some(TokenKind::Open),
            ')' => Some(TokenKind::Close),
            _ => None,
        };
        if let Some(kind) = single {
            tokens.push(Token { kind, at });
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
                return Err(at.error(format!("`{name}` combines values, not permission classes: use `{hint}`")));
            }
            if name.ends_with('.') || name.contains("..") {
                return Err(at.error(format!("malformed class name `{name}`")));
            }
            let short = name.strip_prefix("rest_framework.permissions.").unwrap_or(&name).to_owned();
            tokens.push(Token { kind: TokenKind::Name(short), at });
            continue;
        }
        let hint = match ch {
            '!' => "; use `~` for NOT",
            ',' => "; write each class as its own list entry",
            _ => "",
        };
        return Err(at.error(format!("unexpected character `{ch}`{hint}")));
    }
    Ok((tokens, Position { line, column: (index - line_start) as u32 + 1 }))
}

struct Parser<'t> {
    tokens: &'t [Token],
    position: usize,
    end: Position,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next_is(&self, kind: &TokenKind) -> bool {
        self.peek().is_some_and(|token| token.kind == *kind)
    }

    // `depth` counts the tree levels above: a chain `A | B | C` nests left (DRF's
    // `OperandHolder`s), one level per operator, so chains count toward MAX_DEPTH too and every
    // later walk of the tree (binding, checking, dropping) recurses at most MAX_DEPTH deep.
    fn or_expr(&mut self, depth: u32) -> Result<Expr, ExprError> {
        let mut chain = 0;
        let mut left = self.and_expr(depth)?;
        while self.next_is(&TokenKind::Or) {
            chain += 1;
            self.too_deep(depth + chain)?;
            self.position += 1;
            let right = self.and_expr(depth + chain)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: u32) -> Result<Expr, ExprError> {
        let mut chain = 0;
        let mut left = self.unary(depth)?;
        while self.next_is(&TokenKind::And) {
            chain += 1;
            self.too_deep(depth + chain)?;
            self.position += 1;
            let right = self.unary(depth + chain)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn too_deep(&self, depth: u32) -> Result<(), ExprError> {
        if depth > MAX_DEPTH {
            let at = self.peek().map_or(self.end, |t| t.at);
            return Err(at.error(format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn unary(&mut self, depth: u32) -> Result<Expr, ExprError> {
        self.too_deep(depth)?;
        let Some(token) = self.peek() else {
            return Err(self.end.error("unexpected end; expected a permission class, `~` or `(`"));
        };
        let at = token.at;
        match &token.kind {
            TokenKind::Not => {
                self.position += 1;
                Ok(Expr::Not(Box::new(self.unary(depth + 1)?)))
            }
            TokenKind::Open => {
                self.position += 1;
                let inner = self.or_expr(depth + 1)?;
                if !self.next_is(&TokenKind::Close) {
                    let here = self.peek().map_or(self.end, |t| t.at);
                    return Err(here
                        .error(format!("`(` at line {}, column {} is not closed; expected `)`", at.line, at.column)));
                }
                self.position += 1;
                Ok(inner)
            }
            TokenKind::Name(name) => {
                let name = name.clone();
                self.position += 1;
                Ok(Expr::Class { name, line: at.line, column: at.column })
            }
            other => Err(at.error(format!("unexpected {}; expected a permission class, `~` or `(`", other.describe()))),
        }
    }
}
