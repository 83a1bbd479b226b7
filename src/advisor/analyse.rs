//! The advisor's run: statements → candidates → verification (or, without HypoPG, the
//! unverified choice) → picks, merged so that one index serves several statements.

use std::collections::HashMap;

use tokio_postgres::Client;

use super::candidates::{self, Candidate, QualConstant, Usage};
use super::catalog::{self, Statement, Table};
use super::parse::{self, ParseError, Parsed};
use super::rank::{self, Evaluation};
use super::suggest;
use super::verify::{Planned, Verifier};
use super::{Advice, AdviseError, AdviseOptions, hypopg_status, plan};
use crate::server::ServerInfo;

/// pg_stat_statements' text for statements of other roles this role may not see.
const HIDDEN_TEXT: &str = "<insufficient privilege>";
/// Statements read from pg_stat_statements per statement analysed.
const FETCH_FACTOR: usize = 4;

/// A statement with its candidates, ready to be planned.
pub struct Work {
    pub statement: Statement,
    /// The text to plan.
    pub sql: String,
    pub usages: Vec<Usage>,
    /// Per usage (same order), its candidates.
    pub candidates: Vec<Vec<Candidate>>,
}

/// A chosen index and the statements it was evaluated with.
#[derive(Debug, Clone)]
pub struct Pick {
    pub candidate: Candidate,
    pub evaluations: Vec<Evaluation>,
    pub size_bytes: Option<i64>,
}

pub async fn run(
    client: &Client,
    server: &ServerInfo,
    options: &AdviseOptions,
) -> Result<Advice, AdviseError> {
    // utility statements (VACUUM, COPY, DDL) crowd the top by total time: read more, keep the
    // first `max_statements` that are queries
    let fetch = options.max_statements.saturating_mul(FETCH_FACTOR);
    let (statements, seconds) = catalog::statements(client, server, fetch)
        .await
        .map_err(AdviseError::Query)?;
    let mut skipped = Vec::new();
    let heavy = statements
        .into_iter()
        .filter(|s| s.share >= options.min_share)
        .collect();
    let parsed = parse_all(heavy, options.max_statements, &mut skipped);
    let scans: Vec<parse::Scan> = parsed.iter().flat_map(|(_, p)| p.scans.clone()).collect();
    let oids = catalog::resolve(client, &scans)
        .await
        .map_err(AdviseError::Query)?;
    let mut distinct: Vec<u32> = oids.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut tables = catalog::tables(client, &distinct)
        .await
        .map_err(AdviseError::Query)?;
    if let Some(rates) = &options.table_writes {
        for t in &mut tables {
            t.writes_per_sec = rates.get(&i64::from(t.oid)).copied();
        }
    }
    let locked = crate::collect::locked_relations(client)
        .await
        .unwrap_or_default();
    let constants = if server.installed_version("pg_qualstats").is_some() {
        let ids: Vec<i64> = parsed.iter().map(|(s, _)| s.queryid).collect();
        catalog::qual_constants(client, &distinct, &ids)
            .await
            .unwrap_or_default()
    } else {
        HashMap::new()
    };
    let context = Context {
        tables: &tables,
        locked: &locked,
        constants: &constants,
    };
    let work = context.work(parsed, &oids, &mut skipped);
    let (reason, create_extension) = hypopg_status(server);
    let mut verifier = Verifier::new(client, server.version_num);
    let picks = if reason.is_none() {
        let picks = verified(&mut verifier, &work, &tables, options, &mut skipped).await;
        verifier.reset().await.map_err(AdviseError::Query)?;
        picks
    } else {
        unverified(&mut verifier, &work, &tables, &mut skipped).await
    };
    let drafts = suggest::build(&picks, &work, &tables, seconds, reason.as_deref());
    let suggestions = suggest::name(client, drafts)
        .await
        .map_err(AdviseError::Query)?;
    // Without a candidate there was nothing to verify: no blind spot to report.
    let nothing_to_verify = work.is_empty();
    Ok(Advice {
        suggestions,
        unverified_reason: reason.filter(|_| !nothing_to_verify),
        skipped,
        create_extension,
    })
}

