//! The sessions list's `/` filter and its sort orders.
//!
//! A filter is words, all of which must match (case does not matter):
//! - `text` — anywhere in pid, user, application, client, database, state, wait, kind, query;
//! - `field:text` — in one field: `pid user app client db state wait type query`
//!   (quote values with spaces: `state:"idle in transaction"`);
//! - `clock>5m`, `clock<30s` — by age: `xact` (transaction), `query`, `state` (time in the
//!   current state), `backend` (connection); bare numbers are seconds.
//!
//! `state:"idle in transaction" state>5m` lists every session idle in a transaction for more
//! than five minutes.

use std::cmp::Ordering;
use std::time::Duration;

use crate::diagnose::activity::{client_label, kind_label, state_age};
use crate::snapshot::activity::Session;

/// One field a filter word can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Pid,
    User,
    App,
    Client,
    Db,
    State,
    Wait,
    Type,
    Query,
}

/// One age a filter word can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Xact,
    Query,
    State,
    Backend,
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Anywhere(String),
    In(Field, String),
    Longer(Clock, f64),
    Shorter(Clock, f64),
}

/// A parsed filter; the empty filter matches every session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    terms: Vec<Term>,
}

impl Filter {
    /// Parses the filter line; the error says which word is wrong and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let terms = words(text)?
            .into_iter()
            .map(|w| term(&w))
            .collect::<Result<_, _>>()?;
        Ok(Self { terms })
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    #[must_use]
    pub fn matches(&self, session: &Session) -> bool {
        self.terms.iter().all(|t| matches_term(t, session))
    }

    /// What the server must find still true of `session` when a signal for the listed
    /// sessions runs: every word that can stop matching (a state, a wait, a query, an
    /// application name, an age). Words matched by what cannot change during a backend's life
    /// (pid, user, client, database, backend type) need no re-check.
    #[must_use]
    pub fn recheck(&self, session: &Session) -> Vec<Recheck> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                Term::Anywhere(needle) => {
                    let fixed = ANYWHERE
                        .iter()
                        .filter(|f| Mutable::of(**f).is_none())
                        .any(|f| text(*f, session).to_lowercase().contains(needle.as_str()));
                    (!fixed).then(|| Recheck::Contains(Mutable::ALL.to_vec(), needle.clone()))
                }
                Term::In(field, needle) => {
                    Mutable::of(*field).map(|m| Recheck::Contains(vec![m], needle.clone()))
                }
                Term::Longer(clock, secs) => Some(Recheck::Longer(*clock, *secs)),
                Term::Shorter(clock, secs) => Some(Recheck::Shorter(*clock, *secs)),
            })
            .collect()
    }
}

/// A field of pg_stat_activity that changes while the backend lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutable {
    App,
    State,
    /// `wait_event_type` and `wait_event`, as "Lock transactionid".
    Wait,
    Query,
}

impl Mutable {
    pub const ALL: &'static [Mutable] =
        &[Mutable::App, Mutable::State, Mutable::Wait, Mutable::Query];

    fn of(field: Field) -> Option<Self> {
        match field {
            Field::App => Some(Mutable::App),
            Field::State => Some(Mutable::State),
            Field::Wait => Some(Mutable::Wait),
            Field::Query => Some(Mutable::Query),
            Field::Pid | Field::User | Field::Client | Field::Db | Field::Type => None,
        }
    }
}

/// One condition of a filter, re-checked by the server when a signal runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Recheck {
    /// One of the fields contains the (lowercase) text.
    Contains(Vec<Mutable>, String),
    /// The age is over this many seconds.
    Longer(Clock, f64),
    /// The age is under this many seconds.
    Shorter(Clock, f64),
}

/// Splits on whitespace, keeping "quoted phrases" (and field:"quoted values") together.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".to_owned());
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

fn term(word: &str) -> Result<Term, String> {
    if let Some((name, value)) = word.split_once(['>', '<']) {
        let clock = clock(name).ok_or_else(|| {
            format!("{word:?}: compare xact, query, state or backend (e.g. xact>5m)")
        })?;
        let secs = seconds(value)
            .ok_or_else(|| format!("{word:?}: {value:?} is not an age like 30s, 5m, 1h"))?;
        return Ok(if word.as_bytes()[name.len()] == b'>' {
            Term::Longer(clock, secs)
        } else {
            Term::Shorter(clock, secs)
        });
    }
    if let Some((name, value)) = word.split_once(':')
        && let Some(field) = field(name)
    {
        return Ok(Term::In(field, value.to_lowercase()));
    }
    Ok(Term::Anywhere(word.to_lowercase()))
}

