//! Reads a normalized statement with PostgreSQL's own grammar (pg_query) and records, for every
//! occurrence of a table, the columns it is filtered, joined, sorted and grouped on, and the
//! columns it reads. Pure: names are not resolved against a catalog here (see `resolve`).
//!
//! pg_stat_statements texts are not always valid SQL (`interval $1`); the text to plan is the
//! deparsed tree, which PostgreSQL accepts (`$1::interval`).

use std::fmt::Write as _;

use pg_query::NodeEnum;
use pg_query::protobuf::{
    AExpr, AExprKind, BoolExprType, BoolTestType, ColumnRef, JoinExpr, Node, NullTestType,
    RangeVar, SelectStmt, SetOperation, SortByDir, SortByNulls, WithClause,
};

/// What kind of statement was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    Select,
    Update,
    Delete,
    Insert,
}

/// One occurrence of a table in the statement (a self-join has two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The schema as written, if qualified.
    pub schema: Option<String>,
    pub name: String,
}

/// Whose column a reference is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// A qualified reference to one scan.
    Scan(usize),
    /// An unqualified reference: the first scan, innermost query level first, whose table has
    /// the column (decided against the catalog).
    Search(Vec<Vec<usize>>),
}

/// A column reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    pub owner: Owner,
    pub name: String,
}

/// How a column is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// `=`, a boolean column on its own, IS TRUE / IS FALSE.
    Eq,
    /// IN (…), = ANY (…).
    In,
    IsNull,
    /// <, <=, >, >=, BETWEEN.
    Range,
}

/// What a column is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A statement parameter (`$n`, possibly cast).
    Param(i32),
    /// A boolean constant (`WHERE active`, `WHERE NOT active`, `IS TRUE`).
    Bool(bool),
    /// An expression over columns (a join condition when they belong to other scans).
    Columns(Vec<Col>),
    /// Anything else without columns: constants, `now()`, a subquery's result, a list.
    Opaque,
}

/// One conjunct of a WHERE or JOIN condition that an index could serve.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub col: Col,
    pub op: FilterOp,
    pub value: Value,
}

/// An ORDER BY key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    pub col: Col,
    pub desc: bool,
    /// `Some` when NULLS FIRST / LAST was written.
    pub nulls_first: Option<bool>,
}

/// The ORDER BY of one query level whose keys are all plain columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub keys: Vec<OrderKey>,
    /// The level has a LIMIT (an index in sort order can stop early).
    pub limited: bool,
}

/// Everything the advisor needs from one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub kind: StatementKind,
    /// The text to prepare and plan (the deparsed tree).
    pub plan_sql: String,
    pub scans: Vec<Scan>,
    pub filters: Vec<Filter>,
    pub orders: Vec<Order>,
    pub groups: Vec<Vec<Col>>,
    /// Every column referenced anywhere (the candidates for INCLUDE).
    pub reads: Vec<Col>,
    /// Scans read with `*` (no index-only scan can serve them).
    pub star_scans: Vec<usize>,
}

/// Why a statement text was not analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not valid SQL: {0}")]
    Syntax(String),
    #[error("holds {0} statements")]
    Several(usize),
    /// Utility statements, INSERT … VALUES: nothing an index could serve.
    #[error("nothing an index could serve")]
    NotAQuery,
}

/// Parses a (normalized) statement text.
pub fn parse(sql: &str) -> Result<Parsed, ParseError> {
    crate::sql_tree::with_tree(sql, |tree| parsed(sql, tree))
        .unwrap_or_else(|e| Err(ParseError::Syntax(e)))
}

