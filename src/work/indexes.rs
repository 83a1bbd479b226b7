//! The Indexes pane's on-demand work, each on a session of its own: "what if I drop it?"
//! (re-plans with the index hidden by HypoPG), the re-check before a CREATE INDEX, the search
//! for a failed build's invalid leftover, the follow-up of a new index (re-planned, then
//! timed), and writing a review's files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::{Client, Row};

use crate::advisor::Helped;
use crate::app::indexes::{IndexesEvent, SavedReview};
use crate::app::msg::Msg;
use crate::collect::indexes::read_definitions;
use crate::conn::{self, ConnParams};
use crate::diagnose::indexes::IndexRef;
use crate::diagnose::indexes::fix::{Fix, already_there};
use crate::diagnose::indexes::plans::{
    DropCheck, Followed, Followup, PlanSummary, Replanned, Statement, hiding_support, mean_between,
    summarize,
};
use crate::explain::generic::generic_plan;
use crate::quote::ident;
use crate::review::{Review, migration, report};
use crate::server::{extension_version_num, versioned};
use crate::snapshot::Part;
use crate::work::WorkContext;

const CONTEXT: &str = include_str!("indexes_work_context.sql");
const BY_NAME: &str = include_str!("indexes_by_name.sql");
/// pg_stat_statements' heaviest statements (or some by queryid), by installed version.
const STATEMENTS: &[(u32, &str)] = &[
    (0, include_str!("indexes_statements_pgss_1_0.sql")),
    (108, include_str!("indexes_statements_pgss_1_8.sql")),
];
/// The heaviest statements on a table that "what if I drop it?" re-plans.
const REPLANS: usize = 5;
/// Read-only and bounded: re-planning changes nothing, and must not queue behind DDL.
const SETTINGS: &[(&str, &str)] = &[
    ("statement_timeout", "30s"),
    ("lock_timeout", "2s"),
    ("default_transaction_read_only", "on"),
];

/// A piece of the Indexes pane's work.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexesRequest {
    WhatIfDrop(IndexRef),
    Recheck(Box<Fix>),
    Leftover {
        target: String,
        schema: String,
        name: String,
    },
    Followup {
        index: String,
        helps: Vec<Helped>,
        interval: Duration,
    },
    SaveReview(Box<Review>),
}

/// Starts the task for `request`.
pub fn spawn(request: IndexesRequest, context: &WorkContext) {
    let params = context.params.clone();
    let tx = context.tx.clone();
    tokio::spawn(async move { run(request, &params, &tx).await });
}

fn send(tx: &UnboundedSender<Msg>, event: IndexesEvent) {
    let _ = tx.send(Msg::Indexes(Box::new(event)));
}

/// Carries out `request` on a session of its own, reporting through `tx`.
pub async fn run(request: IndexesRequest, params: &ConnParams, tx: &UnboundedSender<Msg>) {
    if let IndexesRequest::SaveReview(review) = request {
        let saved = tokio::task::spawn_blocking(move || save_review(&review, &review_dir()))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        send(tx, IndexesEvent::Saved(saved));
        return;
    }
    let client = crate::work::connect(params, SETTINGS)
        .await
        .map_err(|e| e.to_string());
    match request {
        IndexesRequest::WhatIfDrop(index) => {
            let check = match &client {
                Ok(client) => what_if_drop(client, &index).await,
                Err(e) => Err(e.clone()),
            };
            send(
                tx,
                IndexesEvent::DropCheck {
                    index_oid: index.oid,
                    check,
                },
            );
        }
        IndexesRequest::Recheck(fix) => {
            let verdict = match &client {
                Ok(client) => recheck(client, &fix).await,
                Err(e) => Err(e.clone()),
            };
            send(tx, IndexesEvent::Recheck { fix, verdict });
        }
        IndexesRequest::Leftover {
            target,
            schema,
            name,
        } => {
            let leftover = match &client {
                Ok(client) => leftover(client, &schema, &name).await,
                Err(e) => Err(e.clone()),
            };
            send(tx, IndexesEvent::Leftover { target, leftover });
        }
        IndexesRequest::Followup {
            index,
            helps,
            interval,
        } => {
            if let Ok(client) = &client {
                follow_up(client, &index, &helps, interval, tx).await;
            }
        }
        IndexesRequest::SaveReview(_) => {}
    }
}

