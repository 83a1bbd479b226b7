//! Running EXPLAIN on a server: plans for statements, on a connection that is never the
//! monitoring session.

pub mod generic;
pub mod run;
pub mod statement;