fn parsed(sql: &str, tree: pg_query::Result<pg_query::ParseResult>) -> Result<Parsed, ParseError> {
    let tree = tree.map_err(|e| ParseError::Syntax(e.to_string()))?;
    let stmts = &tree.protobuf.stmts;
    if stmts.len() != 1 {
        return Err(ParseError::Several(stmts.len()));
    }
    let root = stmts[0]
        .stmt
        .as_deref()
        .and_then(|n| n.node.as_ref())
        .ok_or(ParseError::NotAQuery)?;
    let mut walker = Walker::default();
    let kind = walker.statement(root)?;
    if walker.scans.is_empty() {
        return Err(ParseError::NotAQuery);
    }
    let plan_sql = tree
        .deparse(pg_query::DeparseOptions::default())
        .unwrap_or_else(|_| sql.to_owned());
    Ok(Parsed {
        kind,
        plan_sql,
        scans: walker.scans,
        filters: walker.filters,
        orders: walker.orders,
        groups: walker.groups,
        reads: walker.reads,
        star_scans: walker.star_scans,
    })
}

/// The statement with parameter `$param` replaced by `literal` and the later parameters
/// renumbered (`$3` becomes `$2`), so that PostgreSQL can still type every parameter: how a
/// partial index is checked against the statement run with that value.
#[must_use]
pub fn substitute_param(sql: &str, param: i32, literal: &str) -> Option<String> {
    let tokens = pg_query::scan(sql).ok()?.tokens;
    let mut out = String::with_capacity(sql.len() + literal.len());
    let mut at = 0;
    let mut found = false;
    for token in tokens {
        if token.token != pg_query::protobuf::Token::Param as i32 {
            continue;
        }
        let start = usize::try_from(token.start).ok()?;
        let end = usize::try_from(token.end).ok()?;
        let number: i32 = sql.get(start + 1..end)?.parse().ok()?;
        out.push_str(sql.get(at..start)?);
        match number.cmp(&param) {
            std::cmp::Ordering::Equal => {
                found = true;
                out.push('(');
                out.push_str(literal);
                out.push(')');
            }
            std::cmp::Ordering::Greater => {
                let _ = write!(out, "${}", number - 1);
            }
            std::cmp::Ordering::Less => out.push_str(sql.get(start..end)?),
        }
        at = end;
    }
    out.push_str(sql.get(at..)?);
    found.then_some(out)
}

// ─── Scopes ───

/// What a name in FROM stands for.
#[derive(Debug, Clone, Copy)]
enum Item {
    Scan(usize),
    /// A subquery, CTE, function or VALUES: not a table an index can be built on.
    Derived,
}

/// The FROM items of one query level, by the name they are referenced with.
#[derive(Debug, Default, Clone)]
struct Level {
    names: Vec<(String, Item)>,
    scans: Vec<usize>,
}

impl Level {
    fn lookup(&self, name: &str) -> Option<Item> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, i)| *i)
    }
}

/// Query levels, innermost first.
type Stack<'a> = &'a [Level];

/// The parts of an UPDATE or DELETE the advisor reads.
struct Modified<'a> {
    with: Option<&'a WithClause>,
    relation: Option<&'a RangeVar>,
    from: &'a [Node],
    condition: Option<&'a Node>,
    values: &'a [Node],
}

#[derive(Debug, Default)]
struct Walker {
    scans: Vec<Scan>,
    filters: Vec<Filter>,
    orders: Vec<Order>,
    groups: Vec<Vec<Col>>,
    reads: Vec<Col>,
    star_scans: Vec<usize>,
    /// CTE names in scope (they shadow tables of the same unqualified name).
    ctes: Vec<String>,
}

fn node(n: &Node) -> Option<&NodeEnum> {
    n.node.as_ref()
}

fn boxed(n: Option<&Node>) -> Option<&NodeEnum> {
    n.and_then(node)
}

