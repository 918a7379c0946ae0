//! A tray host on the test bus (zbus).

use super::Bus;

/// A tray host on a session bus: a StatusNotifierWatcher (the service KDE's panel, GNOME's
/// AppIndicator extension and most Linux panels run) that records the tray items apps register
/// with it. Nothing draws them: a headless display has no panel.
pub struct TrayHost {
    conn: zbus::Connection,
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

struct Watcher {
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // An item names its object path, or its bus name (then at the usual path).
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            format!("{sender}{service}")
        } else {
            service
        };
        self.items.lock().unwrap().push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

impl TrayHost {
    pub const NAME: &str = "org.kde.StatusNotifierWatcher";

    pub async fn on(bus: &Bus) -> TrayHost {
        let items = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(bus.address.as_str())
            .name(Self::NAME)
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .build()
            .await
            .expect("serve the tray host on the test bus");
        TrayHost { conn, items }
    }

    /// The tray items registered so far: `bus-name/path` or a bus name.
    pub fn items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    /// The labels of an item's menu (com.canonical.dbusmenu, as libayatana-appindicator
    /// exports it), top level, in order; `None` if it has no menu that answers.
    pub async fn menu_labels(&self, item: &str) -> Option<Vec<String>> {
        use zbus::{OwnedVariant as OwnedValue, Variant as Value};
        let (dest, path) = match item.find('/') {
            Some(i) => (&item[..i], &item[i..]),
            None => (item, "/StatusNotifierItem"),
        };
        let menu: zbus::OwnedObjectPath = self
            .conn
            .call_method(
                Some(dest),
                path,
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.kde.StatusNotifierItem", "Menu"),
            )
            .await
            .ok()?
            .body()
            .deserialize::<OwnedValue>()
            .ok()?
            .try_into()
            .ok()?;
        type Layout = (
            i32,
            std::collections::HashMap<String, OwnedValue>,
            Vec<OwnedValue>,
        );
        let (_, (_, _, children)): (u32, Layout) = self
            .conn
            .call_method(
                Some(dest),
                menu.as_str(),
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, 1i32, Vec::<String>::new()),
            )
            .await
            .ok()?
            .body()
            .deserialize()
            .ok()?;
        let labels = children
            .into_iter()
            .filter_map(|child| {
                let Value::Structure(s) = &*child else {
                    return None;
                };
                let props = s.fields().get(1)?;
                let Value::Dict(d) = props else {
                    return None;
                };
                let label: Option<String> = d.get(&Value::from("label")).ok().flatten();
                Some(label.unwrap_or_else(|| "—".into()))
            })
            .collect();
        Some(labels)
    }
}
