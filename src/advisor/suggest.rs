//! Picks become suggestions: quoted SQL, generated unique names, the evidence per statement,
//! and the estimated time saved, best first.

use std::fmt::Write as _;

use tokio_postgres::Client;

use super::analyse::{Pick, Work};
use super::candidates::Candidate;
use super::catalog::{self, Table};
use super::rank::{self, Load};
use super::{Helped, Suggestion};
use crate::quote::{ident, qualified};

/// PostgreSQL's longest identifier, in bytes.
const MAX_NAME_BYTES: usize = 63;
/// Numbered variants tried when a generated name is taken.
const NAME_VARIANTS: usize = 20;
/// Counting less than this is too short a time to speak of per-hour rates.
const MIN_SECONDS: f64 = 60.0;

/// The index after `CREATE INDEX [CONCURRENTLY name]`: `ON "s"."t" USING btree (…) …`.
#[must_use]
pub fn definition(c: &Candidate, table: &Table) -> String {
    let keys: Vec<String> = c.keys.iter().map(super::candidates::Key::sql).collect();
    let mut sql = format!(
        "ON {} USING btree ({})",
        qualified(&table.schema, &table.name),
        keys.join(", ")
    );
    if !c.include.is_empty() {
        let include: Vec<String> = c.include.iter().map(|i| ident(i)).collect();
        let _ = write!(sql, " INCLUDE ({})", include.join(", "));
    }
    if let Some(p) = &c.partial {
        let _ = write!(sql, " WHERE {}", p.predicate);
    }
    sql
}

