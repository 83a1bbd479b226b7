//! Plans of 10,000 nodes (an Append over 1,000 five-node join subtrees, with ANALYZE and
//! BUFFERS figures on every node): reading the JSON and the TEXT form, the tree and flat
//! layouts, the two together, and one frame of the Explain pane at 160x50.
//!
//! The `_cpu` variants count the benchmark thread's CPU time instead of the wall clock: on a
//! machine shared with other builds the wall clock mostly measures waiting for a core.

#[path = "../tests/ui/fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod fixtures;

use std::fmt::Write as _;
use std::hint::black_box;

use std::time::Duration;

use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use nix::time::{ClockId, clock_gettime};
use pgmedic::app::explain::Shown;
use pgmedic::app::pane::Pane;
use pgmedic::plan::{Plan, layout};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

/// Subtrees under the Append; each has 10 nodes, so the plan has 1 + 1 + 1000 × 10 ≈ 10,000.
const SUBTREES: usize = 1000;

fn node(kind: &str, relation: Option<&str>, i: usize, children: Vec<Value>) -> Value {
    let mut n = json!({
        "Node Type": kind,
        "Parallel Aware": false,
        "Async Capable": false,
        "Startup Cost": 0.29,
        "Total Cost": 100.0 + i as f64,
        "Plan Rows": 40 + i % 7,
        "Plan Width": 12,
        "Actual Startup Time": 0.010,
        "Actual Total Time": 0.5 + (i % 13) as f64 / 10.0,
        "Actual Rows": 38 + i % 11,
        "Actual Loops": 1 + i % 3,
        "Shared Hit Blocks": 100 + i,
        "Shared Read Blocks": i % 5,
        "Shared Dirtied Blocks": 0,
        "Shared Written Blocks": 0,
        "Local Hit Blocks": 0,
        "Local Read Blocks": 0,
        "Local Dirtied Blocks": 0,
        "Local Written Blocks": 0,
        "Temp Read Blocks": 0,
        "Temp Written Blocks": 0,
        "Filter": format!("(amount > {i})"),
        "Rows Removed by Filter": i % 100,
    });
    if let Some(relation) = relation {
        n["Relation Name"] = json!(relation);
        n["Alias"] = json!(format!("{relation}_{i}"));
    }
    if !children.is_empty() {
        n["Plans"] = Value::Array(children);
    }
    n
}

/// One subtree: Hash Join(Seq Scan, Hash(Nested Loop(Index Scan, Materialize(Seq Scan)))),
/// Sort and Limit on top, Subquery Scan around it: 10 nodes.
fn subtree(i: usize) -> Value {
    let scan = node("Seq Scan", Some("orders"), i, vec![]);
    let inner = node("Seq Scan", Some("fills"), i + 1, vec![]);
    let materialize = node("Materialize", None, i, vec![inner]);
    let index = node("Index Scan", Some("accounts"), i, vec![]);
    let nested = node("Nested Loop", None, i, vec![index, materialize]);
    let hash = node("Hash", None, i, vec![nested]);
    let join = node("Hash Join", None, i, vec![scan, hash]);
    let sort = node("Sort", None, i, vec![join]);
    let limit = node("Limit", None, i, vec![sort]);
    node("Subquery Scan", None, i, vec![limit])
}

fn big_json() -> String {
    let members: Vec<Value> = (0..SUBTREES).map(subtree).collect();
    let append = node("Append", None, 0, members);
    let root = node("Aggregate", None, 0, vec![append]);
    json!([{ "Plan": root, "Planning Time": 12.5, "Triggers": [], "Execution Time": 4321.0 }])
        .to_string()
}

