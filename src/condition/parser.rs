//! A recursive-descent parser with Python's precedence:
//! `or` < `and` < `not` < comparisons < unary minus < attribute access and calls < atoms.

use super::lexer::{Pos, Tok};
use super::tree::CmpOp;
use super::ConditionError;
use crate::error::PolicyErrorCode;

/// Deepest nesting of parentheses, brackets, `not` and unary minus the parser accepts, so that
/// hostile input cannot exhaust the stack (the wasm stack is small).
pub(crate) const MAX_DEPTH: u32 = 64;

#[derive(Clone, Debug)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    /// Where errors about this expression point: its first token, but for attributes and
    /// calls the attribute name.
    pub pos: Pos,
    /// The first token of the expression (an opening parenthesis included).
    pub start: Pos,
}

#[derive(Clone, Debug)]
pub(crate) struct Arg {
    pub keyword: Option<String>,
    pub value: Expr,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    Name(String),
    Int(i128),
    Float(f64),
    Str(String),
    Bool(bool),
    None,
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Arg>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// `first op1 e1 op2 e2 ...`, Python's chained comparison.
    Compare(Box<Expr>, Vec<(CmpOp, Pos, Expr)>),
}

pub(crate) struct Parser {
    tokens: Vec<(Tok, Pos)>,
    at: usize,
    depth: u32,
}

const EOF: (Tok, Pos) = (Tok::Eof, Pos { line: 1, column: 1 });

impl Parser {
    pub(crate) fn new(tokens: Vec<(Tok, Pos)>) -> Self {
        Parser { tokens, at: 0, depth: 0 }
    }

    fn current(&self) -> &(Tok, Pos) {
        // The token list always ends with Eof; past it, keep answering Eof.
        self.tokens.get(self.at).or_else(|| self.tokens.last()).unwrap_or(&EOF)
    }

    fn peek(&self) -> &Tok {
        &self.current().0
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens.get(self.at + ahead).map_or(&Tok::Eof, |(tok, _)| tok)
    }

    fn pos(&self) -> Pos {
        self.current().1
    }

    fn advance(&mut self) -> (Tok, Pos) {
        let token = self.current().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == tok {
            self.advance();
            true
        } else {
            false
        }
    }

    fn unexpected(&self, expected: &str) -> ConditionError {
        let (tok, pos) = self.current();
        if let Tok::Error(err) = tok {
            return (**err).clone();
        }
        let hint = match tok {
            Tok::Assign => " (use '==' to compare)",
            Tok::Keyword("if") => " (conditional expressions are not supported)",
            _ => "",
        };
        pos.error(PolicyErrorCode::SyntaxError, format!("expected {expected}, found {}{hint}", tok.describe()))
    }