fn clock(name: &str) -> Option<Clock> {
    Some(match name {
        "xact" => Clock::Xact,
        "query" => Clock::Query,
        "state" => Clock::State,
        "backend" => Clock::Backend,
        _ => return None,
    })
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "pid" => Field::Pid,
        "user" => Field::User,
        "app" => Field::App,
        "client" => Field::Client,
        "db" => Field::Db,
        "state" => Field::State,
        "wait" => Field::Wait,
        "type" => Field::Type,
        "query" => Field::Query,
        _ => return None,
    })
}

/// "300", "30s", "5m", "1h 30m" → seconds.
fn seconds(text: &str) -> Option<f64> {
    if let Ok(secs) = text.parse::<f64>() {
        return (secs >= 0.0).then_some(secs);
    }
    humantime::parse_duration(text)
        .ok()
        .map(|d: Duration| d.as_secs_f64())
}

fn text(field: Field, s: &Session) -> String {
    match field {
        Field::Pid => s.pid.to_string(),
        Field::User => s.user.clone().unwrap_or_default(),
        Field::App => s.application.clone(),
        Field::Client => client_label(s),
        Field::Db => s.database.clone().unwrap_or_default(),
        Field::State => s.state.as_str().to_owned(),
        Field::Wait => format!(
            "{} {}",
            s.wait_event_type.as_deref().unwrap_or_default(),
            s.wait_event.as_deref().unwrap_or_default()
        ),
        Field::Type => kind_label(s).unwrap_or_else(|| "client".to_owned()),
        Field::Query => s.query.clone(),
    }
}

const ANYWHERE: &[Field] = &[
    Field::Pid,
    Field::User,
    Field::App,
    Field::Client,
    Field::Db,
    Field::State,
    Field::Wait,
    Field::Type,
    Field::Query,
];

fn matches_term(term: &Term, s: &Session) -> bool {
    match term {
        Term::Anywhere(needle) => ANYWHERE
            .iter()
            .any(|f| text(*f, s).to_lowercase().contains(needle.as_str())),
        Term::In(Field::Pid, needle) => s.pid.to_string() == *needle,
        Term::In(field, needle) => text(*field, s).to_lowercase().contains(needle.as_str()),
        Term::Longer(clock, secs) => age(*clock, s).is_some_and(|a| a > *secs),
        Term::Shorter(clock, secs) => age(*clock, s).is_some_and(|a| a < *secs),
    }
}

fn age(clock: Clock, s: &Session) -> Option<f64> {
    match clock {
        Clock::Xact => s.xact_secs,
        Clock::Query => s.query_secs,
        Clock::State => state_age(s),
        Clock::Backend => s.backend_secs,
    }
}

// ─── Sorting ─────────────────────────────────────────────────────────────────────────────────

/// The sessions list's orders; ages sort longest first, names A to Z, pids ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Oldest transaction first: what holds locks and the horizon longest.
    #[default]
    Xact,
    Query,
    State,
    Backend,
    Pid,
    Application,
    User,
}

impl SortKey {
    pub const ALL: &'static [SortKey] = &[
        SortKey::Xact,
        SortKey::Query,
        SortKey::State,
        SortKey::Backend,
        SortKey::Pid,
        SortKey::Application,
        SortKey::User,
    ];

    #[must_use]
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    #[must_use]
    pub fn prev(self) -> Self {
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[(i + Self::ALL.len() - 1) % Self::ALL.len()]
    }

    /// The column header it sorts by.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Xact => "XACT",
            SortKey::Query => "QUERY",
            SortKey::State => "IN STATE",
            SortKey::Backend => "CONN",
            SortKey::Pid => "PID",
            SortKey::Application => "APP",
            SortKey::User => "USER",
        }
    }

    /// Orders two sessions (before any reversal).
    #[must_use]
    pub fn compare(self, a: &Session, b: &Session) -> Ordering {
        let longest = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let order = match self {
            SortKey::Xact => longest(a.xact_secs, b.xact_secs),
            SortKey::Query => longest(a.query_secs, b.query_secs),
            SortKey::State => longest(state_age(a), state_age(b)),
            SortKey::Backend => longest(a.backend_secs, b.backend_secs),
            SortKey::Pid => Ordering::Equal,
            SortKey::Application => a.application.cmp(&b.application),
            SortKey::User => a.user.cmp(&b.user),
        };
        order.then(a.pid.cmp(&b.pid))
    }
}