/// Parses the statements, heaviest first, until `limit` are queries; those that are no query
/// (COMMIT, VACUUM, INSERT … VALUES) are dropped quietly, the others that fail are skipped
/// with the reason.
fn parse_all(
    statements: Vec<Statement>,
    limit: usize,
    skipped: &mut Vec<(i64, String)>,
) -> Vec<(Statement, Parsed)> {
    let mut out = Vec::new();
    for s in statements {
        if out.len() >= limit {
            break;
        }
        if s.query == HIDDEN_TEXT {
            skipped.push((
                s.queryid,
                "its text is hidden from this role (pg_read_all_stats or pg_monitor shows it)"
                    .to_owned(),
            ));
            continue;
        }
        match parse::parse(&s.query) {
            Ok(p) => out.push((s, p)),
            Err(ParseError::NotAQuery) => {}
            Err(e) => skipped.push((s.queryid, e.to_string())),
        }
    }
    out
}

struct Context<'a> {
    tables: &'a [Table],
    locked: &'a [u32],
    constants: &'a HashMap<i64, Vec<QualConstant>>,
}

impl Context<'_> {
    fn table(&self, oid: u32) -> Option<&Table> {
        self.tables.iter().find(|t| t.oid == oid)
    }

    /// The statements that have candidates, with them.
    fn work(
        &self,
        parsed: Vec<(Statement, Parsed)>,
        oids: &[Option<u32>],
        skipped: &mut Vec<(i64, String)>,
    ) -> Vec<Work> {
        let mut out = Vec::new();
        let mut offset = 0;
        for (statement, p) in parsed {
            let scan_oids = &oids[offset..offset + p.scans.len()];
            offset += p.scans.len();
            let tables: Vec<Option<&Table>> = scan_oids
                .iter()
                .map(|o| o.and_then(|o| self.table(o)))
                .collect();
            if let Some(t) = tables
                .iter()
                .flatten()
                .find(|t| self.locked.contains(&t.oid))
            {
                skipped.push((
                    statement.queryid,
                    format!(
                        "{}.{} is locked (ACCESS EXCLUSIVE held or awaited): not planned",
                        t.schema, t.name
                    ),
                ));
                continue;
            }
            if let Some(t) = tables.iter().flatten().find(|t| t.kind == 'p') {
                skipped.push((
                    statement.queryid,
                    format!(
                        "{}.{} is partitioned: index its partitions (CREATE INDEX CONCURRENTLY \
                         cannot build on a partitioned table)",
                        t.schema, t.name
                    ),
                ));
            }
            let indexable: Vec<Option<&Table>> = tables
                .iter()
                .map(|t| t.filter(|t| matches!(t.kind, 'r' | 'm')))
                .collect();
            let usages = candidates::usage(&p, &indexable);
            let seen = self
                .constants
                .get(&statement.queryid)
                .map_or(&[][..], Vec::as_slice);
            let cands: Vec<Vec<Candidate>> = usages
                .iter()
                .map(|u| {
                    self.table(u.table)
                        .map(|t| candidates::candidates(u, t, seen))
                        .unwrap_or_default()
                })
                .collect();
            if cands.iter().all(Vec::is_empty) {
                continue;
            }
            out.push(Work {
                statement,
                sql: p.plan_sql,
                usages,
                candidates: cands,
            });
        }
        out
    }
}

/// The CREATE INDEX statement HypoPG is given (no CONCURRENTLY, no name).
fn hypothetical(c: &Candidate, table: &Table) -> String {
    format!("CREATE INDEX {}", suggest::definition(c, table))
}

