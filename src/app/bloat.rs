//! The Bloat & vacuum pane's state: the latest snapshot, its judged rows (tables or indexes,
//! sorted and filtered), the selection, exact measurements, and the actions on the selected
//! relation as job specs. Pure: no I/O.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::indexes::reindex_leftover_checks;
use crate::app::model::Model;
use crate::app::pane::Pane;
use crate::diagnose::bloat::{self, Geometry};
use crate::diagnose::health::Level;
use crate::diagnose::maintenance::{
    self, BloatSnapshot, Catalog, Exact, HorizonHolder, IndexRow, IndexView, TableRow, TableView,
    VacuumProgress,
};
use crate::jobs::{JobEvent, JobKind, JobSpec, Outcome};
use crate::quote;
use crate::server::ServerInfo;
use crate::snapshot::Part;
use crate::work::Request;
use crate::work::bloat::{APPROX_FROM_BYTES, ExactReply, ExactRequest, Figures, Measured};

/// Which list the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListKind {
    #[default]
    Tables,
    Indexes,
}

/// How the list is ordered (`s` steps through them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Estimated wasted bytes, largest first (relations without an estimate by size after).
    #[default]
    Wasted,
    /// URGENT, NEVER, SOON, OK.
    Status,
    /// Dead tuples.
    Dead,
    /// Transaction-id age.
    XidAge,
    Size,
    Name,
}

impl SortKey {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            SortKey::Wasted => SortKey::Status,
            SortKey::Status => SortKey::Dead,
            SortKey::Dead => SortKey::XidAge,
            SortKey::XidAge => SortKey::Size,
            SortKey::Size => SortKey::Name,
            SortKey::Name => SortKey::Wasted,
        }
    }

    /// The order in words, for the list's title.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Wasted => "est. wasted",
            SortKey::Status => "status",
            SortKey::Dead => "dead tuples",
            SortKey::XidAge => "xid age",
            SortKey::Size => "size",
            SortKey::Name => "name",
        }
    }
}

/// The pane's state.
#[derive(Debug, Clone, Default)]
pub struct BloatState {
    /// The latest catalog that was read.
    pub catalog: Option<Arc<Catalog>>,
    /// Why the latest catalog read failed (the previous one stays on screen).
    pub catalog_error: Option<String>,
    pub progress: Option<Part<Vec<VacuumProgress>>>,
    pub horizon: Option<Part<Vec<HorizonHolder>>>,
    /// Every table and index, judged, in the current sort order.
    pub tables: Vec<TableView>,
    pub indexes: Vec<IndexView>,
    pub list: ListKind,
    pub sort: SortKey,
    pub filter: String,
    /// Position of the selected row among the visible ones.
    pub selected: usize,
    /// The selected row's detail view is open.
    pub detail: bool,
    /// Exact measurements by relation oid.
    pub exact: HashMap<u32, Exact>,
    /// When the latest snapshot arrived (local clock).
    pub updated_at: Option<Instant>,
}

/// The selected relation, with what the actions need.
#[derive(Debug, Clone, Copy)]
pub enum Selected<'a> {
    Table(&'a TableRow, &'a TableView),
    Index(&'a IndexRow, &'a IndexView, Option<&'a TableRow>),
}

impl BloatState {
    /// Folds in a snapshot; the judged rows are rebuilt only when the catalog is new.
    pub fn on_snapshot(&mut self, snapshot: BloatSnapshot, now: Instant) {
        let keep = self.selected_oid();
        match snapshot.catalog {
            Ok(catalog) => {
                let same = self
                    .catalog
                    .as_ref()
                    .is_some_and(|c| Arc::ptr_eq(c, &catalog));
                if !same {
                    self.tables = maintenance::tables(&catalog);
                    self.indexes = maintenance::indexes(&catalog);
                    self.catalog = Some(catalog);
                    self.sort_rows();
                }
                self.catalog_error = None;
            }
            Err(why) => self.catalog_error = Some(why),
        }
        self.progress = Some(snapshot.progress);
        self.horizon = Some(snapshot.horizon);
        self.updated_at = Some(now);
        self.reselect(keep);
    }