/// Indices of the sessions the filter keeps, in the chosen order.
#[must_use]
pub fn select(sessions: &[Session], filter: &Filter, sort: SortKey, reverse: bool) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..sessions.len())
        .filter(|i| filter.matches(&sessions[*i]))
        .collect();
    keep.sort_by(|a, b| {
        let order = sort.compare(&sessions[*a], &sessions[*b]);
        if reverse { order.reverse() } else { order }
    });
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::activity::fixture::{client, idle_in_transaction, waiting};
    use crate::snapshot::activity::SessionState;

    fn sessions() -> Vec<Session> {
        let mut long = client(4, "reporting", SessionState::Active);
        long.query = "SELECT sum(amount) FROM ledger".to_owned();
        long.query_secs = Some(90.0);
        long.xact_secs = Some(90.0);
        vec![
            client(1, "api", SessionState::Idle),
            idle_in_transaction(2, "backoffice", 400.0),
            idle_in_transaction(3, "api", 20.0),
            long,
            waiting(5, "migrate", &[2], 12.0),
        ]
    }

    fn pids(text: &str) -> Vec<i32> {
        let s = sessions();
        let filter = Filter::parse(text).unwrap();
        select(&s, &filter, SortKey::Pid, false)
            .into_iter()
            .map(|i| s[i].pid)
            .collect()
    }

    #[test]
    fn filters_by_words_fields_and_ages() {
        assert_eq!(pids(""), vec![1, 2, 3, 4, 5]);
        assert_eq!(pids("API"), vec![1, 3]);
        assert_eq!(pids("ledger"), vec![4]);
        assert_eq!(pids("state:\"idle in transaction\""), vec![2, 3]);
        assert_eq!(pids("state:\"idle in transaction\" state>5m"), vec![2]);
        assert_eq!(pids("query>1m"), vec![4]);
        assert_eq!(pids("state<30s"), vec![3, 5]);
        assert_eq!(pids("wait:lock"), vec![5]);
        assert_eq!(pids("pid:2"), vec![2], "pids match whole");
        assert_eq!(pids("type:client app:back"), vec![2]);
    }

    #[test]
    fn bad_filters_say_why() {
        assert!(
            Filter::parse("xact>soon")
                .unwrap_err()
                .contains("not an age")
        );
        assert!(
            Filter::parse("rows>5")
                .unwrap_err()
                .contains("compare xact")
        );
        assert!(Filter::parse("state:\"idle").unwrap_err().contains("quote"));
        assert!(Filter::parse("   ").unwrap().is_empty());
    }

    #[test]
    fn what_can_change_is_rechecked_and_what_cannot_is_not() {
        let filter =
            Filter::parse("user:app backoffice state:\"idle in transaction\" xact>1m").unwrap();
        let s = sessions();
        // "backoffice" matches the application name, which a session can change.
        assert_eq!(
            filter.recheck(&s[1]),
            [
                Recheck::Contains(Mutable::ALL.to_vec(), "backoffice".to_owned()),
                Recheck::Contains(vec![Mutable::State], "idle in transaction".to_owned()),
                Recheck::Longer(Clock::Xact, 60.0)
            ]
        );
        // A word found in the pid needs no re-check: the pid and start name the backend.
        assert_eq!(Filter::parse("2").unwrap().recheck(&s[1]), []);
    }

    #[test]
    fn sorts_put_the_oldest_first_and_reverse() {
        let s = sessions();
        let order = |key, reverse| -> Vec<i32> {
            select(&s, &Filter::default(), key, reverse)
                .into_iter()
                .map(|i| s[i].pid)
                .collect()
        };
        assert_eq!(order(SortKey::Xact, false), vec![2, 4, 3, 1, 5]);
        assert_eq!(order(SortKey::State, false), vec![2, 4, 3, 5, 1]);
        assert_eq!(order(SortKey::Pid, true), vec![5, 4, 3, 2, 1]);
        assert_eq!(SortKey::User.next(), SortKey::Xact);
    }
}
