//! The Queries pane of a server whose pg_stat_statements is full (5,000 statements): one frame
//! of the list and of the detail view at 80x24 and 160x50, and the figures rebuilt from two
//! samples (what every refresh costs the app). Terminal I/O aside.

#[path = "../tests/ui/fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod fixtures;
#[path = "../tests/ui/queries_fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod queries_fixtures;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pgmedic::app::action::Action;
use pgmedic::app::msg::Msg;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// pg_stat_statements.max's default.
const STATEMENTS: usize = 5_000;

fn benches(c: &mut Criterion) {
    let workload = queries_fixtures::many(STATEMENTS);
    let mut model = queries_fixtures::model(&workload, 3);
    model.queries.toggle_idle();
    assert_eq!(model.queries.visible.len(), STATEMENTS);
    let theme = fixtures::dark();
    for (w, h) in [(80, 24), (160, 50)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| match e {});
        c.bench_function(&format!("render_queries_5000_{w}x{h}"), |b| {
            b.iter(|| {
                if let Err(never) =
                    terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&model), &theme))
                {
                    match never {}
                }
            });
        });
    }
    let mut detail = model.clone();
    detail.apply(Action::Open);
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| match e {});
    c.bench_function("render_queries_detail_160x50", |b| {
        b.iter(|| {
            if let Err(never) =
                terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&detail), &theme))
            {
                match never {}
            }
        });
    });
    let texts = queries_fixtures::texts(&workload);
    let next = queries_fixtures::snapshot(3, &workload, &texts);
    c.bench_function("queries_refresh_5000", |b| {
        b.iter_batched(
            || (model.clone(), next.clone()),
            |(mut m, s)| m.update(Msg::Queries(Box::new(s))),
            criterion::BatchSize::LargeInput,
        );
    });
}

criterion_group!(queries, benches);
criterion_main!(queries);
