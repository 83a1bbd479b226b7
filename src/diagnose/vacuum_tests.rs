use super::*;

fn counters() -> TableCounters {
    TableCounters {
        reltuples: 10_000.0,
        relpages: 100,
        n_live_tup: 10_000,
        xid_age: Some(1_000),
        mxid_age: Some(1),
        last_autovacuum: Some(1.0),
        last_autoanalyze: Some(1.0),
        n_ins_since_vacuum: Some(0),
        ..Default::default()
    }
}

fn opts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn thresholds_follow_the_global_settings() {
    let s = AutovacuumSettings::default();
    let tr = triggers(&counters(), &s);
    assert!((tr.vacuum.threshold - (50.0 + 0.2 * 10_000.0)).abs() < 1e-9);
    assert!((tr.insert.unwrap().threshold - (1000.0 + 0.2 * 10_000.0)).abs() < 1e-9);
    assert!((tr.analyze.threshold - (50.0 + 0.1 * 10_000.0)).abs() < 1e-9);
    assert!((tr.freeze.unwrap().threshold - 200_000_000.0).abs() < 1e-9);
    assert!(tr.effective.active);
}

#[test]
fn reloptions_override_the_globals() {
    let mut t = counters();
    t.reloptions = opts(&[
        "autovacuum_vacuum_threshold=10",
        "autovacuum_vacuum_scale_factor=0.01",
        "autovacuum_vacuum_insert_threshold=-1",
        "autovacuum_analyze_scale_factor=0",
        "autovacuum_freeze_max_age=100000000",
        "autovacuum_multixact_freeze_max_age=900000000",
    ]);
    let tr = triggers(&t, &AutovacuumSettings::default());
    assert!((tr.vacuum.threshold - 110.0).abs() < 1e-9);
    assert_eq!(tr.insert, None, "-1 disables insert-triggered vacuums");
    assert!((tr.analyze.threshold - 50.0).abs() < 1e-9);
    assert_eq!(tr.effective.freeze_max_age, 100_000_000);
    assert_eq!(
        tr.effective.multixact_freeze_max_age, 400_000_000,
        "a table can only lower its freeze ages"
    );
}

#[test]
fn never_analyzed_tables_count_as_empty_and_old_servers_have_no_insert_trigger() {
    let mut t = counters();
    t.reltuples = -1.0;
    let s = AutovacuumSettings {
        insert_threshold: None,
        ..Default::default()
    };
    let tr = triggers(&t, &s);
    assert!((tr.vacuum.threshold - 50.0).abs() < 1e-9);
    assert!((tr.analyze.threshold - 50.0).abs() < 1e-9);
    assert_eq!(tr.insert, None);
}

#[test]
fn eighteen_caps_the_threshold_and_scales_inserts_by_the_unfrozen_share() {
    let mut t = counters();
    t.reltuples = 1e9;
    t.relpages = 1000;
    t.relallfrozen = Some(750);
    let s = AutovacuumSettings {
        vacuum_max_threshold: Some(100_000_000.0),
        ..Default::default()
    };
    let tr = triggers(&t, &s);
    assert!((tr.vacuum.threshold - 1e8).abs() < 1e-3);
    assert!((tr.insert.unwrap().threshold - (1000.0 + 0.2 * 1e9 * 0.25)).abs() < 1e-3);
    t.reloptions = opts(&["autovacuum_vacuum_max_threshold=-1"]);
    let uncapped = triggers(&t, &s);
    assert!((uncapped.vacuum.threshold - (50.0 + 0.2 * 1e9)).abs() < 1e-3);
}

#[test]
fn the_freeze_trigger_takes_the_older_of_table_and_toast() {
    let mut t = counters();
    t.toast_xid_age = Some(150_000_000);
    let tr = triggers(&t, &AutovacuumSettings::default());
    let freeze = tr.freeze.unwrap();
    assert!((freeze.value - 150_000_000.0).abs() < 1e-9);
    assert!((freeze.remaining() - 50_000_000.0).abs() < 1e-9);
    assert_eq!(wraparound_headroom(150_000_000), 1_997_483_648);
}