/// The same plan as EXPLAIN's TEXT format prints it.
fn big_text(plan: &Plan) -> String {
    let mut out = String::new();
    for id in plan.subtree(0) {
        let n = &plan.nodes[id];
        let (arrow, props) = if n.depth == 0 {
            (String::new(), 2)
        } else {
            let col = 2 + 6 * (n.depth - 1);
            (format!("{}->  ", " ".repeat(col)), col + 6)
        };
        let a = n.actual.unwrap_or_default();
        let _ = writeln!(
            out,
            "{arrow}{}  (cost={:.2}..{:.2} rows={} width={}) (actual time={:.3}..{:.3} rows={} loops={})",
            n.label(),
            n.est.startup_cost.unwrap_or(0.0),
            n.est.total_cost.unwrap_or(0.0),
            n.est.rows.unwrap_or(0.0),
            n.est.width.unwrap_or(0.0),
            a.startup_ms.unwrap_or(0.0),
            a.total_ms.unwrap_or(0.0),
            a.rows,
            a.loops
        );
        let pad = " ".repeat(props);
        if let Some(filter) = n.props.text("Filter") {
            let _ = writeln!(out, "{pad}Filter: {filter}");
        }
        let _ = writeln!(
            out,
            "{pad}Buffers: shared hit={} read={}",
            n.buffers.shared_hit, n.buffers.shared_read
        );
    }
    out.push_str("Planning Time: 12.500 ms\nExecution Time: 4321.000 ms\n");
    out
}

/// CPU time of this thread so far.
fn cpu_now() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

/// Measures `work` in CPU time of this thread rather than wall-clock time.
fn on_cpu<T>(b: &mut Bencher, mut work: impl FnMut() -> T) {
    b.iter_custom(|iters| {
        let start = cpu_now();
        for _ in 0..iters {
            black_box(work());
        }
        cpu_now().saturating_sub(start)
    });
}

#[expect(
    clippy::panic,
    reason = "a benchmark on a broken plan must stop loudly"
)]
fn parse(text: &str) -> Plan {
    match Plan::parse(text) {
        Ok(plan) => plan,
        Err(err) => panic!("the benchmark's plan does not parse: {err}"),
    }
}

fn benches(c: &mut Criterion) {
    let json = big_json();
    let plan = parse(&json);
    assert!(plan.nodes.len() >= 10_000, "{} nodes", plan.nodes.len());
    let text = big_text(&plan);
    assert_eq!(parse(&text).nodes.len(), plan.nodes.len());
    let collapsed = vec![false; plan.nodes.len()];

    c.bench_function("plan_parse_json_10k_nodes", |b| {
        b.iter(|| parse(black_box(&json)));
    });
    c.bench_function("plan_parse_text_10k_nodes", |b| {
        b.iter(|| parse(black_box(&text)));
    });
    c.bench_function("plan_layout_tree_and_flat_10k_nodes", |b| {
        b.iter(|| {
            let rows = layout::tree_rows(black_box(&plan), &collapsed, "");
            let flat = layout::flat_rows(&plan, "");
            (rows.len(), flat.len())
        });
    });
    let parse_and_layout = || {
        let plan = parse(black_box(&json));
        let rows = layout::tree_rows(&plan, &vec![false; plan.nodes.len()], "");
        rows.len()
    };
    c.bench_function("plan_parse_json_and_layout_10k_nodes", |b| {
        b.iter(parse_and_layout);
    });
    c.bench_function("plan_parse_json_and_layout_10k_nodes_cpu", |b| {
        on_cpu(b, parse_and_layout);
    });
    c.bench_function("plan_parse_text_and_layout_10k_nodes_cpu", |b| {
        on_cpu(b, || {
            let plan = parse(black_box(&text));
            layout::tree_rows(&plan, &vec![false; plan.nodes.len()], "").len()
        });
    });

    let mut model = fixtures::busy();
    model.pane = Pane::Explain;
    model.explain.show(Shown {
        plan,
        sql: None,
        how: None,
        source: "bench".to_owned(),
    });
    model.explain.move_selection(5000);
    let theme = fixtures::dark();
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| match e {});
    let mut frame = || {
        if let Err(never) =
            terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&model), &theme))
        {
            match never {}
        }
    };
    c.bench_function("render_explain_10k_nodes_160x50", |b| b.iter(&mut frame));
    c.bench_function("render_explain_10k_nodes_160x50_cpu", |b| {
        on_cpu(b, &mut frame);
    });
}

criterion_group!(plan, benches);
criterion_main!(plan);