impl Walker {
    fn statement(&mut self, root: &NodeEnum) -> Result<StatementKind, ParseError> {
        match root {
            NodeEnum::SelectStmt(s) => {
                self.select(s, &[]);
                Ok(StatementKind::Select)
            }
            NodeEnum::UpdateStmt(u) => {
                let target = Modified {
                    with: u.with_clause.as_ref(),
                    relation: u.relation.as_ref(),
                    from: &u.from_clause,
                    condition: u.where_clause.as_deref(),
                    values: &u.target_list,
                };
                self.modified(&target);
                Ok(StatementKind::Update)
            }
            NodeEnum::DeleteStmt(d) => {
                let target = Modified {
                    with: d.with_clause.as_ref(),
                    relation: d.relation.as_ref(),
                    from: &d.using_clause,
                    condition: d.where_clause.as_deref(),
                    values: &[],
                };
                self.modified(&target);
                Ok(StatementKind::Delete)
            }
            NodeEnum::InsertStmt(i) => {
                let ctes = self.with(i.with_clause.as_ref(), &[]);
                if let Some(NodeEnum::SelectStmt(s)) = boxed(i.select_stmt.as_deref()) {
                    self.select(s, &[]);
                }
                self.ctes.truncate(self.ctes.len() - ctes);
                Ok(StatementKind::Insert)
            }
            _ => Err(ParseError::NotAQuery),
        }
    }

    /// UPDATE and DELETE: the modified table, FROM / USING, WHERE and the values set.
    fn modified(&mut self, m: &Modified<'_>) {
        let ctes = self.with(m.with, &[]);
        let mut level = Level::default();
        if let Some(rel) = m.relation {
            self.range_var(rel, &mut level);
        }
        let mut pending = Vec::new();
        for from in m.from {
            self.add_from(from, &mut level, &[], &mut pending);
        }
        let stack = [level];
        self.join_quals(&pending, &stack);
        self.condition(boxed(m.condition), &stack);
        for value in m.values {
            self.expr(value, &stack);
        }
        self.ctes.truncate(self.ctes.len() - ctes);
    }

    /// Walks the CTEs of a WITH clause and brings their names into scope; returns how many.
    fn with(&mut self, with: Option<&WithClause>, outer: Stack<'_>) -> usize {
        let Some(with) = with else { return 0 };
        let names: Vec<String> = with
            .ctes
            .iter()
            .filter_map(|c| match node(c) {
                Some(NodeEnum::CommonTableExpr(cte)) => Some(cte.ctename.clone()),
                _ => None,
            })
            .collect();
        // A recursive CTE sees itself; ordinary ones see the earlier ones: in scope for all.
        self.ctes.extend(names.iter().cloned());
        for cte in &with.ctes {
            if let Some(NodeEnum::CommonTableExpr(cte)) = node(cte) {
                self.query(boxed(cte.ctequery.as_deref()), outer);
            }
        }
        names.len()
    }

    /// A nested query (subquery, CTE body, sublink).
    fn query(&mut self, n: Option<&NodeEnum>, outer: Stack<'_>) {
        match n {
            Some(NodeEnum::SelectStmt(s)) => self.select(s, outer),
            Some(other) => {
                // Data-modifying CTEs: analysed like a top-level statement.
                let _ = self.statement(other);
            }
            None => {}
        }
    }

    fn select(&mut self, s: &SelectStmt, outer: Stack<'_>) {
        let ctes = self.with(s.with_clause.as_ref(), outer);
        if s.op != SetOperation::SetopNone as i32 && s.op != SetOperation::Undefined as i32 {
            if let Some(l) = &s.larg {
                self.select(l, outer);
            }
            if let Some(r) = &s.rarg {
                self.select(r, outer);
            }
        } else {
            self.simple_select(s, outer);
        }
        self.ctes.truncate(self.ctes.len() - ctes);
    }

    fn simple_select(&mut self, s: &SelectStmt, outer: Stack<'_>) {
        let mut level = Level::default();
        let mut pending = Vec::new();
        for from in &s.from_clause {
            self.add_from(from, &mut level, outer, &mut pending);
        }
        let mut stack = vec![level];
        stack.extend_from_slice(outer);
        self.join_quals(&pending, &stack);
        self.condition(boxed(s.where_clause.as_deref()), &stack);
        for target in &s.target_list {
            self.expr(target, &stack);
        }
        let group: Vec<Col> = s
            .group_clause
            .iter()
            .filter_map(|g| match node(g) {
                Some(NodeEnum::ColumnRef(c)) => Self::column(c, &stack),
                _ => None,
            })
            .collect();
        for g in &s.group_clause {
            self.expr(g, &stack);
        }
        if !group.is_empty() {
            self.groups.push(group);
        }
        if let Some(having) = s.having_clause.as_deref() {
            self.expr(having, &stack);
        }
        self.order(s, &stack);
    }

