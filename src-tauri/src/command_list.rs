// Every command the window may call, written once. `build.rs` includes this file to make each
// one a permission (`allow-<command>`), `lib.rs` to register the handlers, and
// `cargo xtask tidy` reads it to check that `capabilities/main.json` grants exactly these and
// that `ui/src/lib/ipc.ts` calls exactly these. A new command is a line here and an adapter in
// `commands.rs`.

/// Calls `$m! { app_info, status, ... }` with every command's name.
macro_rules! with_commands {
    ($m:ident) => {
        $m! {
            app_info,
            status,
            contractors,
            contractor,
            approve_contractor,
            revoke_contractor,
            permits,
            permit,
            reissue_pass,
            revoke_pass,
            outbox,
            retry_now,
            retry_action,
            discard_action,
            check_pass,
            print_preview,
            print_passes,
            printers,
            activity,
            export_activity,
            places,
            import_places,
            place_options,
            place_rows,
            name_place,
            export_places,
            connect,
            alerts,
            mark_alerts_read,
            snooze_alerts,
            desktop_prefs,
            set_desktop_prefs,
            alert_times,
            set_alert_times,
            take_permits_to_open,
            panels,
            panel_identifiers,
            sweep_panels,
            remove_orphans,
            drain_panels,
            add_panel,
            remove_panel,
            provision_doors,
            revoke_doors,
        }
    };
}
