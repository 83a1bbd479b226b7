//! Reads the Activity pane's snapshot on the monitoring session: every backend in one query,
//! then — only when some session waits for a lock — the contested locks and the names of the
//! relations they are on; replication slots and prepared transactions alongside.
//!
//! Cheap at max_connections sessions: pg_stat_activity once, pg_blocking_pids only for lock
//! waiters, pg_locks only when there are waiters, query texts cut server-side.

use std::collections::HashMap;

use tokio_postgres::{Client, Row, Statement};

use crate::collect::explain_failure;
use crate::server::{ServerInfo, versioned};
use crate::snapshot::Part;
use crate::snapshot::activity::{
    ActivitySnapshot, Lock, LockObject, PreparedXact, Session, SessionState, SlotHorizon,
};

/// Every backend, by server version (leader_pid arrived in 13, query_id in 14).
pub const SESSIONS: &[(u32, &str)] = &[
    (0, include_str!("activity_sessions.sql")),
    (130_000, include_str!("activity_sessions_v13.sql")),
    (140_000, include_str!("activity_sessions_v14.sql")),
];
/// The contested locks, by server version (pg_locks.waitstart arrived in 14).
pub const LOCKS: &[(u32, &str)] = &[
    (0, include_str!("activity_locks.sql")),
    (140_000, include_str!("activity_locks_v14.sql")),
];
pub const RELATIONS: &str = include_str!("activity_relations.sql");
pub const SLOTS: &str = include_str!("activity_slots.sql");
pub const PREPARED: &str = include_str!("activity_prepared.sql");
/// One backend's whole query text (the detail view), if the backend is still the same.
pub const FULL_QUERY: &str = include_str!("activity_query.sql");
/// Characters of each query the list carries (the detail view reads the whole text).
pub const QUERY_CHARS: i32 = 300;

/// The pane's statements, prepared once per session.
#[derive(Debug)]
pub struct Prepared {
    sessions: Statement,
    locks: Statement,
    relations: Statement,
    slots: Statement,
    two_phase: Statement,
}

impl Prepared {
    /// Prepares the statements for this server's version.
    pub async fn new(client: &Client, server: &ServerInfo) -> Result<Self, tokio_postgres::Error> {
        let have = server.version_num;
        let (sessions, locks, relations, slots, two_phase) = tokio::try_join!(
            client.prepare(versioned(SESSIONS, have).unwrap_or(SESSIONS[0].1)),
            client.prepare(versioned(LOCKS, have).unwrap_or(LOCKS[0].1)),
            client.prepare(RELATIONS),
            client.prepare(SLOTS),
            client.prepare(PREPARED),
        )?;
        Ok(Self {
            sessions,
            locks,
            relations,
            slots,
            two_phase,
        })
    }
}

/// The Activity collector's state: its statements, prepared on first use per session.
#[derive(Debug, Default)]
pub struct ActivityCollector {
    prepared: Option<Prepared>,
}

impl ActivityCollector {
    /// Forgets the prepared statements (a new session needs its own).
    pub fn restart(&mut self) {
        self.prepared = None;
    }

    /// Reads one snapshot, or why it could not be read.
    pub async fn collect(
        &mut self,
        client: &Client,
        server: &ServerInfo,
    ) -> Part<ActivitySnapshot> {
        if self.prepared.is_none() {
            match Prepared::new(client, server).await {
                Ok(prepared) => self.prepared = Some(prepared),
                Err(err) => return Err(explain_failure(client, &err).await),
            }
        }
        let Some(prepared) = &self.prepared else {
            return Err("the activity statements are not prepared".to_owned());
        };
        read(client, prepared).await
    }
}

async fn read(client: &Client, prepared: &Prepared) -> Part<ActivitySnapshot> {
    let (sessions, slots, prepared_xacts) = tokio::join!(
        client.query(&prepared.sessions, &[&QUERY_CHARS]),
        client.query(&prepared.slots, &[]),
        client.query(&prepared.two_phase, &[]),
    );
    let rows = match sessions {
        Ok(rows) => rows,
        Err(err) => return Err(explain_failure(client, &err).await),
    };
    let taken_at = match rows.first() {
        Some(row) => row.try_get("taken_at").map_err(unexpected)?,
        None => return Err("pg_stat_activity returned no rows".to_owned()),
    };
    let sessions = rows
        .iter()
        .map(decode_session)
        .collect::<Result<Vec<_>, _>>()
        .map_err(unexpected)?;
    let locks = if sessions.iter().any(Session::waits_for_lock) {
        read_locks(client, &prepared.locks).await
    } else {
        Ok(Vec::new())
    };
    let relations = match &locks {
        Ok(locks) => relation_names(client, &prepared.relations, locks).await,
        Err(_) => HashMap::new(),
    };
    Ok(ActivitySnapshot {
        taken_at,
        sessions,
        locks,
        relations,
        slots: decode_all(client, slots, decode_slot).await,
        prepared: decode_all(client, prepared_xacts, decode_prepared).await,
    })
}

async fn read_locks(client: &Client, statement: &Statement) -> Part<Vec<Lock>> {
    let rows = client.query(statement, &[]).await;
    decode_all(client, rows, decode_lock).await
}