/// What the server offers for re-planning.
struct Context {
    hiding: Result<String, String>,
    pgss: Option<u32>,
    version_num: u32,
}

async fn context(client: &Client) -> Part<Context> {
    let row = client
        .query_one(CONTEXT, &[])
        .await
        .map_err(|e| conn::describe(&e))?;
    let get = |row: &Row| -> Result<Context, tokio_postgres::Error> {
        let installed: Option<String> = row.try_get("hypopg")?;
        let available: Option<String> = row.try_get("hypopg_available")?;
        let schema: Option<String> = row.try_get("hypopg_schema")?;
        let hiding = hiding_support(
            installed.as_deref(),
            row.try_get("can_hide")?,
            available.as_deref(),
        )
        .map(|()| schema.unwrap_or_default());
        let pgss: Option<String> = row.try_get("pgss")?;
        Ok(Context {
            hiding,
            pgss: pgss.as_deref().and_then(extension_version_num),
            version_num: u32::try_from(row.try_get::<_, i32>("version_num")?).unwrap_or(0),
        })
    };
    get(&row).map_err(|e| e.to_string())
}

/// "What if I drop it?": the heaviest statements on the index's table, planned as they are
/// and, where HypoPG can hide the index, without it. Nothing is dropped or invalidated.
pub async fn what_if_drop(client: &Client, index: &IndexRef) -> Part<DropCheck> {
    let ctx = context(client).await?;
    let mut check = DropCheck {
        index: index.name.clone(),
        table: format!("{}.{}", index.schema, index.table),
        hiding: ctx.hiding.clone().map(drop),
        statements: Vec::new(),
        no_statements: None,
    };
    let statements = match heaviest(client, &ctx, None).await {
        Ok(all) => all
            .into_iter()
            .filter(|s| touches(&s.query, &index.schema, &index.table))
            .take(REPLANS)
            .collect::<Vec<_>>(),
        Err(why) => {
            check.no_statements = Some(why);
            return Ok(check);
        }
    };
    let mut with = Vec::new();
    for s in &statements {
        with.push(plan(client, &s.query, ctx.version_num).await);
    }
    let without = match &ctx.hiding {
        Ok(schema) => {
            Some(plans_hidden(client, schema, index, &statements, ctx.version_num).await?)
        }
        Err(_) => None,
    };
    check.statements = statements
        .into_iter()
        .zip(with)
        .enumerate()
        .map(|(i, (statement, with_index))| Replanned {
            statement,
            with_index,
            without_index: without.as_ref().and_then(|w: &Vec<_>| w.get(i).cloned()),
        })
        .collect();
    Ok(check)
}

/// The statements planned with `index` hidden by HypoPG; it is shown again afterwards,
/// whatever happened.
async fn plans_hidden(
    client: &Client,
    schema: &str,
    index: &IndexRef,
    statements: &[Statement],
    version_num: u32,
) -> Part<Vec<Result<PlanSummary, String>>> {
    let oid = u32::try_from(index.oid).map_err(|e| e.to_string())?;
    let schema = ident(schema);
    let hide = format!("-- pgmedic: hide\nSELECT {schema}.hypopg_hide_index($1)\n-- pgmedic: end");
    let unhide =
        format!("-- pgmedic: unhide\nSELECT {schema}.hypopg_unhide_index($1)\n-- pgmedic: end");
    client
        .execute(hide.as_str(), &[&oid])
        .await
        .map_err(|e| conn::describe(&e))?;
    let mut plans = Vec::new();
    for s in statements {
        plans.push(plan(client, &s.query, version_num).await);
    }
    client
        .execute(unhide.as_str(), &[&oid])
        .await
        .map_err(|e| conn::describe(&e))?;
    Ok(plans)
}