    /// The rows of the current list that pass the filter: positions in `tables` / `indexes`.
    #[must_use]
    pub fn visible(&self) -> Vec<usize> {
        let Some(catalog) = &self.catalog else {
            return Vec::new();
        };
        if self.filter.is_empty() {
            return match self.list {
                ListKind::Tables => (0..self.tables.len()).collect(),
                ListKind::Indexes => (0..self.indexes.len()).collect(),
            };
        }
        let needle = self.filter.to_lowercase();
        let hit = |text: &str| text.to_lowercase().contains(&needle);
        match self.list {
            ListKind::Tables => (0..self.tables.len())
                .filter(|&i| {
                    let v = &self.tables[i];
                    let t = &catalog.tables[v.row];
                    hit(&format!(
                        "{}.{} {}",
                        t.schema,
                        t.name,
                        v.status.status.word()
                    ))
                })
                .collect(),
            ListKind::Indexes => (0..self.indexes.len())
                .filter(|&i| {
                    let r = &catalog.indexes[self.indexes[i].row];
                    hit(&format!("{}.{} {}", r.schema, r.name, r.table))
                })
                .collect(),
        }
    }

    /// The selected row, if any.
    #[must_use]
    pub fn selected(&self) -> Option<Selected<'_>> {
        let catalog = self.catalog.as_ref()?;
        let visible = self.visible();
        let position = *visible.get(self.selected.min(visible.len().saturating_sub(1)))?;
        Some(match self.list {
            ListKind::Tables => {
                let view = &self.tables[position];
                Selected::Table(&catalog.tables[view.row], view)
            }
            ListKind::Indexes => {
                let view = &self.indexes[position];
                let row = &catalog.indexes[view.row];
                let table = catalog.tables.iter().find(|t| t.relid == row.relid);
                Selected::Index(row, view, table)
            }
        })
    }

    /// The selected relation's quoted name, to copy.
    #[must_use]
    pub fn selected_name(&self) -> Option<String> {
        self.selected().map(|s| match s {
            Selected::Table(t, _) => quote::qualified(&t.schema, &t.name),
            Selected::Index(i, _, _) => quote::qualified(&i.schema, &i.name),
        })
    }

    fn selected_oid(&self) -> Option<u32> {
        self.selected().map(|s| match s {
            Selected::Table(t, _) => t.relid,
            Selected::Index(i, _, _) => i.indexrelid,
        })
    }

    /// Selects the row of `oid` again after the rows moved (a new catalog, a new order).
    fn reselect(&mut self, oid: Option<u32>) {
        let visible = self.visible();
        if let (Some(oid), Some(catalog)) = (oid, &self.catalog) {
            let found = visible.iter().position(|&i| match self.list {
                ListKind::Tables => catalog.tables[self.tables[i].row].relid == oid,
                ListKind::Indexes => catalog.indexes[self.indexes[i].row].indexrelid == oid,
            });
            if let Some(found) = found {
                self.selected = found;
                return;
            }
        }
        self.selected = self.selected.min(visible.len().saturating_sub(1));
    }

    pub fn move_selection(&mut self, delta: isize) {
        let last = self.visible().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select_edge(&mut self, last: bool) {
        self.selected = if last {
            self.visible().len().saturating_sub(1)
        } else {
            0
        };
    }

    /// Tables ↔ indexes.
    pub fn toggle_list(&mut self) {
        self.list = match self.list {
            ListKind::Tables => ListKind::Indexes,
            ListKind::Indexes => ListKind::Tables,
        };
        self.selected = 0;
        self.detail = false;
    }

    /// The next sort order.
    pub fn next_sort(&mut self) {
        let keep = self.selected_oid();
        self.sort = self.sort.next();
        self.sort_rows();
        self.reselect(keep);
    }

    fn sort_rows(&mut self) {
        let Some(catalog) = &self.catalog else {
            return;
        };
        let table_size =
            |v: &TableView| maintenance::relation_size(catalog.tables[v.row].size).unwrap_or(-1.0);
        let index_size =
            |v: &IndexView| maintenance::relation_size(catalog.indexes[v.row].size).unwrap_or(-1.0);
        let desc = |a: f64, b: f64| b.total_cmp(&a);
        let table_name = |v: &TableView| {
            let t = &catalog.tables[v.row];
            (t.schema.clone(), t.name.clone())
        };
        match self.sort {
            SortKey::Wasted => self.tables.sort_by(|a, b| {
                desc(a.wasted.unwrap_or(-1.0), b.wasted.unwrap_or(-1.0))
                    .then(desc(table_size(a), table_size(b)))
            }),
            SortKey::Status => self.tables.sort_by(|a, b| {
                b.status
                    .status
                    .cmp(&a.status.status)
                    .then(desc(a.wasted.unwrap_or(-1.0), b.wasted.unwrap_or(-1.0)))
            }),
            SortKey::Dead => self
                .tables
                .sort_by_key(|v| std::cmp::Reverse(catalog.tables[v.row].counters.n_dead_tup)),
            SortKey::XidAge => self.tables.sort_by_key(|v| {
                let c = &catalog.tables[v.row].counters;
                std::cmp::Reverse(c.xid_age.max(c.toast_xid_age))
            }),
            SortKey::Size => self
                .tables
                .sort_by(|a, b| desc(table_size(a), table_size(b))),
            SortKey::Name => self.tables.sort_by_key(table_name),
        }
        match self.sort {
            SortKey::Name => self.indexes.sort_by_key(|v| {
                let i = &catalog.indexes[v.row];
                (i.schema.clone(), i.name.clone())
            }),
            SortKey::Size => self
                .indexes
                .sort_by(|a, b| desc(index_size(a), index_size(b))),
            _ => self.indexes.sort_by(|a, b| {
                desc(a.wasted.unwrap_or(-1.0), b.wasted.unwrap_or(-1.0))
                    .then(desc(index_size(a), index_size(b)))
            }),
        }
    }

    /// The geometry of the catalog (8 kB blocks until one is read).
    #[must_use]
    pub fn geometry(&self) -> Geometry {
        self.catalog
            .as_ref()
            .map(|c| c.geometry)
            .unwrap_or_default()
    }

    // ─── Exact measurement ───────────────────────────────────────────────────────────────────

    /// What `x` measures for the selected row, or why it cannot.
    pub fn exact_request(&self) -> Result<ExactRequest, String> {
        match self.selected().ok_or("no relation selected")? {
            Selected::Table(t, _) => {
                // Unknown (locked): the cheaper function.
                let size = maintenance::relation_size(t.size);
                Ok(ExactRequest {
                    oid: t.relid,
                    name: format!("{}.{}", t.schema, t.name),
                    what: Measured::Table {
                        approximate: size.is_none_or(|s| s >= APPROX_FROM_BYTES as f64),
                    },
                })
            }
            Selected::Index(i, _, _) if i.inputs.access_method == "btree" => Ok(ExactRequest {
                oid: i.indexrelid,
                name: format!("{}.{}", i.schema, i.name),
                what: Measured::BtreeIndex,
            }),
            Selected::Index(i, _, _) => Err(format!(
                "{} is a {} index: pgstatindex measures btree indexes only",
                i.name, i.inputs.access_method
            )),
        }
    }

    /// Folds in a measurement, as figures comparable with the estimate.
    pub fn on_exact(&mut self, reply: ExactReply) {
        let g = self.geometry();
        let fillfactor = |oid: u32, default: u32| {
            let catalog = self.catalog.as_ref();
            catalog
                .and_then(|c| {
                    c.tables
                        .iter()
                        .find(|t| t.relid == oid)
                        .map(|t| t.inputs.fillfactor)
                        .or_else(|| {
                            c.indexes
                                .iter()
                                .find(|i| i.indexrelid == oid)
                                .map(|i| i.inputs.fillfactor)
                        })
                })
                .unwrap_or(default)
        };
        let exact = match reply.result {
            Ok(Figures::Table(t)) => {
                let ff = fillfactor(reply.oid, bloat::HEAP_DEFAULT_FILLFACTOR);
                Exact::Table(t, bloat::table_exact(&t, ff, g))
            }
            Ok(Figures::Index(i)) => {
                let ff = fillfactor(reply.oid, bloat::BTREE_DEFAULT_FILLFACTOR);
                Exact::Index(i, bloat::index_exact(&i, ff, g))
            }
            Err(why) => Exact::Failed(why),
        };
        self.exact.insert(reply.oid, exact);
    }

    // ─── Actions ─────────────────────────────────────────────────────────────────────────────

    /// VACUUM (ANALYZE), ANALYZE or VACUUM FULL of the selected table (or the selected index's
    /// table).
    pub fn table_action(&self, kind: JobKind, server: &ServerInfo) -> Result<JobSpec, String> {
        let table = match self.selected().ok_or("no relation selected")? {
            Selected::Table(t, _) | Selected::Index(_, _, Some(t)) => t,
            Selected::Index(i, _, None) => return Err(format!("the table of {} is gone", i.name)),
        };
        let name = format!("{}.{}", table.schema, table.name);
        let quoted = quote::qualified(&table.schema, &table.name);
        let size = maintenance::relation_size(table.size);
        let (sql, warning) = match kind {
            JobKind::Vacuum => (
                format!("VACUUM (ANALYZE) {quoted}"),
                format!(
                    "SHARE UPDATE EXCLUSIVE lock: reads and writes go on; other vacuums, \
                     ANALYZE and DDL on {name} wait.{}",
                    self.horizon_warning(&server.database)
                ),
            ),
            JobKind::Analyze => (
                format!("ANALYZE {quoted}"),
                format!(
                    "SHARE UPDATE EXCLUSIVE lock: reads and writes go on; reads a sample of \
                     {name} and replaces its statistics"
                ),
            ),
            JobKind::VacuumFull => (
                format!("VACUUM (FULL, ANALYZE) {quoted}"),
                format!(
                    "ACCESS EXCLUSIVE lock: every read and write of {name} waits until the \
                     rewrite ends; it needs free disk for a new copy ({} plus its indexes)",
                    size.map_or_else(
                        || "as large as the table, whose size cannot be read while another \
                            session holds an ACCESS EXCLUSIVE lock on it"
                            .to_owned(),
                        |s| format!("up to {:.0} MiB", s / 1_048_576.0)
                    )
                ),
            ),
            other => return Err(format!("{} is not an action on a table", other.name())),
        };
        let mut statements = vec![sql];
        if kind == JobKind::Vacuum {
            statements.push(dead_tuples_left(&quoted));
        }
        let mut spec = JobSpec::new(kind, name.clone(), statements).warning(warning);
        if !(table.maintain || table.database_owner) {
            spec.lacks_privilege = Some(lacks(server, &name, false));
        }
        Ok(spec)
    }

    /// REINDEX INDEX CONCURRENTLY of the selected index.
    pub fn reindex(&self, server: &ServerInfo) -> Result<JobSpec, String> {
        let Some(Selected::Index(index, view, table)) = self.selected() else {
            return Err("select an index to rebuild (i: the indexes list)".to_owned());
        };
        let name = format!("{}.{}", index.schema, index.name);
        let quoted = quote::qualified(&index.schema, &index.name);
        let after = maintenance::relation_size(index.size).map(|size| {
            view.verdict
                .as_ref()
                .map_or(size, |e| size - e.wasted_bytes(size))
        });
        let warning = format!(
            "builds a new copy beside the old one ({}) without blocking reads or writes, then \
             swaps them; if it fails, an invalid index {}_ccnew is left to drop",
            after.map_or_else(
                || "as large as the index, whose size cannot be read now".to_owned(),
                |a| format!("about {:.0} MiB", a / 1_048_576.0)
            ),
            index.name
        );
        let sql = format!("REINDEX INDEX CONCURRENTLY {quoted}");
        let mut spec = JobSpec::new(JobKind::Reindex, name.clone(), vec![sql]).warning(warning);
        if !table.is_some_and(|t| t.maintain) {
            spec.lacks_privilege = Some(lacks(server, &name, true));
        }
        Ok(spec)
    }

    /// The oldest holder of the xmin horizon of `database`'s tables the pane knows of.
    fn oldest_holder(&self, database: &str) -> Option<&HorizonHolder> {
        self.horizon
            .as_ref()
            .and_then(|h| h.as_ref().ok())
            .and_then(|h| h.iter().find(|h| h.holds(database)))
    }

    /// A sentence about what holds the xmin horizon back, for the VACUUM confirmation.
    fn horizon_warning(&self, database: &str) -> String {
        match self.oldest_holder(database) {
            Some(h) if h.xmin_age.is_some_and(|a| a > 1000) => format!(
                " Dead tuples newer than {} {} ({} transactions old) stay until it ends.",
                h.kind,
                h.name,
                h.xmin_age.unwrap_or(0)
            ),
            _ => String::new(),
        }
    }

    /// What a VACUUM's result says when it left dead tuples behind: how many, and the oldest
    /// holder of the xmin horizon (tuples that died after its snapshot must stay); `None`
    /// when it removed them all, or the count was not in the result.
    #[must_use]
    pub fn vacuum_left(
        &self,
        rows: &[Vec<Option<String>>],
        database: &str,
    ) -> Option<(Level, String)> {
        let left: i64 = rows.first()?.first()?.as_deref()?.parse().ok()?;
        if left <= 0 {
            return None;
        }
        let why = match self.oldest_holder(database) {
            Some(h) if h.xmin_age.is_some_and(|a| a > 0) => format!(
                "they died after the oldest snapshot still in use, {} {}'s ({} transactions \
                 old{}{}), and go at the first VACUUM after it ends",
                h.kind,
                h.name,
                h.xmin_age.unwrap_or(0),
                if h.detail.is_empty() { "" } else { ": " },
                h.detail
            ),
            _ => "they died while it ran, or are still visible to a snapshot too recent to \
                  be listed"
                .to_owned(),
        };
        let level = if left >= DEAD_LEFT_WARN {
            Level::Warn
        } else {
            Level::Ok
        };
        Some((level, format!("{left} dead tuples left: {why}")))
    }

    /// A job on relation `target` ended: its measurement is out of date.
    pub fn job_finished(&mut self, target: &str) {
        let Some(catalog) = &self.catalog else {
            return;
        };
        let oids: Vec<u32> = catalog
            .tables
            .iter()
            .filter(|t| format!("{}.{}", t.schema, t.name) == target)
            .map(|t| t.relid)
            .chain(
                catalog
                    .indexes
                    .iter()
                    .filter(|i| {
                        format!("{}.{}", i.schema, i.name) == target
                            || format!("{}.{}", i.schema, i.table) == target
                    })
                    .map(|i| i.indexrelid),
            )
            .collect();
        for oid in oids {
            self.exact.remove(&oid);
        }
    }
}

