//! Per-item results, listings and batch bodies.

use serde::{Deserialize, Serialize};

use crate::{IdentifierType, WireNumber};

/// One item's outcome in a by-type write or delete [DOC]. HTTP 200 carries these whatever
/// happened: an item is done only when its `success` is true.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    #[serde(default)]
    pub identifier_type: Option<IdentifierType>,
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub identifier_number: Option<WireNumber>,
    #[serde(default)]
    pub extended_info: Option<String>,
}

impl ItemResult {
    /// Whether the panel says it does not hold this number (a delete of what is gone).
    pub fn not_found(&self) -> bool {
        self.extended_info
            .as_deref()
            .is_some_and(|i| crate::inf::NOT_FOUND_INFOS.contains(&i))
    }
}

/// The body of a by-type write or delete's answer [DOC: `{"result": [...]}`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultList {
    #[serde(default)]
    pub result: Vec<ItemResult>,
}

/// A number in a batch delete [DOC: `{"list_items": [{"identifier_number": "1850186"}]}`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberItem {
    pub identifier_number: WireNumber,
}

/// Paging of a listing [DOC].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    #[serde(default)]
    pub total_items: Option<u64>,
    #[serde(default)]
    pub items_limit: Option<u64>,
    #[serde(default)]
    pub total_pages: Option<u64>,
    #[serde(default)]
    pub current_page: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListOption {
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

/// A page of a listing, and a batch body: `list_items` [DOC]. A page past the last one has an
/// empty (or missing) `list_items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_option: Option<ListOption>,
    #[serde(default = "Vec::new")]
    pub list_items: Vec<T>,
}

impl<T> ListPage<T> {
    /// A batch body of these items.
    pub fn of(items: Vec<T>) -> ListPage<T> {
        ListPage {
            list_option: None,
            list_items: items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_are_read_item_by_item_and_a_missing_success_is_a_failure() {
        let r: ResultList = serde_json::from_value(json!({"result": [
            {"identifier_type": "card", "success": true, "identifier_number": "1c-3b-4a", "extended_info": "updated"},
            {"identifier_type": "card", "identifier_number": 44, "extended_info": "not_found"},
            {"success": false, "extended_info": "number_of_identifiers_exceeded", "more": 1}
        ]}))
        .unwrap();
        assert_eq!(
            r.result.iter().map(|i| i.success).collect::<Vec<_>>(),
            [true, false, false]
        );
        assert!(r.result[1].not_found() && !r.result[2].not_found());
        let empty: ResultList = serde_json::from_value(json!({})).unwrap();
        assert!(empty.result.is_empty());
        let page: ListPage<crate::Identifier> =
            serde_json::from_value(json!({"list_option": {"pagination": {"total_items": 18}}}))
                .unwrap();
        assert!(page.list_items.is_empty());
        assert_eq!(
            serde_json::to_value(ListPage::of(vec![NumberItem {
                identifier_number: WireNumber("1850186".into())
            }]))
            .unwrap(),
            json!({"list_items": [{"identifier_number": "1850186"}]})
        );
    }
}