    fn order(&mut self, s: &SelectStmt, stack: Stack<'_>) {
        let mut keys = Vec::new();
        let mut plain = true;
        for item in &s.sort_clause {
            self.expr(item, stack);
            let Some(NodeEnum::SortBy(sort)) = node(item) else {
                plain = false;
                continue;
            };
            let col = match boxed(sort.node.as_deref()) {
                Some(NodeEnum::ColumnRef(c)) => Self::column(c, stack),
                _ => None,
            };
            let desc = sort.sortby_dir == SortByDir::SortbyDesc as i32;
            let using = sort.sortby_dir == SortByDir::SortbyUsing as i32;
            match col {
                Some(col) if !using => keys.push(OrderKey {
                    col,
                    desc,
                    nulls_first: match sort.sortby_nulls {
                        n if n == SortByNulls::SortbyNullsFirst as i32 => Some(true),
                        n if n == SortByNulls::SortbyNullsLast as i32 => Some(false),
                        _ => None,
                    },
                }),
                _ => plain = false,
            }
        }
        if plain && !keys.is_empty() {
            self.orders.push(Order {
                keys,
                limited: s.limit_count.is_some(),
            });
        }
    }

    // ─── FROM ───

    fn range_var(&mut self, rel: &RangeVar, level: &mut Level) {
        let alias = rel
            .alias
            .as_ref()
            .map_or_else(|| rel.relname.clone(), |a| a.aliasname.clone());
        if rel.schemaname.is_empty() && self.ctes.contains(&rel.relname) {
            level.names.push((alias, Item::Derived));
            return;
        }
        let index = self.scans.len();
        self.scans.push(Scan {
            schema: (!rel.schemaname.is_empty()).then(|| rel.schemaname.clone()),
            name: rel.relname.clone(),
        });
        level.names.push((alias, Item::Scan(index)));
        level.scans.push(index);
    }