// ─── The model's messages and actions for this pane ─────────────────────────────────────────

impl Model {
    /// A Bloat & vacuum snapshot arrived.
    pub(crate) fn on_bloat(&mut self, snapshot: BloatSnapshot) -> Vec<Effect> {
        self.bloat.on_snapshot(snapshot, self.now);
        self.dirty = true;
        Vec::new()
    }

    /// An exact measurement came back.
    pub(crate) fn on_bloat_exact(&mut self, reply: ExactReply) -> Vec<Effect> {
        match &reply.result {
            Ok(_) => self.notify(Level::Ok, format!("{} measured", reply.name)),
            Err(why) => self.notify(Level::Warn, format!("{}: {why}", reply.name)),
        }
        self.bloat.on_exact(reply);
        Vec::new()
    }

    /// The pane's keys: measure, the maintenance actions, the list and its order.
    pub(crate) fn bloat_action(&mut self, action: Action) -> Vec<Effect> {
        if self.pane != Pane::Bloat {
            return Vec::new();
        }
        let Some(server) = self.server.clone() else {
            self.notify(Level::Warn, "not connected");
            return Vec::new();
        };
        let proposed = match action {
            Action::SwitchList => {
                self.bloat.toggle_list();
                return Vec::new();
            }
            Action::Measure => return self.measure(&server),
            Action::Vacuum => self.bloat.table_action(JobKind::Vacuum, &server),
            Action::Analyze => self.bloat.table_action(JobKind::Analyze, &server),
            Action::VacuumFull => self.bloat.table_action(JobKind::VacuumFull, &server),
            Action::Reindex => self.bloat.reindex(&server),
            _ => return Vec::new(),
        };
        match proposed {
            Ok(spec) => self.propose(spec),
            Err(why) => {
                self.notify(Level::Warn, why);
                Vec::new()
            }
        }
    }