/// Suggestions from picks, best (most time saved) first; names and SQL come from [`name`].
pub fn build(
    picks: &[Pick],
    work: &[Work],
    tables: &[Table],
    seconds: f64,
    unverified: Option<&str>,
) -> Vec<Draft> {
    let hours = seconds.max(MIN_SECONDS) / 3600.0;
    let mut out: Vec<Draft> = picks
        .iter()
        .filter_map(|p| {
            let table = tables.iter().find(|t| t.oid == p.candidate.table)?;
            Some(Draft {
                suggestion: suggestion(p, work, table, hours, unverified),
                base_name: base_name(&p.candidate, &table.name),
                definition: definition(&p.candidate, table),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.suggestion
            .saving_ms_per_hour
            .total_cmp(&a.suggestion.saving_ms_per_hour)
    });
    out
}

fn suggestion(
    pick: &Pick,
    work: &[Work],
    table: &Table,
    hours: f64,
    unverified: Option<&str>,
) -> Suggestion {
    let c = &pick.candidate;
    let helps: Vec<Helped> = pick
        .evaluations
        .iter()
        .map(|e| {
            let s = &work[e.statement].statement;
            Helped {
                queryid: s.queryid,
                query: s.query.clone(),
                share_of_total_time: s.share,
                calls: s.calls,
                mean_ms: s.mean_ms(),
                cost_before: e.cost_before,
                cost_after: e.cost_after,
                plan_before: e.plan_before.clone(),
                plan_after: e.plan_after.clone(),
            }
        })
        .collect();
    let loads: Vec<(Load, &rank::Evaluation)> = pick
        .evaluations
        .iter()
        .map(|e| {
            let s = &work[e.statement].statement;
            let load = Load {
                calls_per_hour: s.calls as f64 / hours,
                mean_ms: s.mean_ms(),
            };
            (load, e)
        })
        .collect();
    let saving = match unverified {
        None => rank::saving_ms_per_hour(&loads, table.writes_per_sec.unwrap_or(0.0)),
        Some(_) => loads
            .iter()
            .map(|(l, _)| l.calls_per_hour * l.mean_ms)
            .sum(),
    };
    Suggestion {
        schema: table.schema.clone(),
        table: table.name.clone(),
        columns: c.keys.iter().map(super::candidates::Key::sql).collect(),
        include: c.include.iter().map(|i| ident(i)).collect(),
        predicate: c.partial.as_ref().map(|p| p.predicate.clone()),
        method: "btree".to_owned(),
        name: String::new(),
        create_sql: String::new(),
        rollback_sql: String::new(),
        helps,
        estimated_size_bytes: pick.size_bytes,
        verified: unverified.is_none(),
        table_writes_per_sec: table.writes_per_sec,
        saving_ms_per_hour: saving,
        note: note(c, unverified, saving),
    }
}

fn note(c: &Candidate, unverified: Option<&str>, saving: f64) -> Option<String> {
    let partial = c.partial.as_ref().map(|p| {
        let mut text = format!(
            "partial index: serves the statement when it runs with {} ({}",
            p.predicate, p.source
        );
        if p.substitute.is_some() {
            if let Some(share) = p.known_share {
                let _ = write!(text, ", {:.0} % of its calls", share * 100.0);
            }
            text.push_str(
                "); checked against the statement's plan for that value: a generic plan, \
                 where the value is a parameter, cannot use it",
            );
        } else {
            text.push(')');
        }
        text
    });
    let unverified = unverified.map(|reason| {
        format!("not verified: {reason}; the saving shown is the statements' whole time")
    });
    let writes = (saving <= 0.0).then(|| {
        "keeping it up to date on this write-heavy table costs more time than it saves".to_owned()
    });
    let parts: Vec<String> = [unverified, partial, writes]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(". "))
}

/// The base name of an index: `table_col1_col2_idx` (`_where_col` for a partial one), only
/// letters, digits and underscores, short enough to take a number.
#[must_use]
pub fn base_name(c: &Candidate, table: &str) -> String {
    let mut parts: Vec<&str> = vec![table];
    parts.extend(c.columns());
    if let Some(p) = &c.partial {
        parts.push("where");
        parts.push(&p.column);
    }
    let mut name: String = parts
        .join("_")
        .chars()
        .map(|ch| if ch.is_alphanumeric() { ch } else { '_' })
        .collect();
    // room for "_idx" and a two-digit number, in bytes (pop removes whole characters)
    while name.len() > MAX_NAME_BYTES - "_idx".len() - 2 {
        name.pop();
    }
    format!("{name}_idx")
}

/// A suggestion before its name is chosen: its generated base name and the definition the
/// CREATE INDEX statement ends with.
pub struct Draft {
    pub suggestion: Suggestion,
    pub base_name: String,
    pub definition: String,
}

/// Gives every suggestion a name not taken in its schema (nor by another suggestion) and
/// its CREATE INDEX CONCURRENTLY and rollback statements.
pub async fn name(client: &Client, drafts: Vec<Draft>) -> Result<Vec<Suggestion>, String> {
    let mut used: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(drafts.len());
    for Draft {
        mut suggestion,
        base_name,
        definition,
    } in drafts
    {
        let schema = suggestion.schema.clone();
        let options: Vec<String> = std::iter::once(base_name.clone())
            .chain((1..NAME_VARIANTS).map(|n| format!("{base_name}{n}")))
            .collect();
        let taken = catalog::taken_names(client, &schema, &options).await?;
        let chosen = options
            .into_iter()
            .find(|n| !taken.contains(n) && !used.iter().any(|(s, u)| *s == schema && u == n))
            .ok_or_else(|| format!("no free index name like {base_name} in schema {schema}"))?;
        suggestion.create_sql =
            format!("CREATE INDEX CONCURRENTLY {} {definition}", ident(&chosen));
        suggestion.rollback_sql = format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            qualified(&schema, &chosen)
        );
        suggestion.name.clone_from(&chosen);
        used.push((schema, chosen));
        out.push(suggestion);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisor::candidates::{Key, Partial, Shape};

    fn cand(keys: &[&str]) -> Candidate {
        Candidate {
            table: 1,
            keys: keys.iter().map(|k| Key::asc(k)).collect(),
            eq_len: keys.len(),
            shape: Shape::Equality,
            include: Vec::new(),
            partial: None,
        }
    }

    fn table(schema: &str, name: &str) -> Table {
        Table {
            oid: 1,
            schema: schema.into(),
            name: name.into(),
            kind: 'r',
            rows: 0.0,
            pages: 0,
            columns: Vec::new(),
            indexes: Vec::new(),
            writes_per_sec: None,
        }
    }

    #[test]
    fn definitions_quote_every_identifier() {
        let mut c = cand(&["we\"ird; col", "b"]);
        c.keys[1].desc = true;
        c.keys[1].nulls_first = true;
        c.include = vec!["x y".into()];
        c.partial = Some(Partial {
            column: "s".into(),
            predicate: "\"s\" = 'a''b'".into(),
            substitute: None,
            share: 1.0,
            known_share: Some(1.0),
            source: String::new(),
        });
        assert_eq!(
            definition(&c, &table("my schema", "t\"; DROP TABLE x; --")),
            r#"ON "my schema"."t""; DROP TABLE x; --" USING btree ("we""ird; col", "b" DESC) INCLUDE ("x y") WHERE "s" = 'a''b'"#
        );
    }

    #[test]
    fn a_partial_index_claims_a_share_of_the_calls_only_when_it_was_measured() {
        let mut c = cand(&["created_at"]);
        let partial = |known_share| Partial {
            column: "status".into(),
            predicate: "\"status\" = 'frozen'".into(),
            substitute: Some((1, "'frozen'".into())),
            share: 0.009,
            known_share,
            source: "pg_stats' most common values: 0.9 % of the rows".into(),
        };
        c.partial = Some(partial(None));
        let guessed = note(&c, None, 10.0).unwrap_or_default();
        assert!(!guessed.contains("of its calls"), "{guessed}");
        assert!(guessed.contains("0.9 % of the rows"), "{guessed}");
        assert!(guessed.contains("plan for that value"), "{guessed}");
        c.partial = Some(partial(Some(0.7)));
        let measured = note(&c, None, 10.0).unwrap_or_default();
        assert!(measured.contains(", 70 % of its calls)"), "{measured}");
    }

    #[test]
    fn names_are_plain_and_short() {
        assert_eq!(
            base_name(&cand(&["customer_id", "created_at"]), "orders"),
            "orders_customer_id_created_at_idx"
        );
        assert_eq!(base_name(&cand(&["a\"; b"]), "t t"), "t_t_a___b_idx");
        let long = "x".repeat(80);
        let name = base_name(&cand(&[&long]), "tablé");
        assert!(name.len() <= MAX_NAME_BYTES - 2, "{name}");
        assert!(name.starts_with("tablé_x") && name.ends_with("_idx"));
        let mut p = cand(&["created_at"]);
        p.partial = Some(Partial {
            column: "status".into(),
            predicate: String::new(),
            substitute: None,
            share: 1.0,
            known_share: Some(1.0),
            source: String::new(),
        });
        assert_eq!(base_name(&p, "jobs"), "jobs_created_at_where_status_idx");
    }
}
