//! Plans statements with and without hypothetical indexes (HypoPG) on the advisor's own
//! session. A hypothetical index lives only in this backend and survives ROLLBACK, so every
//! check runs in the order HypoPG needs — create the hypothetical index, then plan (PREPARE,
//! EXPLAIN, DEALLOCATE), then reset — and the index is reset whether planning worked or not.

use std::collections::HashMap;

use serde_json::Value;
use tokio_postgres::Client;

use super::plan;
use crate::explain::generic::generic_plan;

const HYPOPG_CREATE: &str = include_str!("hypopg_create.sql");
const HYPOPG_SIZE: &str = include_str!("hypopg_size.sql");
const HYPOPG_RESET: &str = include_str!("hypopg_reset.sql");

/// A statement's generic plan, as far as the advisor needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub cost: f64,
    pub text: String,
    pub json: Value,
}

/// The same statement planned with a hypothetical index.
#[derive(Debug, Clone, PartialEq)]
pub struct WithIndex {
    pub planned: Planned,
    /// The plan scans the hypothetical index.
    pub used: bool,
    /// HypoPG's estimate of the index's size.
    pub size_bytes: Option<i64>,
}

/// Plans statements on one dedicated session, caching the plans without hypothetical indexes.
pub struct Verifier<'c> {
    client: &'c Client,
    version_num: u32,
    baselines: HashMap<String, Result<Planned, String>>,
}

impl<'c> Verifier<'c> {
    #[must_use]
    pub fn new(client: &'c Client, version_num: u32) -> Self {
        Self {
            client,
            version_num,
            baselines: HashMap::new(),
        }
    }

    /// The generic plan of `sql` as the server plans it now.
    pub async fn baseline(&mut self, sql: &str) -> Result<Planned, String> {
        if let Some(known) = self.baselines.get(sql) {
            return known.clone();
        }
        let planned = self.plan(sql).await;
        self.baselines.insert(sql.to_owned(), planned.clone());
        planned
    }

    async fn plan(&self, sql: &str) -> Result<Planned, String> {
        let json = generic_plan(self.client, sql, self.version_num)
            .await
            .map_err(|e| e.to_string())?;
        let cost = plan::total_cost(&json).ok_or("EXPLAIN gave no total cost")?;
        Ok(Planned {
            cost,
            text: plan::text(&json),
            json,
        })
    }

    /// The generic plan of `sql` with the hypothetical index `create_index` (a CREATE INDEX
    /// statement without CONCURRENTLY or a name) added; the index is gone again afterwards.
    pub async fn with_index(&self, create_index: &str, sql: &str) -> Result<WithIndex, String> {
        let row = self
            .client
            .query_one(HYPOPG_CREATE, &[&create_index])
            .await
            .map_err(|e| crate::conn::describe(&e));
        let outcome = match row {
            Ok(row) => self.plan_with(&row, sql).await,
            Err(e) => Err(e),
        };
        let reset = self.reset().await;
        let outcome = outcome?;
        reset?;
        Ok(outcome)
    }

    async fn plan_with(&self, row: &tokio_postgres::Row, sql: &str) -> Result<WithIndex, String> {
        let oid: i64 = row.try_get("oid").map_err(|e| e.to_string())?;
        let name: String = row.try_get("name").map_err(|e| e.to_string())?;
        let planned = self.plan(sql).await?;
        let oid = u32::try_from(oid).map_err(|e| e.to_string())?;
        let size_bytes = self
            .client
            .query_one(HYPOPG_SIZE, &[&oid])
            .await
            .ok()
            .and_then(|r| r.try_get("bytes").ok());
        Ok(WithIndex {
            used: plan::uses_index(&planned.json, &name),
            planned,
            size_bytes,
        })
    }

    /// Drops every hypothetical index of the session.
    pub async fn reset(&self) -> Result<(), String> {
        self.client
            .execute(HYPOPG_RESET, &[])
            .await
            .map(drop)
            .map_err(|e| crate::conn::describe(&e))
    }
}