/// Names of the relations of this database (or shared ones) the locks are on; a failure
/// (the catalog itself locked) leaves them to be shown by oid.
async fn relation_names(
    client: &Client,
    statement: &Statement,
    locks: &[Lock],
) -> HashMap<u32, String> {
    let mut oids: Vec<u32> = locks.iter().filter_map(|l| l.object.relation).collect();
    oids.sort_unstable();
    oids.dedup();
    if oids.is_empty() {
        return HashMap::new();
    }
    let Ok(rows) = client.query(statement, &[&oids]).await else {
        return HashMap::new();
    };
    rows.iter()
        .filter_map(|row| {
            let relid: i64 = row.try_get("relid").ok()?;
            let schema: String = row.try_get("schema").ok()?;
            let name: String = row.try_get("name").ok()?;
            Some((u32::try_from(relid).ok()?, format!("{schema}.{name}")))
        })
        .collect()
}

/// One backend's whole query, if it is still the backend that started at `backend_start`.
pub async fn full_query(
    client: &Client,
    pid: i32,
    backend_start: &str,
) -> Result<Option<String>, String> {
    client
        .query_opt(FULL_QUERY, &[&pid, &backend_start])
        .await
        .map_err(|e| crate::conn::describe(&e))?
        .map(|row| row.try_get::<_, Option<String>>("query"))
        .transpose()
        .map(Option::flatten)
        .map_err(unexpected)
}

#[expect(clippy::needless_pass_by_value, reason = "used as map_err(unexpected)")]
fn unexpected(err: tokio_postgres::Error) -> String {
    format!("unexpected result: {err}")
}

async fn decode_all<T>(
    client: &Client,
    rows: Result<Vec<Row>, tokio_postgres::Error>,
    decode: fn(&Row) -> Result<T, tokio_postgres::Error>,
) -> Part<Vec<T>> {
    match rows {
        Ok(rows) => rows
            .iter()
            .map(decode)
            .collect::<Result<_, _>>()
            .map_err(unexpected),
        Err(err) => Err(explain_failure(client, &err).await),
    }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────

fn oid(row: &Row, column: &str) -> Result<Option<u32>, tokio_postgres::Error> {
    let value: Option<i64> = row.try_get(column)?;
    Ok(value.and_then(|v| u32::try_from(v).ok()))
}

fn decode_session(row: &Row) -> Result<Session, tokio_postgres::Error> {
    let state: Option<String> = row.try_get("state")?;
    Ok(Session {
        pid: row.try_get("pid")?,
        leader_pid: row.try_get("leader_pid")?,
        backend_type: row.try_get("backend_type")?,
        database: row.try_get("database")?,
        user: row.try_get("usename")?,
        application: row
            .try_get::<_, Option<String>>("application_name")?
            .unwrap_or_default(),
        client_addr: row.try_get("client_addr")?,
        client_hostname: row.try_get("client_hostname")?,
        client_port: row.try_get("client_port")?,
        state: SessionState::parse(state.as_deref()),
        wait_event_type: row.try_get("wait_event_type")?,
        wait_event: row.try_get("wait_event")?,
        backend_secs: row.try_get("backend_secs")?,
        xact_secs: row.try_get("xact_secs")?,
        query_secs: row.try_get("query_secs")?,
        state_secs: row.try_get("state_secs")?,
        backend_start: row.try_get("backend_start")?,
        query_id: row.try_get("query_id")?,
        query: row
            .try_get::<_, Option<String>>("query")?
            .unwrap_or_default(),
        query_length: row.try_get::<_, Option<i32>>("query_length")?.unwrap_or(0),
        blocked_by: row
            .try_get::<_, Option<Vec<i32>>>("blocked_by")?
            .unwrap_or_default(),
        backend_xid: row.try_get("backend_xid")?,
        backend_xmin: row.try_get("backend_xmin")?,
        xid_age: row.try_get("xid_age")?,
        xmin_age: row.try_get("xmin_age")?,
        role_superuser: row.try_get("role_superuser")?,
        role_member: row.try_get("role_member")?,
        is_self: row.try_get("is_self")?,
    })
}

fn decode_lock(row: &Row) -> Result<Lock, tokio_postgres::Error> {
    Ok(Lock {
        pid: row.try_get("pid")?,
        virtual_transaction: row.try_get("virtualtransaction")?,
        mode: row.try_get("mode")?,
        granted: row.try_get("granted")?,
        wait_secs: row.try_get("wait_secs")?,
        object: LockObject {
            locktype: row.try_get("locktype")?,
            database: oid(row, "database")?,
            relation: oid(row, "relation")?,
            page: row.try_get("page")?,
            tuple: row.try_get("tuple")?,
            virtualxid: row.try_get("virtualxid")?,
            transactionid: row.try_get("transactionid")?,
            classid: oid(row, "classid")?,
            objid: oid(row, "objid")?,
            objsubid: row.try_get("objsubid")?,
        },
    })
}

fn decode_slot(row: &Row) -> Result<SlotHorizon, tokio_postgres::Error> {
    Ok(SlotHorizon {
        name: row.try_get("name")?,
        slot_type: row.try_get("slot_type")?,
        database: row.try_get("database")?,
        active: row.try_get("active")?,
        active_pid: row.try_get("active_pid")?,
        xmin: row.try_get("xmin")?,
        xmin_age: row.try_get("xmin_age")?,
        catalog_xmin: row.try_get("catalog_xmin")?,
        catalog_xmin_age: row.try_get("catalog_xmin_age")?,
    })
}

fn decode_prepared(row: &Row) -> Result<PreparedXact, tokio_postgres::Error> {
    Ok(PreparedXact {
        gid: row.try_get("gid")?,
        owner: row.try_get("owner")?,
        database: row.try_get("database")?,
        xid: row.try_get("xid")?,
        xid_age: row.try_get("xid_age")?,
        prepared_secs: row.try_get("prepared_secs")?,
    })
}
