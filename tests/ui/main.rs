//! The console's screens, rendered into a test backend at 80x24 and 200x60 and compared with
//! reviewed snapshots; plus the cells and strings a DBA relies on, the edge sizes, and the
//! themes.

mod activity;
mod bloat;
mod explain;
mod fixtures;
mod indexes;
mod jobs;
mod overview;
mod queries;
mod queries_fixtures;
mod screen;
mod settings;
mod themes;