/// The generic plan of a pg_stat_statements text, read as PostgreSQL would plan it (the
/// advisor's parser turns `interval $2` into `$2::interval`).
async fn plan(client: &Client, sql: &str, version_num: u32) -> Result<PlanSummary, String> {
    let sql = crate::advisor::parse::parse(sql).map_or_else(|_| sql.to_owned(), |p| p.plan_sql);
    let explained = generic_plan(client, &sql, version_num)
        .await
        .map_err(|e| e.to_string())?;
    summarize(&explained).ok_or_else(|| "unexpected EXPLAIN output".to_owned())
}

/// pg_stat_statements' heaviest statements of this database (or those of `queryids`).
async fn heaviest(
    client: &Client,
    ctx: &Context,
    queryids: Option<&[i64]>,
) -> Part<Vec<Statement>> {
    let Some(version) = ctx.pgss else {
        return Err(
            "pg_stat_statements is not created in this database: without it pgmedic cannot \
             tell which statements use the table (CREATE EXTENSION pg_stat_statements)"
                .to_owned(),
        );
    };
    let sql = versioned(STATEMENTS, version).unwrap_or(STATEMENTS[0].1);
    let ids: Option<Vec<i64>> = queryids.map(<[i64]>::to_vec);
    let rows = client
        .query(sql, &[&ids])
        .await
        .map_err(|e| conn::describe(&e))?;
    rows.iter()
        .map(|r| {
            let calls: i64 = r.try_get("calls")?;
            let total_ms: f64 = r.try_get("total_ms")?;
            Ok(Statement {
                queryid: r.try_get("queryid")?,
                query: r.try_get("query")?,
                calls,
                total_ms,
                mean_ms: if calls > 0 {
                    total_ms / calls as f64
                } else {
                    0.0
                },
            })
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(|e| e.to_string())
}

/// The statement reads `schema.table` (or `table`) in a way an index can serve: a SELECT, an
/// UPDATE, DELETE or MERGE of it, or an INSERT that selects from it; as PostgreSQL's parser
/// reads it. DDL and other utility statements are never re-planned.
#[must_use]
pub fn touches(sql: &str, schema: &str, table: &str) -> bool {
    crate::sql_tree::with_tree(sql, |parsed| {
        parsed.is_ok_and(|parsed| reads_table(&parsed, schema, table))
    })
    .unwrap_or(false)
}

fn reads_table(parsed: &pg_query::ParseResult, schema: &str, table: &str) -> bool {
    let types = parsed.statement_types();
    let plannable = [
        "SelectStmt",
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "MergeStmt",
    ];
    if types.is_empty() || !types.iter().all(|t| plannable.contains(t)) {
        return false;
    }
    let qualified = format!("{schema}.{table}");
    let names = |list: Vec<String>| list.iter().any(|t| t == table || *t == qualified);
    if types.iter().all(|t| *t == "InsertStmt") {
        names(parsed.select_tables())
    } else {
        names(parsed.tables())
    }
}

async fn recheck(client: &Client, fix: &Fix) -> Part<Option<String>> {
    let Some(new) = &fix.new_index else {
        return Ok(None);
    };
    let existing = read_definitions(client).await?;
    Ok(already_there(new, &existing))
}

async fn leftover(client: &Client, schema: &str, name: &str) -> Part<Option<IndexRef>> {
    let row = client
        .query_opt(BY_NAME, &[&schema, &name])
        .await
        .map_err(|e| conn::describe(&e))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let decode = || -> Result<IndexRef, tokio_postgres::Error> {
        Ok(IndexRef {
            oid: row.try_get("index_oid")?,
            schema: schema.to_owned(),
            table: row.try_get("table_name")?,
            name: name.to_owned(),
            definition: row.try_get("definition")?,
            valid: row.try_get("is_valid")?,
            ..IndexRef::default()
        })
    };
    decode().map(Some).map_err(|e| e.to_string())
}

/// Re-plans the statements a new index was for (sent at once), then times them over
/// `interval` (sent again, measured).
pub async fn follow_up(
    client: &Client,
    index: &str,
    helps: &[Helped],
    interval: Duration,
    tx: &UnboundedSender<Msg>,
) {
    let Ok(ctx) = context(client).await else {
        return;
    };
    let ids: Vec<i64> = helps.iter().map(|h| h.queryid).collect();
    let before = heaviest(client, &ctx, Some(&ids)).await.unwrap_or_default();
    let mut statements = Vec::new();
    for h in helps {
        statements.push(Followed {
            queryid: h.queryid,
            query: h.query.clone(),
            mean_before_ms: h.mean_ms,
            cost_before: h.cost_before,
            plan_now: plan(client, &h.query, ctx.version_num).await,
            calls_after: None,
            mean_after_ms: None,
        });
    }
    let mut followup = Followup {
        index: index.to_owned(),
        statements,
        measured_over: None,
    };
    send(tx, IndexesEvent::Followup(followup.clone()));
    tokio::time::sleep(interval).await;
    let after = heaviest(client, &ctx, Some(&ids)).await.unwrap_or_default();
    for s in &mut followup.statements {
        let sample = |list: &[Statement]| {
            list.iter()
                .find(|x| x.queryid == s.queryid)
                .map_or((0, 0.0), |x| (x.calls, x.total_ms))
        };
        let measured = mean_between(sample(&before), sample(&after));
        s.calls_after = Some(measured.map_or(0, |(calls, _)| calls));
        s.mean_after_ms = measured.map(|(_, mean)| mean);
    }
    followup.measured_over = Some(interval.as_secs_f64());
    send(tx, IndexesEvent::Followup(followup));
}

/// Where review files go: `$PGMEDIC_REVIEW_DIR`, else the working directory.
fn review_dir() -> PathBuf {
    std::env::var_os("PGMEDIC_REVIEW_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Writes the migration and the report into `dir` under names that never overwrite a file.
pub fn save_review(review: &Review, dir: &Path) -> Part<SavedReview> {
    let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let stamp: String = now.chars().filter(char::is_ascii_alphanumeric).collect();
    let database: String = review
        .database
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let base = dir.join(format!("pgmedic-review-{database}-{stamp}"));
    let migration_path = base.with_extension("sql");
    let report_path = base.with_extension("md");
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (migration_path, report_path) = (absolute(&migration_path), absolute(&report_path));
    write_new(&migration_path, &migration::render(review, &now))?;
    let report = report::render(review, &now, &migration_path.display().to_string());
    write_new(&report_path, &report)?;
    Ok(SavedReview {
        migration: migration_path,
        report: report_path,
    })
}

fn write_new(path: &Path, text: &str) -> Part<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::touches;

    #[test]
    fn only_plannable_statements_that_read_the_table_count() {
        assert!(touches("SELECT * FROM w WHERE b = $1", "public", "w"));
        assert!(touches(
            "SELECT * FROM public.w JOIN v USING (id)",
            "public",
            "w"
        ));
        assert!(touches("UPDATE w SET a = $1 WHERE b = $2", "public", "w"));
        assert!(touches("DELETE FROM w WHERE b = $1", "public", "w"));
        assert!(touches(
            "INSERT INTO v SELECT * FROM w WHERE b = $1",
            "public",
            "w"
        ));
        assert!(!touches("INSERT INTO w VALUES ($1, $2)", "public", "w"));
        assert!(!touches(
            "INSERT INTO w SELECT g FROM generate_series($1, $2) g",
            "public",
            "w"
        ));
        assert!(!touches("CREATE INDEX w_b ON w (b)", "public", "w"));
        assert!(!touches("SELECT * FROM other.w", "public", "w"));
        assert!(!touches("SELECT * FROM ww", "public", "w"));
        assert!(!touches("not sql", "public", "w"));
    }
}
