//! The test display seen as a window manager sees it (x11rb): a window's close button, whether
//! a window is on screen, and what clients ask the window manager for (the display has none, so
//! a minimize is a request that nobody carries out, and the test reads the request).

use super::Display;

impl Display {
    /// The top-level windows titled `title` that take the window manager's close
    /// (WM_DELETE_WINDOW in their WM_PROTOCOLS).
    fn windows_titled(
        &self,
        title: &str,
    ) -> Result<(impl x11rb::connection::Connection, Vec<u32>, [u32; 2]), String> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
        let e = |e: &dyn std::fmt::Display| format!("X on {}: {e}", self.name);
        let (conn, screen) = x11rb::connect(Some(&self.name)).map_err(|x| e(&x))?;
        let root = conn.setup().roots[screen].root;
        let atom = |name: &str| -> Result<u32, String> {
            Ok(conn
                .intern_atom(false, name.as_bytes())
                .map_err(|x| e(&x))?
                .reply()
                .map_err(|x| e(&x))?
                .atom)
        };
        let (protocols, delete) = (atom("WM_PROTOCOLS")?, atom("WM_DELETE_WINDOW")?);
        let mut found = Vec::new();
        let mut stack = vec![root];
        while let Some(w) = stack.pop() {
            let name = conn
                .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
                .map_err(|x| e(&x))?
                .reply()
                .map_err(|x| e(&x))?;
            if name.value == title.as_bytes() {
                let takes = conn
                    .get_property(false, w, protocols, AtomEnum::ATOM, 0, 32)
                    .map_err(|x| e(&x))?
                    .reply()
                    .map_err(|x| e(&x))?;
                if takes.value32().is_some_and(|mut a| a.any(|a| a == delete)) {
                    found.push(w);
                }
            }
            stack.extend(
                conn.query_tree(w)
                    .map_err(|x| e(&x))?
                    .reply()
                    .map_err(|x| e(&x))?
                    .children,
            );
        }
        Ok((conn, found, [protocols, delete]))
    }

    /// Presses the close button of the window titled `title`, as a window manager does: sends it
    /// WM_DELETE_WINDOW, and the app decides what closing means.
    pub fn close_window(&self, title: &str) -> Result<(), String> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};
        let (conn, windows, [protocols, delete]) = self.windows_titled(title)?;
        if windows.is_empty() {
            return Err(format!("no window titled {title:?} on {}", self.name));
        }
        for w in windows {
            let event = ClientMessageEvent::new(32, w, protocols, [delete, 0, 0, 0, 0]);
            conn.send_event(false, w, EventMask::NO_EVENT, event)
                .map_err(|e| e.to_string())?;
        }
        conn.flush().map_err(|e| e.to_string())
    }

    /// Starts listening to what clients ask the window manager for, from now on.
    pub fn wm_requests(&self) -> Result<WmRequests, String> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt as _, EventMask};
        let e = |e: &dyn std::fmt::Display| format!("X on {}: {e}", self.name);
        let (conn, screen) = x11rb::connect(Some(&self.name)).map_err(|x| e(&x))?;
        let root = conn.setup().roots[screen].root;
        let change_state = conn
            .intern_atom(false, b"WM_CHANGE_STATE")
            .map_err(|x| e(&x))?
            .reply()
            .map_err(|x| e(&x))?
            .atom;
        // Requests are client messages to the root with the substructure masks; any number of
        // clients may hear them with SubstructureNotify (only a window manager redirects).
        conn.change_window_attributes(
            root,
            &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
        )
        .map_err(|x| e(&x))?
        .check()
        .map_err(|x| e(&x))?;
        Ok(WmRequests {
            conn,
            change_state,
            minimized: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Whether a window titled `title` is on screen (mapped and viewable).
    pub fn window_shown(&self, title: &str) -> Result<bool, String> {
        use x11rb::protocol::xproto::{ConnectionExt as _, MapState};
        let (conn, windows, _) = self.windows_titled(title)?;
        for w in windows {
            let a = conn
                .get_window_attributes(w)
                .map_err(|e| e.to_string())?
                .reply()
                .map_err(|e| e.to_string())?;
            if a.map_state == MapState::VIEWABLE {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// What clients asked the window manager for since [`Display::wm_requests`].
pub struct WmRequests {
    conn: x11rb::rust_connection::RustConnection,
    change_state: u32,
    minimized: std::sync::atomic::AtomicUsize,
}

impl WmRequests {
    /// How many times a window asked to be minimized (ICCCM WM_CHANGE_STATE to IconicState,
    /// what GTK's iconify sends).
    pub fn minimizes(&self) -> usize {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::Event;
        const ICONIC_STATE: u32 = 3;
        while let Ok(Some(event)) = self.conn.poll_for_event() {
            if let Event::ClientMessage(m) = event
                && m.type_ == self.change_state
                && m.data.as_data32()[0] == ICONIC_STATE
            {
                self.minimized
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        self.minimized.load(std::sync::atomic::Ordering::SeqCst)
    }
}