    /// Adds one FROM item to the level; join conditions wait in `pending` until the whole
    /// level is known.
    fn add_from<'n>(
        &mut self,
        item: &'n Node,
        level: &mut Level,
        outer: Stack<'_>,
        pending: &mut Vec<&'n JoinExpr>,
    ) {
        match node(item) {
            Some(NodeEnum::RangeVar(rel)) => self.range_var(rel, level),
            Some(NodeEnum::JoinExpr(join)) => {
                if let Some(l) = join.larg.as_deref() {
                    self.add_from(l, level, outer, pending);
                }
                if let Some(r) = join.rarg.as_deref() {
                    self.add_from(r, level, outer, pending);
                }
                if let Some(alias) = &join.alias {
                    level.names.push((alias.aliasname.clone(), Item::Derived));
                }
                pending.push(join);
            }
            Some(NodeEnum::RangeSubselect(sub)) => {
                if sub.lateral {
                    let mut stack = vec![level.clone()];
                    stack.extend_from_slice(outer);
                    self.query(boxed(sub.subquery.as_deref()), &stack);
                } else {
                    self.query(boxed(sub.subquery.as_deref()), outer);
                }
                if let Some(alias) = &sub.alias {
                    level.names.push((alias.aliasname.clone(), Item::Derived));
                }
            }
            Some(NodeEnum::RangeFunction(f)) => {
                if let Some(alias) = &f.alias {
                    level.names.push((alias.aliasname.clone(), Item::Derived));
                }
            }
            _ => {}
        }
    }

    fn join_quals(&mut self, joins: &[&JoinExpr], stack: Stack<'_>) {
        for join in joins {
            self.condition(boxed(join.quals.as_deref()), stack);
            self.using(join, stack);
        }
    }

    /// `JOIN … USING (c)`: an equality between the two sides' c.
    fn using(&mut self, join: &JoinExpr, stack: Stack<'_>) {
        if join.using_clause.is_empty() {
            return;
        }
        let side = |n: Option<&Node>| -> Vec<usize> {
            let mut names = Vec::new();
            collect_relnames(n, &mut names);
            stack[0]
                .names
                .iter()
                .filter_map(|(name, item)| match item {
                    Item::Scan(i) if names.contains(name) => Some(*i),
                    _ => None,
                })
                .collect()
        };
        let left = side(join.larg.as_deref());
        let right = side(join.rarg.as_deref());
        for col in &join.using_clause {
            let Some(NodeEnum::String(name)) = node(col) else {
                continue;
            };
            let l = Col {
                owner: Owner::Search(vec![left.clone()]),
                name: name.sval.clone(),
            };
            let r = Col {
                owner: Owner::Search(vec![right.clone()]),
                name: name.sval.clone(),
            };
            self.reads.push(l.clone());
            self.reads.push(r.clone());
            self.join_filter(l, r);
        }
    }

    fn join_filter(&mut self, a: Col, b: Col) {
        self.filters.push(Filter {
            col: a.clone(),
            op: FilterOp::Eq,
            value: Value::Columns(vec![b.clone()]),
        });
        self.filters.push(Filter {
            col: b,
            op: FilterOp::Eq,
            value: Value::Columns(vec![a]),
        });
    }

    // ─── Conditions ───

    fn condition(&mut self, cond: Option<&NodeEnum>, stack: Stack<'_>) {
        let Some(cond) = cond else { return };
        self.conjunct(cond, stack);
        self.expr_enum(cond, stack);
    }

    /// Records what an index could serve in one AND-conjunct (recursing into nested ANDs).
    fn conjunct(&mut self, cond: &NodeEnum, stack: Stack<'_>) {
        match cond {
            NodeEnum::BoolExpr(b) if b.boolop == BoolExprType::AndExpr as i32 => {
                for arg in &b.args {
                    if let Some(arg) = node(arg) {
                        self.conjunct(arg, stack);
                    }
                }
            }
            NodeEnum::BoolExpr(b) if b.boolop == BoolExprType::NotExpr as i32 => {
                if let [arg] = b.args.as_slice()
                    && let Some(NodeEnum::ColumnRef(c)) = node(arg)
                {
                    self.value_filter(c, FilterOp::Eq, Value::Bool(false), stack);
                }
            }
            NodeEnum::ColumnRef(c) => self.value_filter(c, FilterOp::Eq, Value::Bool(true), stack),
            NodeEnum::NullTest(t) if t.nulltesttype == NullTestType::IsNull as i32 => {
                if let Some(NodeEnum::ColumnRef(c)) = boxed(t.arg.as_deref()) {
                    self.value_filter(c, FilterOp::IsNull, Value::Opaque, stack);
                }
            }
            NodeEnum::BooleanTest(t) => {
                let value = match t.booltesttype {
                    v if v == BoolTestType::IsTrue as i32 => true,
                    v if v == BoolTestType::IsFalse as i32 => false,
                    _ => return,
                };
                if let Some(NodeEnum::ColumnRef(c)) = boxed(t.arg.as_deref()) {
                    self.value_filter(c, FilterOp::Eq, Value::Bool(value), stack);
                }
            }
            NodeEnum::AExpr(e) => self.comparison(e, stack),
            _ => {}
        }
    }

    fn comparison(&mut self, e: &AExpr, stack: Stack<'_>) {
        let op = operator(e);
        let kind = e.kind;
        let filter_op = if kind == AExprKind::AexprOp as i32 {
            match op.as_deref() {
                Some("=") => FilterOp::Eq,
                Some("<" | "<=" | ">" | ">=") => FilterOp::Range,
                _ => return,
            }
        } else if kind == AExprKind::AexprOpAny as i32 || kind == AExprKind::AexprIn as i32 {
            if op.as_deref() != Some("=") {
                return; // NOT IN, <> ANY
            }
            FilterOp::In
        } else if kind == AExprKind::AexprBetween as i32
            || kind == AExprKind::AexprBetweenSym as i32
        {
            FilterOp::Range
        } else {
            return;
        };
        let left = boxed(e.lexpr.as_deref());
        let right = boxed(e.rexpr.as_deref());
        if let Some(NodeEnum::ColumnRef(c)) = left {
            let value = Self::value(right, stack);
            self.value_filter(c, filter_op, value, stack);
        }
        // `$1 = col`, `$1 < col`: the column on the right (not for IN / ANY / BETWEEN).
        if kind == AExprKind::AexprOp as i32
            && let Some(NodeEnum::ColumnRef(c)) = right
        {
            let value = Self::value(left, stack);
            self.value_filter(c, filter_op, value, stack);
        }
    }

    fn value_filter(&mut self, c: &ColumnRef, op: FilterOp, value: Value, stack: Stack<'_>) {
        if let Some(col) = Self::column(c, stack) {
            self.filters.push(Filter { col, op, value });
        }
    }

    /// What the other side of a comparison is.
    fn value(n: Option<&NodeEnum>, stack: Stack<'_>) -> Value {
        match n {
            Some(NodeEnum::ParamRef(p)) => Value::Param(p.number),
            Some(NodeEnum::TypeCast(t)) => match boxed(t.arg.as_deref()) {
                Some(NodeEnum::ParamRef(p)) => Value::Param(p.number),
                other => Self::value(other, stack),
            },
            Some(NodeEnum::SubLink(_)) | None => Value::Opaque,
            Some(other) => {
                let mut refs = Vec::new();
                column_refs(other, &mut refs);
                let cols: Vec<Col> = refs.iter().filter_map(|c| Self::column(c, stack)).collect();
                if refs.is_empty() {
                    Value::Opaque
                } else {
                    Value::Columns(cols)
                }
            }
        }
    }

    // ─── Columns ───

    /// Resolves a column reference's qualifier; `None` for columns of derived items, stars and
    /// names that match nothing in scope.
    fn column(c: &ColumnRef, stack: Stack<'_>) -> Option<Col> {
        let names: Vec<&str> = c
            .fields
            .iter()
            .map(|f| match node(f) {
                Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        match names.as_slice() {
            [name] => Some(Col {
                owner: Owner::Search(stack.iter().map(|l| l.scans.clone()).collect()),
                name: (*name).to_owned(),
            }),
            [.., qualifier, name] => {
                let item = stack.iter().find_map(|l| l.lookup(qualifier))?;
                match item {
                    Item::Scan(i) => Some(Col {
                        owner: Owner::Scan(i),
                        name: (*name).to_owned(),
                    }),
                    Item::Derived => None,
                }
            }
            [] => None,
        }
    }

    /// Records the columns an expression reads (stars included) and walks its subqueries.
    fn expr(&mut self, n: &Node, stack: Stack<'_>) {
        if let Some(n) = node(n) {
            self.expr_enum(n, stack);
        }
    }

    fn expr_enum(&mut self, n: &NodeEnum, stack: Stack<'_>) {
        match n {
            NodeEnum::ColumnRef(c) => self.read(c, stack),
            NodeEnum::SubLink(s) => {
                if let Some(test) = s.testexpr.as_deref() {
                    self.expr(test, stack);
                }
                self.query(boxed(s.subselect.as_deref()), stack);
            }
            other => {
                for child in children(other) {
                    self.expr(child, stack);
                }
            }
        }
    }

    fn read(&mut self, c: &ColumnRef, stack: Stack<'_>) {
        let star = matches!(c.fields.last().and_then(node), Some(NodeEnum::AStar(_)));
        if !star {
            if let Some(col) = Self::column(c, stack) {
                self.reads.push(col);
            }
            return;
        }
        match c.fields.as_slice() {
            [_] => {
                if let Some(level) = stack.first() {
                    self.star_scans.extend(level.scans.iter().copied());
                }
            }
            [.., qualifier, _] => {
                if let Some(NodeEnum::String(q)) = node(qualifier)
                    && let Some(Item::Scan(i)) = stack.iter().find_map(|l| l.lookup(&q.sval))
                {
                    self.star_scans.push(i);
                }
            }
            [] => {}
        }
    }
}

/// The operator's name (`=`, `<`, …) when unqualified.
fn operator(e: &AExpr) -> Option<String> {
    match e.name.as_slice() {
        [n] => match node(n) {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The names (aliases or table names) a FROM subtree brings into scope.
fn collect_relnames(n: Option<&Node>, out: &mut Vec<String>) {
    match n.and_then(node) {
        Some(NodeEnum::RangeVar(r)) => out.push(
            r.alias
                .as_ref()
                .map_or_else(|| r.relname.clone(), |a| a.aliasname.clone()),
        ),
        Some(NodeEnum::JoinExpr(j)) => {
            collect_relnames(j.larg.as_deref(), out);
            collect_relnames(j.rarg.as_deref(), out);
        }
        _ => {}
    }
}

/// Column references in an expression, not descending into subqueries.
fn column_refs<'n>(n: &'n NodeEnum, out: &mut Vec<&'n ColumnRef>) {
    match n {
        NodeEnum::ColumnRef(c) => {
            if !matches!(c.fields.last().and_then(node), Some(NodeEnum::AStar(_))) {
                out.push(c);
            }
        }
        NodeEnum::SubLink(_) => {}
        other => {
            for child in children(other) {
                if let Some(child) = node(child) {
                    column_refs(child, out);
                }
            }
        }
    }
}

/// The sub-expressions of an expression node (the common kinds; others have none that
/// matter for indexing).
fn children(n: &NodeEnum) -> Vec<&Node> {
    fn opt(n: Option<&Node>) -> impl Iterator<Item = &Node> {
        n.into_iter()
    }
    match n {
        NodeEnum::AExpr(e) => opt(e.lexpr.as_deref())
            .chain(opt(e.rexpr.as_deref()))
            .collect(),
        NodeEnum::BoolExpr(b) => b.args.iter().collect(),
        NodeEnum::FuncCall(f) => f
            .args
            .iter()
            .chain(&f.agg_order)
            .chain(opt(f.agg_filter.as_deref()))
            .collect(),
        NodeEnum::TypeCast(t) => opt(t.arg.as_deref()).collect(),
        NodeEnum::NullTest(t) => opt(t.arg.as_deref()).collect(),
        NodeEnum::BooleanTest(t) => opt(t.arg.as_deref()).collect(),
        NodeEnum::CoalesceExpr(c) => c.args.iter().collect(),
        NodeEnum::MinMaxExpr(m) => m.args.iter().collect(),
        NodeEnum::CaseExpr(c) => opt(c.arg.as_deref())
            .chain(&c.args)
            .chain(opt(c.defresult.as_deref()))
            .collect(),
        NodeEnum::CaseWhen(w) => opt(w.expr.as_deref())
            .chain(opt(w.result.as_deref()))
            .collect(),
        NodeEnum::List(l) => l.items.iter().collect(),
        NodeEnum::RowExpr(r) => r.args.iter().collect(),
        NodeEnum::AArrayExpr(a) => a.elements.iter().collect(),
        NodeEnum::ResTarget(r) => opt(r.val.as_deref()).collect(),
        NodeEnum::SortBy(s) => opt(s.node.as_deref()).collect(),
        NodeEnum::AIndirection(i) => opt(i.arg.as_deref()).collect(),
        NodeEnum::CollateClause(c) => opt(c.arg.as_deref()).collect(),
        NodeEnum::GroupingSet(g) => g.content.iter().collect(),
        NodeEnum::NamedArgExpr(a) => opt(a.arg.as_deref()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
