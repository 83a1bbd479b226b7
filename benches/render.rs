//! Rendering the Overview of a busy primary (full history, every figure set) into a test
//! backend, at 80x24, 160x50 and 200x60: the cost of one frame, terminal I/O aside.

#[path = "../tests/ui/fixtures.rs"]
#[allow(dead_code, reason = "the benchmark uses a few of the test fixtures")]
mod fixtures;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn benches(c: &mut Criterion) {
    let model = fixtures::busy();
    let theme = fixtures::dark();
    for (w, h) in [(80, 24), (160, 50), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| match e {});
        c.bench_function(&format!("render_overview_{w}x{h}"), |b| {
            b.iter(|| {
                if let Err(never) =
                    terminal.draw(|frame| pgmedic::ui::render(frame, black_box(&model), &theme))
                {
                    match never {}
                }
            });
        });
    }
}

criterion_group!(render, benches);
criterion_main!(render);