    /// Expects the bracket `tok` that closes the one opened at `open`.
    fn close(&mut self, tok: &Tok, open: Pos, expected: &str) -> Result<(), ConditionError> {
        if self.peek() == tok {
            self.advance();
            Ok(())
        } else if *self.peek() == Tok::Eof {
            let bracket = if *tok == Tok::RBracket { '[' } else { '(' };
            Err(open.error(PolicyErrorCode::SyntaxError, format!("'{bracket}' was never closed: expected {expected}")))
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.pos().error(
                PolicyErrorCode::SyntaxError,
                format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The whole condition: one expression and nothing after it.
    pub(crate) fn parse_condition(&mut self) -> Result<Expr, ConditionError> {
        let expr = self.parse_expr()?;
        if *self.peek() != Tok::Eof {
            return Err(self.unexpected("an operator ('and', 'or', '==', ...) or the end of the condition"));
        }
        Ok(expr)
    }

    /// Recursion only re-enters here through brackets, calls, `not` and `-`, which count depth.
    fn parse_expr(&mut self) -> Result<Expr, ConditionError> {
        self.parse_or()
    }

    fn parse_or(&mut self) -> Result<Expr, ConditionError> {
        let first = self.parse_and()?;
        if *self.peek() != Tok::Or {
            return Ok(first);
        }
        let pos = first.pos;
        let mut operands = vec![first];
        while self.eat(&Tok::Or) {
            operands.push(self.parse_and()?);
        }
        Ok(Expr { kind: ExprKind::Or(operands), pos, start: pos })
    }

    fn parse_and(&mut self) -> Result<Expr, ConditionError> {
        let first = self.parse_not()?;
        if *self.peek() != Tok::And {
            return Ok(first);
        }
        let pos = first.pos;
        let mut operands = vec![first];
        while self.eat(&Tok::And) {
            operands.push(self.parse_not()?);
        }
        Ok(Expr { kind: ExprKind::And(operands), pos, start: pos })
    }

    fn parse_not(&mut self) -> Result<Expr, ConditionError> {
        if *self.peek() == Tok::Not {
            let pos = self.advance().1;
            self.enter()?;
            let operand = self.parse_not();
            self.leave();
            return Ok(Expr { kind: ExprKind::Not(Box::new(operand?)), pos, start: pos });
        }
        self.parse_comparison()
    }

    fn comparison_operator(&mut self) -> Option<(CmpOp, Pos)> {
        let pos = self.pos();
        let op = match self.peek() {
            Tok::Eq => CmpOp::Eq,
            Tok::Ne => CmpOp::Ne,
            Tok::Lt => CmpOp::Lt,
            Tok::Le => CmpOp::Le,
            Tok::Gt => CmpOp::Gt,
            Tok::Ge => CmpOp::Ge,
            Tok::In => CmpOp::In,
            Tok::Not if *self.peek_at(1) == Tok::In => {
                self.advance();
                CmpOp::NotIn
            }
            Tok::Is if *self.peek_at(1) == Tok::Not => {
                self.advance();
                CmpOp::IsNot
            }
            Tok::Is => CmpOp::Is,
            _ => return None,
        };
        self.advance();
        Some((op, pos))
    }

    fn parse_comparison(&mut self) -> Result<Expr, ConditionError> {
        let first = self.parse_unary()?;
        let mut rest = Vec::new();
        while let Some((op, pos)) = self.comparison_operator() {
            rest.push((op, pos, self.parse_unary()?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        let pos = first.pos;
        Ok(Expr { kind: ExprKind::Compare(Box::new(first), rest), pos, start: pos })
    }

    fn parse_unary(&mut self) -> Result<Expr, ConditionError> {
        if *self.peek() == Tok::Minus {
            let pos = self.advance().1;
            self.enter()?;
            let operand = self.parse_unary();
            self.leave();
            return Ok(Expr { kind: ExprKind::Neg(Box::new(operand?)), pos, start: pos });
        }
        self.parse_postfix()
    }

    fn parse_postfix(&mut self) -> Result<Expr, ConditionError> {
        let mut expr = self.parse_atom()?;
        // Each trailer nests the tree one level deeper: bound them like brackets.
        let mut trailers = 0;
        loop {
            if matches!(self.peek(), Tok::Dot | Tok::LParen) {
                trailers += 1;
                if trailers > MAX_DEPTH {
                    return Err(self.pos().error(
                        PolicyErrorCode::SyntaxError,
                        format!("too many attributes or calls in a row (more than {MAX_DEPTH})"),
                    ));
                }
            }
            match self.peek() {
                Tok::Dot => {
                    self.advance();
                    let Tok::Name(name) = self.peek().clone() else {
                        return Err(self.unexpected("an attribute name after '.'"));
                    };
                    let pos = self.advance().1;
                    let start = expr.start;
                    expr = Expr { kind: ExprKind::Attr(Box::new(expr), name), pos, start };
                }
                Tok::LParen => {
                    let open = self.advance().1;
                    self.enter()?;
                    let args = self.parse_args(open);
                    self.leave();
                    let (pos, start) = (expr.pos, expr.start);
                    expr = Expr { kind: ExprKind::Call(Box::new(expr), args?), pos, start };
                }
                Tok::LBracket => {
                    return Err(self.pos().error(
                        PolicyErrorCode::SyntaxError,
                        "subscripts ('x[...]') are not supported: use attribute access ('obj.field')",
                    ));
                }
                _ => return Ok(expr),
            }
        }
    }

    fn parse_args(&mut self, open: Pos) -> Result<Vec<Arg>, ConditionError> {
        let mut args = Vec::new();
        while *self.peek() != Tok::RParen {
            let keyword = match (self.peek().clone(), self.peek_at(1)) {
                (Tok::Name(name), Tok::Assign) => {
                    self.advance();
                    self.advance();
                    Some(name)
                }
                _ => None,
            };
            let value = self.parse_expr()?;
            args.push(Arg { keyword, value });
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        self.close(&Tok::RParen, open, "',' or ')' to close the call")?;
        Ok(args)
    }

    fn parse_atom(&mut self) -> Result<Expr, ConditionError> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Name(name) => {
                self.advance();
                ExprKind::Name(name)
            }
            Tok::Int(value) => {
                self.advance();
                ExprKind::Int(value)
            }
            Tok::Float(value) => {
                self.advance();
                ExprKind::Float(value)
            }
            Tok::Str(first) => {
                self.advance();
                // Adjacent string literals concatenate, as in Python.
                let mut text = first;
                while let Tok::Str(next) = self.peek().clone() {
                    text.push_str(&next);
                    self.advance();
                }
                ExprKind::Str(text)
            }
            Tok::True => {
                self.advance();
                ExprKind::Bool(true)
            }
            Tok::False => {
                self.advance();
                ExprKind::Bool(false)
            }
            Tok::None => {
                self.advance();
                ExprKind::None
            }
            Tok::LParen => {
                self.advance();
                self.enter()?;
                let inner = self.parse_parenthesized(pos);
                self.leave();
                return inner.map(|mut expr| {
                    expr.start = pos;
                    expr
                });
            }
            Tok::LBracket => {
                self.advance();
                self.enter()?;
                let items = self.parse_items(&Tok::RBracket, pos, "',' or ']' to close the list");
                self.leave();
                ExprKind::List(items?.0)
            }
            _ => return Err(self.unexpected("an expression")),
        };
        Ok(Expr { kind, pos, start: pos })
    }

    /// After `(`: a parenthesized expression, or a tuple (`()`, `(x,)`, `(x, y)`).
    fn parse_parenthesized(&mut self, open: Pos) -> Result<Expr, ConditionError> {
        let (mut items, trailing_comma) = self.parse_items(&Tok::RParen, open, "',' or ')'")?;
        if items.len() == 1 && !trailing_comma {
            if let Some(single) = items.pop() {
                return Ok(single);
            }
        }
        Ok(Expr { kind: ExprKind::Tuple(items), pos: open, start: open })
    }

    /// Comma-separated expressions up to `close`; also says whether a comma ended the list.
    fn parse_items(&mut self, close: &Tok, open: Pos, expected: &str) -> Result<(Vec<Expr>, bool), ConditionError> {
        let mut items = Vec::new();
        let mut trailing_comma = false;
        while self.peek() != close {
            items.push(self.parse_expr()?);
            trailing_comma = self.eat(&Tok::Comma);
            if !trailing_comma {
                break;
            }
        }
        self.close(close, open, expected)?;
        Ok((items, trailing_comma))
    }
}
