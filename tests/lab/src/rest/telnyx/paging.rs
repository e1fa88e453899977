//! Telnyx "flat" pagination (telnyx.md §4.3): `page[number]` (from 1) and `page[size]` (1..=250),
//! answered with `meta {page_number, page_size, total_pages, total_results}`.

use std::collections::HashMap;

use axum::Json;
use serde_json::{json, Value};

use super::errors::ApiError;

pub type Params = HashMap<String, String>;

const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 250;

fn number(
    params: &Params,
    name: &str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(text) => text.parse::<usize>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
            ApiError::invalid_parameter(
                name,
                &format!("{name} must be a whole number from {} to {}.", range.start(), range.end()),
            )
        }),
    }
}

/// One page of `items` as the query asks for it.
pub fn page(items: Vec<Value>, params: &Params) -> Result<Json<Value>, ApiError> {
    let page_number = number(params, "page[number]", 1, 1..=usize::MAX)?;
    let page_size = number(params, "page[size]", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE)?;
    let total_results = items.len();
    let total_pages = total_results.div_ceil(page_size);
    let data: Vec<Value> =
        items.into_iter().skip((page_number - 1).saturating_mul(page_size)).take(page_size).collect();
    Ok(Json(json!({
        "data": data,
        "meta": {
            "page_number": page_number,
            "page_size": page_size,
            "total_pages": total_pages,
            "total_results": total_results,
        },
    })))
}

/// Applies `sort=field` / `sort=-field` over the allowed fields; `default` when absent.
pub fn sort(items: &mut [Value], params: &Params, allowed: &[&str], default: &str) -> Result<(), ApiError> {
    let spec = params.get("sort").map(String::as_str).unwrap_or(default);
    let (descending, field) = match spec.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, spec),
    };
    if !allowed.contains(&field) {
        return Err(ApiError::invalid_parameter("sort", &format!("sort must be one of: {}.", allowed.join(", "))));
    }
    let key = |v: &Value| v[field].to_string();
    items.sort_by(|a, b| if descending { key(b).cmp(&key(a)) } else { key(a).cmp(&key(b)) });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_are_numbered_from_one_and_report_totals() {
        let items: Vec<Value> = (0..55).map(|i| json!({"n": i})).collect();
        let Json(body) = page(items, &params(&[("page[number]", "3"), ("page[size]", "25")])).unwrap();
        assert_eq!(body["meta"], json!({"page_number": 3, "page_size": 25, "total_pages": 3, "total_results": 55}));
        assert_eq!(body["data"].as_array().unwrap().len(), 5);
        assert_eq!(body["data"][0]["n"], 50);
    }

    #[test]
    fn out_of_range_sizes_are_refused_naming_the_parameter() {
        let error = page(vec![], &params(&[("page[size]", "251")])).unwrap_err();
        assert_eq!(error.status, 422);
        assert_eq!(error.body["errors"][0]["source"]["parameter"], "page[size]");
        assert!(page(vec![], &params(&[("page[number]", "0")])).is_err());
    }
}
