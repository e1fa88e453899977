//! Twilio paging (twilio.md §6.1): `PageSize`, `Page` (from 0) and `PageToken` in; v2010 lists
//! answer with relative `*_page_uri`s beside the items, v1 lists with absolute URLs under `meta`.

use serde_json::{json, Value};

pub type Params = Vec<(String, String)>;

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;

/// The value of a query parameter (Twilio's names are case-sensitive PascalCase).
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

struct Window {
    page: usize,
    page_size: usize,
    start: usize,
}

/// Which slice this request asks for: after the item a `PageToken` names, else by `Page`.
fn window(params: &Params, items: &[Value], id_field: &str) -> Window {
    let page_size =
        param(params, "PageSize").and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    let page = param(params, "Page").and_then(|s| s.parse().ok()).unwrap_or(0);
    let after_token = param(params, "PageToken")
        .and_then(|token| token.strip_prefix("PA"))
        .and_then(|last| items.iter().position(|item| item[id_field] == last))
        .map(|index| index + 1);
    Window { page, page_size, start: after_token.unwrap_or(page.saturating_mul(page_size)) }
}

struct Links {
    first: String,
    current: String,
    next: Option<String>,
    previous: Option<String>,
}

/// URIs for this page's neighbours, keeping the filters the request had.
fn links(path: &str, filters: &Params, w: &Window, page_items: &[Value], more: bool, id_field: &str) -> Links {
    let uri = |page: usize, token: Option<String>| {
        let mut query: Vec<(String, String)> = filters.clone();
        query.push(("PageSize".into(), w.page_size.to_string()));
        query.push(("Page".into(), page.to_string()));
        if let Some(token) = token {
            query.push(("PageToken".into(), token));
        }
        format!("{path}?{}", serde_urlencoded::to_string(&query).unwrap_or_default())
    };
    let last_id = page_items.last().and_then(|item| item[id_field].as_str()).map(|id| format!("PA{id}"));
    Links {
        first: uri(0, None),
        current: uri(w.page, None),
        next: if more { Some(uri(w.page + 1, last_id)) } else { None },
        previous: if w.page > 0 { Some(uri(w.page - 1, None)) } else { None },
    }
}

fn slice(items: Vec<Value>, w: &Window) -> (Vec<Value>, bool) {
    let total = items.len();
    let page_items: Vec<Value> = items.into_iter().skip(w.start).take(w.page_size).collect();
    let more = w.start + page_items.len() < total;
    (page_items, more)
}

/// A v2010 list page: `{<key>: [...], end, first_page_uri, next_page_uri, page, page_size,
/// previous_page_uri, start, uri}`.
pub fn v2010(path: &str, key: &str, items: Vec<Value>, filters: &Params, params: &Params) -> Value {
    let w = window(params, &items, "sid");
    let (page_items, more) = slice(items, &w);
    let l = links(path, filters, &w, &page_items, more, "sid");
    let end = (w.start + page_items.len()).saturating_sub(1);
    let mut body = json!({
        "end": end,
        "first_page_uri": l.first,
        "next_page_uri": l.next,
        "page": w.page,
        "page_size": w.page_size,
        "previous_page_uri": l.previous,
        "start": w.start,
        "uri": l.current,
    });
    body[key] = Value::Array(page_items);
    body
}

/// A v1 list page: `{<key>: [...], meta: {first_page_url, key, next_page_url, page, page_size,
/// previous_page_url, url}}` with absolute URLs on `origin`.
pub fn v1(
    origin: &str,
    path: &str,
    key: &str,
    id_field: &str,
    items: Vec<Value>,
    filters: &Params,
    params: &Params,
) -> Value {
    let w = window(params, &items, id_field);
    let (page_items, more) = slice(items, &w);
    let l = links(path, filters, &w, &page_items, more, id_field);
    let absolute = |uri: String| format!("{origin}{uri}");
    let mut body = json!({
        "meta": {
            "first_page_url": absolute(l.first),
            "key": key,
            "next_page_url": l.next.map(absolute),
            "page": w.page,
            "page_size": w.page_size,
            "previous_page_url": l.previous.map(absolute),
            "url": absolute(l.current),
        },
    });
    body[key] = Value::Array(page_items);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<Value> {
        (0..n).map(|i| json!({"sid": format!("CA{i:032}")})).collect()
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn v2010_pages_link_to_the_next_with_a_page_token_and_keep_filters() {
        let filters = params(&[("Status", "busy")]);
        let body =
            v2010("/2010-04-01/Accounts/AC1/Calls.json", "calls", items(5), &filters, &params(&[("PageSize", "2")]));
        assert_eq!(body["calls"].as_array().unwrap().len(), 2);
        assert_eq!((body["page"].as_u64(), body["start"].as_u64(), body["end"].as_u64()), (Some(0), Some(0), Some(1)));
        let next = body["next_page_uri"].as_str().unwrap();
        assert!(
            next.starts_with("/2010-04-01/Accounts/AC1/Calls.json?Status=busy&PageSize=2&Page=1&PageToken=PACA"),
            "{next}"
        );
        assert!(body["previous_page_uri"].is_null());

        let token = next.split("PageToken=").nth(1).unwrap();
        let last = v2010(
            "/x.json",
            "calls",
            items(5),
            &vec![],
            &params(&[("PageSize", "2"), ("Page", "2"), ("PageToken", token)]),
        );
        assert_eq!(last["calls"][0]["sid"], format!("CA{:032}", 2), "the token wins over the page number");
    }

    #[test]
    fn the_last_page_has_no_next() {
        let body = v2010("/x.json", "keys", items(2), &vec![], &params(&[("PageSize", "2")]));
        assert!(body["next_page_uri"].is_null());
        let v1_body =
            v1("http://127.0.0.1:9", "/v1/C", "content", "sid", items(3), &vec![], &params(&[("PageSize", "2")]));
        assert!(v1_body["meta"]["next_page_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:9/v1/C?PageSize=2&Page=1"));
        assert_eq!(v1_body["meta"]["key"], "content");
    }
}