    /// `x`: measures with pgstattuple, or offers to create it, or says why it cannot.
    fn measure(&mut self, server: &ServerInfo) -> Vec<Effect> {
        let request = match self.bloat.exact_request() {
            Ok(request) => request,
            Err(why) => {
                self.notify(Level::Warn, why);
                return Vec::new();
            }
        };
        match server.extension("pgstattuple") {
            None => {
                self.notify(
                    Level::Warn,
                    "pgstattuple is not available on the server: install the PostgreSQL contrib \
                     package to measure exactly",
                );
                Vec::new()
            }
            Some(ext) if ext.installed.is_none() => {
                let spec = JobSpec::new(
                    JobKind::CreateExtension,
                    "pgstattuple",
                    vec!["CREATE EXTENSION pgstattuple".to_owned()],
                )
                .warning(format!(
                    "pgstattuple is available but not created in {}: create it, then press x \
                     again to measure {}",
                    server.database, request.name
                ));
                self.propose(spec)
            }
            Some(_) => {
                self.notify(
                    Level::Ok,
                    format!("measuring {} exactly (pgstattuple)…", request.name),
                );
                self.bloat.exact.insert(request.oid, Exact::Running);
                vec![Effect::Work(Request::BloatExact(request))]
            }
        }
    }

    /// After a job: a created extension is installed now; a maintained relation's
    /// measurement is out of date and the catalog is read again; a REINDEX that failed or
    /// was cancelled has its invalid leftover looked for, to drop.
    pub(crate) fn bloat_job_finished(&mut self, event: &JobEvent) -> Vec<Effect> {
        let JobEvent::Finished {
            id,
            kind,
            target,
            outcome,
            ..
        } = event
        else {
            return Vec::new();
        };
        if !matches!(outcome, Outcome::Done { .. }) {
            return self.reindex_leftovers(*kind, target);
        }
        match kind {
            JobKind::CreateExtension => {
                if let Some(ext) = self
                    .server
                    .as_mut()
                    .and_then(|s| s.extensions.iter_mut().find(|e| e.name == *target))
                {
                    ext.installed = Some(ext.available.clone());
                }
                Vec::new()
            }
            JobKind::Vacuum | JobKind::VacuumFull | JobKind::Analyze | JobKind::Reindex => {
                self.bloat.job_finished(target);
                if let (JobKind::Vacuum, Outcome::Done { rows }) = (kind, outcome)
                    && let Some((level, left)) = self
                        .bloat
                        .vacuum_left(rows, self.server.as_ref().map_or("", |s| &s.database))
                {
                    self.notify(level, format!("VACUUM of {target}: {left}"));
                    self.jobs.note(*id, left);
                }
                vec![Effect::RefreshNow]
            }
            _ => Vec::new(),
        }
    }
}

