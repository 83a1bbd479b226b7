//! Without HypoPG nothing is verified: the advice says why and, where HypoPG can be created,
//! offers the statement; created, the same advice is verified.

use pgmedic::advisor::{self, AdviseOptions, CREATE_HYPOPG, create_hypopg_job};

use crate::hostile::{HOSTILE, run_hostile_workload};
use crate::support::{advise, database, has_hypopg, params, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_hypopg_suggestions_are_labelled_unverified() {
    let (conninfo, client) = database("advisor_no_hypopg", HOSTILE).await;
    if has_hypopg() {
        client.batch_execute("DROP EXTENSION hypopg").await.unwrap();
    }
    run_hostile_workload(&client).await;
    let advice = advise(&conninfo).await;
    assert_eq!(advice.suggestions.len(), 1, "{advice:#?}");
    let s = &advice.suggestions[0];
    assert!(!s.verified);
    assert!(
        s.note
            .as_deref()
            .unwrap_or_default()
            .starts_with("not verified")
    );
    assert_eq!(s.estimated_size_bytes, None);
    let reason = advice.unverified_reason.clone().unwrap();
    if has_hypopg() {
        assert!(reason.contains("available but not created"), "{reason}");
        assert_eq!(advice.create_extension.as_deref(), Some(CREATE_HYPOPG));
        // the offered job creates it, and the advice is verified from then on
        let job = create_hypopg_job();
        for sql in &job.statements {
            client.batch_execute(sql).await.unwrap();
        }
        let advice = advise(&conninfo).await;
        assert!(advice.unverified_reason.is_none());
        assert!(advice.suggestions.iter().all(|s| s.verified), "{advice:#?}");
        assert_eq!(advice.suggestions.len(), 1);
    } else {
        assert!(reason.contains("not installed"), "{reason}");
        assert_eq!(advice.create_extension, None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_probed_before_hypopg_was_dropped_still_gets_its_suggestions() {
    let (conninfo, client) = database("advisor_hypopg_dropped_since", HOSTILE).await;
    run_hostile_workload(&client).await;
    // the console probed the server while HypoPG was there (where it can be)
    let probed = server(&conninfo).await;
    if has_hypopg() {
        client.batch_execute("DROP EXTENSION hypopg").await.unwrap();
    }
    let advice = advisor::advise(&params(&conninfo), &probed, &AdviseOptions::default())
        .await
        .unwrap();
    assert_eq!(advice.suggestions.len(), 1, "{advice:#?}");
    assert!(!advice.suggestions[0].verified);
    assert!(advice.unverified_reason.is_some(), "{advice:#?}");
    if has_hypopg() {
        assert_eq!(advice.create_extension.as_deref(), Some(CREATE_HYPOPG));
    }
}
