//! pg_stat_statements texts, shared by the Overview and the Queries pane: reading texts is the
//! expensive part of pg_stat_statements (the whole text file is read), so each statement's
//! text is fetched once, kept while the statement lives, and pgmedic's own statements are
//! recognised by their marker and left out.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio_postgres::{Client, Row, Statement};

use crate::collect::overview::OWN_MARKER;
use crate::snapshot::{StatementKey, StatementText};

/// The texts of chosen statements, with their database and role names.
pub const STATEMENT_TEXTS: &str = include_str!("statement_texts.sql");
/// Evictions and the last reset (pg_stat_statements_info, 1.9+).
pub const STATEMENTS_INFO: &str = include_str!("statements_info.sql");

/// Texts already fetched, as `V` (the text itself, or the text with what is derived from it),
/// and the keys of pgmedic's own statements.
#[derive(Debug)]
pub struct TextCache<V> {
    texts: Arc<HashMap<StatementKey, V>>,
    own: HashSet<StatementKey>,
}

impl<V> Default for TextCache<V> {
    fn default() -> Self {
        Self {
            texts: Arc::new(HashMap::new()),
            own: HashSet::new(),
        }
    }
}

impl<V: Clone> TextCache<V> {
    #[must_use]
    pub fn get(&self, key: &StatementKey) -> Option<&V> {
        self.texts.get(key)
    }

    /// The statement is pgmedic's own.
    #[must_use]
    pub fn is_own(&self, key: &StatementKey) -> bool {
        self.own.contains(key)
    }

    /// How many of pgmedic's own statements are known.
    #[must_use]
    pub fn own_count(&self) -> usize {
        self.own.len()
    }

    /// Its text is known, or it is known to be pgmedic's own.
    #[must_use]
    pub fn knows(&self, key: &StatementKey) -> bool {
        self.texts.contains_key(key) || self.own.contains(key)
    }

    /// Every text, to hand to the app (shared: the next change copies the map only if the
    /// app still holds this one).
    #[must_use]
    pub fn shared(&self) -> Arc<HashMap<StatementKey, V>> {
        Arc::clone(&self.texts)
    }

    /// Fetches the texts of `keys` with `query` (statement_texts.sql), keeping each as
    /// `make(text)`, and learns which are pgmedic's own. A failed read is retried next time.
    pub async fn fetch(
        &mut self,
        client: &Client,
        query: &Statement,
        keys: &[StatementKey],
        mut make: impl FnMut(StatementText) -> V,
    ) {
        let wanted: HashSet<StatementKey> = keys.iter().copied().collect();
        let ids: Vec<i64> = keys.iter().map(|k| k.queryid).collect();
        let Ok(rows) = client.query(query, &[&ids]).await else {
            return;
        };
        let texts = Arc::make_mut(&mut self.texts);
        for row in rows {
            let Ok(Some(key)) = decode_key(&row) else {
                continue;
            };
            if !wanted.contains(&key) {
                continue;
            }
            let query: String = row.try_get("query").unwrap_or_default();
            if query.contains(OWN_MARKER) {
                self.own.insert(key);
                continue;
            }
            let name = |col: &str| {
                row.try_get::<_, Option<String>>(col)
                    .ok()
                    .flatten()
                    .unwrap_or_default()
            };
            let text = StatementText {
                query,
                database: name("datname"),
                role: name("rolname"),
            };
            texts.insert(key, make(text));
        }
    }

    /// Forgets the texts of statements no longer in pg_stat_statements.
    pub fn retain(&mut self, live: &HashSet<StatementKey>) {
        if self.texts.keys().any(|k| !live.contains(k)) {
            Arc::make_mut(&mut self.texts).retain(|k, _| live.contains(k));
        }
    }
}

/// The statement's key; `None` when the role may not see it (queryid is NULL then).
pub fn decode_key(row: &Row) -> Result<Option<StatementKey>, tokio_postgres::Error> {
    let queryid: Option<i64> = row.try_get("queryid")?;
    Ok(match queryid {
        Some(queryid) => Some(StatementKey {
            userid: row.try_get("userid")?,
            dbid: row.try_get("dbid")?,
            queryid,
        }),
        None => None,
    })
}