impl Model {
    /// A REINDEX CONCURRENTLY of an index of this pane's catalog ended without its swap done:
    /// look for the invalid copy it leaves (the Indexes pane does so for the jobs it started).
    fn reindex_leftovers(&mut self, kind: JobKind, target: &str) -> Vec<Effect> {
        let started_by_indexes = self
            .indexes
            .pending
            .iter()
            .any(|p| p.kind == kind && p.target == target);
        if kind != JobKind::Reindex || started_by_indexes {
            return Vec::new();
        }
        let Some(index) = self.bloat.catalog.as_ref().and_then(|c| {
            c.indexes
                .iter()
                .find(|i| format!("{}.{}", i.schema, i.name) == target)
        }) else {
            return Vec::new();
        };
        let mut effects = reindex_leftover_checks(target, &index.schema, &index.name);
        effects.push(Effect::RefreshNow);
        effects
    }
}

/// From this many dead tuples left behind, a VACUUM's result is a warning (fewer: rows
/// updated while it ran, as on any busy table).
const DEAD_LEFT_WARN: i64 = 1000;

/// The statement after a VACUUM that reads the dead tuples it left: its own count, once the
/// statistics have it (a last vacuum after this session started; before 15 they reach the
/// statistics collector a moment later, and then nothing is said).
fn dead_tuples_left(quoted: &str) -> String {
    format!(
        "SELECT s.n_dead_tup AS dead_tuples_left FROM pg_stat_all_tables s, pg_stat_activity a \
         WHERE s.relid = {}::regclass AND a.pid = pg_backend_pid() \
         AND s.last_vacuum >= a.backend_start",
        quote::literal(quoted)
    )
}

/// Why `server.role` may not run the action on `name`.
fn lacks(server: &ServerInfo, name: &str, reindex: bool) -> String {
    let who = if server.version_num >= 170_000 {
        "the MAINTAIN privilege (its owner, pg_maintain, or a grant)"
    } else {
        "its owner or a superuser"
    };
    let db = if reindex {
        ""
    } else {
        " or the database's owner"
    };
    format!(
        "{} may not maintain {name}: it takes {who}{db}",
        server.role
    )
}

#[cfg(test)]
#[path = "bloat_tests.rs"]
mod tests;