fn evaluation(
    statement: usize,
    before: &Planned,
    after: Option<&Planned>,
    used: bool,
) -> Evaluation {
    Evaluation {
        statement,
        cost_before: before.cost,
        cost_after: after.map_or(f64::NAN, |a| a.cost),
        plan_before: before.text.clone(),
        plan_after: after.map(|a| a.text.clone()).unwrap_or_default(),
        used,
        share: 1.0,
    }
}

/// Plans statement `index` of `work` with candidate `c` (a partial candidate with the
/// statement's parameter replaced by its constant).
async fn evaluate(
    verifier: &mut Verifier<'_>,
    work: &[Work],
    index: usize,
    c: &Candidate,
    table: &Table,
) -> Result<(Evaluation, Option<i64>), String> {
    let w = &work[index];
    let (sql, share) = match c.partial.as_ref() {
        Some(p) => match &p.substitute {
            Some((param, literal)) => (
                parse::substitute_param(&w.sql, *param, literal)
                    .ok_or("the parameter to substitute is not in the statement")?,
                p.share,
            ),
            None => (w.sql.clone(), p.share),
        },
        None => (w.sql.clone(), 1.0),
    };
    let before = verifier.baseline(&sql).await?;
    let after = verifier.with_index(&hypothetical(c, table), &sql).await?;
    let mut e = evaluation(index, &before, Some(&after.planned), after.used);
    e.share = share;
    Ok((e, after.size_bytes))
}

async fn verified(
    verifier: &mut Verifier<'_>,
    work: &[Work],
    tables: &[Table],
    options: &AdviseOptions,
    skipped: &mut Vec<(i64, String)>,
) -> Vec<Pick> {
    let table = |oid: u32| tables.iter().find(|t| t.oid == oid);
    let mut picks: Vec<Pick> = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let before = match verifier.baseline(&w.sql).await {
            Ok(b) => b,
            Err(e) => {
                skipped.push((w.statement.queryid, format!("cannot be planned: {e}")));
                continue;
            }
        };
        for (u, cands) in w.usages.iter().zip(&w.candidates) {
            let Some(t) = table(u.table) else { continue };
            if rank::well_served(
                w.statement.mean_ms(),
                plan::reads_whole(&before.json, &t.name),
            ) {
                continue;
            }
            let mut evaluated = Vec::new();
            let mut sizes = Vec::new();
            let mut failed: Vec<String> = Vec::new();
            for c in cands {
                match evaluate(verifier, work, i, c, t).await {
                    Ok((_, size)) if rank::covering_too_large(c, size, t.pages) => {}
                    Ok((e, size)) => {
                        evaluated.push((c.clone(), e));
                        sizes.push(size);
                    }
                    Err(e) => failed.push(e),
                }
            }
            if let Some(first) = failed.first() {
                skipped.push((
                    w.statement.queryid,
                    format!(
                        "{} of {} candidates on {}.{} could not be planned: {first}",
                        failed.len(),
                        cands.len(),
                        t.schema,
                        t.name
                    ),
                ));
            }
            if let Some(b) = rank::best(&evaluated, options.min_reduction) {
                let (c, e) = evaluated.swap_remove(b);
                add_pick(&mut picks, c, e, sizes[b]);
            }
        }
    }
    merge_verified(verifier, work, tables, options, picks).await
}

fn add_pick(picks: &mut Vec<Pick>, c: Candidate, e: Evaluation, size: Option<i64>) {
    if let Some(p) = picks.iter_mut().find(|p| p.candidate.same_index(&c)) {
        if !p.evaluations.iter().any(|x| x.statement == e.statement) {
            p.evaluations.push(e);
        }
        return;
    }
    picks.push(Pick {
        candidate: c,
        evaluations: vec![e],
        size_bytes: size,
    });
}