#[test]
fn statuses_follow_their_definition() {
    let s = AutovacuumSettings::default();
    let judge = |t: &TableCounters| status(t, &triggers(t, &s));
    assert_eq!(judge(&counters()).status, Status::Ok);

    let mut soon = counters();
    soon.n_dead_tup = 1700; // 83 % of 2050
    assert_eq!(judge(&soon).status, Status::Soon);
    let mut analyze = counters();
    analyze.n_mod_since_analyze = 1051;
    assert_eq!(judge(&analyze).status, Status::Soon);

    let mut behind = counters();
    behind.n_dead_tup = 4101;
    let j = judge(&behind);
    assert_eq!(j.status, Status::Urgent);
    assert!(j.reason.contains("not keeping up"), "{}", j.reason);

    let mut disabled = counters();
    disabled.reloptions = opts(&["autovacuum_enabled=off"]);
    disabled.n_dead_tup = 2051;
    let j = judge(&disabled);
    assert_eq!(j.status, Status::Urgent);
    assert!(
        j.reason.contains("autovacuum_enabled = off"),
        "{}",
        j.reason
    );
    disabled.n_dead_tup = 2050; // not past: the server fires strictly above
    assert_eq!(judge(&disabled).status, Status::Soon);

    // Inserts and changed rows past their thresholds on a table autovacuum skips: nothing
    // will ever run the insert vacuum or the ANALYZE.
    let mut inserts_off = counters();
    inserts_off.reloptions = opts(&["autovacuum_enabled=off"]);
    inserts_off.n_ins_since_vacuum = Some(13_680); // 456 % of 3000
    let j = judge(&inserts_off);
    assert_eq!(j.status, Status::Urgent, "{}", j.reason);
    assert!(j.reason.starts_with("inserts past"), "{}", j.reason);
    let mut analyze_off = counters();
    analyze_off.reloptions = opts(&["autovacuum_enabled=off"]);
    analyze_off.n_mod_since_analyze = 1051;
    let j = judge(&analyze_off);
    assert_eq!(j.status, Status::Urgent, "{}", j.reason);
    assert!(j.reason.contains("ANALYZE"), "{}", j.reason);
    // Inserts at 4.6× the threshold with autovacuum on: what a bulk load leaves until
    // autovacuum comes round, SOON and not an emergency.
    let mut inserts_behind = counters();
    inserts_behind.n_ins_since_vacuum = Some(13_860);
    let j = judge(&inserts_behind);
    assert_eq!(j.status, Status::Soon, "{}", j.reason);

    let mut old = counters();
    old.xid_age = Some(200_000_001);
    assert_eq!(judge(&old).status, Status::Urgent);
    old.xid_age = Some(170_000_000);
    assert_eq!(judge(&old).status, Status::Soon);

    let mut never = counters();
    never.last_autovacuum = None;
    never.last_autoanalyze = None;
    assert_eq!(judge(&never).status, Status::Never);
    let empty = TableCounters {
        xid_age: Some(10),
        ..Default::default()
    };
    assert_eq!(
        judge(&empty).status,
        Status::Ok,
        "an empty table needs nothing"
    );
}

#[test]
fn dead_ratio_and_trigger_arithmetic() {
    let mut t = counters();
    t.n_live_tup = 750;
    t.n_dead_tup = 250;
    assert_eq!(dead_pct(&t), Some(25.0));
    assert_eq!(dead_pct(&TableCounters::default()), None);
    let tr = Trigger {
        value: 0.0,
        threshold: 0.0,
    };
    assert!(tr.ratio().abs() < f64::EPSILON && !tr.fired());
}

#[test]
fn the_nearest_trigger_is_the_one_closest_to_firing() {
    let mut t = counters();
    t.n_dead_tup = 1025; // half of 2050
    t.n_ins_since_vacuum = Some(2400); // 80 % of 3000
    let tr = triggers(&t, &AutovacuumSettings::default());
    let (what, ratio) = nearest(&tr).unwrap();
    assert_eq!(what, "ins");
    assert!((ratio - 0.8).abs() < 1e-9);
}
