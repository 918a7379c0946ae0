//! FeathersJS-style list queries [INF: the list endpoints are undocumented]:
//! `$limit`, `$skip`, `$sort[field]=1|-1`, `field=value`, `field[$ne|$gt|$gte|$lt|$lte]=value`,
//! `field[$in][]=a&field[$in][]=b`. Unknown fields and operators are a 400, not silently ignored.

use std::cmp::Ordering;

use gatehouse_buzzin::inf::{LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT};
use gatehouse_buzzin::{Contractor, FeedItem, Page, Permit, Timestamp};

use crate::error::{ApiError, ApiResult};

/// A field's value, for comparing and sorting.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Value<'a> {
    Missing,
    Bool(bool),
    Int(i64),
    Time(Timestamp),
    Str(&'a str),
}

/// How a field's query values are parsed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Str,
    Int,
    Bool,
    Time,
}

/// A resource that can be listed: its queryable fields and how to read them.
pub trait Listable {
    const RESOURCE: &'static str;
    const FIELDS: &'static [(&'static str, Kind)];
    fn field(&self, name: &str) -> Value<'_>;
}

fn opt_str(v: &Option<String>) -> Value<'_> {
    v.as_deref().map(Value::Str).unwrap_or(Value::Missing)
}

fn opt_time(v: &Option<Timestamp>) -> Value<'_> {
    v.map(Value::Time).unwrap_or(Value::Missing)
}

impl Listable for Permit {
    const RESOURCE: &'static str = "permits";
    const FIELDS: &'static [(&'static str, Kind)] = &[
        ("_id", Kind::Str),
        ("passNumber", Kind::Str),
        ("status", Kind::Int),
        ("statusName", Kind::Str),
        ("permitType", Kind::Str),
        ("communityContractorId", Kind::Str),
        ("propertyId", Kind::Str),
        ("flatId", Kind::Str),
        ("salesforceId", Kind::Str),
        ("validFrom", Kind::Time),
        ("validTill", Kind::Time),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ];
    fn field(&self, name: &str) -> Value<'_> {
        match name {
            "_id" => Value::Str(&self.id),
            "passNumber" => opt_str(&self.pass_number),
            "status" => self.status.map(Value::Int).unwrap_or(Value::Missing),
            "statusName" => self
                .status_name
                .as_ref()
                .map(|s| Value::Str(s.as_str()))
                .unwrap_or(Value::Missing),
            "permitType" => self
                .permit_type
                .as_ref()
                .map(|s| Value::Str(s.as_str()))
                .unwrap_or(Value::Missing),
            "communityContractorId" => opt_str(&self.community_contractor_id),
            "propertyId" => opt_str(&self.property_id),
            "flatId" => opt_str(&self.flat_id),
            "salesforceId" => self
                .salesforce_id()
                .map(Value::Str)
                .unwrap_or(Value::Missing),
            "validFrom" => opt_time(&self.valid_from),
            "validTill" => opt_time(&self.valid_till),
            "createdAt" => opt_time(&self.created_at),
            "updatedAt" => opt_time(&self.updated_at),
            _ => Value::Missing,
        }
    }
}

impl Listable for Contractor {
    const RESOURCE: &'static str = "communityContractors";
    const FIELDS: &'static [(&'static str, Kind)] = &[
        ("_id", Kind::Str),
        ("name", Kind::Str),
        ("email", Kind::Str),
        ("phone", Kind::Str),
        ("approved", Kind::Bool),
        ("salesforceId", Kind::Str),
        ("createdAt", Kind::Time),
        ("updatedAt", Kind::Time),
    ];
    fn field(&self, name: &str) -> Value<'_> {
        match name {
            "_id" => Value::Str(&self.id),
            "name" => opt_str(&self.name),
            "email" => opt_str(&self.email),
            "phone" => opt_str(&self.phone),
            "approved" => Value::Bool(self.approved),
            "salesforceId" => self
                .salesforce_id()
                .map(Value::Str)
                .unwrap_or(Value::Missing),
            "createdAt" => opt_time(&self.created_at),
            "updatedAt" => opt_time(&self.updated_at),
            _ => Value::Missing,
        }
    }
}

