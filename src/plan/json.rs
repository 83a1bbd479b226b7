//! EXPLAIN (FORMAT JSON): `[{"Plan": {...}, "Planning Time": …}]`, the object without the
//! array, or either inside a `{"QUERY PLAN": …}` wrapper. Read straight into `RawNode`s with
//! serde visitors, so an error (malformed, truncated, a node without "Node Type") carries
//! serde_json's line and column.
//!
//! serde_json stops at 128 nested containers; a plan level takes two (the node and its
//! "Plans" array), so a JSON plan deeper than about 60 levels is refused with that reason.
//! The TEXT reader has no such limit.

use std::fmt;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::plan::source::Source;
use crate::plan::{PlanError, Props, RawNode};

/// The first plan of the input, its statement-level properties, and how many more plans
/// followed it.
pub(crate) fn parse(source: &Source) -> Result<(RawNode, Props, usize), PlanError> {
    let text = source.joined();
    let mut de = serde_json::Deserializer::from_str(&text);
    let plans = TopSeed
        .deserialize(&mut de)
        .and_then(|plans| de.end().map(|()| plans))
        .map_err(|err| to_plan_error(source, &err))?;
    let more = plans.len().saturating_sub(1);
    if let Some((root, top)) = plans.into_iter().next() {
        Ok((root, top, more))
    } else {
        let (line, column) = source.locate(1, 1);
        Err(PlanError::at(
            line,
            column,
            "no plan in the input (an empty list)",
        ))
    }
}

fn to_plan_error(source: &Source, err: &serde_json::Error) -> PlanError {
    let (line, column) = source.locate(err.line(), err.column());
    let text = err.to_string();
    let message = text
        .rfind(" at line ")
        .map_or(text.as_str(), |at| &text[..at]);
    let message = if err.is_eof() {
        format!("the plan ends too early (truncated?): {message}")
    } else if message == "recursion limit exceeded" {
        "the JSON plan is nested deeper than pgmedic reads (about 60 levels); save it as TEXT"
            .to_owned()
    } else {
        message.to_owned()
    };
    PlanError::at(line, column, message)
}

type TopPlans = Vec<(RawNode, Props)>;

/// A list of plans, one plan object, or a `{"QUERY PLAN": …}` wrapper around either.
struct TopSeed;

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = TopPlans;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<TopPlans, D::Error> {
        de.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = TopPlans;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an EXPLAIN (FORMAT JSON) plan")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopPlans, A::Error> {
        let mut plans = Vec::new();
        while let Some(more) = seq.next_element_seed(TopSeed)? {
            plans.extend(more);
        }
        Ok(plans)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopPlans, A::Error> {
        let mut root = None;
        let mut wrapped = Vec::new();
        let mut top = Props::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Plan" => root = Some(map.next_value_seed(NodeSeed)?),
                "QUERY PLAN" => wrapped.extend(map.next_value_seed(TopSeed)?),
                _ => {
                    let value: Value = map.next_value()?;
                    top.0.push((key, value));
                }
            }
        }
        match root {
            Some(root) => Ok(vec![(root, top)]),
            None if !wrapped.is_empty() => Ok(wrapped),
            None => Err(A::Error::custom(
                "not an EXPLAIN plan: expected an object with a \"Plan\" key",
            )),
        }
    }
}

/// One plan node and, through "Plans", its children.
struct NodeSeed;

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = RawNode;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<RawNode, D::Error> {
        de.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plan node (an object with \"Node Type\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut node = RawNode::default();
        while let Some(key) = map.next_key::<String>()? {
            if key == "Plans" {
                node.children = map.next_value_seed(PlansSeed)?;
            } else {
                let value: Value = map.next_value()?;
                node.props.0.push((key, value));
            }
        }
        match node.props.get("Node Type") {
            Some(Value::String(_)) => Ok(node),
            _ => Err(A::Error::custom("a plan node without a \"Node Type\"")),
        }
    }
}

struct PlansSeed;

impl<'de> DeserializeSeed<'de> for PlansSeed {
    type Value = Vec<RawNode>;

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<Vec<RawNode>, D::Error> {
        de.deserialize_seq(PlansVisitor)
    }
}

struct PlansVisitor;

impl<'de> Visitor<'de> for PlansVisitor {
    type Value = Vec<RawNode>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of plan nodes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<RawNode>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(2));
        while let Some(node) = seq.next_element_seed(NodeSeed)? {
            out.push(node);
        }
        Ok(out)
    }
}