/// Replaces two picks by one index wherever it keeps both's benefit (re-verified on every
/// statement of both), until no pair merges.
async fn merge_verified(
    verifier: &mut Verifier<'_>,
    work: &[Work],
    tables: &[Table],
    options: &AdviseOptions,
    mut picks: Vec<Pick>,
) -> Vec<Pick> {
    let mut tried: Vec<Candidate> = Vec::new();
    'again: loop {
        for i in 0..picks.len() {
            for j in i + 1..picks.len() {
                let Some(m) = rank::merged(&picks[i].candidate, &picks[j].candidate) else {
                    continue;
                };
                if tried.iter().any(|t| t.same_index(&m)) {
                    continue;
                }
                tried.push(m.clone());
                let Some(t) = tables.iter().find(|t| t.oid == m.table) else {
                    continue;
                };
                let own = per_statement(picks[i].evaluations.iter().chain(&picks[j].evaluations));
                let mut evals = Vec::new();
                let mut size = None;
                for o in &own {
                    if let Ok((e, s)) = evaluate(verifier, work, o.statement, &m, t).await {
                        evals.push(e);
                        size = s;
                    }
                }
                if rank::merge_keeps(&own, &evals, options.min_reduction)
                    && !rank::covering_too_large(&m, size, t.pages)
                {
                    picks.swap_remove(j);
                    picks.swap_remove(i);
                    picks.push(Pick {
                        candidate: m,
                        evaluations: evals,
                        size_bytes: size,
                    });
                    continue 'again;
                }
            }
        }
        return picks;
    }
}

/// One evaluation per statement, the one with the larger reduction (a self-join can pick two
/// indexes on the same table for one statement).
fn per_statement<'a>(evaluations: impl Iterator<Item = &'a Evaluation>) -> Vec<Evaluation> {
    let mut out: Vec<Evaluation> = Vec::new();
    for e in evaluations {
        match out.iter_mut().find(|o| o.statement == e.statement) {
            Some(o) if o.reduction() < e.reduction() => *o = e.clone(),
            Some(_) => {}
            None => out.push(e.clone()),
        }
    }
    out
}

/// Without HypoPG: for every table a statement reads whole, its widest plain candidate,
/// merged by shared leading keys. Nothing is claimed about the plan after.
async fn unverified(
    verifier: &mut Verifier<'_>,
    work: &[Work],
    tables: &[Table],
    skipped: &mut Vec<(i64, String)>,
) -> Vec<Pick> {
    let mut picks: Vec<Pick> = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let before = match verifier.baseline(&w.sql).await {
            Ok(b) => b,
            Err(e) => {
                skipped.push((w.statement.queryid, format!("cannot be planned: {e}")));
                continue;
            }
        };
        for (u, cands) in w.usages.iter().zip(&w.candidates) {
            let Some(t) = tables.iter().find(|t| t.oid == u.table) else {
                continue;
            };
            if !plan::reads_whole(&before.json, &t.name) {
                continue; // already reached through an index (or not at all)
            }
            let widest = cands
                .iter()
                .filter(|c| c.partial.is_none() && c.include.is_empty())
                .max_by_key(|c| (c.keys.len(), c.shape));
            if let Some(c) = widest {
                let e = evaluation(i, &before, None, false);
                add_pick(&mut picks, c.clone(), e, None);
            }
        }
    }
    merge_unverified(picks)
}

fn merge_unverified(mut picks: Vec<Pick>) -> Vec<Pick> {
    'again: loop {
        for i in 0..picks.len() {
            for j in i + 1..picks.len() {
                if let Some(m) = rank::merged(&picks[i].candidate, &picks[j].candidate) {
                    let b = picks.swap_remove(j);
                    let a = picks.swap_remove(i);
                    let mut evaluations = a.evaluations;
                    for e in b.evaluations {
                        if !evaluations.iter().any(|x| x.statement == e.statement) {
                            evaluations.push(e);
                        }
                    }
                    picks.push(Pick {
                        candidate: m,
                        evaluations,
                        size_bytes: None,
                    });
                    continue 'again;
                }
            }
        }
        return picks;
    }
}