impl Listable for FeedItem {
    const RESOURCE: &'static str = "workPermitEvents";
    const FIELDS: &'static [(&'static str, Kind)] = &[
        ("cursor", Kind::Int),
        ("event", Kind::Str),
        ("createdAt", Kind::Time),
    ];
    fn field(&self, name: &str) -> Value<'_> {
        match name {
            "cursor" => Value::Int(self.cursor as i64),
            "event" => Value::Str(self.envelope.event.as_str()),
            "createdAt" => Value::Time(self.envelope.created_at),
            _ => Value::Missing,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
}

#[derive(Debug, Clone)]
enum Owned {
    Bool(bool),
    Int(i64),
    Time(Timestamp),
    Str(String),
}

impl Owned {
    fn as_value(&self) -> Value<'_> {
        match self {
            Owned::Bool(b) => Value::Bool(*b),
            Owned::Int(i) => Value::Int(*i),
            Owned::Time(t) => Value::Time(*t),
            Owned::Str(s) => Value::Str(s),
        }
    }
}

#[derive(Debug, Clone)]
struct Filter {
    field: &'static str,
    op: Op,
    values: Vec<Owned>,
}

impl Filter {
    fn matches(&self, v: &Value<'_>) -> bool {
        let first = self.values[0].as_value();
        match self.op {
            Op::Eq => *v == first,
            Op::Ne => *v != first,
            Op::In => self.values.iter().any(|x| *v == x.as_value()),
            // Range operators never match a missing value.
            _ if *v == Value::Missing => false,
            Op::Gt => v.partial_cmp(&first) == Some(Ordering::Greater),
            Op::Gte => matches!(
                v.partial_cmp(&first),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            Op::Lt => v.partial_cmp(&first) == Some(Ordering::Less),
            Op::Lte => matches!(
                v.partial_cmp(&first),
                Some(Ordering::Less | Ordering::Equal)
            ),
        }
    }
}

/// A parsed list query.
#[derive(Debug, Clone)]
pub struct Query {
    pub limit: u64,
    pub skip: u64,
    sort: Vec<(&'static str, bool)>,
    filters: Vec<Filter>,
}

fn parse_value(kind: Kind, raw: &str, key: &str) -> ApiResult<Owned> {
    let bad = |what: &str| ApiError::bad_request(format!("{key} must be {what}, got \"{raw}\""));
    Ok(match kind {
        Kind::Str => Owned::Str(raw.to_owned()),
        Kind::Int => Owned::Int(raw.parse().map_err(|_| bad("an integer"))?),
        Kind::Bool => Owned::Bool(match raw {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(bad("true or false")),
        }),
        Kind::Time => {
            Owned::Time(Timestamp::parse(raw).ok_or_else(|| bad("an ISO-8601 date-time"))?)
        }
    })
}

impl Query {
    pub fn parse<T: Listable>(pairs: &[(String, String)]) -> ApiResult<Self> {
        let mut q = Query {
            limit: LIST_DEFAULT_LIMIT,
            skip: 0,
            sort: Vec::new(),
            filters: Vec::new(),
        };
        let field_of = |name: &str| -> ApiResult<(&'static str, Kind)> {
            T::FIELDS
                .iter()
                .find(|(f, _)| *f == name)
                .copied()
                .ok_or_else(|| {
                    let allowed: Vec<&str> = T::FIELDS.iter().map(|(f, _)| *f).collect();
                    ApiError::bad_request(format!(
                        "Unknown field \"{name}\" for {}: allowed are {}",
                        T::RESOURCE,
                        allowed.join(", ")
                    ))
                })
        };
        for (key, raw) in pairs {
            match key.as_str() {
                "$limit" => {
                    q.limit = raw.parse::<u64>().map_err(|_| {
                        ApiError::bad_request(format!(
                            "$limit must be a whole number, got \"{raw}\""
                        ))
                    })?;
                    q.limit = q.limit.min(LIST_MAX_LIMIT);
                    continue;
                }
                "$skip" => {
                    q.skip = raw.parse::<u64>().map_err(|_| {
                        ApiError::bad_request(format!(
                            "$skip must be a whole number, got \"{raw}\""
                        ))
                    })?;
                    continue;
                }
                _ => {}
            }
            if let Some(rest) = key.strip_prefix("$sort[") {
                let name = rest.strip_suffix(']').ok_or_else(|| {
                    ApiError::bad_request(format!("Malformed sort parameter \"{key}\""))
                })?;
                let (field, _) = field_of(name)?;
                let ascending = match raw.as_str() {
                    "1" => true,
                    "-1" => false,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "{key} must be 1 or -1, got \"{raw}\""
                        )));
                    }
                };
                q.sort.push((field, ascending));
                continue;
            }
            if key.starts_with('$') {
                return Err(ApiError::bad_request(format!(
                    "Unsupported query parameter \"{key}\""
                )));
            }
            let (name, op) = match key.split_once('[') {
                None => (key.as_str(), Op::Eq),
                Some((name, rest)) => {
                    let op = match rest {
                        "$ne]" => Op::Ne,
                        "$gt]" => Op::Gt,
                        "$gte]" => Op::Gte,
                        "$lt]" => Op::Lt,
                        "$lte]" => Op::Lte,
                        r if r.starts_with("$in]") => Op::In,
                        _ => {
                            return Err(ApiError::bad_request(format!(
                                "Unsupported operator in \"{key}\": use $ne, $gt, $gte, $lt, $lte or $in"
                            )));
                        }
                    };
                    (name, op)
                }
            };
            let (field, kind) = field_of(name)?;
            let value = parse_value(kind, raw, key)?;
            match q
                .filters
                .iter_mut()
                .find(|f| f.op == Op::In && op == Op::In && f.field == field)
            {
                Some(existing) => existing.values.push(value),
                None => q.filters.push(Filter {
                    field,
                    op,
                    values: vec![value],
                }),
            }
        }
        Ok(q)
    }

    /// Filters, sorts and pages `items`, which are stored in `_id` order (ids are minted in
    /// increasing order), so no sort, or a sort by `_id` ascending, needs no sorting at all.
    pub fn run<T: Listable + Clone>(&self, items: &[T]) -> Page<T> {
        let in_storage_order = match self.sort.as_slice() {
            [] => true,
            [(field, true)] => *field == "_id",
            _ => false,
        };
        if in_storage_order {
            let mut total = 0u64;
            let mut data = Vec::with_capacity(self.limit.min(items.len() as u64) as usize);
            for item in items
                .iter()
                .filter(|item| self.filters.iter().all(|f| f.matches(&item.field(f.field))))
            {
                if total >= self.skip && (data.len() as u64) < self.limit {
                    data.push(item.clone());
                }
                total += 1;
            }
            return Page {
                total,
                limit: self.limit,
                skip: self.skip,
                data,
            };
        }
        let mut hits: Vec<&T> = items
            .iter()
            .filter(|item| self.filters.iter().all(|f| f.matches(&item.field(f.field))))
            .collect();
        if !self.sort.is_empty() {
            hits.sort_by(|a, b| {
                for (field, ascending) in &self.sort {
                    let ord = a
                        .field(field)
                        .partial_cmp(&b.field(field))
                        .unwrap_or(Ordering::Equal);
                    let ord = if *ascending { ord } else { ord.reverse() };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
        }
        let total = hits.len() as u64;
        let data = hits
            .into_iter()
            .skip(self.skip as usize)
            .take(self.limit as usize)
            .cloned()
            .collect();
        Page {
            total,
            limit: self.limit,
            skip: self.skip,
            data,
        }
    }
}
